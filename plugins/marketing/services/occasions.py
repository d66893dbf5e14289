"""Occasion mailings: greetings on each person's birthday and on holidays of the Polish calendar.

Holiday dates come from the ``holidays`` package (Easter and the feasts that follow it move every
year); a scheduled job greets each person once per occurrence — a row per (occasion, person,
day) under a unique index — and only persons who consented to mail for the occasion's purpose.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from piccolo.columns.combination import WhereRaw
from piccolo.querystring import QueryString

from core.api import (
    SYSTEM,
    Actor,
    DomainError,
    Person,
    PluginRuntime,
    TemplateRenderError,
    _,
    queue_mail,
    recipient_contexts,
    require_permission,
)
from plugins.marketing.permissions import CAMPAIGN_MANAGE
from plugins.marketing.services import links
from plugins.marketing.services.campaigns import MessageTemplate, check_message, render_for, suppressed_among
from plugins.marketing.services.segments import compile_criteria, mailable, members_condition, segment_row
from plugins.marketing.tables import Occasion, OccasionSend

LOCAL_TIME = ZoneInfo("Europe/Warsaw")
BATCH = 1_000
# Our codes for the holidays the calendar knows, by its English names (stable across releases).
HOLIDAYS = {
    "new_year": "New Year's Day",
    "epiphany": "Epiphany",
    "easter": "Easter Sunday",
    "easter_monday": "Easter Monday",
    "labour_day": "National Day",
    "constitution_day": "National Day of the Third of May",
    "pentecost": "Pentecost",
    "corpus_christi": "Corpus Christi",
    "assumption": "Assumption Day",
    "all_saints": "All Saints' Day",
    "independence_day": "National Independence Day",
    "christmas_eve": "Christmas Eve",
    "christmas": "Christmas Day",
    "boxing_day": "Second Day of Christmas",
}
KINDS = ("birthday", "holiday")


def holiday_date(code: str, year: int) -> date | None:
    """The day of holiday ``code`` in ``year`` (None when it was not a holiday that year)."""
    wanted = HOLIDAYS[code]
    for day, name in holidays.Poland(years=year, language="en_US").items():
        if name == wanted:
            return day
    return None


def local_today() -> date:
    return datetime.now(LOCAL_TIME).date()


async def create_occasion(
    runtime: PluginRuntime,
    actor: Actor,
    *,
    name: str,
    kind: str,
    holiday: str,
    segment_id: int | None,
    message: MessageTemplate,
    purpose: str = "marketing",
    days_before: int = 0,
) -> int:
    require_permission(actor, CAMPAIGN_MANAGE)
    if kind not in KINDS:
        raise DomainError(
            "INVALID_CHOICE", _("Allowed values: {allowed}."), ["input", "kind"], allowed=", ".join(KINDS)
        )
    if kind == "holiday" and holiday not in HOLIDAYS:
        raise DomainError(
            "INVALID_CHOICE", _("Allowed values: {allowed}."), ["input", "holiday"], allowed=", ".join(HOLIDAYS)
        )
    if not 0 <= days_before <= 30:
        raise DomainError(
            "OUT_OF_RANGE", _("Expected a number from {low} to {high}."), ["input", "daysBefore"], low=0, high=30
        )
    if not name.strip():
        raise DomainError("BLANK", _("This field must not be blank."), ["input", "name"])
    await check_message(runtime, message)
    async with runtime.unit_of_work(actor):
        if segment_id is not None:
            await segment_row(segment_id, ["input", "segment"])
        if await Occasion.exists().where(Occasion.name == name.strip()):
            raise DomainError("DUPLICATE", _("This name is already taken."), ["input", "name"])
        [row] = await Occasion.insert(
            Occasion(
                name=name.strip()[:200],
                kind=kind,
                holiday=holiday if kind == "holiday" else "",
                segment=segment_id,
                purpose=purpose.strip().lower() or "marketing",
                subject=message.subject.strip(),
                text_body=message.text,
                html_body=message.html or None,
                days_before=days_before,
            )
        ).returning(Occasion.id)
    return row["id"]


async def set_occasion_active(runtime: PluginRuntime, actor: Actor, occasion_id: int, active: bool) -> int:
    require_permission(actor, CAMPAIGN_MANAGE)
    async with runtime.unit_of_work(actor):
        if not await Occasion.exists().where(Occasion.id == occasion_id):
            raise DomainError("NOT_FOUND", _("No such record, or it is outside your area."), ["id"])
        await Occasion.update({Occasion.active: active}).where(Occasion.id == occasion_id)
    return occasion_id


def _birthday_condition(day: date, sqlite: bool) -> QueryString:
    """Born on ``day``'s month and day; those born on 29 February are greeted on the 28th otherwise."""
    days = [(day.month, day.day)]
    leap = day.year % 4 == 0 and (day.year % 100 != 0 or day.year % 400 == 0)
    if (day.month, day.day) == (2, 28) and not leap:
        days.append((2, 29))
    month_day = "strftime('%m-%d', core_person.birthday)" if sqlite else "to_char(core_person.birthday, 'MM-DD')"
    placeholders = ", ".join("{}" for _d in days)
    return QueryString(f"{month_day} IN ({placeholders})", *[f"{m:02d}-{d:02d}" for m, d in days])


