"""The root queries of the system (version, deployment, dead letters, viewer)."""

import strawberry
from strawberry import relay

import core
from core import audit
from core.db.tables import AuditEntry
from core.graphql.compose import composed_type, extensible
from core.graphql.ids import id_of, kind_node
from core.graphql.keyset import paginate_by_key
from core.graphql.pagination import paginate_by_id
from core.graphql.permissions import AUTHENTICATED, PUBLIC, allowed, field
from core.jobs import services as jobs
from core.plugins.specs import Surface
from core.system.graphql.types import (
    SYSTEM_READ,
    AuditEntryType,
    DeadLetter,
    PluginDescription,
    SystemInfo,
    _node_type,
    _record_kinds,
)


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
