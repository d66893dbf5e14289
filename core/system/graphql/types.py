"""The core's own GraphQL: the viewer, global node lookup, system information, dead letters.

No ``from __future__ import annotations`` here: root fields are built per surface and their
return annotations must be real objects, not names Strawberry would look up in this module.
"""

from datetime import datetime
from typing import Any, ClassVar

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from core import audit
from core.graphql.compose import Extensible
from core.graphql.ids import global_id, kind_node
from core.jobs import services as jobs

SYSTEM_READ = "core.system.read"


class Viewer(Extensible):
    """Who is asking, and what they may do. Plugins add fields about the viewer's own data."""

    actor: strawberry.Private[Any]

    @strawberry.field(description="anonymous, staff, portal, service or system.")
    def kind(self) -> str:
        return self.actor.kind

    @strawberry.field(description="Id of the signed-in user, person or client; null when anonymous.")
    def actor_id(self) -> str | None:
        return self.actor.id

    @strawberry.field(description="Name to greet the viewer with.")
    def display_name(self) -> str:
        return self.actor.display_name

    @strawberry.field(description="Permission codes the viewer holds.")
    def permissions(self) -> list[str]:
        return sorted(self.actor.permissions)


@strawberry.type(description="A job or event delivery that failed after all its retries.")
class DeadLetter(relay.Node):
    node_permission: ClassVar[str] = jobs.READ

    id: relay.NodeID[int]
    target: str = strawberry.field(description="`job.<name>` or `sub.<subscriber>`.")
    attempts: int
    last_error: str | None
    failed_at: datetime | None
    message_kind: str = strawberry.field(description="`event` or `job`.")
    message_name: str = strawberry.field(description="Event or job name.")
    payload: JSON

    @classmethod
    def from_rows(cls, row: dict[str, Any], message: dict[str, Any] | None) -> "DeadLetter":
        message = message or {"kind": "", "name": "", "payload": {}}
        return cls(
            id=row["id"],
            target=row["target"],
            attempts=row["attempts"],
            last_error=row["last_error"],
            failed_at=row["finished_at"],
            message_kind=message["kind"],
            message_name=message["name"],
            payload=message["payload"],
        )

    @classmethod
    async def resolve_nodes(
        cls, *, info: Any, node_ids: list[Any], required: bool = False
    ) -> "list[DeadLetter | None]":
        ids = [int(i) for i in node_ids]
        rows = {r["id"]: r for r in await jobs.dead_letters_query().where(jobs.Delivery.id.is_in(ids))}
        messages = await jobs.outbox_messages([r["outbox_id"] for r in rows.values()])
        return [cls.from_rows(rows[i], messages.get(rows[i]["outbox_id"])) if i in rows else None for i in ids]


@strawberry.type(description="An enabled plugin.")
class PluginDescription:
    name: str
    version: str
    description: str
    requires: list[str]


@strawberry.type(description="The running deployment.")
class SystemInfo:
    version: str
    profile: str
    database: str = strawberry.field(description="`sqlite` or `postgres`.")
    broker: str = strawberry.field(description="`memory` or `rabbitmq`.")
    plugins: list[PluginDescription]


def _record_kinds(info: Any) -> list[str]:
    return sorted(audit.record_kinds(info.context.runtime.registry.event_types.values()))


def _entity_id(kind: str, row_id: int | None) -> relay.GlobalID | None:
    node = kind_node(kind) if row_id is not None else None
    return None if node is None else relay.GlobalID(node, str(row_id))


@strawberry.type(description="One change: who made it, when, to which record, and what changed.")
class AuditEntryType:
    id: relay.GlobalID
    occurred_at: datetime
    actor_kind: str
    actor_id: str | None
    event: str
    entity_type: str = strawberry.field(description='The kind of record: "company", "person", "opportunity"…')
    entity: relay.GlobalID | None = strawberry.field(
        description="The record's global id; null for events about no record, or one without a global id."
    )
    changes: JSON = strawberry.field(description="Changed fields as {field: [before, after]}.")
    payload: JSON

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "AuditEntryType":
        return cls(
            id=global_id("AuditEntryType", row["id"]),
            occurred_at=row["occurred_at"],
            actor_kind=row["actor_kind"],
            actor_id=row["actor_id"],
            event=row["event"],
            entity_type=row["entity_type"],
            entity=_entity_id(row["entity_type"], row["entity_id"]),
            changes=row["changes"],
            payload=row["payload"],
        )


def _node_type(info: Any, type_name: str) -> type | None:
    definition = info.schema.get_type_by_name(type_name)
    origin = getattr(definition, "origin", None)
    if origin is None or not issubclass(origin, relay.Node) or not hasattr(origin, "node_permission"):
        return None
    return origin
