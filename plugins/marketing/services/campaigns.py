"""Campaigns: a template sent to a segment, one personal message per recipient.

A campaign is written as a draft, checked (template and audience) when it is scheduled, started
by the scheduler at its time (the audience is fixed then), and sent in batches at its rate.
Consent and suppression are checked for each recipient when its message is queued; an
unsubscribe or a cancelled campaign stops messages still queued. Results are counted from the
recipients and the core's mail rows, so they are never out of step with what happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from piccolo.columns.combination import WhereRaw

from core.api import (
    SYSTEM,
    Actor,
    DomainError,
    Person,
    PluginRuntime,
    TemplateRenderError,
    UnitOfWork,
    _,
    actor_for_user,
    as_utc,
    cancel_mail,
    check_template,
    declared_variables,
    normalise_email,
    queue_mail,
    recipient_contexts,
    render_template,
    require_permission,
)
from plugins.marketing.events import CampaignFinished, CampaignStarted
from plugins.marketing.permissions import CAMPAIGN_MANAGE, CAMPAIGN_READ, CAMPAIGN_SEND
from plugins.marketing.services import links
from plugins.marketing.services.segments import compile_criteria, consented, measure, members_condition, segment_row
from plugins.marketing.tables import Campaign, Recipient, Suppression

EDITABLE = ("draft",)
STARTABLE = ("scheduled",)
MAX_RATE = 1_000_000
BATCH = 500  # messages queued per transaction: short transactions, steady progress
ATTRIBUTION_DAYS = 90


@dataclass(frozen=True)
class MessageTemplate:
    subject: str
    text: str
    html: str | None = None


async def template_variables(runtime: PluginRuntime) -> dict[str, Any]:
    return await declared_variables(runtime, campaign={"name": "Jesienna promocja"}, unsubscribe_url="https://…")


async def check_message(runtime: PluginRuntime, message: MessageTemplate) -> None:
    """Refuse a template that does not parse, names what a recipient does not have or escapes."""
    variables = await template_variables(runtime)
    if not message.subject.strip():
        raise DomainError("BLANK", _("This field must not be blank."), ["input", "subject"])
    check_template(message.subject, variables, ["input", "subject"])
    check_template(message.text, variables, ["input", "text"])
    if message.html:
        check_template(message.html, variables, ["input", "html"], html=True)


async def campaign_row(campaign_id: int, path: list[str] | None = None) -> dict[str, Any]:
    row = await Campaign.select().where(Campaign.id == campaign_id).first()
    if row is None:
        raise DomainError("NOT_FOUND", _("No such record, or it is outside your area."), path or ["id"])
    return row


def _name(name: str) -> str:
    name = name.strip()
    if not name:
        raise DomainError("BLANK", _("This field must not be blank."), ["input", "name"])
    return name[:200]


def _rate(rate: int) -> int:
    if not 1 <= rate <= MAX_RATE:
        raise DomainError(
            "OUT_OF_RANGE",
            _("Expected a number from {low} to {high}."),
            ["input", "ratePerMinute"],
            low=1,
            high=MAX_RATE,
        )
    return rate


async def create_campaign(
    runtime: PluginRuntime,
    actor: Actor,
    *,
    name: str,
    segment_id: int,
    message: MessageTemplate,
    purpose: str = "marketing",
    rate_per_minute: int = 600,
    cost: Decimal = Decimal("0"),
) -> int:
    require_permission(actor, CAMPAIGN_MANAGE)
    await check_message(runtime, message)
    async with runtime.unit_of_work(actor):
        await segment_row(segment_id, ["input", "segment"])
        [row] = await Campaign.insert(
            Campaign(
                name=_name(name),
                segment=segment_id,
                purpose=purpose.strip().lower() or "marketing",
                subject=message.subject.strip(),
                text_body=message.text,
                html_body=message.html or None,
                rate_per_minute=_rate(rate_per_minute),
                cost=cost,
                created_by=actor.user_id,
            )
        ).returning(Campaign.id)
    return row["id"]


async def update_campaign(
    runtime: PluginRuntime,
    actor: Actor,
    campaign_id: int,
    *,
    name: str | None = None,
    segment_id: int | None = None,
    message: MessageTemplate | None = None,
    rate_per_minute: int | None = None,
    cost: Decimal | None = None,
) -> int:
    require_permission(actor, CAMPAIGN_MANAGE)
    if message is not None:
        await check_message(runtime, message)
    async with runtime.unit_of_work(actor):
        row = await campaign_row(campaign_id)
        changes: dict[Any, Any] = {Campaign.updated_at: datetime.now(UTC)}
        if cost is not None:
            changes[Campaign.cost] = cost  # known only afterwards: may change at any time
        if rate_per_minute is not None:
            changes[Campaign.rate_per_minute] = _rate(rate_per_minute)  # slows or speeds a running send
        content = (name, segment_id, message)
        if any(value is not None for value in content) and row["status"] not in EDITABLE:
            raise DomainError("CAMPAIGN_NOT_DRAFT", _("Only a draft campaign can be changed."), ["id"])
        if name is not None:
            changes[Campaign.name] = _name(name)
        if segment_id is not None:
            await segment_row(segment_id, ["input", "segment"])
            changes[Campaign.segment] = segment_id
        if message is not None:
            changes.update(
                {
                    Campaign.subject: message.subject.strip(),
                    Campaign.text_body: message.text,
                    Campaign.html_body: message.html or None,
                }
            )
        await Campaign.update(changes).where(Campaign.id == campaign_id)
    return campaign_id


# --- rendering ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RenderedMessage:
    to: str
    subject: str
    text: str
    html: str | None
    headers: dict[str, str]


def render_for(
    runtime: PluginRuntime,
    campaign: dict[str, Any],
    context: dict[str, Any],
    unsubscribe: str,
    recipient_id: int | None,
) -> RenderedMessage:
    """One recipient's message: their own data, their own unsubscribe link, nobody else's address."""
    values = {**context, "campaign": {"name": campaign["name"]}, "unsubscribe_url": unsubscribe}
    subject = " ".join(render_template(campaign["subject"], values).split())  # one header line
    text = render_template(campaign["text_body"], values)
    if unsubscribe not in text:
        label = runtime.translator.text(context["recipient"]["language"] or "pl", _("Unsubscribe"))
        text = f"{text.rstrip()}\n\n--\n{label}: {unsubscribe}\n"
    body_html = None
    if campaign["html_body"]:
        body_html = render_template(campaign["html_body"], values, html=True)
        if recipient_id is not None:
            body_html = links.track_clicks(
                body_html, runtime.settings.issuer, runtime.signing_key("links"), recipient_id
            )
    return RenderedMessage(
        to=context["recipient"]["email"],
        subject=subject,
        text=text,
        html=body_html,
        headers=links.unsubscribe_headers(unsubscribe),
    )


async def preview(runtime: PluginRuntime, actor: Actor, campaign_id: int, person_id: int | None) -> RenderedMessage:
    """The message as ``person_id`` would get it (sample data without a person)."""
    require_permission(actor, CAMPAIGN_READ)
    from core.api import sample_context

    campaign = await campaign_row(campaign_id)
    if person_id is None:
        context = sample_context(await template_variables(runtime))
    else:
        from core.api import require_reachable

        await require_reachable(Person, person_id, actor, "core.person.read", ["recipient"])
        context = (await recipient_contexts(runtime, [person_id])).get(person_id)
        if context is None:
            raise DomainError("NOT_FOUND", _("No such record, or it is outside your area."), ["recipient"])
    url = links.unsubscribe_url(runtime.settings.issuer, runtime.signing_key("links"), links.RECIPIENT, 0)
    try:
        return render_for(runtime, campaign, context, url, None)
    except TemplateRenderError as error:
        raise DomainError(
            "TEMPLATE_ERROR", _("Line {line}: {problem}"), ["recipient"], line=error.line or 1, problem=error.problem
        ) from None


# --- the send's life ------------------------------------------------------------------------------------
async def schedule(
    runtime: PluginRuntime, actor: Actor, campaign_id: int, *, at: datetime | None, rate_per_minute: int | None
) -> int:
    """Plan the send (now, or ``at``): refused when nobody in the segment may receive it."""
    require_permission(actor, CAMPAIGN_SEND)
    campaign = await campaign_row(campaign_id)
    if campaign["status"] not in EDITABLE:
        raise DomainError("CAMPAIGN_NOT_DRAFT", _("Only a draft campaign can be changed."), ["id"])
    await check_message(runtime, MessageTemplate(campaign["subject"], campaign["text_body"], campaign["html_body"]))
    segment = await segment_row(campaign["segment"], ["id"])
    if segment["archived_at"] is not None:
        raise DomainError("SEGMENT_ARCHIVED", _("The campaign's segment is archived."), ["id"])
    size = await measure(runtime, actor, segment["criteria"], campaign["purpose"])
    if size.mailable == 0:
        raise DomainError(
            "NO_CONSENTED_RECIPIENTS",
            _("Nobody in the segment has an address and consent to mail for {purpose}."),
            ["id"],
            purpose=campaign["purpose"],
        )
    now = datetime.now(UTC)
    if at is not None and at.tzinfo is None:
        raise DomainError("TIMEZONE_REQUIRED", _("Give the time with its time zone."), ["input", "at"])
    changes: dict[Any, Any] = {
        Campaign.status: "scheduled",
        Campaign.scheduled_at: max(at or now, now),
        Campaign.created_by: campaign["created_by"] or actor.user_id,
        Campaign.updated_at: now,
    }
    if rate_per_minute is not None:
        changes[Campaign.rate_per_minute] = _rate(rate_per_minute)
    async with runtime.unit_of_work(actor) as uow:
        await Campaign.update(changes).where((Campaign.id == campaign_id) & (Campaign.status == "draft"))
        if at is None or at <= now:
            await uow.defer("marketing.campaign_tick")
    return campaign_id


async def _transition(
    runtime: PluginRuntime, actor: Actor, campaign_id: int, allowed: tuple[str, ...], to: str
) -> dict:
    require_permission(actor, CAMPAIGN_SEND)
    async with runtime.unit_of_work(actor) as uow:
        campaign = await campaign_row(campaign_id)
        if campaign["status"] not in allowed:
            raise DomainError(
                "CAMPAIGN_STATE",
                _("This cannot be done while the campaign is {status}."),
                ["id"],
                status=campaign["status"],
            )
        await Campaign.update({Campaign.status: to, Campaign.updated_at: datetime.now(UTC)}).where(
            Campaign.id == campaign_id
        )
        if to == "sending":
            await uow.defer("marketing.send_batch", campaign_id=campaign_id)
    return campaign


async def pause(runtime: PluginRuntime, actor: Actor, campaign_id: int) -> int:
    """Stop queuing more messages; those already handed to the mail queue still go out."""
    await _transition(runtime, actor, campaign_id, ("sending", "scheduled"), "paused")
    return campaign_id


async def resume(runtime: PluginRuntime, actor: Actor, campaign_id: int) -> int:
    campaign = await campaign_row(campaign_id)
    target = "sending" if campaign["started_at"] is not None else "scheduled"
    await _transition(runtime, actor, campaign_id, ("paused",), target)
    return campaign_id


async def cancel(runtime: PluginRuntime, actor: Actor, campaign_id: int) -> int:
    """Stop for good: nobody not yet sent to gets the message, queued ones included."""
    await _transition(runtime, actor, campaign_id, ("draft", "scheduled", "sending", "paused"), "cancelled")
    async with runtime.unit_of_work(actor):
        await Recipient.update({Recipient.status: "cancelled"}).where(
            (Recipient.campaign == campaign_id) & (Recipient.status == "pending")
        )
        queued = await Recipient.select(Recipient.mail_id).where(
            (Recipient.campaign == campaign_id) & (Recipient.status == "queued")
        )
        stopped = await cancel_mail([row["mail_id"] for row in queued])
        if stopped:
            await Recipient.update({Recipient.status: "cancelled"}).where(Recipient.mail_id.is_in(stopped))
        await Campaign.update({Campaign.finished_at: datetime.now(UTC)}).where(Campaign.id == campaign_id)
    return campaign_id


async def start_due(runtime: PluginRuntime, uow: UnitOfWork, now: datetime) -> list[int]:
    """Start scheduled campaigns whose time has come: fix the audience, begin sending."""
    from core.api import User

    due = await Campaign.select().where((Campaign.status == "scheduled") & (Campaign.scheduled_at <= now))
    started = []
    for campaign in due:
        segment = await segment_row(campaign["segment"], ["id"])
        # The audience is what the campaign's author may see, as when they counted it.
        author = (
            await User.select().where(User.id == campaign["created_by"]).first() if campaign["created_by"] else None
        )
        actor = await actor_for_user(runtime, author) if author and author["is_active"] else SYSTEM
        condition = await compile_criteria(runtime, segment["criteria"])
        members = await Person.select(Person.id).where(members_condition(actor, condition)).order_by(Person.id)
        for chunk_start in range(0, len(members), 1000):
            chunk = members[chunk_start : chunk_start + 1000]
            await Recipient.insert(*[Recipient(campaign=campaign["id"], person=m["id"]) for m in chunk])
        await Campaign.update(
            {
                Campaign.status: "sending",
                Campaign.started_at: now,
                Campaign.audience_size: len(members),
                Campaign.last_batch_at: now - timedelta(seconds=5),
            }
        ).where((Campaign.id == campaign["id"]) & (Campaign.status == "scheduled"))
        await uow.publish(CampaignStarted(campaign_id=campaign["id"], audience_size=len(members)))
        await uow.defer("marketing.send_batch", campaign_id=campaign["id"])
        started.append(campaign["id"])
    return started


async def send_batch(runtime: PluginRuntime, uow: UnitOfWork, campaign_id: int, now: datetime) -> int:
    """Queue the next messages the campaign's rate allows; returns how many were taken."""
    query = Campaign.select().where(Campaign.id == campaign_id)
    if runtime.settings.is_postgres:
        query = query.lock_rows()  # one batch of a campaign at a time
    campaign = await query.first()
    if campaign is None or campaign["status"] != "sending":
        return 0
    last = as_utc(campaign["last_batch_at"] or now)
    elapsed = max((now - last).total_seconds(), 0)
    allowance = min(int(campaign["rate_per_minute"] * min(elapsed, 60) / 60), BATCH)
    if allowance < 1:
        return 0
    pending = await (
        Recipient.select(Recipient.id, Recipient.person)
        .where((Recipient.campaign == campaign_id) & (Recipient.status == "pending"))
        .order_by(Recipient.id)
        .limit(allowance)
    )
    if not pending:
        await Campaign.update({Campaign.status: "finished", Campaign.finished_at: now}).where(
            Campaign.id == campaign_id
        )
        await uow.publish(CampaignFinished(campaign_id=campaign_id))
        return 0
    person_ids = [row["person"] for row in pending]
    allowed = await _mailable_now(person_ids, campaign["purpose"])
    contexts = await recipient_contexts(runtime, [p for p in person_ids if p in allowed])
    suppressed = await suppressed_among([c["recipient"]["email"] for c in contexts.values()])
    settings = runtime.settings
    skipped: dict[str, list[int]] = {}
    for row in pending:
        context = contexts.get(row["person"])
        if row["person"] not in allowed:
            reason = "no_consent"
        elif context is None:
            reason = "erased"
        elif not context["recipient"]["email"]:
            reason = "no_address"
        else:
            reason = "suppressed" if context["recipient"]["email"] in suppressed else ""
        if reason:
            skipped.setdefault(reason, []).append(row["id"])
            continue
        assert context is not None
        url = links.unsubscribe_url(settings.issuer, runtime.signing_key("links"), links.RECIPIENT, row["id"])
        try:
            message = render_for(runtime, campaign, context, url, row["id"])
        except TemplateRenderError as error:
            skipped.setdefault(f"template line {error.line}"[:32], []).append(row["id"])
            continue
        mail_id = await queue_mail(
            uow,
            to=message.to,
            subject=message.subject,
            text=message.text,
            html=message.html,
            headers=message.headers,
            key=f"marketing.campaign:{campaign_id}:person:{row['person']}",
            source=f"marketing.campaign:{campaign_id}",
            author_id=campaign["created_by"],
        )
        await Recipient.update(
            {
                Recipient.status: "queued",
                Recipient.mail_id: mail_id,
                Recipient.email: message.to,
                Recipient.queued_at: now,
            }
        ).where(Recipient.id == row["id"])
    for reason, ids in skipped.items():  # one statement per reason, not one per recipient
        await Recipient.update({Recipient.status: "skipped", Recipient.skip_reason: reason}).where(
            Recipient.id.is_in(ids)
        )
    await Campaign.update({Campaign.last_batch_at: now}).where(Campaign.id == campaign_id)
    return len(pending)


