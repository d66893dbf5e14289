"""Delta sync for field reps (MISSION F11): what changed since a cursor, among the records the
caller may see, in order and resumable. Built on the audit log, which already records every
change in commit order with its record."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.crm.scoping import visible
from core.crm.tables import Company, Person
from core.db.tables import AuditEntry

if TYPE_CHECKING:
    from core.auth import Actor

ENTITIES = {"company": (Company, "core.company.read"), "person": (Person, "core.person.read")}
OPERATIONS = {
    "created": "CREATED",
    "updated": "UPDATED",
    "deleted": "DELETED",
    "merged": "MERGED",
}


def operation(event: str) -> str:
    return OPERATIONS.get(event.rsplit("_", 1)[-1], "UPDATED")


async def changes(actor: Actor, since: int, entities: list[str], limit: int) -> list[dict[str, Any]]:
    """Audit entries after ``since`` about visible records of ``entities``, oldest first.

    Several entries about one record stay separate: a client applying them in order ends in
    the same state, and a cursor in the middle loses nothing.
    """
    conditions = []
    for entity in entities:
        table, permission = ENTITIES[entity]
        if actor.scope_for(permission) is None:
            continue
        reachable = table.select(table.id).where(visible(table, actor, permission, include_deleted=True))
        conditions.append((AuditEntry.entity_type == entity) & AuditEntry.entity_id.is_in(reachable))
    if not conditions:
        return []
    where = conditions[0]
    for condition in conditions[1:]:
        where = where | condition
    return await (
        AuditEntry.select(
            AuditEntry.id, AuditEntry.event, AuditEntry.entity_type, AuditEntry.entity_id, AuditEntry.occurred_at
        )
        .where((AuditEntry.id > since) & where)
        .order_by(AuditEntry.id)
        .limit(limit)
    )
