"""The mutations of incoming mail, with their inputs and payloads."""

import strawberry
from strawberry import relay

from core.access.graphql.types import attempt, decode_id
from core.graphql.errors import UserError
from core.graphql.permissions import mutation
from core.mail import inbox
from core.mail.graphql.types import IncomingMailNode


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