async def _mailable_now(person_ids: list[int], purpose: str) -> set[int]:
    """Who of ``person_ids`` has consent to e-mail for ``purpose`` at this moment."""
    rows = await Person.select(Person.id).where(
        Person.id.is_in(person_ids) & Person.deleted_at.is_null() & WhereRaw("{}", consented(purpose, "email"))
    )
    return {row["id"] for row in rows}


async def suppressed_among(addresses: list[str]) -> set[str]:
    wanted = sorted({a for a in addresses if a})
    if not wanted:
        return set()
    return {row["email"] for row in await Suppression.select(Suppression.email).where(Suppression.email.is_in(wanted))}


async def suppress(runtime: PluginRuntime, actor: Actor, email: str) -> str:
    require_permission(actor, CAMPAIGN_MANAGE)
    address = normalise_email(email, ["email"])
    async with runtime.unit_of_work(actor):
        if not await Suppression.exists().where(Suppression.email == address):
            await Suppression.insert(Suppression(email=address, reason="manual"))
    return address


async def unsuppress(runtime: PluginRuntime, actor: Actor, email: str) -> str:
    require_permission(actor, CAMPAIGN_MANAGE)
    address = normalise_email(email, ["email"])
    async with runtime.unit_of_work(actor):
        await Suppression.delete().where(Suppression.email == address)
    return address
