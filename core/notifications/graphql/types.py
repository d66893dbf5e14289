"""GraphQL of the signed-in user's notifications: the inbox, its unread count, marking read, and
how notifications reach them (in the app only, or by e-mail too).

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
"""

from datetime import datetime
from enum import Enum
from typing import Any, ClassVar

import strawberry
from strawberry import relay

from core.access.graphql.types import attempt, decode_id, maximum
from core.access.tables import Notification
from core.errors import DomainError
from core.graphql.errors import UserError
from core.graphql.keyset import paginate_by_key
from core.graphql.permissions import AUTHENTICATED, field, mutation
from core.i18n import _
from core.notifications import services as notifications

NODE_TYPE = "Notification"


@strawberry.enum(description="How notifications reach you.")
class NotificationDelivery(Enum):
    IN_APP = notifications.IN_APP
    IN_APP_AND_EMAIL = notifications.IN_APP_AND_EMAIL


@strawberry.type(name=NODE_TYPE, description="A message in your inbox: a reminder, a changed file, a rule's note…")
class NotificationNode(relay.Node):
    node_permission: ClassVar[str] = AUTHENTICATED

    id: relay.NodeID[int]
    kind: str = strawberry.field(description='Namespaced by its sender: "core.task_reminder", "core.rule"…')
    title: str
    body: str
    link_id: relay.GlobalID | None = strawberry.field(
        description="The global id of the record it is about (look it up with node); null when none."
    )
    read_at: datetime | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "NotificationNode":
        link = relay.GlobalID(row["link_type"], str(row["link_id"])) if row["link_type"] and row["link_id"] else None
        return cls(
            id=row["id"],
            kind=row["kind"],
            title=row["title"],
            body=row["body"],
            link_id=link,
            read_at=row["read_at"],
            created_at=row["created_at"],
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Any, node_ids: list[Any], required: bool = False) -> list:
        ids = [int(i) for i in node_ids if str(i).isdigit()]
        if not ids:
            return [None for _node in node_ids]
        rows = await notifications.inbox(info.context.actor).where(Notification.id.is_in(ids))
        found = {row["id"]: cls.from_row(row) for row in rows}
        return [found.get(int(i)) if str(i).isdigit() else None for i in node_ids]


@strawberry.type(description="Your notification settings.")
class NotificationSettings:
    delivery: NotificationDelivery
    time_zone: str | None = strawberry.field(
        description="Your IANA time zone for task times (recurrence, reminders); null: the deployment's."
    )


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
