"""The core's own GraphQL: the viewer, global node lookup, system information, dead letters.

No ``from __future__ import annotations`` here: root fields are built per surface and their
return annotations must be real objects, not names Strawberry would look up in this module.
"""

from datetime import datetime
from typing import Any, ClassVar

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

import core
from core import audit
from core.db.tables import AuditEntry
from core.errors import DomainError
from core.graphql.compose import Extensible, composed_type, extensible
from core.graphql.errors import UserError
from core.graphql.ids import decode_id, global_id, id_of, kind_node
from core.graphql.keyset import paginate_by_key
from core.graphql.pagination import paginate_by_id
from core.graphql.permissions import AUTHENTICATED, PUBLIC, allowed, field, mutation
from core.jobs import services as jobs
from core.plugins.specs import Surface

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


@strawberry.type
class DeadLetterRetryPayload:
    dead_letter_id: relay.GlobalID | None
    user_errors: list[UserError]


def _node_type(info: Any, type_name: str) -> type | None:
    definition = info.schema.get_type_by_name(type_name)
    origin = getattr(definition, "origin", None)
    if origin is None or not issubclass(origin, relay.Node) or not hasattr(origin, "node_permission"):
        return None
    return origin


def make_queries(surface: Surface) -> type:
    viewer_type = extensible("Viewer", surface)

    @strawberry.type
    class CoreQuery:
        @field(permission=PUBLIC, description="The actor sending this request.")
        def viewer(self, info: strawberry.Info) -> viewer_type:  # type: ignore[valid-type]
            return composed_type(info, "Viewer")(actor=info.context.actor)

        @field(
            permission=AUTHENTICATED,
            description="Any object by its global id; null when it does not exist or you may not see it.",
        )
        async def node(self, info: strawberry.Info, id: relay.GlobalID) -> relay.Node | None:
            node_type = _node_type(info, id.type_name)
            # AUTHENTICATED nodes (your own notifications) scope themselves in resolve_nodes.
            if node_type is None or not allowed(info.context.actor, node_type.node_permission):
                return None
            [found] = await node_type.resolve_nodes(info=info, node_ids=[id.node_id], required=False)
            return found

    if surface == "portal":
        return CoreQuery

    @strawberry.type
    class CoreStaffQuery(CoreQuery):
        @field(permission=SYSTEM_READ, description="Version, deployment shape and enabled plugins.")
        def system(self, info: strawberry.Info) -> SystemInfo:
            runtime = info.context.runtime
            manager = runtime.plugins.manager
            plugins = []
            for name in runtime.plugin_names:
                entry = runtime.plugins.plugins_file.plugins.get(name)
                plugin = manager.get_plugin(name)
                plugins.append(
                    PluginDescription(
                        name=name,
                        version=entry.version if entry else core.__version__,
                        description=plugin.info.description,
                        requires=list(plugin.info.requires),
                    )
                )
            settings = runtime.settings
            return SystemInfo(
                version=core.__version__,
                profile=settings.profile,
                database="sqlite" if settings.is_sqlite else "postgres",
                broker="memory" if settings.broker_in_memory else "rabbitmq",
                plugins=plugins,
            )

        @field(
            permission=audit.READ,
            description="The audit log, newest first; filter by kind of record or by one record's global id.",
        )
        async def audit_log(
            self,
            info: strawberry.Info,
            first: int | None = None,
            after: str | None = None,
            entity_type: str | None = None,
            entity: relay.GlobalID | None = None,
        ) -> relay.Connection[AuditEntryType]:
            kinds, entity_id = None, None
            if entity is not None:
                kinds = [kind for kind in _record_kinds(info) if kind_node(kind) == entity.type_name]
                entity_id = id_of(entity, entity.type_name) if kinds else None
                if entity_id is None:
                    kinds, entity_id = [], -1  # not an id of a record in the log: nothing matches
            return await paginate_by_key(
                audit.entries_query(entity_type, entity_id, kinds),
                [AuditEntry.id],
                first=first,
                after=after,
                maximum=info.context.runtime.settings.max_page_size,
                to_node=AuditEntryType.from_row,
                descending=True,
            )

        @field(permission=jobs.READ, description="Deliveries that failed after all retries, oldest first.")
        async def dead_letters(
            self, info: strawberry.Info, first: int | None = None, after: str | None = None, target: str | None = None
        ) -> relay.Connection[DeadLetter]:
            connection = await paginate_by_id(
                jobs.dead_letters_query(target),
                jobs.Delivery.id,
                first=first,
                after=after,
                maximum=info.context.runtime.settings.max_page_size,
                to_node=lambda row: row,
            )
            rows = [edge.node for edge in connection.edges]
            messages = await jobs.outbox_messages([r["outbox_id"] for r in rows])
            for edge in connection.edges:
                edge.node = DeadLetter.from_rows(edge.node, messages.get(edge.node["outbox_id"]))
            return connection

    return CoreStaffQuery


@strawberry.type
class CoreMutation:
    @mutation(permission=jobs.MANAGE, description="Queue a dead letter again with a fresh retry budget.")
    async def dead_letter_retry(self, info: strawberry.Info, id: relay.GlobalID) -> DeadLetterRetryPayload:
        try:
            await jobs.retry_dead_letter(info.context.runtime, info.context.actor, decode_id(id, DeadLetter, ["id"]))
        except DomainError as error:
            return DeadLetterRetryPayload(dead_letter_id=None, user_errors=[UserError.from_domain(error)])
        return DeadLetterRetryPayload(dead_letter_id=id, user_errors=[])
