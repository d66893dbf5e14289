"""The mutations of attachments, with their inputs and payloads."""

import strawberry
from strawberry import relay

from core.access.graphql.types import attempt
from core.attachments import services as attachments
from core.attachments.graphql.types import subject_of
from core.graphql.errors import UserError
from core.graphql.ids import decode_id
from core.graphql.permissions import AUTHENTICATED, mutation


@strawberry.type
class AttachmentDeletePayload:
    deleted_id: relay.GlobalID | None
    user_errors: list[UserError]


@strawberry.type
class FollowPayload:
    following: bool | None
    user_errors: list[UserError]


@strawberry.type
class AttachmentMutation:
    @mutation(permission=AUTHENTICATED, description="Remove a file from its record.")
    async def attachment_delete(self, info: strawberry.Info, id: relay.GlobalID) -> AttachmentDeletePayload:
        async def remove() -> relay.GlobalID:
            await attachments.remove(info.context.runtime, info.context.actor, decode_id(id, "AttachmentType", ["id"]))
            return id

        deleted, errors = await attempt(remove())
        return AttachmentDeletePayload(deleted_id=deleted, user_errors=errors)

    @mutation(permission=AUTHENTICATED, description="Hear (or stop hearing) when a record's files change.")
    async def record_follow(
        self, info: strawberry.Info, subject: relay.GlobalID, following: bool = True
    ) -> FollowPayload:
        async def change() -> bool:
            await attachments.follow(
                info.context.runtime, info.context.actor, subject_of(subject, ["subject"]), following
            )
            return following

        result, errors = await attempt(change())
        return FollowPayload(following=result, user_errors=errors)
