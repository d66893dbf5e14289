"""What recipients do with marketing mail: unsubscribe, click, reply, bounce; and the results.

Unsubscribing withdraws the person's consent through the core, whose event stops every
marketing message still queued for them (:func:`stop_queued_mail`), whoever withdrew it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from core.api import (
    SYSTEM,
    JobContext,
    PluginRuntime,
    _,
    as_utc,
    cancel_mail,
    record_timeline,
    require_permission,
    withdraw_consent,
)
from plugins.marketing.permissions import CAMPAIGN_READ
from plugins.marketing.services import links
from plugins.marketing.services.campaigns import ATTRIBUTION_DAYS, campaign_row, suppressed_among
from plugins.marketing.tables import Campaign, Click, OccasionSend, Recipient, Suppression

CENT = Decimal("0.01")
UNSUBSCRIBE_VALID_DAYS = 400  # a newsletter kept for a year still unsubscribes
CLICK_VALID_DAYS = 400


@dataclass(frozen=True)
class Unsubscribed:
    person_id: int
    purpose: str
    already: bool


async def _link_target(kind: str, row_id: int) -> tuple[int, str, str] | None:
    """(person, consent purpose, source) of the row a link names."""
    if kind == links.RECIPIENT:
        row = (
            await Recipient.select(Recipient.person, Recipient.campaign.purpose, Recipient.campaign)
            .where(Recipient.id == row_id)
            .first()
        )
        if row:
            return row["person"], row["campaign.purpose"], f"marketing.campaign:{row['campaign']}"
    elif kind == links.OCCASION:
        row = (
            await OccasionSend.select(OccasionSend.person, OccasionSend.occasion.purpose, OccasionSend.occasion)
            .where(OccasionSend.id == row_id)
            .first()
        )
        if row:
            return row["person"], row["occasion.purpose"], f"marketing.occasion:{row['occasion']}"
    return None


async def unsubscribe(runtime: PluginRuntime, token: str) -> Unsubscribed:
    """Withdraw consent for the mail's purpose; idempotent. Raises ``links.BadLink``."""
    subject = links.read_token(runtime.signing_key("links"), token, valid_days=UNSUBSCRIBE_VALID_DAYS)
    target = await _link_target(subject.kind, subject.row_id)
    if target is None:
        raise links.BadLink()
    person_id, purpose, source = target
    withdrawn = await withdraw_consent(runtime, SYSTEM, person_id, purpose, "email")
    async with runtime.unit_of_work(SYSTEM) as uow:
        now = datetime.now(UTC)
        if subject.kind == links.RECIPIENT:
            await Recipient.update({Recipient.unsubscribed_at: now}).where(
                (Recipient.id == subject.row_id) & Recipient.unsubscribed_at.is_null()
            )
        if withdrawn:
            await record_timeline(
                runtime,
                uow,
                kind="marketing.unsubscribed",
                person_id=person_id,
                subject=_("Unsubscribed from {purpose} mail").format(purpose=purpose),
                source=source,
                data={"purpose": purpose},
            )
    return Unsubscribed(person_id, purpose, already=withdrawn == 0)


async def stop_queued_mail(event: Any, ctx: JobContext) -> None:
    """Consent withdrawn (by a link, by staff, by import): marketing mail still queued stays unsent."""
    campaign_rows = await Recipient.select(Recipient.mail_id).where(
        (Recipient.person == event.person_id)
        & (Recipient.status == "queued")
        & (Recipient.campaign.purpose == event.purpose)
    )
    occasion_rows = await OccasionSend.select(OccasionSend.mail_id).where(
        (OccasionSend.person == event.person_id)
        & OccasionSend.mail_id.is_not_null()
        & (OccasionSend.occasion.purpose == event.purpose)
    )
    stopped = await cancel_mail([r["mail_id"] for r in [*campaign_rows, *occasion_rows] if r["mail_id"]])
    if stopped:
        await Recipient.update({Recipient.status: "cancelled", Recipient.skip_reason: "unsubscribed"}).where(
            Recipient.mail_id.is_in(stopped)
        )


async def click(runtime: PluginRuntime, token: str) -> str:
    """Count a click and return where the link leads. Raises ``links.BadLink``."""
    subject = links.read_token(runtime.signing_key("links"), token, valid_days=CLICK_VALID_DAYS)
    if subject.kind != links.RECIPIENT or not subject.url.startswith(("http://", "https://")):
        raise links.BadLink()
    async with runtime.unit_of_work(SYSTEM) as uow:
        row = (
            await Recipient.select(Recipient.id, Recipient.person, Recipient.campaign, Recipient.clicks)
            .where(Recipient.id == subject.row_id)
            .first()
        )
        if row is None:
            return subject.url  # the campaign was deleted; the link still works
        now = datetime.now(UTC)
        await Click.insert(Click(recipient=row["id"], url=subject.url[:4000], clicked_at=now))
        changes: dict[Any, Any] = {Recipient.clicks: Recipient.clicks + 1}
        if row["clicks"] == 0:
            changes[Recipient.first_click_at] = now
            await record_timeline(
                runtime,
                uow,
                kind="marketing.clicked",
                person_id=row["person"],
                subject=subject.url[:300],
                source=f"marketing.campaign:{row['campaign']}",
                data={"url": subject.url},
            )
        await Recipient.update(changes).where(Recipient.id == row["id"])
    return subject.url


