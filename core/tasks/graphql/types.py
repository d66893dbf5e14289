"""GraphQL of tasks and the calendar.

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
"""

from datetime import datetime
from typing import Any

import strawberry
from strawberry import relay

from core.access.graphql.types import UserNode
from core.crm.graphql.types import CompanyRef, PersonRef
from core.graphql.ids import global_id
from core.tasks import services as tasks

FEED_PATH = "/plugins/core/calendar/{token}.ics"


@strawberry.type(description="Something to do, for someone, by a time.")
class TaskType:
    id: relay.GlobalID
    title: str
    description: str
    due_at: datetime
    duration_minutes: int
    remind_at: datetime | None
    recurrence: str = strawberry.field(description="iCalendar RRULE; empty for a one-off task.")
    series_start: datetime | None = strawberry.field(
        description="The first occurrence's due time (the rule's DTSTART); null for a one-off task."
    )
    occurrence: int = strawberry.field(description="Which occurrence of its series this task is, from 1.")
    status: str
    completed_at: datetime | None
    assignee_id: strawberry.Private[int]
    company_id: strawberry.Private[int | None]
    person_id: strawberry.Private[int | None]

    @strawberry.field
    async def assignee(self, info: strawberry.Info) -> UserNode | None:
        return await info.context.loaders["core.user"].load(self.assignee_id)

    @strawberry.field(description="Null when none, or outside your area.")
    async def company(self, info: strawberry.Info) -> CompanyRef | None:
        return None if self.company_id is None else await info.context.loaders["core.company"].load(self.company_id)

    @strawberry.field(description="Null when none, or outside your area.")
    async def person(self, info: strawberry.Info) -> PersonRef | None:
        return None if self.person_id is None else await info.context.loaders["core.person"].load(self.person_id)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "TaskType":
        return cls(
            id=global_id("TaskType", row["id"]),
            title=row["title"],
            description=row["description"],
            due_at=row["due_at"],
            duration_minutes=row["duration_minutes"],
            remind_at=row["remind_at"],
            recurrence=row["recurrence"],
            series_start=row["series_start"],
            occurrence=row["occurrence"],
            status=row["status"],
            completed_at=row["completed_at"],
            assignee_id=row["assignee"],
            company_id=row["company"],
            person_id=row["person"],
        )


async def _task(task_id: int | None) -> TaskType | None:
    if task_id is None:
        return None
    row = await tasks.Task.select().where(tasks.Task.id == task_id).first()
    return TaskType.from_row(row)
