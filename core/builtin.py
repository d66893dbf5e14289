"""The core's own contributions, registered through the same hooks every plugin uses."""

from __future__ import annotations

from core.plugins.hookspecs import hookimpl
from core.plugins.specs import Permission, Plugin, PluginInfo, Surface


class CorePlugin(Plugin):
    info = PluginInfo(description="Kartoteka core: plugin host, event bus, jobs and GraphQL.")

    @hookimpl
    def kartoteka_piccolo_apps(self) -> list[str]:
        return ["core.db.piccolo_app"]

    @hookimpl
    def kartoteka_permissions(self) -> list[Permission]:
        return [
            Permission("core.system.read", "See the version, deployment shape and enabled plugins."),
            Permission("core.jobs.read", "See failed background deliveries (the dead-letter list)."),
            Permission("core.jobs.manage", "Retry failed background deliveries."),
        ]

    @hookimpl
    def kartoteka_graphql_types(self, surface: Surface) -> list[type]:
        from core.graphql.core_types import Viewer

        return [Viewer]

    @hookimpl
    def kartoteka_graphql_queries(self, surface: Surface) -> list[type]:
        from core.graphql.core_types import make_queries

        return [make_queries(surface)]

    @hookimpl
    def kartoteka_graphql_mutations(self, surface: Surface) -> list[type]:
        from core.graphql.core_types import CoreMutation

        return [CoreMutation] if surface == "staff" else []
