"""GraphQL of the signed-in user's notifications: the inbox, its unread count, marking read, and
how notifications reach them (in the app only, or by e-mail too).

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
"""

from datetime import datetime
from enum import Enum
from typing import Any, ClassVar

import strawberry
from strawberry import relay

from core.access.tables import Notification
from core.graphql.permissions import AUTHENTICATED
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
