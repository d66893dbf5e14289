"""The mutations of the call queue, with their inputs and payloads."""

from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay

from core.access.graphql.types import attempt, decode_id
from core.call_queue import services as call_queue
from core.call_queue.graphql.loaders import load_timeline_entries
from core.call_queue.graphql.types import TYPE_NAME, CallOutcome, CallQueueEntryNode, _entry, _entry_id
from core.crm.graphql.timeline.types import TimelineEntryType
from core.graphql.errors import UserError
from core.graphql.permissions import mutation


@strawberry.input
class CallQueueEntryInput:
    reason: str
    person: relay.GlobalID | None = None
    company: relay.GlobalID | None = None
    due_at: datetime | None = strawberry.field(default=None, description="Defaults to now.")
    priority: int = strawberry.field(default=3, description="1 is the most urgent, 5 the least.")
    assignee: relay.GlobalID | None = strawberry.field(
        default=None, description="Defaults to you (unless a team is given)."
    )
    team: relay.GlobalID | None = None
    max_attempts: int = 3


@strawberry.input
class CallOutcomeInput:
    id: relay.GlobalID
    outcome: CallOutcome
    duration_minutes: int = 0
    notes: str = ""
    call_back_at: datetime | None = strawberry.field(
        default=None, description="Required for CALL_BACK; for NO_ANSWER, when to try again (default: in 2 hours)."
    )


@strawberry.type
class CallQueueEntryPayload:
    entry: CallQueueEntryNode | None
    user_errors: list[UserError]


@strawberry.type
class CallOutcomePayload:
    entry: CallQueueEntryNode | None
    call: TimelineEntryType | None = strawberry.field(description="The call as logged on the timeline.")
    user_errors: list[UserError]


async def _payload(info: strawberry.Info, action: Any) -> CallQueueEntryPayload:
    entry_id, errors = await attempt(action)
    return CallQueueEntryPayload(entry=await _entry(info, entry_id), user_errors=errors)


@strawberry.type
class CallQueueMutation:
    @mutation(
        permission=call_queue.WORK,
        description="Take the next call to make: yours or your team's, due now, most urgent first. "
        "Null when none is due; your unfinished one comes back until you log its outcome.",
    )
    async def next_call(self, info: strawberry.Info) -> CallQueueEntryPayload:
        return await _payload(info, call_queue.next_call(info.context.runtime, info.context.actor))

    @mutation(
        permission=call_queue.WORK,
        description="Queue a call (for yourself; for others or a team with core.call_queue.assign).",
    )
    async def call_queue_entry_create(self, info: strawberry.Info, input: CallQueueEntryInput) -> CallQueueEntryPayload:
        ctx = info.context

        async def create() -> int:
            request = call_queue.CallRequest(
                reason=input.reason,
                person_id=decode_id(input.person, "Person", ["input", "person"]) if input.person else None,
                company_id=decode_id(input.company, "Company", ["input", "company"]) if input.company else None,
                due_at=input.due_at,
                priority=input.priority,
                assignee_id=decode_id(input.assignee, "UserNode", ["input", "assignee"]) if input.assignee else None,
                team_id=decode_id(input.team, "TeamNode", ["input", "team"]) if input.team else None,
                max_attempts=input.max_attempts,
            )
            return await call_queue.enqueue_call(ctx.runtime, ctx.actor, request)

        return await _payload(info, create())

    @mutation(permission=call_queue.ASSIGN, description="Give an open call to a user or a team.")
    async def call_queue_entry_assign(
        self,
        info: strawberry.Info,
        id: relay.GlobalID,
        assignee: relay.GlobalID | None = None,
        team: relay.GlobalID | None = None,
    ) -> CallQueueEntryPayload:
        ctx = info.context

        async def reassign() -> int:
            return await call_queue.assign(
                ctx.runtime,
                ctx.actor,
                _entry_id(id),
                decode_id(assignee, "UserNode", ["assignee"]) if assignee else None,
                decode_id(team, "TeamNode", ["team"]) if team else None,
            )

        return await _payload(info, reassign())

    @mutation(permission=call_queue.WORK, description="Take an open call off the queue.")
    async def call_queue_entry_cancel(self, info: strawberry.Info, id: relay.GlobalID) -> CallQueueEntryPayload:
        async def cancel() -> int:
            return await call_queue.cancel_call(info.context.runtime, info.context.actor, _entry_id(id))

        return await _payload(info, cancel())

    @mutation(
        permission=call_queue.WORK,
        description="Log what came of a call: on the client's timeline, and closing, rescheduling or retrying it.",
    )
    async def call_queue_entry_log_outcome(self, info: strawberry.Info, input: CallOutcomeInput) -> CallOutcomePayload:
        ctx = info.context

        async def log() -> tuple[int, int]:
            return await call_queue.log_outcome(
                ctx.runtime,
                ctx.actor,
                decode_id(input.id, TYPE_NAME, ["input", "id"]),
                input.outcome.value,
                duration_minutes=input.duration_minutes,
                notes=input.notes,
                call_back_at=input.call_back_at,
            )

        done, errors = await attempt(log())
        if done is None:
            return CallOutcomePayload(entry=None, call=None, user_errors=errors)
        entry_id, call_id = done
        [call] = await load_timeline_entries([call_id], ctx)
        return CallOutcomePayload(entry=await _entry(info, entry_id), call=call, user_errors=[])
