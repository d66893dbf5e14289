"""The root queries of attachments."""

import strawberry
from strawberry import relay

from core.attachments import services as attachments
from core.attachments.graphql.types import AttachmentType, subject_of
from core.errors import DomainError
from core.graphql.permissions import AUTHENTICATED, field


@strawberry.type
class AttachmentQuery:
    @field(permission=AUTHENTICATED, description="Files on a company or person, newest first.")
    async def attachments(self, info: strawberry.Info, subject: relay.GlobalID) -> list[AttachmentType]:
        try:
            rows = await attachments.listing(info.context.actor, subject_of(subject, ["subject"]))
        except DomainError:
            return []  # outside the caller's area: nothing to show, and nothing to give away
        return [AttachmentType.from_row(row) for row in rows]
