"""The root queries of tasks and the calendar feed."""

from datetime import datetime

import strawberry
from strawberry import relay

from core.access.graphql.types import decode_id
from core.errors import DomainError
from core.graphql.errors import ClientError
from core.graphql.permissions import AUTHENTICATED, field
from core.tasks import services as tasks
from core.tasks.graphql.types import TaskType


@strawberry.type
class TaskQuery:
    @field(
        permission=AUTHENTICATED,
        description="Tasks due in [from, to) for the given users (default: you), for day, week or month views.",
    )
    async def calendar(
        self, info: strawberry.Info, start: datetime, end: datetime, users: list[relay.GlobalID] | None = None
    ) -> list[TaskType]:
        try:
            ids = [decode_id(user, "UserNode", ["users"]) for user in users or []]
            rows = await tasks.calendar(info.context.actor, ids, start, end)
        except DomainError as error:
            raise ClientError(
                "BAD_USER_INPUT", error.message, extensions={"field": error.field}, **error.params
            ) from None
        return [TaskType.from_row(row) for row in rows]
