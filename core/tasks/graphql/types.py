"""GraphQL of tasks and the calendar.

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
"""

from datetime import datetime, timedelta
from typing import Any

import strawberry
from litestar import Response, get
from litestar.exceptions import NotFoundException
from strawberry import relay

from core.access.graphql.types import UserNode, attempt, decode_id
from core.crm.graphql.types import CompanyRef, PersonRef
from core.errors import DomainError
from core.graphql.errors import ClientError, UserError
from core.graphql.ids import global_id
from core.graphql.permissions import AUTHENTICATED, field, mutation
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


@strawberry.input
class TaskInput:
    title: str
    due_at: datetime
    description: str = ""
    assignee: relay.GlobalID | None = strawberry.field(default=None, description="Defaults to you.")
    company: relay.GlobalID | None = None
    person: relay.GlobalID | None = None
    duration_minutes: int = 30
    remind_minutes_before: int | None = strawberry.field(default=None, description="A reminder this long before.")
    recurrence: str = strawberry.field(default="", description="iCalendar RRULE, e.g. FREQ=WEEKLY;BYDAY=MO.")


@strawberry.type
class TaskPayload:
    task: TaskType | None
    user_errors: list[UserError]


@strawberry.type
class TaskCompletePayload:
    task: TaskType | None = strawberry.field(description="The task just completed.")
    next_task: TaskType | None = strawberry.field(description="The next occurrence of a recurring task.")
    user_errors: list[UserError]


@strawberry.type
class CalendarFeedPayload:
    url: str | None = strawberry.field(description="Subscribe to it in Thunderbird or Outlook; shown once.")
    user_errors: list[UserError]


async def _task(task_id: int | None) -> TaskType | None:
    if task_id is None:
        return None
    row = await tasks.Task.select().where(tasks.Task.id == task_id).first()
    return TaskType.from_row(row)


@strawberry.type
class TaskMutation:
    @mutation(permission=tasks.WRITE, description="Create a task (for yourself, or for others with core.task.assign).")
    async def task_create(self, info: strawberry.Info, input: TaskInput) -> TaskPayload:
        ctx = info.context

        async def create() -> int:
            return await tasks.create_task(
                ctx.runtime,
                ctx.actor,
                title=input.title,
                due_at=input.due_at,
                description=input.description,
                assignee_id=decode_id(input.assignee, "UserNode", ["input", "assignee"]) if input.assignee else None,
                company_id=decode_id(input.company, "Company", ["input", "company"]) if input.company else None,
                person_id=decode_id(input.person, "Person", ["input", "person"]) if input.person else None,
                duration_minutes=input.duration_minutes,
                remind_before=timedelta(minutes=input.remind_minutes_before)
                if input.remind_minutes_before is not None
                else None,
                recurrence=input.recurrence,
            )

        task_id, errors = await attempt(create())
        return TaskPayload(task=await _task(task_id), user_errors=errors)

    @mutation(permission=AUTHENTICATED, description="Mark a task done.")
    async def task_complete(self, info: strawberry.Info, id: relay.GlobalID) -> TaskCompletePayload:
        async def complete() -> tuple[int, int | None]:
            task_id = decode_id(id, "TaskType", ["id"])
            return task_id, await tasks.complete_task(info.context.runtime, info.context.actor, task_id)

        done, errors = await attempt(complete())
        task_id, next_id = done if done else (None, None)
        return TaskCompletePayload(task=await _task(task_id), next_task=await _task(next_id), user_errors=errors)

    @mutation(permission=AUTHENTICATED, description="A new secret iCalendar address for your tasks (old ones stop).")
    async def calendar_feed_create(self, info: strawberry.Info) -> CalendarFeedPayload:
        token, errors = await attempt(tasks.create_feed(info.context.runtime, info.context.actor))
        return CalendarFeedPayload(url=FEED_PATH.format(token=token) if token else None, user_errors=errors)


@get("/calendar/{token:str}", include_in_schema=False)
async def calendar_feed(token: str) -> Response:
    document = await tasks.feed(token.removesuffix(".ics"))
    if document is None:
        raise NotFoundException()
    return Response(
        document, media_type="text/calendar; charset=utf-8", headers={"Cache-Control": "private, max-age=300"}
    )
