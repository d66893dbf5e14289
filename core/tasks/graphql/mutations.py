"""The mutations of tasks and the calendar feed, with their inputs and payloads."""

from datetime import datetime, timedelta

import strawberry
from strawberry import relay

from core.access.graphql.types import attempt, decode_id
from core.graphql.errors import UserError
from core.graphql.permissions import AUTHENTICATED, mutation
from core.tasks import services as tasks
from core.tasks.graphql.types import FEED_PATH, TaskType, _task


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
