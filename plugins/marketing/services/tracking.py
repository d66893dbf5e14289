"""Web activity (MISSION F17): what a known person reads on the company's sites, on their timeline.

A site reports from its server with its own secret (created by staff, shown once, stored as a
SHA-256). Events name the visitor by e-mail or by a visitor id Kartoteka signed (so a site that
knows a person only from a link in our mail cannot be made to report someone else). Page views
are summed into visits: one visit — however many pages — becomes one timeline entry when it
ends, i.e. when no page of it has been seen for ``visit_gap``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from core.api import (
    SYSTEM,
    Actor,
    ContactPoint,
    DomainError,
    Person,
    PluginRuntime,
    UnitOfWork,
    _,
    as_utc,
    normalise_email,
    record_timeline,
    require_permission,
)
from plugins.marketing.permissions import FORM_MANAGE
from plugins.marketing.tables import TrackingSite, WebVisit

MAX_EVENTS = 500
MAX_SECONDS = 24 * 3600
PAGE_LIMIT = 500
OLDEST = timedelta(days=7)  # a site replaying older history would flood timelines after the fact
CLOCK_SKEW = timedelta(minutes=5)
TOP_PAGES = 10  # listed in a visit's timeline entry (all of them stay in its data)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- sites ------------------------------------------------------------------------------------------------
async def create_site(runtime: PluginRuntime, actor: Actor, name: str) -> tuple[int, str]:
    """A site and its token (``key.secret``), shown this once."""
    require_permission(actor, FORM_MANAGE)
    name = name.strip()
    if not name:
        raise DomainError("BLANK", _("This field must not be blank."), ["name"])
    key, secret = secrets.token_hex(8), secrets.token_urlsafe(32)
    async with runtime.unit_of_work(actor):
        [row] = await TrackingSite.insert(TrackingSite(name=name[:200], key=key, secret_hash=_hash(secret))).returning(
            TrackingSite.id
        )
    return row["id"], f"{key}.{secret}"


async def revoke_site(runtime: PluginRuntime, actor: Actor, site_id: int) -> int:
    require_permission(actor, FORM_MANAGE)
    async with runtime.unit_of_work(actor):
        done = await (
            TrackingSite.update({TrackingSite.revoked_at: datetime.now(UTC)})
            .where((TrackingSite.id == site_id) & TrackingSite.revoked_at.is_null())
            .returning(TrackingSite.id)
        )
        if not done and not await TrackingSite.exists().where(TrackingSite.id == site_id):
            raise DomainError("NOT_FOUND", _("No such site."), ["id"])
    return site_id


async def site_for_token(token: str) -> dict[str, Any] | None:
    key, _dot, secret = token.partition(".")
    if not key or not secret:
        return None
    site = await TrackingSite.select().where((TrackingSite.key == key) & TrackingSite.revoked_at.is_null()).first()
    if site is None or not hmac.compare_digest(site["secret_hash"], _hash(secret)):
        return None
    return site


def visitor_id(key: str, person_id: int) -> str:
    """A person's visitor id for sites: their id and a signature only Kartoteka can make."""
    signature = hmac.new(key.encode(), f"visitor:{person_id}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"{person_id}.{signature}"


def read_visitor_id(key: str, value: str) -> int | None:
    person, _dot, _signature = value.partition(".")
    if not person.isdecimal():
        return None
    return int(person) if hmac.compare_digest(visitor_id(key, int(person)), value) else None


# --- events -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PageView:
    page: str
    at: datetime
    seconds: int = 0
    product: str = ""
    email: str = ""
    visitor: str = ""


def check_events(raw: Any, now: datetime) -> list[PageView]:
    """The batch as page views; one bad event refuses the batch (the site's bug, shown at once)."""
    if not isinstance(raw, list) or not raw:
        raise DomainError("BLANK", _("Send a non-empty list of events."), ["events"])
    if len(raw) > MAX_EVENTS:
        raise DomainError("TOO_MANY", _("At most {limit} events in a batch."), ["events"], limit=MAX_EVENTS)
    views = []
    for index, item in enumerate(raw):
        path = ["events", str(index)]
        if not isinstance(item, Mapping):
            raise DomainError("INVALID", _("Each event must be an object."), path)
        page = str(item.get("page") or "").strip()
        if not page or len(page) > PAGE_LIMIT:
            raise DomainError(
                "INVALID", _("Give the page (at most {limit} characters)."), [*path, "page"], limit=PAGE_LIMIT
            )
        seconds = item.get("seconds", 0)
        if not isinstance(seconds, int) or isinstance(seconds, bool) or not 0 <= seconds <= MAX_SECONDS:
            raise DomainError(
                "OUT_OF_RANGE",
                _("Expected a number from {low} to {high}."),
                [*path, "seconds"],
                low=0,
                high=MAX_SECONDS,
            )
        at = now
        if item.get("at") is not None:
            try:
                at = datetime.fromisoformat(str(item["at"]))
            except ValueError:
                at = None  # type: ignore[assignment]
            if at is None or at.tzinfo is None:
                raise DomainError("INVALID_TIME", _("Give the time with its time zone."), [*path, "at"])
            if not now - OLDEST <= at <= now + CLOCK_SKEW:
                raise DomainError("OUT_OF_RANGE", _("Only the last seven days can be reported."), [*path, "at"])
        email, visitor = str(item.get("email") or ""), str(item.get("visitor") or "")
        if not email and not visitor:
            raise DomainError("NO_VISITOR", _("Say who the visitor is: email or visitor."), path)
        if email:
            email = normalise_email(email, [*path, "email"])
        views.append(
            PageView(
                page=page,
                at=at.astimezone(UTC),
                seconds=seconds,
                product=str(item.get("product") or "")[:200],
                email=email,
                visitor=visitor,
            )
        )
    return views


async def _people(key: str, views: Sequence[PageView]) -> list[int | None]:
    """The person of each view, in order (None: a visitor the CRM does not know)."""
    emails = {view.email for view in views if view.email}
    by_email: dict[str, int] = {}
    if emails:
        rows = await (
            ContactPoint.select(ContactPoint.value, ContactPoint.person)
            .where(
                (ContactPoint.kind == "email")
                & ContactPoint.value.is_in(list(emails))
                & ContactPoint.person.is_not_null()
                & ContactPoint.person.deleted_at.is_null()
            )
            .order_by(ContactPoint.person)
        )
        for row in rows:
            by_email.setdefault(row["value"], row["person"])
    signed = {view.visitor: read_visitor_id(key, view.visitor) for view in views if view.visitor}
    ids = [person for person in signed.values() if person is not None]
    alive = set()
    if ids:
        rows = await Person.select(Person.id).where(Person.id.is_in(ids) & Person.deleted_at.is_null())
        alive = {row["id"] for row in rows}
    return [
        by_email.get(view.email)
        if view.email
        else (signed.get(view.visitor) if signed.get(view.visitor) in alive else None)
        for view in views
    ]


def _add(summary: dict[str, Any], key: str, seconds: int) -> None:
    entry = summary.setdefault(key, {"views": 0, "seconds": 0})
    entry["views"] += 1
    entry["seconds"] += seconds


@dataclass(frozen=True)
class TrackResult:
    accepted: int  # page views of known persons
    unknown: int  # of visitors the CRM does not know: not stored
    visits_closed: int


async def track(runtime: PluginRuntime, site: Mapping[str, Any], raw_events: Any, gap: timedelta) -> TrackResult:
    now = datetime.now(UTC)
    views = check_events(raw_events, now)
    async with runtime.unit_of_work(SYSTEM) as uow:
        people = await _people(runtime.signing_key("visitors"), views)
        closed = 0
        for person_id in sorted({person for person in people if person is not None}):
            mine = sorted(
                (view for view, owner in zip(views, people, strict=True) if owner == person_id), key=lambda v: v.at
            )
            closed += await _add_views(runtime, uow, site, person_id, mine, gap)
        closed += await close_idle_visits(runtime, uow, now, gap, site_id=site["id"])
    known = sum(person is not None for person in people)
    return TrackResult(accepted=known, unknown=len(views) - known, visits_closed=closed)


async def _open_visit(site_id: int, person_id: int) -> dict[str, Any] | None:
    return (
        await WebVisit.select()
        .where((WebVisit.site == site_id) & (WebVisit.person == person_id) & WebVisit.closed_at.is_null())
        .output(load_json=True)
        .first()
    )


async def _add_views(
    runtime: PluginRuntime,
    uow: UnitOfWork,
    site: Mapping[str, Any],
    person_id: int,
    views: Sequence[PageView],
    gap: timedelta,
) -> int:
    """Fold the views into the person's open visit, closing it and opening another where a pause
    longer than ``gap`` separates them; returns how many visits were closed."""
    closed = 0
    visit = await _open_visit(site["id"], person_id)
    for view in views:
        if visit is not None and view.at - as_utc(visit["last_at"]) > gap:
            await _save(visit)
            await _close(runtime, uow, site, visit)
            closed += 1
            visit = None
        if visit is None:
            visit = {
                "id": None,
                "site": site["id"],
                "person": person_id,
                "started_at": view.at,
                "last_at": view.at,
                "views": 0,
                "seconds": 0,
                "pages": {},
                "products": {},
            }
        visit["views"] += 1
        visit["seconds"] += view.seconds
        visit["last_at"] = max(as_utc(visit["last_at"]), view.at)
        visit["started_at"] = min(as_utc(visit["started_at"]), view.at)
        _add(visit["pages"], view.page, view.seconds)
        if view.product:
            _add(visit["products"], view.product, view.seconds)
    if visit is not None:
        await _save(visit)
    return closed


async def _save(visit: dict[str, Any]) -> None:
    values = {key: visit[key] for key in ("started_at", "last_at", "views", "seconds", "pages", "products")}
    if visit["id"] is None:
        [row] = await WebVisit.insert(WebVisit(site=visit["site"], person=visit["person"], **values)).returning(
            WebVisit.id
        )
        visit["id"] = row["id"]
    else:
        await WebVisit.update(values).where(WebVisit.id == visit["id"])


def _top(summary: Mapping[str, Any]) -> list[tuple[str, dict[str, int]]]:
    return sorted(summary.items(), key=lambda item: (-item[1]["views"], -item[1]["seconds"], item[0]))


async def _close(runtime: PluginRuntime, uow: UnitOfWork, site: Mapping[str, Any], visit: Mapping[str, Any]) -> None:
    minutes = round(visit["seconds"] / 60)
    lines = [f"{page} — {s['views']} x, {s['seconds']} s" for page, s in _top(visit["pages"])[:TOP_PAGES]]
    if len(visit["pages"]) > TOP_PAGES:
        lines.append(f"… (+{len(visit['pages']) - TOP_PAGES})")
    if visit["products"]:
        lines += ["", *(f"{product} — {s['views']} x, {s['seconds']} s" for product, s in _top(visit["products"]))]
    entry = await record_timeline(
        runtime,
        uow,
        kind="core.web_visit",
        person_id=visit["person"],
        subject=_("{site}: {views} pages, {minutes} min").format(
            site=site["name"], views=visit["views"], minutes=minutes
        ),
        body="\n".join(lines),
        occurred_at=as_utc(visit["started_at"]),
        duration_minutes=minutes,
        source=f"marketing.site:{site['id']}",
        data={
            "site": site["name"],
            "views": visit["views"],
            "seconds": visit["seconds"],
            "ended_at": as_utc(visit["last_at"]).isoformat(),
            "pages": visit["pages"],
            "products": visit["products"],
        },
    )
    await WebVisit.update({WebVisit.closed_at: datetime.now(UTC), WebVisit.timeline_entry: entry}).where(
        WebVisit.id == visit["id"]
    )


async def close_idle_visits(
    runtime: PluginRuntime, uow: UnitOfWork, now: datetime, gap: timedelta, *, site_id: int | None = None
) -> int:
    """Visits nobody has added to for ``gap`` are over: each becomes its timeline entry."""
    query = WebVisit.select().where(WebVisit.closed_at.is_null() & (WebVisit.last_at < now - gap))
    if site_id is not None:
        query = query.where(WebVisit.site == site_id)
    visits = await query.output(load_json=True).order_by(WebVisit.id).limit(1000)
    sites = (
        {
            row["id"]: row
            for row in await TrackingSite.select().where(TrackingSite.id.is_in(list({v["site"] for v in visits})))
        }
        if visits
        else {}
    )
    for visit in visits:
        await _close(runtime, uow, sites[visit["site"]], visit)
    return len(visits)
