"""The audit log: every event (so every change) recorded with its actor, in the same transaction.

A synchronous subscriber to all events writes the row, so a change cannot commit without its
audit entry, and a vetoed change leaves none.
"""

from __future__ import annotations

from typing import Any

from core.db.tables import AuditEntry
from core.events.base import Event
from core.jobs.context import JobContext
from core.plugins.specs import Subscriber

READ = "core.audit.read"


async def record(event: Event, context: JobContext) -> None:
    subject = event.subject()
    payload = event.to_payload()
    await AuditEntry.insert(
        AuditEntry(
            actor_kind=context.actor.kind,
            actor_id=context.actor.id,
            event=event.name,
            entity_type=subject[0] if subject else "",
            entity_id=subject[1] if subject else None,
            changes=payload.pop("changes", {}) if isinstance(payload.get("changes"), dict) else {},
            payload=payload,
        )
    )


def record_kinds(event_types: Any) -> set[str]:
    """The kinds of record the audit log can name: the subjects of the registered events."""
    kinds = set()
    for event_type in event_types:
        fields = [name for name in event_type.__struct_fields__ if name.endswith("_id")]
        if fields:
            kinds.add(fields[0].removesuffix("_id"))
    return kinds


SUBSCRIBER = Subscriber(name="core.audit", event="*", handler=record, mode="sync")


def entries_query(entity_type: str | None, entity_id: int | None, kinds: list[str] | None = None) -> Any:
    query = AuditEntry.select().output(load_json=True)
    if entity_type:
        query = query.where(AuditEntry.entity_type == entity_type)
    if kinds is not None:
        query = query.where(AuditEntry.entity_type.is_in(kinds) if kinds else AuditEntry.id == -1)
    if entity_id is not None:
        query = query.where(AuditEntry.entity_id == entity_id)
    return query
