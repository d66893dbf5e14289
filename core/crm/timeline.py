"""The timeline: every contact with a client on one chronological history (MISSION F3).

Calls, e-mails, meetings and notes are core kinds; plugins register their own
(``kartoteka_timeline_kinds``: an invoice issued, a ticket resolved) and write entries with
:func:`record`, inside their own unit of work.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from core.crm.scoping import require_reachable
from core.crm.tables import Company, Person, TimelineEntry
from core.errors import DomainError
from core.events.base import Event
from core.i18n import _
from core.plugins.specs import TimelineKind

if TYPE_CHECKING:
    from core.auth import Actor
    from core.events.bus import UnitOfWork
    from core.runtime import Runtime

WRITE = "core.timeline.write"
MAX_BODY = 20_000


CORE_KINDS = [
    TimelineKind("core.call", "Phone call", "Rozmowa telefoniczna"),
    TimelineKind("core.email", "E-mail", "E-mail"),
    TimelineKind("core.meeting", "Meeting", "Spotkanie"),
    TimelineKind("core.note", "Note", "Notatka"),
    TimelineKind("core.fax", "Fax", "Faks"),
    TimelineKind("core.web_visit", "Web visit", "Wizyta na stronie"),
    TimelineKind("core.form", "Web form", "Formularz"),
]


class TimelineEntryAdded(Event, frozen=True):
    name: ClassVar[str] = "core.timeline_entry_added"
    timeline_entry_id: int
    kind: str
    company_id: int | None
    person_id: int | None


def unknown_kind(runtime: Runtime, kinds: list[str]) -> DomainError:
    """Names the valid kinds: a newcomer writes ``call`` where the kind is ``core.call``."""
    return DomainError(
        "UNKNOWN_KIND",
        _(
            "Unknown timeline entry kind: {kind}. Kinds are namespaced by the plugin that defines them "
            "(core.call, not call); the valid ones, also listed by timelineKinds, are: {allowed}."
        ),
        ["input", "kind"],
        kind=", ".join(kinds),
        allowed=", ".join(sorted(runtime.registry.timeline_kinds)),
    )


async def record(
    runtime: Runtime,
    uow: UnitOfWork,
    *,
    kind: str,
    company_id: int | None = None,
    person_id: int | None = None,
    subject: str = "",
    body: str = "",
    occurred_at: datetime | None = None,
    duration_minutes: int = 0,
    cost: Decimal | None = None,
    author_id: int | None = None,
    source: str = "",
    data: dict[str, Any] | None = None,
) -> int:
    """Add an entry to the timelines of a company and/or a person (within ``uow``)."""
    if kind not in runtime.registry.timeline_kinds:
        raise unknown_kind(runtime, [kind])
    if company_id is None and person_id is None:
        raise DomainError("NO_SUBJECT", _("Say which company or person this is about."), ["input", "subject"])
    if duration_minutes < 0:
        raise DomainError("NEGATIVE", _("This must not be negative."), ["input", "durationMinutes"])
    if cost is not None and cost < 0:
        raise DomainError("NEGATIVE", _("This must not be negative."), ["input", "cost"])
    if len(body) > MAX_BODY:
        raise DomainError("TOO_LONG", _("At most {limit} characters."), ["input", "body"], limit=MAX_BODY)
    [row] = await TimelineEntry.insert(
        TimelineEntry(
            kind=kind,
            company=company_id,
            person=person_id,
            subject=subject.strip()[:300],
            body=body,
            occurred_at=occurred_at or datetime.now(UTC),
            duration_minutes=duration_minutes,
            cost=cost or Decimal("0"),
            author=author_id,
            source=source,
            data=data or {},
        )
    ).returning(TimelineEntry.id)
    await uow.publish(
        TimelineEntryAdded(timeline_entry_id=row["id"], kind=kind, company_id=company_id, person_id=person_id)
    )
    return row["id"]


async def log_contact(runtime: Runtime, actor: Actor, **entry: Any) -> int:
    """A user logs a contact (call, meeting, note…) on a record they may change."""
    async with runtime.unit_of_work(actor) as uow:
        return await log_contact_in(runtime, uow, actor, **entry)


async def log_contact_in(runtime: Runtime, uow: UnitOfWork, actor: Actor, **entry: Any) -> int:
    """:func:`log_contact` as part of a larger change (the call queue logs its calls so)."""
    if not actor.can(WRITE):
        raise DomainError("FORBIDDEN", _("You do not have the permission {permission}."), permission=WRITE)
    for table, key, permission in (
        (Company, "company_id", "core.company.write"),
        (Person, "person_id", "core.person.write"),
    ):
        record_id = entry.get(key)
        if record_id is not None:
            await require_reachable(table, record_id, actor, permission, ["input", "subject"])
    author = int(actor.id) if actor.kind == "staff" and actor.id and actor.id.isdecimal() else None
    return await record(runtime, uow, author_id=author, **entry)
