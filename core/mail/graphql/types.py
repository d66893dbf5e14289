"""GraphQL of incoming e-mail: the messages read from IMAP mailboxes, the queue of unmatched
ones and assigning them by hand; files download over plain HTTP like record attachments.

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
"""

from datetime import datetime
from enum import Enum
from typing import Any, ClassVar

import strawberry
from strawberry import relay

from core.db.tables import IncomingMail
from core.mail import inbox

DOWNLOAD_PATH = "/plugins/core/mail/attachments/{id}"


@strawberry.enum(description="Where an incoming message stands.")
class IncomingMailStatus(Enum):
    LOGGED = "logged"  # on the timelines its addresses matched
    UNMATCHED = "unmatched"  # in the queue: no address matched a client
    ASSIGNED = "assigned"  # taken from the queue by a user
    BOUNCE = "bounce"  # a delivery status notification about our own mail


@strawberry.type(name="IncomingMailAttachment", description="A file attached to an incoming message.")
class IncomingMailAttachmentType:
    id: relay.GlobalID
    file_name: str
    content_type: str
    size: int
    sha256: str = strawberry.field(description="Empty when the file was over the size limit and not kept.")

    @strawberry.field(description="Download address (send your token as with the API); null when not kept.")
    def url(self) -> str | None:
        return DOWNLOAD_PATH.format(id=self.id.node_id) if self.sha256 else None


@strawberry.type(name="IncomingMail", description="A message read from an IMAP mailbox.")
class IncomingMailNode(relay.Node):
    node_permission: ClassVar[str] = inbox.READ

    id: relay.NodeID[int]
    mailbox: str
    message_id: str
    in_reply_to: str
    references: list[str]
    thread_key: str = strawberry.field(description="The Message-ID the conversation started with.")
    from_address: str
    from_name: str
    to: list[str]
    cc: list[str]
    subject: str
    sent_at: datetime | None = strawberry.field(description="The Date header.")
    received_at: datetime
    text_body: str = strawberry.field(description="The text part, or the HTML part converted to text.")
    html_body: str | None
    size: int
    status: IncomingMailStatus
    bounce_of: list[str] = strawberry.field(description="For a bounce: the Message-IDs of our messages that failed.")
    failed_recipients: list[str]

    @strawberry.field
    async def attachments(self, info: strawberry.Info) -> list[IncomingMailAttachmentType]:
        return await info.context.loaders["core.incoming_mail_attachments"].load(self.id)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "IncomingMailNode":
        return cls(
            id=row["id"],
            mailbox=row["mailbox"],
            message_id=row["message_id"],
            in_reply_to=row["in_reply_to"],
            references=row["reference_ids"],
            thread_key=row["thread_key"],
            from_address=row["from_address"],
            from_name=row["from_name"],
            to=row["to_addresses"],
            cc=row["cc_addresses"],
            subject=row["subject"],
            sent_at=row["sent_at"],
            received_at=row["received_at"],
            text_body=row["text_body"],
            html_body=row["html_body"],
            size=row["size"],
            status=IncomingMailStatus(row["status"]),
            bounce_of=row["bounce_of"],
            failed_recipients=row["failed_recipients"],
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Any, node_ids: list[Any], required: bool = False) -> list:
        ids = [int(i) for i in node_ids if str(i).isdecimal()]
        rows = (
            {r["id"]: r for r in await IncomingMail.select().where(IncomingMail.id.is_in(ids)).output(load_json=True)}
            if ids
            else {}
        )
        return [cls.from_row(rows[int(i)]) if str(i).isdecimal() and int(i) in rows else None for i in node_ids]
