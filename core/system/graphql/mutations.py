"""The mutations of the system (version, deployment, dead letters, viewer), with their inputs and payloads."""

import strawberry
from strawberry import relay

from core.errors import DomainError
from core.graphql.errors import UserError
from core.graphql.ids import decode_id
from core.graphql.permissions import mutation
from core.jobs import services as jobs
from core.system.graphql.types import DeadLetter


@strawberry.type
class DeadLetterRetryPayload:
    dead_letter_id: relay.GlobalID | None
    user_errors: list[UserError]


@strawberry.type
class CoreMutation:
    @mutation(permission=jobs.MANAGE, description="Queue a dead letter again with a fresh retry budget.")
    async def dead_letter_retry(self, info: strawberry.Info, id: relay.GlobalID) -> DeadLetterRetryPayload:
        try:
            await jobs.retry_dead_letter(info.context.runtime, info.context.actor, decode_id(id, DeadLetter, ["id"]))
        except DomainError as error:
            return DeadLetterRetryPayload(dead_letter_id=None, user_errors=[UserError.from_domain(error)])
        return DeadLetterRetryPayload(dead_letter_id=id, user_errors=[])
