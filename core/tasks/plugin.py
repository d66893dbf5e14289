"""Tasks, reminders and the calendar feed, as a built-in plugin."""

from __future__ import annotations

from datetime import timedelta

from core.plugins.hookspecs import hookimpl
from core.plugins.specs import JobSpec, Permission, Plugin, PluginInfo, ScheduleSpec, Surface


class TasksPlugin(Plugin):
    info = PluginInfo(description="Tasks with reminders and recurrence, and each user's calendar feed.")

    @hookimpl
    def kartoteka_permissions(self) -> list[Permission]:
        return [
            Permission("core.task.read", "See other users' tasks and calendars (within the record scope)."),
            Permission("core.task.write", "Create tasks."),
            Permission("core.task.assign", "Give tasks to other users."),
        ]

    @hookimpl
    def kartoteka_event_types(self) -> list[type]:
        from core.tasks.services import EVENT_TYPES

        return list(EVENT_TYPES)

    @hookimpl
    def kartoteka_jobs(self) -> list:
        from core.tasks.services import send_due_reminders

        return [JobSpec(name="core.send_task_reminders", fn=send_due_reminders, description="Task reminders.")]

    @hookimpl
    def kartoteka_schedules(self) -> list:
        return [ScheduleSpec(name="core.task_reminders", job="core.send_task_reminders", every=timedelta(minutes=1))]

    @hookimpl
    def kartoteka_http_routes(self) -> list:
        from core.tasks.graphql.routes import calendar_feed

        return [calendar_feed]

    @hookimpl
    def kartoteka_graphql_queries(self, surface: Surface) -> list[type]:
        from core.tasks.graphql.queries import TaskQuery

        return [TaskQuery] if surface == "staff" else []

    @hookimpl
    def kartoteka_graphql_mutations(self, surface: Surface) -> list[type]:
        from core.tasks.graphql.mutations import TaskMutation

        return [TaskMutation] if surface == "staff" else []
