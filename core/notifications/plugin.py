"""In-app notifications (and their e-mail copies) for staff users, as a built-in plugin."""

from __future__ import annotations

from core.plugins.hookspecs import hookimpl
from core.plugins.specs import Plugin, PluginInfo, Surface


class NotificationsPlugin(Plugin):
    info = PluginInfo(description="Notifications: followed records, task reminders, each user's inbox.")

    @hookimpl
    def kartoteka_event_subscribers(self) -> list:
        from core.notifications.services import SUBSCRIBERS

        return list(SUBSCRIBERS)

    @hookimpl
    def kartoteka_graphql_queries(self, surface: Surface) -> list[type]:
        from core.notifications.graphql.queries import NotificationQuery

        return [NotificationQuery] if surface == "staff" else []

    @hookimpl
    def kartoteka_graphql_mutations(self, surface: Surface) -> list[type]:
        from core.notifications.graphql.mutations import NotificationMutation

        return [NotificationMutation] if surface == "staff" else []
