"""Mutations of the client timeline: log a call, meeting or note.

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
"""

from datetime import datetime
from decimal import Decimal

import strawberry
from strawberry import relay

from core.access.graphql.types import attempt, decode_id
from core.crm import services as crm
from core.crm import tables as db
from core.crm import timeline
from core.crm.graphql.timeline.types import TimelineEntryType
from core.graphql.errors import UserError
from core.graphql.permissions import mutation


@strawberry.input
class TimelineEntryInput:
    kind: str = strawberry.field(
        description="A kind from `timelineKinds`, namespaced by the plugin that defines it: `core.call`, not `call`."
    )
    company: relay.GlobalID | None = None
    person: relay.GlobalID | None = None
    title: str = ""
    body: str = ""
    occurred_at: datetime | None = strawberry.field(default=None, description="Defaults to now.")
    duration_minutes: int = 0
    cost: Decimal | None = None


@strawberry.type
class TimelineEntryPayload:
    entry: TimelineEntryType | None
    user_errors: list[UserError]


@strawberry.type
class TimelineMutation:
    @mutation(permission=crm.TIMELINE_WRITE, description="Log a call, meeting, note… on a client's timeline.")
    async def timeline_entry_create(self, info: strawberry.Info, input: TimelineEntryInput) -> TimelineEntryPayload:
        ctx = info.context

        async def create() -> int:
            return await timeline.log_contact(
                ctx.runtime,
                ctx.actor,
                kind=input.kind,
                company_id=decode_id(input.company, "Company", ["input", "company"]) if input.company else None,
                person_id=decode_id(input.person, "Person", ["input", "person"]) if input.person else None,
                subject=input.title,
                body=input.body,
                occurred_at=input.occurred_at,
                duration_minutes=input.duration_minutes,
                cost=input.cost,
            )

        entry_id, errors = await attempt(create())
        if entry_id is None:
            return TimelineEntryPayload(entry=None, user_errors=errors)
        row = await db.TimelineEntry.select().where(db.TimelineEntry.id == entry_id).output(load_json=True).first()
        return TimelineEntryPayload(entry=TimelineEntryType.from_row(row), user_errors=[])
