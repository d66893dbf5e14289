"""GraphQL of incoming e-mail: the messages read from IMAP mailboxes, the queue of unmatched
ones and assigning them by hand; files download over plain HTTP like record attachments.

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
"""

from datetime import datetime
from enum import Enum
from typing import Any, ClassVar

import strawberry
from litestar import Request, Response, get
from strawberry import relay

from core.access.graphql.types import attempt, decode_id, maximum
from core.attachments.graphql.types import _actor, _http_error, file_response
from core.db.tables import IncomingMail, IncomingMailAttachment
from core.errors import DomainError
from core.graphql.errors import UserError
from core.graphql.ids import global_id
from core.graphql.pagination import paginate_by_id
from core.graphql.permissions import field, mutation
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


async def load_attachments(keys: list[int], context: Any) -> list[list[IncomingMailAttachmentType]]:
    """The files of a page of messages in one query."""
    found: dict[int, list[IncomingMailAttachmentType]] = {key: [] for key in keys}
    rows = (
        await IncomingMailAttachment.select()
        .where(IncomingMailAttachment.mail.is_in(keys))
        .order_by(IncomingMailAttachment.id)
    )
    for r in rows:
        found[r["mail"]].append(
            IncomingMailAttachmentType(
                id=global_id("IncomingMailAttachment", r["id"]),
                file_name=r["file_name"],
                content_type=r["content_type"],
                size=r["size"],
                sha256=r["sha256"],
            )
        )
    return [found[key] for key in keys]


@strawberry.type
class MailQuery:
    @field(
        permission=inbox.READ,
        description="Incoming e-mail, oldest first; `status: UNMATCHED` is the queue to assign by hand.",
    )
    async def incoming_mail(
        self,
        info: strawberry.Info,
        status: IncomingMailStatus | None = None,
        mailbox: str | None = None,
        thread_key: str | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> relay.Connection[IncomingMailNode]:
        query = IncomingMail.select().output(load_json=True)
        if status is not None:
            query = query.where(IncomingMail.status == status.value)
        if mailbox is not None:
            query = query.where(IncomingMail.mailbox == mailbox)
        if thread_key is not None:
            query = query.where(IncomingMail.thread_key == thread_key)
        return await paginate_by_id(
            query, IncomingMail.id, first=first, after=after, maximum=maximum(info), to_node=IncomingMailNode.from_row
        )


@strawberry.type
class IncomingMailAssignPayload:
    incoming_mail: IncomingMailNode | None
    user_errors: list[UserError]


@strawberry.type
class MailMutation:
    @mutation(
        permission=inbox.MANAGE,
        description="Log an unmatched message on a company's and/or person's timeline (takes it off the queue).",
    )
    async def incoming_mail_assign(
        self,
        info: strawberry.Info,
        id: relay.GlobalID,
        company_id: relay.GlobalID | None = None,
        person_id: relay.GlobalID | None = None,
    ) -> IncomingMailAssignPayload:
        ctx = info.context

        async def assign() -> int:
            return await inbox.assign(
                ctx.runtime,
                ctx.actor,
                decode_id(id, "IncomingMail", ["id"]),
                decode_id(company_id, "Company", ["companyId"]) if company_id else None,
                decode_id(person_id, "Person", ["personId"]) if person_id else None,
            )

        mail_id, errors = await attempt(assign())
        node = None
        if mail_id is not None:
            [node] = await IncomingMailNode.resolve_nodes(info=info, node_ids=[mail_id])
        return IncomingMailAssignPayload(incoming_mail=node, user_errors=errors)


@get("/mail/attachments/{attachment_id:int}")
async def download_mail_attachment(request: Request, attachment_id: int) -> Response:
    runtime = request.app.state.runtime
    actor = await _actor(request)
    try:
        row, content = await inbox.attachment_content(runtime, actor, attachment_id)
    except DomainError as error:
        raise _http_error(error, runtime) from None
    # Never the sender's content type: mail attachments come from strangers.
    return file_response(content, row["file_name"], "application/octet-stream")
