"""Notifications to staff users: an in-app inbox per user, and e-mail by the user's choice.

:func:`notify` is for the core and every plugin (``core.api.notify``): it writes one row per
recipient inside the caller's unit of work, in the recipient's language, and queues the e-mail
through the mail queue in the same transaction (keyed by the notification, so it is sent once).
The core's own senders are event subscribers: a changed file tells the record's followers, a
due reminder tells the task's assignee, and a rule's ``notify`` action tells whom it names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_date, format_time, get_timezone_name

from core.access.tables import Notification, User
from core.crm.tables import Attachment, Company, Person, Task
from core.db.tables import OutboxMessage
from core.errors import DomainError
from core.i18n import _
from core.mail.outgoing import STAFF_ONLY_SOURCE, queue_mail
from core.plugins.specs import Subscriber

if TYPE_CHECKING:
    from core.auth import Actor
    from core.events.base import Event
    from core.events.bus import UnitOfWork
    from core.jobs.context import JobContext
    from core.runtime import Runtime

IN_APP, IN_APP_AND_EMAIL = "in_app", "in_app_and_email"
DELIVERIES = (IN_APP, IN_APP_AND_EMAIL)
TITLE_LIMIT = 300
BODY_LIMIT = 10_000
MAIL_FOOTER = _("You receive this e-mail because of your notification settings in Kartoteka.")


async def notify(
    uow: UnitOfWork,
    recipients: Iterable[int],
    *,
    kind: str,
    title: str,
    body: str = "",
    params: Mapping[str, Any] | None = None,
    link: tuple[str, int] | None = None,
) -> list[int]:
    """Tell active staff users something; returns the new notifications' ids.

    ``title`` and ``body`` are message ids (``_("…{name}…")``) translated into each recipient's
    language with ``params``; without ``params`` a text is used as it is (already rendered
    text, e.g. a rule's template). ``link`` is the record it is about, as (GraphQL type name, id):
    the API shows it as that record's global id. Users who chose e-mail also get it by e-mail."""
    if not kind.strip():
        raise DomainError("BLANK", _("This field must not be blank."), ["kind"])
    ids = sorted({int(user_id) for user_id in recipients})
    if not ids:
        return []
    users = await User.select(User.id, User.email, User.locale, User.notification_delivery).where(
        User.id.is_in(ids) & (User.is_active == True)  # noqa: E712
    )
    translator = uow.runtime.translator
    created = []
    for user in sorted(users, key=lambda row: row["id"]):
        locale = user["locale"] or "pl"
        # One line: the title is also the e-mail's subject, where a line break is not allowed.
        text_title = " ".join(translator.text(locale, title, params).split())
        text_body = translator.text(locale, body, params)
        if not text_title:
            raise DomainError("BLANK", _("This field must not be blank."), ["title"])
        [row] = await Notification.insert(
            Notification(
                recipient=user["id"],
                kind=kind,
                title=text_title[:TITLE_LIMIT],
                body=text_body[:BODY_LIMIT],
                link_type=link[0] if link else "",
                link_id=link[1] if link else None,
            )
        ).returning(Notification.id)
        created.append(row["id"])
        if user["notification_delivery"] == IN_APP_AND_EMAIL:
            footer = translator.text(locale, MAIL_FOOTER)
            mail_id = await queue_mail(
                uow,
                to=user["email"],
                subject=text_title[:TITLE_LIMIT],
                text=f"{text_body}\n\n-- \n{footer}\n" if text_body else f"-- \n{footer}\n",
                key=f"{STAFF_ONLY_SOURCE}{row['id']}",
                source=f"{STAFF_ONLY_SOURCE}{row['id']}",
            )
            await Notification.update({Notification.mail: mail_id}).where(Notification.id == row["id"])
    return created


def _user_id(actor: Actor) -> int | None:
    return int(actor.id) if actor.kind == "staff" and actor.id and actor.id.isdigit() else None


def _require_user(actor: Actor) -> int:
    user_id = _user_id(actor)
    if user_id is None:
        raise DomainError("FORBIDDEN", _("Only staff users have notifications."))
    return user_id


def inbox(actor: Actor, *, unread_only: bool = False) -> Any:
    """The query of the actor's own notifications: nobody reads another user's inbox, and an
    actor who is no staff user (a service, a portal person) has none."""
    query = Notification.select().where(Notification.recipient == (_user_id(actor) or -1))
    return query.where(Notification.read_at.is_null()) if unread_only else query


async def unread_count(actor: Actor) -> int:
    return await Notification.count().where(
        (Notification.recipient == (_user_id(actor) or -1)) & Notification.read_at.is_null()
    )


async def mark_read(runtime: Runtime, actor: Actor, ids: Sequence[int] | None) -> int:
    """Mark the given notifications of the actor read (all of them with ``ids=None``); returns
    how many were unread. An id of someone else's notification is refused, and nothing changes."""
    me = _require_user(actor)
    async with runtime.unit_of_work(actor):
        query = Notification.update({Notification.read_at: datetime.now(UTC)}).where(
            (Notification.recipient == me) & Notification.read_at.is_null()
        )
        if ids is not None:
            wanted = sorted(set(ids))
            own = await Notification.select(Notification.id).where(
                Notification.id.is_in(wanted or [-1]) & (Notification.recipient == me)
            )
            missing = sorted(set(wanted) - {row["id"] for row in own})
            if missing:
                raise DomainError("NOT_FOUND", _("No such notification."), ["ids"])
            if not wanted:
                return 0
            query = query.where(Notification.id.is_in(wanted))
        return len(await query.returning(Notification.id))


async def settings_of(actor: Actor) -> tuple[str, str]:
    """The actor's delivery and own time zone ("" when they use the deployment's)."""
    row = (
        await User.select(User.notification_delivery, User.time_zone).where(User.id == (_user_id(actor) or -1)).first()
    )
    return (row["notification_delivery"], row["time_zone"]) if row else (IN_APP, "")


def check_time_zone(value: str, path: list[str]) -> str:
    value = value.strip()
    try:
        if value:
            ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise DomainError(
            "INVALID_TIME_ZONE", _("Use an IANA time zone such as Europe/Warsaw, or empty for the default."), path
        ) from None
    return value


async def set_settings(
    runtime: Runtime, actor: Actor, *, delivery: str | None = None, time_zone: str | None = None
) -> tuple[str, str]:
    """Change what is given (an empty ``time_zone`` returns to the deployment's); both are checked
    before anything is written. Returns the settings afterwards."""
    me = _require_user(actor)
    if delivery is not None and delivery not in DELIVERIES:
        raise DomainError(
            "INVALID_CHOICE", _("Allowed values: {allowed}."), ["input", "delivery"], allowed=", ".join(DELIVERIES)
        )
    changes: dict[Any, str] = {}
    if delivery is not None:
        changes[User.notification_delivery] = delivery
    if time_zone is not None:
        changes[User.time_zone] = check_time_zone(time_zone, ["input", "timeZone"])
    if changes:
        async with runtime.unit_of_work(actor):
            await User.update(changes).where(User.id == me)
    return await settings_of(actor)


# --- the core's own senders: event subscribers ------------------------------------------------------
async def _actor_user(ctx: JobContext) -> int | None:
    """The staff user whose change published the event (async subscribers run as the system)."""
    row = await OutboxMessage.select(OutboxMessage.actor_id).where(OutboxMessage.id == ctx.message_id).first()
    actor_id = row["actor_id"] if row else None
    return int(actor_id) if actor_id and actor_id.isdigit() else None


ATTACHMENT_TITLES = {
    "added": _("New file on {record}: {file}"),
    "replaced": _("New version of a file on {record}: {file}"),
    "removed": _("File removed from {record}: {file}"),
}
ATTACHMENT_BODY = _("{actor} changed the files of {record}.")


async def _record_name(company_id: int | None, person_id: int | None) -> tuple[str, tuple[str, int] | None]:
    if company_id is not None:
        row = await Company.select(Company.name).where(Company.id == company_id).first()
        return (row["name"] if row else "?"), ("Company", company_id)
    if person_id is not None:
        row = await Person.select(Person.first_name, Person.last_name).where(Person.id == person_id).first()
        name = f"{row['first_name']} {row['last_name']}".strip() if row else "?"
        return name, ("Person", person_id)
    return "", None


async def _can_read(
    runtime: Runtime, user_ids: Sequence[int], company_id: int | None, person_id: int | None
) -> list[int]:
    """Those of ``user_ids`` who may still see the record (a follower may since have lost it)."""
    from core.access.services import actor_for_user
    from core.crm.scoping import visible

    table, record_id = (Company, company_id) if company_id is not None else (Person, person_id)
    permission = "core.company.read" if table is Company else "core.person.read"
    users = await User.select().where(User.id.is_in(list(user_ids) or [-1]) & (User.is_active == True))  # noqa: E712
    reached = []
    for user in users:
        actor = await actor_for_user(runtime, user)
        if not actor.can(permission):
            continue
        if await table.exists().where((table.id == record_id) & visible(table, actor, permission)):
            reached.append(user["id"])
    return reached


async def on_attachment_changed(event: Event, ctx: JobContext) -> None:
    """``core.attachment_changed``: tell the record's followers who may still see it, except
    whoever made the change."""
    actor = await _actor_user(ctx)
    followers = [user for user in event.follower_ids if user != actor]
    recipients = await _can_read(ctx.runtime, followers, event.company_id, event.person_id) if followers else []
    if not recipients:
        return
    file = await Attachment.select(Attachment.file_name).where(Attachment.id == event.attachment_id).first()
    record, link = await _record_name(event.company_id, event.person_id)
    who = await User.select(User.display_name).where(User.id == (actor or -1)).first()
    await notify(
        ctx.uow,
        recipients,
        kind="core.attachment_changed",
        title=ATTACHMENT_TITLES.get(event.change, ATTACHMENT_TITLES["added"]),
        body=ATTACHMENT_BODY,
        params={
            "record": record,
            "file": file["file_name"] if file else "",
            "actor": who["display_name"] if who else "Kartoteka",
        },
        link=link,
    )


REMINDER_TITLE = _("Reminder: {title}")
REMINDER_BODY = _("Due {due} ({zone}).")


def local_due(due: datetime, zone: tzinfo, locale: str) -> dict[str, str]:
    """A due time as its reader says it: the wall-clock time in ``zone``, written by babel for
    ``locale``, and the zone's name as it is then (winter or summer time)."""
    local = due.astimezone(zone)
    date, time = format_date(local, "full", locale=locale), format_time(local, "short", locale=locale)
    joined = str(Locale.parse(locale).datetime_formats["full"]).replace("{1}", date).replace("{0}", time)
    return {"due": joined, "zone": get_timezone_name(local, locale=locale)}


async def on_task_reminder_due(event: Event, ctx: JobContext) -> None:
    """``core.task_reminder_due``: tell the task's assignee."""
    task = await Task.select(Task.company, Task.person, Task.status).where(Task.id == event.task_id).first()
    if task is None or task["status"] != "open":
        return  # done or deleted since the reminder fired
    _name, link = await _record_name(task["company"], task["person"])
    # One recipient, so the time is written in their language here (notify translates only).
    user = await User.select(User.locale, User.time_zone).where(User.id == event.assignee_id).first()
    locale = (user["locale"] if user else "") or "pl"
    zone = ctx.runtime.settings.zone_for(user["time_zone"] if user else "")
    due = local_due(datetime.fromisoformat(event.due_at), zone, locale)
    await notify(
        ctx.uow,
        [event.assignee_id],
        kind="core.task_reminder",
        title=REMINDER_TITLE,
        body=REMINDER_BODY,
        params={"title": event.title, **due},
        link=link,
    )


SUBSCRIBERS = [
    Subscriber(name="core.notify_followers", event="core.attachment_changed", handler=on_attachment_changed),
    Subscriber(name="core.notify_task_reminder", event="core.task_reminder_due", handler=on_task_reminder_due),
]
