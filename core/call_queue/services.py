"""The call queue (MISSION F12): calls to make, per employee or team, and their outcomes.

Entries come by hand, from a segment's call list (marketing) or from any plugin through
``core.api.enqueue_calls`` (the dunning ladder). An agent asks for the next call; claiming it is
a compare-and-set (``FOR UPDATE SKIP LOCKED`` first on PostgreSQL), so two agents never get the
same entry. The outcome is logged as a call on the client's timeline by the ordinary call-log
code, and closes, reschedules or retries the entry. Entries are scoped like the client file: an
entry shows only to those who may see its person and its company.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from core.access.services import actor_for_user, require
from core.access.tables import Team, User
from core.crm.events import CompanyDeleted, PersonDeleted
from core.crm.scoping import subjects_visible, visible
from core.crm.tables import CallQueueEntry, Company, Person
from core.crm.timeline import log_contact_in
from core.errors import DomainError
from core.events.base import Event
from core.i18n import _
from core.jobs.context import JobContext
from core.plugins.specs import Subscriber

if TYPE_CHECKING:
    from core.auth import Actor
    from core.events.bus import UnitOfWork
    from core.runtime import Runtime

READ, WORK, ASSIGN = "core.call_queue.read", "core.call_queue.work", "core.call_queue.assign"
OPEN, DONE, CANCELLED = "open", "done", "cancelled"
REACHED, WRONG_NUMBER, CALL_BACK, NO_ANSWER = "reached", "wrong_number", "call_back", "no_answer"
OUTCOMES = (REACHED, WRONG_NUMBER, CALL_BACK, NO_ANSWER)
CLOSING = (REACHED, WRONG_NUMBER)
# A claim not followed by an outcome within this time goes back to the queue (the agent left).
CLAIM_TTL = timedelta(minutes=30)
RETRY_AFTER = timedelta(hours=2)
PRIORITIES = range(1, 6)
MAX_ATTEMPTS = 20
MAX_REASON = 300
INSERT_CHUNK = 500
ENQUEUE_JOB = "core.enqueue_calls"
INSERT_COLUMNS = (
    "person",
    "company",
    "reason",
    "source",
    "due_at",
    "priority",
    "assignee",
    "team",
    "status",
    "attempts",
    "max_attempts",
    "outcome",
    "created_by",
    "created_at",
    "updated_at",
)


class CallQueued(Event, frozen=True):
    name: ClassVar[str] = "core.call_queued"
    call_queue_entry_id: int
    person_id: int | None
    company_id: int | None
    assignee_id: int | None
    team_id: int | None
    source: str


class CallAssigned(Event, frozen=True):
    name: ClassVar[str] = "core.call_assigned"
    call_queue_entry_id: int
    assignee_id: int | None
    team_id: int | None


class CallLogged(Event, frozen=True):
    name: ClassVar[str] = "core.call_logged"
    call_queue_entry_id: int
    outcome: str
    timeline_entry_id: int
    closed: bool


class CallCancelled(Event, frozen=True):
    name: ClassVar[str] = "core.call_cancelled"
    call_queue_entry_id: int


EVENT_TYPES = [CallQueued, CallAssigned, CallLogged, CallCancelled]


@dataclass(frozen=True)
class CallRequest:
    """One call to queue: about a person and/or a company, for a user or a team (default: the actor)."""

    reason: str
    person_id: int | None = None
    company_id: int | None = None
    due_at: datetime | None = None
    priority: int = 3
    assignee_id: int | None = None
    team_id: int | None = None
    max_attempts: int = 3
    source: str = "manual"


REQUEST_FIELDS = tuple(field.name for field in fields(CallRequest))


@dataclass(frozen=True)
class Enqueued:
    ids: list[int]  # empty when queued in the background
    skipped: int  # requests left out because the same call was already open
    pending: int = 0  # calls the background job is queuing


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _forbidden(permission: str, field: list[str] | None = None) -> DomainError:
    return DomainError("FORBIDDEN", _("You do not have the permission {permission}."), field, permission=permission)


# --- who sees and works which entries -------------------------------------------------------------
def client_visible(actor: Actor) -> Any:
    """Entries whose person and company ``actor`` may see (the client file's record scope)."""
    return subjects_visible(CallQueueEntry, actor)


def mine(actor: Actor) -> Any:
    """Entries given to the actor, and those of the actor's team not given to anyone in it."""
    own = CallQueueEntry.assignee == (actor.user_id or -1)
    if actor.team_id is None:
        return own
    return own | (CallQueueEntry.assignee.is_null() & (CallQueueEntry.team == actor.team_id))


def _works_on(actor: Actor, row: dict[str, Any]) -> bool:
    me = actor.user_id
    if me is not None and me in (row["assignee"], row["claimed_by"]):
        return True
    team_entry = row["assignee"] is None and row["team"] is not None and row["team"] == actor.team_id
    return team_entry or actor.can(ASSIGN)


async def _open_entry(runtime: Runtime, actor: Actor, entry_id: int, field: Sequence[str] = ("id",)) -> dict[str, Any]:
    query = CallQueueEntry.select().where((CallQueueEntry.id == entry_id) & client_visible(actor))
    if runtime.settings.is_postgres:
        query = query.lock_rows(of=(CallQueueEntry,))
    row = await query.first()
    if row is None:
        raise DomainError("NOT_FOUND", _("No such call in the queue, or it is outside your area."), list(field))
    if row["status"] != OPEN:
        raise DomainError("NOT_OPEN", _("This call is already closed."), list(field))
    return row


# --- filling the queue ----------------------------------------------------------------------------
async def enqueue_calls(
    runtime: Runtime,
    actor: Actor,
    requests: Sequence[CallRequest],
    *,
    skip_duplicates: bool = False,
    uow: UnitOfWork | None = None,
    path: Sequence[str] = ("input",),
    in_background: bool = False,
) -> Enqueued:
    """Queue calls (all or none). With ``skip_duplicates``, a request for a person who already has an
    open call for the same reason is left out. Inside ``uow`` when given (a plugin's own change).

    ``in_background`` checks everything now, with the actor's rights, and leaves the writing (one
    event per call) to a job once ``uow`` commits: a call list of thousands would outlast a request."""
    require(actor, WORK)
    if uow is None:
        async with runtime.unit_of_work(actor) as own:
            return await _enqueue(runtime, actor, own, requests, skip_duplicates, list(path), in_background)
    return await _enqueue(runtime, actor, uow, requests, skip_duplicates, list(path), in_background)


async def enqueue_call(runtime: Runtime, actor: Actor, request: CallRequest, *, uow: UnitOfWork | None = None) -> int:
    [entry_id] = (await enqueue_calls(runtime, actor, [request], uow=uow)).ids
    return entry_id


def _check(actor: Actor, request: CallRequest, path: list[str]) -> CallRequest:
    reason = request.reason.strip()
    if not reason:
        raise DomainError("BLANK", _("This field must not be blank."), [*path, "reason"])
    if len(reason) > MAX_REASON:
        raise DomainError("TOO_LONG", _("At most {limit} characters."), [*path, "reason"], limit=MAX_REASON)
    if request.person_id is None and request.company_id is None:
        raise DomainError("NO_SUBJECT", _("Say which company or person this is about."), [*path, "person"])
    if request.priority not in PRIORITIES:
        raise DomainError(
            "OUT_OF_RANGE", _("Expected a number from {low} to {high}."), [*path, "priority"], low=1, high=5
        )
    if not 1 <= request.max_attempts <= MAX_ATTEMPTS:
        raise DomainError(
            "OUT_OF_RANGE",
            _("Expected a number from {low} to {high}."),
            [*path, "maxAttempts"],
            low=1,
            high=MAX_ATTEMPTS,
        )
    assignee = request.assignee_id
    if assignee is None and request.team_id is None:
        assignee = actor.user_id
        if assignee is None:
            raise DomainError("BLANK", _("This field must not be blank."), [*path, "assignee"])
    if (assignee != actor.user_id or request.team_id is not None) and not actor.can(ASSIGN):
        raise _forbidden(ASSIGN, [*path, "team" if assignee is None else "assignee"])
    return CallRequest(
        reason=reason,
        person_id=request.person_id,
        company_id=request.company_id,
        due_at=_aware(request.due_at) if request.due_at else None,
        priority=request.priority,
        assignee_id=assignee,
        team_id=request.team_id,
        max_attempts=request.max_attempts,
        source=request.source.strip()[:200] or "manual",
    )


async def _require_assignees(user_ids: set[int], team_ids: set[int], path: list[str]) -> None:
    if user_ids:
        active = User.select(User.id).where(User.id.is_in(sorted(user_ids)) & (User.is_active == True))  # noqa: E712
        if len(await active) != len(user_ids):
            raise DomainError("UNKNOWN_USER", _("There is no active user with this id."), [*path, "assignee"])
    if team_ids and len(await Team.select(Team.id).where(Team.id.is_in(sorted(team_ids)))) != len(team_ids):
        raise DomainError("UNKNOWN_TEAM", _("There is no team with this id."), [*path, "team"])


async def _require_clients(actor: Actor, requests: Sequence[CallRequest], path: list[str]) -> None:
    for table, key, permission, name in (
        (Person, "person_id", "core.person.read", "person"),
        (Company, "company_id", "core.company.read", "company"),
    ):
        wanted = sorted({getattr(r, key) for r in requests if getattr(r, key) is not None})
        if not wanted:
            continue
        if actor.scope_for(permission) is None:
            raise _forbidden(permission, [*path, name])
        found = set()
        for start in range(0, len(wanted), INSERT_CHUNK):
            chunk = wanted[start : start + INSERT_CHUNK]
            rows = await table.select(table.id).where(table.id.is_in(chunk) & visible(table, actor, permission))
            found.update(row["id"] for row in rows)
        if found != set(wanted):
            raise DomainError("NOT_FOUND", _("No such record, or it is outside your area."), [*path, name])


async def _require_callers(runtime: Runtime, actor: Actor, requests: Sequence[CallRequest], path: list[str]) -> None:
    """A call given to a colleague must be one they can make: the queue's work right and the
    client in their area (else it would wait forever where nobody sees it)."""
    for user_id in sorted({r.assignee_id for r in requests if r.assignee_id not in (None, actor.user_id)}):
        user = await User.select().where(User.id == user_id).first()
        caller = await actor_for_user(runtime, user)
        try:
            if not caller.can(WORK):
                raise _forbidden(WORK)
            await _require_clients(caller, [r for r in requests if r.assignee_id == user_id], path)
        except DomainError:
            raise DomainError(
                "ASSIGNEE_CANNOT_CALL",
                _("This user cannot make this call: no access to the call queue or to the client."),
                [*path, "assignee"],
            ) from None


async def _open_reasons(person_ids: list[int]) -> set[tuple[int, str]]:
    taken: set[tuple[int, str]] = set()
    for start in range(0, len(person_ids), INSERT_CHUNK):
        rows = await CallQueueEntry.select(CallQueueEntry.person, CallQueueEntry.reason).where(
            CallQueueEntry.person.is_in(person_ids[start : start + INSERT_CHUNK]) & (CallQueueEntry.status == OPEN)
        )
        taken.update((row["person"], row["reason"]) for row in rows)
    return taken


async def _enqueue(
    runtime: Runtime,
    actor: Actor,
    uow: UnitOfWork,
    requests: Sequence[CallRequest],
    skip_duplicates: bool,
    path: list[str],
    in_background: bool,
) -> Enqueued:
    checked = [_check(actor, request, path) for request in requests]
    await _require_assignees(
        {r.assignee_id for r in checked if r.assignee_id is not None},
        {r.team_id for r in checked if r.team_id is not None},
        path,
    )
    await _require_clients(actor, checked, path)
    await _require_callers(runtime, actor, checked, path)
    skipped = 0
    if skip_duplicates:
        checked, skipped = await _without_duplicates(checked)
    if in_background:
        await uow.defer(
            ENQUEUE_JOB,
            rows=[[getattr(r, name) for name in REQUEST_FIELDS] for r in checked],
            skip_duplicates=skip_duplicates,
            created_by=actor.user_id,
        )
        return Enqueued(ids=[], skipped=skipped, pending=len(checked))
    return Enqueued(ids=await _insert(uow, checked, actor.user_id), skipped=skipped)


async def _without_duplicates(requests: list[CallRequest]) -> tuple[list[CallRequest], int]:
    taken = await _open_reasons(sorted({r.person_id for r in requests if r.person_id is not None}))
    kept = []
    for request in requests:
        key = (request.person_id, request.reason)
        if request.person_id is not None:
            if key in taken:
                continue
            taken.add(key)
        kept.append(request)
    return kept, len(requests) - len(kept)


async def enqueue_in_background(
    ctx: JobContext, rows: list[list[Any]], skip_duplicates: bool, created_by: int | None
) -> None:
    """The ``core.enqueue_calls`` job: write calls checked when they were asked for."""
    requests = [CallRequest(**dict(zip(REQUEST_FIELDS, row, strict=True))) for row in rows]
    requests = [replace(r, due_at=datetime.fromisoformat(r.due_at) if r.due_at else None) for r in requests]
    if skip_duplicates:  # one may have been queued in the meantime
        requests, _skipped = await _without_duplicates(requests)
    await _insert(ctx.uow, requests, created_by)


async def _insert(uow: UnitOfWork, checked: Sequence[CallRequest], created_by: int | None) -> list[int]:
    now = datetime.now(UTC)
    ids: list[int] = []
    for start in range(0, len(checked), INSERT_CHUNK):
        chunk = checked[start : start + INSERT_CHUNK]
        # One statement per chunk, written out: building a Piccolo row object per call costs
        # more than the insert itself for a call list of thousands.
        values = ", ".join(f"({', '.join('{}' for _column in INSERT_COLUMNS)})" for _row in chunk)
        rows = await CallQueueEntry.raw(
            f"INSERT INTO core_call_queue_entry ({', '.join(INSERT_COLUMNS)}) VALUES {values} RETURNING id",
            *(
                value
                for r in chunk
                for value in (
                    r.person_id,
                    r.company_id,
                    r.reason,
                    r.source,
                    r.due_at or now,
                    r.priority,
                    r.assignee_id,
                    r.team_id,
                    OPEN,
                    0,
                    r.max_attempts,
                    "",
                    created_by,
                    now,
                    now,
                )
            ),
        )
        ids.extend(row["id"] for row in rows)
    for entry_id, r in zip(ids, checked, strict=True):
        await uow.publish(
            CallQueued(
                call_queue_entry_id=entry_id,
                person_id=r.person_id,
                company_id=r.company_id,
                assignee_id=r.assignee_id,
                team_id=r.team_id,
                source=r.source,
            )
        )
    return ids


# --- working the queue ----------------------------------------------------------------------------
async def next_call(runtime: Runtime, actor: Actor, now: datetime | None = None) -> int | None:
    """Claim the most urgent due call of the actor or their team (priority, then due time).

    The actor's own unfinished claim comes back first, so a retried request is harmless."""
    require(actor, WORK)
    me = actor.user_id
    if me is None:
        raise DomainError("FORBIDDEN", _("Only staff users work the call queue."))
    now = now or datetime.now(UTC)
    stale = now - CLAIM_TTL
    is_open = (CallQueueEntry.status == OPEN) & client_visible(actor)
    async with runtime.unit_of_work(actor):
        current = (
            await CallQueueEntry.select(CallQueueEntry.id)
            .where(is_open & (CallQueueEntry.claimed_by == me) & (CallQueueEntry.claimed_at > stale))
            .order_by(CallQueueEntry.claimed_at, ascending=False)
            .first()
        )
        if current is not None:
            return current["id"]
        free = CallQueueEntry.claimed_by.is_null() | (CallQueueEntry.claimed_at <= stale)
        candidates = (
            CallQueueEntry.select(CallQueueEntry.id)
            .where(is_open & (CallQueueEntry.due_at <= now) & mine(actor) & free)
            .order_by(CallQueueEntry.priority, CallQueueEntry.due_at, CallQueueEntry.id)
        )
        if runtime.settings.is_postgres:
            # Rows another agent is claiming right now are skipped rather than waited for.
            candidates = candidates.lock_rows(skip_locked=True, of=(CallQueueEntry,))
        for _attempt in range(3):
            row = await candidates.first()
            if row is None:
                return None
            # Compare-and-set: only a row still open and unclaimed is taken (on SQLite the
            # immediate transaction already serialises claimers; on PostgreSQL the lock does).
            claimed = (
                await CallQueueEntry.update(
                    {CallQueueEntry.claimed_by: me, CallQueueEntry.claimed_at: now, CallQueueEntry.updated_at: now}
                )
                .where((CallQueueEntry.id == row["id"]) & (CallQueueEntry.status == OPEN) & free)
                .returning(CallQueueEntry.id)
            )
            if claimed:
                return row["id"]
    return None


async def log_outcome(
    runtime: Runtime,
    actor: Actor,
    entry_id: int,
    outcome: str,
    *,
    duration_minutes: int = 0,
    notes: str = "",
    call_back_at: datetime | None = None,
    now: datetime | None = None,
) -> tuple[int, int]:
    """Log a call made for an entry on the timeline and close, reschedule or retry the entry.

    Returns the entry's id and the timeline entry's id."""
    require(actor, WORK)
    if outcome not in OUTCOMES:
        raise DomainError(
            "INVALID_CHOICE", _("Allowed values: {allowed}."), ["input", "outcome"], allowed=", ".join(OUTCOMES)
        )
    now = now or datetime.now(UTC)
    if call_back_at is not None:
        call_back_at = _aware(call_back_at)
        if outcome not in (CALL_BACK, NO_ANSWER):
            raise DomainError("NOT_APPLICABLE", _("Only for a call back or no answer."), ["input", "callBackAt"])
        if call_back_at <= now:
            raise DomainError("IN_THE_PAST", _("This time must be in the future."), ["input", "callBackAt"])
    elif outcome == CALL_BACK:
        raise DomainError("REQUIRED", _("This field is required."), ["input", "callBackAt"])
    async with runtime.unit_of_work(actor) as uow:
        row = await _open_entry(runtime, actor, entry_id, ("input", "id"))
        if not _works_on(actor, row):
            raise _forbidden(ASSIGN, ["input", "id"])
        call_id = await log_contact_in(
            runtime,
            uow,
            actor,
            kind="core.call",
            company_id=row["company"],
            person_id=row["person"],
            subject=row["reason"],
            body=notes,
            occurred_at=now,
            duration_minutes=duration_minutes,
            source=f"core.call_queue:{entry_id}",
            data={"outcome": outcome, "callQueueEntry": entry_id},
        )
        attempts = row["attempts"] + 1
        changes = _released(now) | {
            CallQueueEntry.attempts: attempts,
            CallQueueEntry.outcome: outcome,
            CallQueueEntry.last_call: call_id,
        }
        closed = outcome in CLOSING or (outcome == NO_ANSWER and attempts >= row["max_attempts"])
        if closed:
            changes |= {CallQueueEntry.status: DONE, CallQueueEntry.closed_at: now}
        elif outcome == CALL_BACK:
            # A promise to call back is the caller's own, whoever the entry was for.
            changes |= {CallQueueEntry.due_at: call_back_at, CallQueueEntry.assignee: actor.user_id or row["assignee"]}
        else:
            changes[CallQueueEntry.due_at] = call_back_at or now + RETRY_AFTER
        await CallQueueEntry.update(changes).where(CallQueueEntry.id == entry_id)
        await uow.publish(
            CallLogged(call_queue_entry_id=entry_id, outcome=outcome, timeline_entry_id=call_id, closed=closed)
        )
    return entry_id, call_id


async def assign(runtime: Runtime, actor: Actor, entry_id: int, assignee_id: int | None, team_id: int | None) -> int:
    """Give an open call to a user or a team (it leaves the claim of whoever held it)."""
    require(actor, ASSIGN)
    if assignee_id is None and team_id is None:
        raise DomainError("BLANK", _("Give a user or a team."), ["assignee"])
    await _require_assignees(
        set() if assignee_id is None else {assignee_id}, set() if team_id is None else {team_id}, []
    )
    async with runtime.unit_of_work(actor) as uow:
        row = await _open_entry(runtime, actor, entry_id)
        call = CallRequest(
            reason=row["reason"], person_id=row["person"], company_id=row["company"], assignee_id=assignee_id
        )
        await _require_callers(runtime, actor, [call], [])
        await CallQueueEntry.update(
            _released(datetime.now(UTC)) | {CallQueueEntry.assignee: assignee_id, CallQueueEntry.team: team_id}
        ).where(CallQueueEntry.id == entry_id)
        await uow.publish(CallAssigned(call_queue_entry_id=entry_id, assignee_id=assignee_id, team_id=team_id))
    return entry_id


async def cancel_call(runtime: Runtime, actor: Actor, entry_id: int, *, uow: UnitOfWork | None = None) -> int:
    """Take an open call off the queue (one's own with core.call_queue.work, any with .assign)."""
    require(actor, WORK)
    if uow is None:
        async with runtime.unit_of_work(actor) as own:
            return await _cancel(runtime, actor, own, entry_id)
    return await _cancel(runtime, actor, uow, entry_id)


async def _cancel(runtime: Runtime, actor: Actor, uow: UnitOfWork, entry_id: int) -> int:
    row = await _open_entry(runtime, actor, entry_id)
    if not _works_on(actor, row):
        raise _forbidden(ASSIGN, ["id"])
    now = datetime.now(UTC)
    await CallQueueEntry.update(
        _released(now) | {CallQueueEntry.status: CANCELLED, CallQueueEntry.closed_at: now}
    ).where(CallQueueEntry.id == entry_id)
    await uow.publish(CallCancelled(call_queue_entry_id=entry_id))
    return entry_id


def _released(now: datetime) -> dict[Any, Any]:
    """The changes that end an agent's claim on an entry."""
    return {CallQueueEntry.claimed_by: None, CallQueueEntry.claimed_at: None, CallQueueEntry.updated_at: now}


async def cancel_for_removed_client(event: Event, context: JobContext) -> None:
    """A removed person or company is called no more: their open calls are cancelled with it
    (nobody could see them any longer)."""
    if isinstance(event, PersonDeleted):
        column, record_id = CallQueueEntry.person, event.person_id
    elif isinstance(event, CompanyDeleted):
        column, record_id = CallQueueEntry.company, event.company_id
    else:
        return
    now = datetime.now(UTC)
    cancelled = (
        await CallQueueEntry.update(_released(now) | {CallQueueEntry.status: CANCELLED, CallQueueEntry.closed_at: now})
        .where((column == record_id) & (CallQueueEntry.status == OPEN))
        .returning(CallQueueEntry.id)
    )
    for row in cancelled:
        await context.uow.publish(CallCancelled(call_queue_entry_id=row["id"]))


SUBSCRIBERS = [
    Subscriber(
        name=f"core.call_queue.{event.name.removeprefix('core.')}",
        event=event.name,
        handler=cancel_for_removed_client,
        mode="sync",
    )
    for event in (PersonDeleted, CompanyDeleted)
]


def listing(
    actor: Actor,
    *,
    status: str | None = OPEN,
    assignee_id: int | None = None,
    mine_only: bool = False,
    team_id: int | None = None,
    due_before: datetime | None = None,
    source: str | None = None,
) -> Any:
    """The where-clause of the queue as ``actor`` may see it, with the filters asked for."""
    require(actor, READ)
    clause = client_visible(actor)
    if status is not None:
        clause = clause & (CallQueueEntry.status == status)
    if mine_only:
        clause = clause & mine(actor)
    if assignee_id is not None:
        clause = clause & (CallQueueEntry.assignee == assignee_id)
    if team_id is not None:
        clause = clause & (CallQueueEntry.team == team_id)
    if due_before is not None:
        clause = clause & (CallQueueEntry.due_at < _aware(due_before))
    if source is not None:
        clause = clause & (CallQueueEntry.source == source)
    return clause
