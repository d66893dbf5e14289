"""Record-level visibility as SQL: a rep in Małopolska never sees a Podkarpacie client.

Every list, lookup and change of companies and persons goes through :func:`visible`, so the
rule lives in one place and is applied by the database, not by filtering rows in Python.
"""

from __future__ import annotations

from typing import Any

from core.access.tables import User
from core.auth import Actor
from core.crm.tables import Company, Person
from core.errors import DomainError
from core.i18n import _


def visible(table: Any, actor: Actor, permission: str, *, include_deleted: bool = False) -> Any:
    """A where-clause selecting the live rows of ``table`` that ``permission`` reaches for ``actor``
    (with ``include_deleted``, removed and merged-away rows too: sync must hear of them)."""
    scope = actor.scope_for(permission)
    if scope is None:
        raise DomainError("FORBIDDEN", _("You do not have the permission {permission}."), permission=permission)
    live = table.id.is_not_null() if include_deleted else table.deleted_at.is_null()
    if scope == "all":
        return live
    own = table.owner == (actor.user_id or -1)
    if scope == "team" and actor.team_id is not None:
        # A sub-select, not a join: the clause then names only the table's own columns, so
        # plugins can put it into statements of their own (reports), and the planner semi-joins.
        members = User.select(User.id).where(User.team == actor.team_id)
        return live & (own | table.owner.is_in(members))
    if scope == "territory" and actor.territory_ids:
        return live & (own | table.territory.is_in(sorted(actor.territory_ids)))
    return live & own


def subjects_visible(table: Any, actor: Actor) -> Any:
    """Rows of ``table`` (with nullable ``person`` and ``company`` columns: queued calls, timeline
    entries) whose person and company ``actor`` may see; a side the actor may not read at all
    leaves only rows without it."""
    clause = None
    for column, subject, permission in (
        (table.person, Person, "core.person.read"),
        (table.company, Company, "core.company.read"),
    ):
        part = column.is_null()
        if actor.scope_for(permission) is not None:
            part = part | column.is_in(subject.select(subject.id).where(visible(subject, actor, permission)))
        clause = part if clause is None else clause & part
    return clause


async def reachable(table: Any, record_id: int, actor: Actor, permission: str) -> bool:
    """Whether one record exists and ``permission`` reaches it for ``actor``."""
    if actor.scope_for(permission) is None:
        return False
    return await table.exists().where((table.id == record_id) & visible(table, actor, permission))


async def require_reachable(table: Any, record_id: int, actor: Actor, permission: str, field: list[str]) -> None:
    if not await reachable(table, record_id, actor, permission):
        raise DomainError("NOT_FOUND", _("No such record, or it is outside your area."), field)
