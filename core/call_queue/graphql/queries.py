"""The root queries of the call queue."""

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry import relay

from core.access.graphql.types import decode_id, maximum
from core.call_queue import services as call_queue
from core.call_queue.graphql.types import CallQueueEntryNode, CallQueueStatus
from core.crm.tables import CallQueueEntry
from core.errors import DomainError
from core.graphql.errors import ClientError
from core.graphql.keyset import paginate_by_key
from core.graphql.permissions import field


@strawberry.type
class CallQueueQuery:
    @field(
        permission=call_queue.READ,
        description="Queued calls of the clients you may see, most urgent first (priority, then due time).",
    )
    async def call_queue(
        self,
        info: strawberry.Info,
        mine: Annotated[bool, strawberry.argument(description="Yours and your team's unassigned ones.")] = False,
        assignee: relay.GlobalID | None = None,
        team: relay.GlobalID | None = None,
        status: Annotated[
            CallQueueStatus | None, strawberry.argument(description="Null for calls in any status.")
        ] = CallQueueStatus.OPEN,
        due_before: datetime | None = None,
        # Not `source`: that name is taken by resolver extensions (the parent object).
        origin: Annotated[
            str | None,
            strawberry.argument(name="source", description="E.g. `marketing.segment:12`: one call list."),
        ] = None,
        first: int | None = None,
        after: str | None = None,
    ) -> relay.Connection[CallQueueEntryNode]:
        try:
            clause = call_queue.listing(
                info.context.actor,
                status=status.value if status is not None else None,
                assignee_id=decode_id(assignee, "UserNode", ["assignee"]) if assignee else None,
                mine_only=mine,
                team_id=decode_id(team, "TeamNode", ["team"]) if team else None,
                due_before=due_before,
                source=origin,
            )
        except DomainError as error:
            raise ClientError(
                "BAD_USER_INPUT", error.message, extensions={"field": error.field}, **error.params
            ) from None
        return await paginate_by_key(
            CallQueueEntry.select().where(clause),
            [CallQueueEntry.priority, CallQueueEntry.due_at, CallQueueEntry.id],
            first=first,
            after=after,
            maximum=maximum(info),
            to_node=CallQueueEntryNode.from_row,
        )
