"""The root queries of notifications."""

import strawberry
from strawberry import relay

from core.access.graphql.types import maximum
from core.access.tables import Notification
from core.graphql.keyset import paginate_by_key
from core.graphql.permissions import AUTHENTICATED, field
from core.notifications import services as notifications
from core.notifications.graphql.types import NotificationDelivery, NotificationNode, NotificationSettings


@strawberry.type
class NotificationQuery:
    @field(permission=AUTHENTICATED, description="Your notifications, newest first (staff users only).")
    async def notifications(
        self, info: strawberry.Info, unread_only: bool = False, first: int | None = None, after: str | None = None
    ) -> relay.Connection[NotificationNode]:
        return await paginate_by_key(
            notifications.inbox(info.context.actor, unread_only=unread_only),
            [Notification.id],
            first=first,
            after=after,
            maximum=maximum(info),
            to_node=NotificationNode.from_row,
            descending=True,
        )

    @field(permission=AUTHENTICATED, description="How many of your notifications are unread.")
    async def unread_notification_count(self, info: strawberry.Info) -> int:
        return await notifications.unread_count(info.context.actor)

    @field(permission=AUTHENTICATED, description="How your notifications reach you.")
    async def my_notification_settings(self, info: strawberry.Info) -> NotificationSettings:
        value, zone = await notifications.settings_of(info.context.actor)
        return NotificationSettings(delivery=NotificationDelivery(value), time_zone=zone or None)
