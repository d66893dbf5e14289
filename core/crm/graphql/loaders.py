"""Per-request dataloaders of the client file (users, companies, persons and their parts).

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
"""

import contextlib
from typing import Any

from core.access.graphql.types import UserNode
from core.crm import services as crm
from core.crm import tables as db
from core.crm.graphql.types import (
    AddressType,
    ContactPointType,
    Employment_,
    _company_values,
    _person_values,
)
from core.crm.merge import resolve_merged
from core.crm.scoping import visible
from core.db.fetch import fetch
from core.graphql.compose import composed_class


async def _load(info: Any, loader: str, record_id: int | None) -> Any:
    if record_id is None:
        return None
    with contextlib.suppress(KeyError):  # not loaded yet in this request
        info.context.loaders[loader].clear(record_id)  # it just changed
    return await info.context.loaders[loader].load(record_id)


# --- dataloaders ---------------------------------------------------------------------------------------
async def load_companies(keys: list[int], context: Any) -> list[Any]:
    return await _load_records(db.Company, crm.COMPANY_READ, "Company", _company_values, keys, context)


async def load_persons(keys: list[int], context: Any) -> list[Any]:
    return await _load_records(db.Person, crm.PERSON_READ, "Person", _person_values, keys, context)


async def _load_records(
    table: Any, permission: str, type_name: str, values: Any, keys: list[int], context: Any
) -> list:
    """Visible records by id; the id of a merged-away record resolves to the record it went into."""
    if context.actor.scope_for(permission) is None:
        return [None] * len(keys)
    moved = await resolve_merged(table, keys)
    wanted = sorted({moved.get(key, key) for key in keys})
    rows = (
        await table.select()
        .where(table.id.is_in(wanted) & visible(table, context.actor, permission))
        .output(load_json=True)
    )
    make = composed_class(context, type_name)
    found = {row["id"]: make(**values(row)) for row in rows}
    return [found.get(moved.get(key, key)) for key in keys]


async def load_users(keys: list[int], context: Any) -> list[UserNode | None]:
    from core.access.tables import User

    placeholders = ", ".join("{}" for _key in keys)
    rows = await fetch(
        User,
        "SELECT id, email, display_name, is_active, is_superuser, locale, team FROM core_user"
        f" WHERE id IN ({placeholders})",
        *keys,
    )
    found = {row["id"]: UserNode.from_row(row) for row in rows}
    return [found.get(key) for key in keys]


def _grouped(keys: list[tuple[str, int]]) -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = {"company": [], "person": []}
    for kind, record_id in keys:
        grouped[kind].append(record_id)
    return grouped


async def load_contact_points(keys: list[tuple[str, int]], context: Any) -> list[list[ContactPointType]]:
    found: dict[tuple[str, int], list[Any]] = {key: [] for key in keys}
    for kind, ids in _grouped(keys).items():
        if not ids:
            continue
        column = getattr(db.ContactPoint, kind)
        rows = await db.ContactPoint.select().where(column.is_in(ids)).order_by(db.ContactPoint.id)
        for row in rows:
            found[(kind, row[kind])].append(
                ContactPointType(value=row["value"], label=row["label"], is_primary=row["is_primary"], kind=row["kind"])
            )
    return [found[key] for key in keys]


async def load_addresses(keys: list[tuple[str, int]], context: Any) -> list[list[AddressType]]:
    found: dict[tuple[str, int], list[Any]] = {key: [] for key in keys}
    for kind, ids in _grouped(keys).items():
        if not ids:
            continue
        rows = await db.Address.select().where(getattr(db.Address, kind).is_in(ids)).order_by(db.Address.id)
        for row in rows:
            found[(kind, row[kind])].append(
                AddressType(
                    kind=row["kind"],
                    street=row["street"],
                    postal_code=row["postal_code"],
                    city=row["city"],
                    country=row["country"],
                    notes=row["notes"],
                )
            )
    return [found[key] for key in keys]


async def load_tags(keys: list[tuple[str, int]], context: Any) -> list[list[str]]:
    found: dict[tuple[str, int], list[str]] = {key: [] for key in keys}
    for kind, ids in _grouped(keys).items():
        if not ids:
            continue
        placeholders = ", ".join("{}" for _id in ids)
        rows = await fetch(  # the table and column come from this code, never from a caller
            db.Tag,
            f'SELECT link."{kind}" AS owner, tag.name FROM core_{kind}_tag link JOIN core_tag tag ON tag.id = link.tag'
            f' WHERE link."{kind}" IN ({placeholders})',
            *ids,
        )
        for row in rows:
            found[(kind, row["owner"])].append(row["name"])
    # Sorted here: the engines' collations disagree on case.
    return [sorted(tags, key=str.casefold) if len(tags) > 1 else tags for tags in (found[key] for key in keys)]


async def load_employments_by_person(keys: list[int], context: Any) -> list[list[Employment_]]:
    rows = await db.Employment.select().where(db.Employment.person.is_in(keys)).order_by(db.Employment.id)
    found: dict[int, list[Employment_]] = {key: [] for key in keys}
    for row in rows:
        found[row["person"]].append(
            Employment_(
                position=row["position"],
                is_primary=row["is_primary"],
                company_id=row["company"],
                person_id=row["person"],
            )
        )
    return [found[key] for key in keys]