async def greet(runtime: PluginRuntime, uow: Any, occasion: dict[str, Any], today: date) -> int:
    """Queue greetings of one occasion due ``today``; returns how many were queued this run."""
    target = today + timedelta(days=occasion["days_before"])
    if occasion["kind"] == "holiday":
        if holiday_date(occasion["holiday"], target.year) != target:
            return 0
        condition = QueryString("1 = 1")
    else:
        condition = _birthday_condition(target, runtime.settings.is_sqlite)
    audience = Person.deleted_at.is_null() & WhereRaw("{}", condition)
    audience &= WhereRaw("{}", mailable(occasion["purpose"]))
    if occasion["segment"] is not None:
        segment = await segment_row(occasion["segment"], ["segment"])
        if segment["archived_at"] is None:
            audience &= members_condition(SYSTEM, await compile_criteria(runtime, segment["criteria"]))
    greeted = OccasionSend.select(OccasionSend.person).where(
        (OccasionSend.occasion == occasion["id"]) & (OccasionSend.occurs_on == target)
    )
    persons = await (
        Person.select(Person.id).where(audience & Person.id.not_in(greeted)).order_by(Person.id).limit(BATCH)
    )
    contexts = await recipient_contexts(runtime, [row["id"] for row in persons])
    suppressed = await suppressed_among([c["recipient"]["email"] for c in contexts.values()])
    settings = runtime.settings
    queued = 0
    for person_id, context in contexts.items():
        [send] = await OccasionSend.insert(
            OccasionSend(occasion=occasion["id"], person=person_id, occurs_on=target)
        ).returning(OccasionSend.id)
        if not context["recipient"]["email"] or context["recipient"]["email"] in suppressed:
            continue  # recorded as handled: the greeting is not tried again today
        url = links.unsubscribe_url(settings.issuer, runtime.signing_key("links"), links.OCCASION, send["id"])
        try:
            message = render_for(runtime, occasion, context, url, None)
        except TemplateRenderError:
            continue
        mail_id = await queue_mail(
            uow,
            to=message.to,
            subject=message.subject,
            text=message.text,
            html=message.html,
            headers=message.headers,
            key=f"marketing.occasion:{occasion['id']}:{target.isoformat()}:person:{person_id}",
            source=f"marketing.occasion:{occasion['id']}",
        )
        await OccasionSend.update({OccasionSend.mail_id: mail_id}).where(OccasionSend.id == send["id"])
        queued += 1
    return queued


async def greet_all(runtime: PluginRuntime, uow: Any, today: date | None = None) -> int:
    """Every active occasion's greetings due today (the job runs hourly; repeats find them done)."""
    today = today or local_today()
    total = 0
    for occasion in await Occasion.select().where(Occasion.active == True):  # noqa: E712
        total += await greet(runtime, uow, occasion, today)
    return total
