"""GraphQL of the call queue: the queue, the next call, and logging what came of it.

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
"""

from datetime import datetime
from enum import Enum
from typing import Annotated, Any, ClassVar

import strawberry
from strawberry import relay

from core.access.graphql.types import TeamNode, UserNode, attempt, decode_id, maximum
from core.call_queue import services as call_queue
from core.crm.graphql.timeline.types import TimelineEntryType
from core.crm.graphql.types import CompanyRef, PersonRef
from core.crm.scoping import subjects_visible
from core.crm.tables import CallQueueEntry, TimelineEntry
from core.errors import DomainError
from core.graphql.batching import batched_field, load_each
from core.graphql.errors import ClientError, UserError
from core.graphql.keyset import paginate_by_key
from core.graphql.permissions import field, mutation

TYPE_NAME = "CallQueueEntry"


@strawberry.enum(description="Where a queued call stands.")
class CallQueueStatus(Enum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


@strawberry.enum(description="What came of a call.")
class CallOutcome(Enum):
    REACHED = "reached"  # closes the entry
    WRONG_NUMBER = "wrong_number"  # closes the entry
    CALL_BACK = "call_back"  # due again at `callBackAt`, for the caller
    NO_ANSWER = "no_answer"  # tried again later, until `maxAttempts`


@strawberry.type(name=TYPE_NAME, description="A call to make to a client, for a user or a team.")
class CallQueueEntryNode(relay.Node):
    node_permission: ClassVar[str] = call_queue.READ

    id: relay.NodeID[int]
    reason: str
    source: str = strawberry.field(description="`manual`, `marketing.segment:<id>`, `<plugin>.<record>:<id>`…")
    due_at: datetime
    priority: int = strawberry.field(description="1 is the most urgent, 5 the least.")
    status: CallQueueStatus
    attempts: int = strawberry.field(description="Calls logged for this entry so far.")
    max_attempts: int = strawberry.field(description="Unanswered calls after which the entry closes.")
    outcome: CallOutcome | None = strawberry.field(description="Of the last call logged.")
    claimed_at: datetime | None = strawberry.field(description="When an agent took it with `nextCall`.")
    created_at: datetime
    closed_at: datetime | None
    person_id: strawberry.Private[int | None]
    company_id: strawberry.Private[int | None]
    assignee_id: strawberry.Private[int | None]
    team_id: strawberry.Private[int | None]
    claimed_by_id: strawberry.Private[int | None]
    last_call_id: strawberry.Private[int | None]

    @batched_field(load_each("core.person", lambda s: s.person_id), description="Null when none, or outside your area.")
    async def person(self, info: strawberry.Info) -> PersonRef | None:
        return None if self.person_id is None else await info.context.loaders["core.person"].load(self.person_id)

    @batched_field(
        load_each("core.company", lambda s: s.company_id), description="Null when none, or outside your area."
    )
    async def company(self, info: strawberry.Info) -> CompanyRef | None:
        return None if self.company_id is None else await info.context.loaders["core.company"].load(self.company_id)

    @batched_field(load_each("core.user", lambda s: s.assignee_id), description="Null when it is for a whole team.")
    async def assignee(self, info: strawberry.Info) -> UserNode | None:
        return None if self.assignee_id is None else await info.context.loaders["core.user"].load(self.assignee_id)

    @batched_field(load_each("core.team", lambda s: s.team_id))
    async def team(self, info: strawberry.Info) -> TeamNode | None:
        return None if self.team_id is None else await info.context.loaders["core.team"].load(self.team_id)

    @batched_field(load_each("core.user", lambda s: s.claimed_by_id), description="The agent calling now.")
    async def claimed_by(self, info: strawberry.Info) -> UserNode | None:
        if self.claimed_by_id is None:
            return None
        return await info.context.loaders["core.user"].load(self.claimed_by_id)

    @batched_field(
        load_each("core.timeline_entry", lambda s: s.last_call_id), description="The last call logged, on the timeline."
    )
    async def last_call(self, info: strawberry.Info) -> TimelineEntryType | None:
        if self.last_call_id is None:
            return None
        return await info.context.loaders["core.timeline_entry"].load(self.last_call_id)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "CallQueueEntryNode":
        return cls(
            id=row["id"],
            reason=row["reason"],
            source=row["source"],
            due_at=row["due_at"],
            priority=row["priority"],
            status=CallQueueStatus(row["status"]),
            attempts=row["attempts"],
            max_attempts=row["max_attempts"],
            outcome=CallOutcome(row["outcome"]) if row["outcome"] else None,
            claimed_at=row["claimed_at"],
            created_at=row["created_at"],
            closed_at=row["closed_at"],
            person_id=row["person"],
            company_id=row["company"],
            assignee_id=row["assignee"],
            team_id=row["team"],
            claimed_by_id=row["claimed_by"],
            last_call_id=row["last_call"],
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Any, node_ids: list[Any], required: bool = False) -> list:
        return await load_entries([int(i) if str(i).isdigit() else -1 for i in node_ids], info.context)


async def load_entries(keys: list[int], context: Any) -> list[CallQueueEntryNode | None]:
    """Entries by id, as far as the actor's record scope reaches (others are None)."""
    actor = context.actor
    if not actor.can(call_queue.READ) and not actor.can(call_queue.WORK):
        return [None] * len(keys)
    rows = await CallQueueEntry.select().where(
        CallQueueEntry.id.is_in(sorted(set(keys))) & call_queue.client_visible(actor)
    )
    found = {row["id"]: CallQueueEntryNode.from_row(row) for row in rows}
    return [found.get(key) for key in keys]


async def load_timeline_entries(keys: list[int], context: Any) -> list[TimelineEntryType | None]:
    """Timeline entries by id, as far as the actor's record scope reaches (others are None)."""
    rows = (
        await TimelineEntry.select()
        .where(TimelineEntry.id.is_in(sorted(set(keys))) & subjects_visible(TimelineEntry, context.actor))
        .output(load_json=True)
    )
    found = {row["id"]: TimelineEntryType.from_row(row) for row in rows}
    return [found.get(key) for key in keys]


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


async def _entry(info: strawberry.Info, entry_id: int | None) -> CallQueueEntryNode | None:
    if entry_id is None:
        return None
    [node] = await load_entries([entry_id], info.context)
    return node


async def _payload(info: strawberry.Info, action: Any) -> CallQueueEntryPayload:
    entry_id, errors = await attempt(action)
    return CallQueueEntryPayload(entry=await _entry(info, entry_id), user_errors=errors)


def _entry_id(id: relay.GlobalID) -> int:
    return decode_id(id, TYPE_NAME, ["id"])


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
