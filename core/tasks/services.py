"""Tasks and the calendar (MISSION F5): assignment, due times, reminders, recurrence, feeds.

A reminder is a scheduled job that publishes ``core.task_reminder_due`` once per task; the core's
notification subscriber tells the assignee (core.notifications.services). Completing a recurring task
creates its next occurrence from the iCalendar RRULE, counted from the series' start.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import secrets
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, ClassVar

from dateutil.parser import parse as parse_datetime
from dateutil.rrule import rrulestr
from icalendar import Calendar
from icalendar import Event as ICalEvent

from core.access.tables import CalendarFeed, User
from core.crm.scoping import require_reachable
from core.crm.tables import Company, Person, Task
from core.errors import DomainError
from core.events.base import Event
from core.i18n import _
from core.jobs.context import JobContext

if TYPE_CHECKING:
    from core.auth import Actor
    from core.runtime import Runtime

READ, WRITE = "core.task.read", "core.task.write"
ASSIGN_OTHERS = "core.task.assign"
MAX_RANGE = timedelta(days=366)


class TaskAssigned(Event, frozen=True):
    name: ClassVar[str] = "core.task_assigned"
    task_id: int
    assignee_id: int


class TaskCompleted(Event, frozen=True):
    name: ClassVar[str] = "core.task_completed"
    task_id: int


class TaskReminderDue(Event, frozen=True):
    name: ClassVar[str] = "core.task_reminder_due"
    task_id: int
    assignee_id: int
    title: str
    due_at: str


EVENT_TYPES = [TaskAssigned, TaskCompleted, TaskReminderDue]


def _user_id(actor: Actor) -> int | None:
    return int(actor.id) if actor.kind == "staff" and actor.id and actor.id.isdecimal() else None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


UNTIL = re.compile(r"(?:^|;)UNTIL=([^;]*)", re.IGNORECASE)
COUNT = re.compile(r"(?:^|;)COUNT=(\d+)", re.IGNORECASE)


def occurrences(rule: str, start: datetime, zone: tzinfo) -> Iterator[datetime]:
    """The dates of a series in order (aware, UTC), RFC 5545 style: ``start`` (DTSTART) is always
    the first occurrence and counts towards COUNT, then the rule's instances after it (UNTIL,
    BYDAY… as python-dateutil reads them). A start the rule would not produce itself is still the
    first.

    The rule runs over wall-clock times in ``zone``, so 9:00 stays 9:00 across DST and BYDAY is
    the local day. A local time that does not exist (the spring gap) or exists twice (the autumn
    fold) takes zoneinfo's ``fold=0``: the offset before the switch, i.e. shifted forward by the
    gap, or the first of the two, as RFC 5545 wants. An instance that lands on the same instant as
    the one before it (hourly rules in the gap) is dropped."""
    start = _aware(start).astimezone(UTC)
    yield start
    # UNTIL is a UTC instant (_check_rule refuses a floating one): compared after localising,
    # since dateutil refuses a UTC UNTIL with a naive (local) start.
    until_match = UNTIL.search(rule)
    # Read as dateutil reads it in rrulestr (``…Z`` or an offset such as ``+0100``).
    until = parse_datetime(until_match[1]).astimezone(UTC) if until_match else None
    # COUNT is counted here too, after dropping duplicates, so a series has all its instances.
    local_rule = COUNT.sub("", UNTIL.sub("", rule)).strip(";")
    local_start = start.astimezone(zone).replace(tzinfo=None, fold=0)

    def instants() -> Iterator[datetime]:
        previous = start
        for local in rrulestr(local_rule, dtstart=local_start):
            instant = local.replace(tzinfo=zone, fold=0).astimezone(UTC)
            if until is not None and instant > until:
                return
            if instant > previous:
                previous = instant
                yield instant

    count = COUNT.search(rule)
    yield from itertools.islice(instants(), int(count[1]) - 1) if count else instants()


def next_occurrence(rule: str, start: datetime, index: int, zone: tzinfo) -> datetime | None:
    """The occurrence after the ``index``-th (1-based) of the series starting at ``start``."""
    return next(itertools.islice(occurrences(rule, start, zone), index, None), None)


# A task recurs at most hourly: finer rules only flood the calendar (and cost CPU to expand).
FREQUENCIES = ("HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")


def _check_rule(rule: str) -> str:
    rule = rule.strip().removeprefix("RRULE:")
    if not rule:
        return ""
    try:
        # One RRULE line only: no DTSTART, EXDATE or second rule smuggled in on another line.
        if any(char in rule for char in "\r\n:"):
            raise ValueError("one rule line")
        frequency = re.search(r"(?:^|;)FREQ=([A-Z]+)", rule.upper())
        if frequency is None or frequency[1] not in FREQUENCIES:
            raise ValueError("frequency")
        if re.search(r"(?:^|;)COUNT=0*(?:;|$)", rule.upper()):
            raise ValueError("COUNT=0 is a series without occurrences")
        rrulestr(rule, dtstart=datetime.now(UTC))
    except (ValueError, TypeError):
        raise DomainError(
            "INVALID_RECURRENCE",
            _("Use an iCalendar rule, hourly to yearly, e.g. FREQ=WEEKLY;BYDAY=MO."),
            ["input", "recurrence"],
        ) from None
    return rule


async def create_task(
    runtime: Runtime,
    actor: Actor,
    *,
    title: str,
    due_at: datetime,
    assignee_id: int | None = None,
    description: str = "",
    company_id: int | None = None,
    person_id: int | None = None,
    duration_minutes: int = 30,
    remind_before: timedelta | None = None,
    recurrence: str = "",
) -> int:
    if not actor.can(WRITE):
        raise DomainError("FORBIDDEN", _("You do not have the permission {permission}."), permission=WRITE)
    me = _user_id(actor)
    assignee = assignee_id or me
    if assignee is None:
        raise DomainError("BLANK", _("This field must not be blank."), ["input", "assignee"])
    if assignee != me and not actor.can(ASSIGN_OTHERS):
        raise DomainError(
            "FORBIDDEN",
            _("You do not have the permission {permission}."),
            ["input", "assignee"],
            permission=ASSIGN_OTHERS,
        )
    if not title.strip():
        raise DomainError("BLANK", _("This field must not be blank."), ["input", "title"])
    if not 0 < duration_minutes <= 24 * 60:
        raise DomainError("OUT_OF_RANGE", _("Between 1 and 1440 minutes."), ["input", "durationMinutes"])
    rule = _check_rule(recurrence)
    async with runtime.unit_of_work(actor) as uow:
        if not await User.exists().where((User.id == assignee) & (User.is_active == True)):  # noqa: E712
            raise DomainError("UNKNOWN_USER", _("There is no active user with this id."), ["input", "assignee"])
        for table, record_id, permission, path in (
            (Company, company_id, "core.company.read", "company"),
            (Person, person_id, "core.person.read", "person"),
        ):
            if record_id is not None:
                await require_reachable(table, record_id, actor, permission, ["input", path])
        due = _aware(due_at)
        [row] = await Task.insert(
            Task(
                title=title.strip()[:300],
                description=description,
                assignee=assignee,
                created_by=me,
                company=company_id,
                person=person_id,
                due_at=due,
                duration_minutes=duration_minutes,
                remind_at=due - remind_before if remind_before is not None else None,
                recurrence=rule,
                series_start=due if rule else None,
            )
        ).returning(Task.id)
        await uow.publish(TaskAssigned(task_id=row["id"], assignee_id=assignee))
    return row["id"]


def _reachable(actor: Actor) -> Any:
    """Tasks an actor may see: their own, and with ``core.task.read`` as far as its scope reaches."""
    me = _user_id(actor)
    own = Task.assignee == (me if me is not None else -1)
    scope = actor.scope_for(READ)
    if scope == "all":
        return Task.id.is_not_null()
    if scope == "team" and actor.team_id is not None:
        return own | (Task.assignee.team == actor.team_id)
    return own


async def complete_task(runtime: Runtime, actor: Actor, task_id: int) -> int | None:
    """Mark done; a recurring task gets its next occurrence (whose id is returned)."""
    async with runtime.unit_of_work(actor) as uow:
        row = await Task.select().where((Task.id == task_id) & _reachable(actor)).first()
        if row is None:
            raise DomainError("NOT_FOUND", _("No such task."), ["id"])
        if row["status"] != "open":
            raise DomainError("NOT_OPEN", _("This task is already closed."), ["id"])
        await Task.update({Task.status: "done", Task.completed_at: datetime.now(UTC)}).where(Task.id == task_id)
        await uow.publish(TaskCompleted(task_id=task_id))
        if not row["recurrence"]:
            return None
        due = _aware(row["due_at"])
        # Counted from the series' start, never from this task: COUNT and UNTIL end the series.
        start = _aware(row["series_start"]) if row["series_start"] else due
        # The assignee's wall clock (their own zone, else the deployment's) keeps 9:00 at 9:00.
        owner = await User.select(User.time_zone).where(User.id == row["assignee"]).first()
        zone = runtime.settings.zone_for(owner["time_zone"] if owner else "")
        following = next_occurrence(row["recurrence"], start, row["occurrence"], zone)
        if following is None:
            return None
        reminder_gap = due - _aware(row["remind_at"]) if row["remind_at"] else None
        [new] = await Task.insert(
            Task(
                title=row["title"],
                description=row["description"],
                assignee=row["assignee"],
                created_by=row["created_by"],
                company=row["company"],
                person=row["person"],
                due_at=following,
                duration_minutes=row["duration_minutes"],
                recurrence=row["recurrence"],
                series_start=start,
                occurrence=row["occurrence"] + 1,
                remind_at=following - reminder_gap if reminder_gap is not None else None,
            )
        ).returning(Task.id)
        await uow.publish(TaskAssigned(task_id=new["id"], assignee_id=row["assignee"]))
        return new["id"]


async def calendar(actor: Actor, user_ids: Sequence[int], start: datetime, end: datetime) -> list[dict[str, Any]]:
    start, end = _aware(start), _aware(end)  # a time without a zone is UTC, as everywhere in the API
    if end <= start or end - start > MAX_RANGE:
        raise DomainError("INVALID_RANGE", _("The range must end after it starts and span at most a year."), ["end"])
    query = Task.select().where(
        (Task.due_at >= start) & (Task.due_at < end) & (Task.status != "cancelled") & _reachable(actor)
    )
    if user_ids:
        query = query.where(Task.assignee.is_in(list(user_ids)))
    return await query.order_by(Task.due_at).order_by(Task.id)


async def send_due_reminders(ctx: JobContext) -> None:
    """The scheduled job: one event per task whose reminder time has come (once per task)."""
    now = datetime.now(UTC)
    due = (
        await Task.select(Task.id, Task.assignee, Task.title, Task.due_at)
        .where((Task.remind_at <= now) & Task.reminded_at.is_null() & (Task.status == "open"))
        .limit(500)
    )
    for row in due:
        claimed = (
            await Task.update({Task.reminded_at: now})
            .where((Task.id == row["id"]) & Task.reminded_at.is_null())
            .returning(Task.id)
        )
        if claimed:
            await ctx.uow.publish(
                TaskReminderDue(
                    task_id=row["id"],
                    assignee_id=row["assignee"],
                    title=row["title"],
                    due_at=_aware(row["due_at"]).isoformat(),
                )
            )


# --- iCalendar feed ---------------------------------------------------------------------------------
def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_feed(runtime: Runtime, actor: Actor) -> str:
    """A new secret feed address for the actor; earlier ones stop working."""
    me = _user_id(actor)
    if me is None:
        raise DomainError("FORBIDDEN", _("Only staff users have access tokens."))
    token = secrets.token_urlsafe(32)
    async with runtime.unit_of_work(actor):
        await CalendarFeed.update({CalendarFeed.revoked_at: datetime.now(UTC)}).where(
            (CalendarFeed.user == me) & CalendarFeed.revoked_at.is_null()
        )
        await CalendarFeed.insert(CalendarFeed(user=me, token_hash=_hash(token)))
    return token


async def feed(token: str, now: datetime | None = None) -> bytes | None:
    """The iCalendar document of a feed token's user: open tasks from a month ago on."""
    row = (
        await CalendarFeed.select(CalendarFeed.user, CalendarFeed.user.is_active)
        .where((CalendarFeed.token_hash == _hash(token)) & CalendarFeed.revoked_at.is_null())
        .first()
    )
    if row is None or not row["user.is_active"]:
        return None
    now = now or datetime.now(UTC)
    tasks = (
        await Task.select()
        .where((Task.assignee == row["user"]) & (Task.status == "open") & (Task.due_at >= now - timedelta(days=31)))
        .order_by(Task.due_at)
    )
    calendar_doc = Calendar()
    calendar_doc.add("prodid", "-//Kartoteka//CRM//PL")
    calendar_doc.add("version", "2.0")
    calendar_doc.add("x-wr-calname", "Kartoteka")
    for task in tasks:
        event = ICalEvent()
        event.add("uid", f"task-{task['id']}@kartoteka")
        event.add("summary", task["title"])
        event.add("description", task["description"])
        event.add("dtstart", _aware(task["due_at"]))
        event.add("dtend", _aware(task["due_at"]) + timedelta(minutes=task["duration_minutes"]))
        event.add("dtstamp", _aware(task["created_at"]))
        # No RRULE: each occurrence of a recurring task is its own task, created on completion.
        calendar_doc.add_component(event)
    return calendar_doc.to_ical()