async def mail_response(event: Any, ctx: JobContext) -> None:
    """An incoming message answers or bounces a campaign's message (``core.email_received``)."""
    now = datetime.now(UTC)
    if event.replied_mail_ids:
        await Recipient.update({Recipient.replied_at: now}).where(
            Recipient.mail_id.is_in(event.replied_mail_ids) & Recipient.replied_at.is_null()
        )
    if event.bounced_mail_ids:
        await Recipient.update({Recipient.bounced_at: now}).where(
            Recipient.mail_id.is_in(event.bounced_mail_ids) & Recipient.bounced_at.is_null()
        )
    known = await suppressed_among(list(event.failed_recipients))
    for address in sorted(set(event.failed_recipients) - known):
        await Suppression.insert(Suppression(email=address, reason="bounced"))


# --- results -----------------------------------------------------------------------------------------
@dataclass
class CampaignStats:
    audience: int = 0
    pending: int = 0
    queued: int = 0
    delivered: int = 0
    failed: int = 0
    bounced: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    cancelled: int = 0
    clicked: int = 0
    clicks: int = 0
    replied: int = 0
    unsubscribed: int = 0
    deals: int = 0
    revenue: Decimal = Decimal("0")
    currency: str = ""
    cost: Decimal = Decimal("0")

    @property
    def return_on_investment(self) -> Decimal | None:
        """(revenue - cost) / cost; None while the cost is not known."""
        if not self.cost:
            return None
        return ((self.revenue - self.cost) / self.cost).quantize(Decimal("0.01"))

    @property
    def click_rate(self) -> Decimal | None:
        return None if not self.delivered else (Decimal(self.clicked) / self.delivered).quantize(Decimal("0.0001"))


STATS_SQL = """
SELECT r.status AS status, r.skip_reason AS reason, m.status AS mail_status, COUNT(*) AS n,
       SUM(CASE WHEN r.clicks > 0 THEN 1 ELSE 0 END) AS clicked, SUM(r.clicks) AS clicks,
       SUM(CASE WHEN r.replied_at IS NOT NULL THEN 1 ELSE 0 END) AS replied,
       SUM(CASE WHEN r.bounced_at IS NOT NULL THEN 1 ELSE 0 END) AS bounced,
       SUM(CASE WHEN r.unsubscribed_at IS NOT NULL THEN 1 ELSE 0 END) AS unsubscribed
FROM marketing_recipient r LEFT JOIN core_mail m ON m.id = r.mail_id
WHERE r.campaign = {}
GROUP BY r.status, r.skip_reason, m.status
"""


async def campaign_stats(runtime: PluginRuntime, actor: Any, campaign_id: int) -> CampaignStats:
    require_permission(actor, CAMPAIGN_READ)
    campaign = await campaign_row(campaign_id)
    stats = CampaignStats(cost=Decimal(str(campaign["cost"] or 0)).quantize(CENT))
    for row in await Recipient.raw(STATS_SQL, campaign_id):
        n = row["n"]
        stats.audience += n
        stats.clicked += row["clicked"] or 0
        stats.clicks += row["clicks"] or 0
        stats.replied += row["replied"] or 0
        stats.unsubscribed += row["unsubscribed"] or 0
        bounced = row["bounced"] or 0
        stats.bounced += bounced
        if row["status"] == "pending":
            stats.pending += n
        elif row["status"] == "skipped":
            stats.skipped[row["reason"]] = stats.skipped.get(row["reason"], 0) + n
        elif row["status"] == "cancelled":
            stats.cancelled += n
        elif row["mail_status"] == "sent":
            stats.delivered += n - bounced
        elif row["mail_status"] == "failed":
            stats.failed += n
        elif row["mail_status"] == "bounced":
            pass  # counted as bounced above
        else:
            stats.queued += n
    await _attribute(runtime, campaign_id, stats)
    return stats


async def _attribute(runtime: PluginRuntime, campaign_id: int, stats: CampaignStats) -> None:
    """Deals the sales side won from recipients within the attribution window after their mail."""
    rows = await Recipient.raw(
        "SELECT r.person AS person, m.sent_at AS sent_at FROM marketing_recipient r "
        "JOIN core_mail m ON m.id = r.mail_id WHERE r.campaign = {} AND m.status = 'sent'",
        campaign_id,
    )
    contacts = [(row["person"], as_utc(row["sent_at"])) for row in rows if row["sent_at"]]
    if not contacts:
        return
    for _plugin, answer in await runtime.call_each(
        "marketing_attributed_revenue", contacts=contacts, window_days=ATTRIBUTION_DAYS
    ):
        if answer:
            stats.deals += int(answer["deals"])
            stats.revenue = (stats.revenue + Decimal(str(answer["revenue"]))).quantize(CENT)
            stats.currency = stats.currency or answer.get("currency", "")


async def active_campaign_ids() -> list[int]:
    rows = await Campaign.select(Campaign.id).where(Campaign.status == "sending")
    return [row["id"] for row in rows]


async def person_export(person_id: int) -> dict[str, Any]:
    """What marketing knows about a person: campaigns they were in, what they clicked."""
    received = await Recipient.select(
        Recipient.campaign.name,
        Recipient.status,
        Recipient.email,
        Recipient.queued_at,
        Recipient.first_click_at,
        Recipient.unsubscribed_at,
    ).where(Recipient.person == person_id)
    clicks = await Click.select(Click.url, Click.clicked_at).where(Click.recipient.person == person_id)
    greetings = await OccasionSend.select(OccasionSend.occasion.name, OccasionSend.occurs_on).where(
        OccasionSend.person == person_id
    )
    return {"campaigns": received, "clicks": clicks, "occasions": greetings}


async def person_erase(person_id: int) -> None:
    """Forget the address and the clicks; the bare fact of a send stays in the campaign's counts."""
    await Click.delete().where(
        Click.recipient.is_in(Recipient.select(Recipient.id).where(Recipient.person == person_id))
    )
    await Recipient.update({Recipient.email: "", Recipient.clicks: 0, Recipient.first_click_at: None}).where(
        Recipient.person == person_id
    )
