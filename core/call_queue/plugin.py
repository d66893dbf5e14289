"""The call queue of a call centre, as a built-in plugin."""

from __future__ import annotations

from core.plugins.hookspecs import hookimpl
from core.plugins.specs import JobSpec, LoaderSpec, Permission, Plugin, PluginInfo, Surface


class CallQueuePlugin(Plugin):
    info = PluginInfo(description="The call queue: calls to make, taken one by one, with their outcomes.")

    @hookimpl
    def kartoteka_permissions(self) -> list[Permission]:
        return [
            Permission("core.call_queue.read", "See the call queue (calls of the clients the record scope reaches)."),
            Permission("core.call_queue.work", "Take the next call, log its outcome, queue calls for yourself."),
            Permission("core.call_queue.assign", "Queue calls for other users and teams, reassign and cancel them."),
        ]

    @hookimpl
    def kartoteka_event_types(self) -> list[type]:
        from core.call_queue.services import EVENT_TYPES

        return list(EVENT_TYPES)

    @hookimpl
    def kartoteka_event_subscribers(self) -> list:
        from core.call_queue.services import SUBSCRIBERS

        return list(SUBSCRIBERS)

    @hookimpl
    def kartoteka_jobs(self) -> list:
        from core.call_queue.services import ENQUEUE_JOB, enqueue_in_background

        return [JobSpec(name=ENQUEUE_JOB, fn=enqueue_in_background, description="Queue a long list of calls.")]

    @hookimpl
    def kartoteka_dataloaders(self) -> list[LoaderSpec]:
        from core.call_queue.graphql.loaders import load_timeline_entries
        from core.call_queue.graphql.types import load_entries

        return [
            LoaderSpec(name="core.call_queue_entry", batch=load_entries),
            LoaderSpec(name="core.timeline_entry", batch=load_timeline_entries),
        ]

    @hookimpl
    def kartoteka_graphql_queries(self, surface: Surface) -> list[type]:
        from core.call_queue.graphql.queries import CallQueueQuery

        return [CallQueueQuery] if surface == "staff" else []

    @hookimpl
    def kartoteka_graphql_mutations(self, surface: Surface) -> list[type]:
        from core.call_queue.graphql.mutations import CallQueueMutation

        return [CallQueueMutation] if surface == "staff" else []
