"""The kernel's own built-in plugin, registered as ``core``: the core's tables, system
information, the viewer, the audit log and the pruning of finished background work."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from core.plugins.hookspecs import hookimpl
from core.plugins.specs import JobSpec, Permission, Plugin, PluginInfo, ScheduleSpec, Surface


async def prune_outbox(ctx: Any) -> None:
    from core.jobs.relay import prune

    await prune(ctx.runtime, timedelta(days=ctx.runtime.settings.outbox_retention_days))


class SystemPlugin(Plugin):
    # The one entry `kartoteka plugins list` and the `system` query show for all built-ins.
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
            Permission("core.audit.read", "Read the audit log of every change."),
        ]

    @hookimpl
    def kartoteka_event_subscribers(self) -> list:
        from core.audit import SUBSCRIBER as AUDIT

        return [AUDIT]

    @hookimpl
    def kartoteka_jobs(self) -> list:
        return [JobSpec(name="core.prune_outbox", fn=prune_outbox, description="Forget finished background work.")]

    @hookimpl
    def kartoteka_schedules(self) -> list:
        return [ScheduleSpec(name="core.outbox_retention", job="core.prune_outbox", every=timedelta(hours=1))]

    @hookimpl
    def kartoteka_graphql_types(self, surface: Surface) -> list[type]:
        from core.system.graphql.types import Viewer

        return [Viewer]

    @hookimpl
    def kartoteka_graphql_queries(self, surface: Surface) -> list[type]:
        from core.system.graphql.queries import make_queries

        return [make_queries(surface)]

    @hookimpl
    def kartoteka_graphql_mutations(self, surface: Surface) -> list[type]:
        from core.system.graphql.mutations import CoreMutation

        return [CoreMutation] if surface == "staff" else []
