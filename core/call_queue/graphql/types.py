"""GraphQL of the call queue: the queue, the next call, and logging what came of it.

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
"""

from datetime import datetime
from enum import Enum
from typing import Any, ClassVar

import strawberry
from strawberry import relay

from core.access.graphql.types import TeamNode, UserNode, decode_id
from core.call_queue import services as call_queue
from core.crm.graphql.timeline.types import TimelineEntryType
from core.crm.graphql.types import CompanyRef, PersonRef
from core.crm.tables import CallQueueEntry
from core.graphql.batching import batched_field, load_each

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


async def _entry(info: strawberry.Info, entry_id: int | None) -> CallQueueEntryNode | None:
    if entry_id is None:
        return None
    [node] = await load_entries([entry_id], info.context)
    return node


def _entry_id(id: relay.GlobalID) -> int:
    return decode_id(id, TYPE_NAME, ["id"])
