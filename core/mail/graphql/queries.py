"""The root queries of incoming mail."""

import strawberry
from strawberry import relay

from core.access.graphql.types import maximum
from core.db.tables import IncomingMail
from core.graphql.pagination import paginate_by_id
from core.graphql.permissions import field
from core.mail import inbox
from core.mail.graphql.types import IncomingMailNode, IncomingMailStatus


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
