"""The mutations of notifications, with their inputs and payloads."""

import strawberry
from strawberry import relay

from core.access.graphql.types import attempt, decode_id
from core.errors import DomainError
from core.graphql.errors import UserError
from core.graphql.permissions import AUTHENTICATED, mutation
from core.i18n import _
from core.notifications import services as notifications
from core.notifications.graphql.types import NODE_TYPE, NotificationDelivery, NotificationSettings


@strawberry.input(description="Give ids, or all: true; not both.")
class NotificationsMarkReadInput:
    ids: list[relay.GlobalID] | None = None
    all: bool = False


@strawberry.type
class NotificationsMarkReadPayload:
    marked_count: int = strawberry.field(description="How many were unread and are read now.")
    unread_count: int | None = strawberry.field(description="Your unread notifications afterwards.")
    user_errors: list[UserError]


@strawberry.input
class NotificationSettingsInput:
    delivery: NotificationDelivery | None = None
    time_zone: str | None = strawberry.field(
        default=None, description='An IANA zone such as "Europe/Warsaw"; "" returns to the deployment\'s.'
    )


@strawberry.type
class NotificationSettingsPayload:
    settings: NotificationSettings | None
    user_errors: list[UserError]


@strawberry.type
class NotificationMutation:
    @mutation(permission=AUTHENTICATED, description="Mark some (ids) or all (all: true) of your notifications read.")
    async def notifications_mark_read(
        self, info: strawberry.Info, input: NotificationsMarkReadInput
    ) -> NotificationsMarkReadPayload:
        ctx = info.context

        async def mark() -> int:
            if input.all == (input.ids is not None):
                raise DomainError("IDS_OR_ALL", _("Give either ids or all: true."), ["input", "ids"])
            ids = (
                None
                if input.all
                else [decode_id(gid, NODE_TYPE, ["input", "ids", str(n)]) for n, gid in enumerate(input.ids or [])]
            )
            return await notifications.mark_read(ctx.runtime, ctx.actor, ids)

        marked, errors = await attempt(mark())
        unread = await notifications.unread_count(ctx.actor) if not errors else None
        return NotificationsMarkReadPayload(marked_count=marked or 0, unread_count=unread, user_errors=errors)

    @mutation(permission=AUTHENTICATED, description="Choose how your notifications reach you, and your time zone.")
    async def notification_settings_update(
        self, info: strawberry.Info, input: NotificationSettingsInput
    ) -> NotificationSettingsPayload:
        ctx = info.context
        changed, errors = await attempt(
            notifications.set_settings(
                ctx.runtime,
                ctx.actor,
                delivery=input.delivery.value if input.delivery else None,
                time_zone=input.time_zone,
            )
        )
        settings = (
            NotificationSettings(delivery=NotificationDelivery(changed[0]), time_zone=changed[1] or None)
            if changed
            else None
        )
        return NotificationSettingsPayload(settings=settings, user_errors=errors)
