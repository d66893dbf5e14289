"""GraphQL types of the marketing plugin: segments, campaigns, their results, occasion mailings."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from core.api import batched_field, extensible, load_each, nodes_by_loader
from plugins.marketing.permissions import CAMPAIGN_READ, SEGMENT_READ

PersonRef = extensible("Person", "staff")


@strawberry.type(description="How many persons a segment selects now, as far as you can see.")
class SegmentSize:
    persons: int
    mailable: int = strawberry.field(description="With an e-mail address, consent for the purpose, not suppressed.")
    callable: int = strawberry.field(description="With a phone number: the length of the call list.")


@strawberry.type(name="Segment", description="A saved, dynamic list of persons.")
class SegmentNode(relay.Node):
    node_permission: ClassVar[str] = SEGMENT_READ

    id: relay.NodeID[int]
    name: str
    description: str
    criteria: JSON = strawberry.field(
        description='The criteria tree: {"all": […]}, {"any": […]}, {"not": {…}} or a leaf — {"field", "op", '
        '"value"}, {"tag"}, {"companyTag"}, {"custom", "op", "value"}, {"companyCustom", "op", "value"}, '
        '{"consent"}, {"has": "email" | "phone"}, {"fact", "params"}. See docs/marketing.md.'
    )
    archived: bool
    created_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> SegmentNode:
        return cls(
            id=row["id"],
            name=row["name"],
            description=row["description"],
            criteria=row["criteria"],
            archived=row["archived_at"] is not None,
            created_at=row["created_at"],
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Any, node_ids: list[Any], required: bool = False) -> list:
        return await nodes_by_loader(info, "marketing.segment", node_ids)


@strawberry.type(name="Campaign", description="A message sent to a segment, personalised for each recipient.")
class CampaignNode(relay.Node):
    node_permission: ClassVar[str] = CAMPAIGN_READ

    id: relay.NodeID[int]
    name: str
    status: str = strawberry.field(description="draft, scheduled, sending, paused, finished or cancelled.")
    purpose: str = strawberry.field(description="The consent each recipient must have given.")
    subject: str
    text: str
    html: str | None
    scheduled_at: datetime | None
    rate_per_minute: int
    cost: Decimal
    audience_size: int = strawberry.field(description="Persons of the segment when the send started.")
    started_at: datetime | None
    finished_at: datetime | None
    created_at: datetime
    segment_id: strawberry.Private[int]

    @batched_field(load_each("marketing.segment", lambda c: c.segment_id))
    async def segment(self, info: strawberry.Info) -> SegmentNode | None:
        return await info.context.loaders["marketing.segment"].load(self.segment_id)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> CampaignNode:
        return cls(
            id=row["id"],
            name=row["name"],
            status=row["status"],
            purpose=row["purpose"],
            subject=row["subject"],
            text=row["text_body"],
            html=row["html_body"],
            scheduled_at=row["scheduled_at"],
            rate_per_minute=row["rate_per_minute"],
            cost=Decimal(str(row["cost"])).quantize(Decimal("0.01")),
            audience_size=row["audience_size"],
            started_at=row["started_at"],
            finished_at=row["finished_at"],
            created_at=row["created_at"],
            segment_id=row["segment"],
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Any, node_ids: list[Any], required: bool = False) -> list:
        return await nodes_by_loader(info, "marketing.campaign", node_ids)


@strawberry.type(description="Recipients skipped for one reason.")
class SkipCount:
    reason: str = strawberry.field(description="no_consent, suppressed, no_address, erased or a template error.")
    count: int


@strawberry.type(description="What a campaign achieved so far.")
class CampaignStats:
    audience: int
    pending: int = strawberry.field(description="Not yet queued.")
    queued: int = strawberry.field(description="Queued, not yet accepted by the mail server.")
    delivered: int = strawberry.field(description="Accepted by the mail server and not bounced.")
    failed: int
    bounced: int
    skipped: list[SkipCount]
    cancelled: int
    clicked: int = strawberry.field(description="Recipients who clicked at least one link.")
    clicks: int
    replied: int
    unsubscribed: int
    deals: int = strawberry.field(description="Deals won from recipients within 90 days of their message.")
    revenue: Decimal
    currency: str
    cost: Decimal
    return_on_investment: Decimal | None = strawberry.field(description="(revenue - cost) / cost; null without cost.")
    click_rate: Decimal | None = strawberry.field(description="Recipients who clicked per delivered message.")

    @classmethod
    def from_stats(cls, stats: Any) -> CampaignStats:
        return cls(
            audience=stats.audience,
            pending=stats.pending,
            queued=stats.queued,
            delivered=stats.delivered,
            failed=stats.failed,
            bounced=stats.bounced,
            skipped=[SkipCount(reason=r, count=n) for r, n in sorted(stats.skipped.items())],
            cancelled=stats.cancelled,
            clicked=stats.clicked,
            clicks=stats.clicks,
            replied=stats.replied,
            unsubscribed=stats.unsubscribed,
            deals=stats.deals,
            revenue=stats.revenue,
            currency=stats.currency,
            cost=stats.cost,
            return_on_investment=stats.return_on_investment,
            click_rate=stats.click_rate,
        )


@strawberry.type(description="One header of a message.")
class MailHeader:
    name: str
    value: str


@strawberry.type(description="A message as one recipient gets it.")
class MessagePreview:
    to: str
    subject: str
    text: str
    html: str | None
    headers: list[MailHeader]


@strawberry.type(name="Occasion", description="Greetings on birthdays or on a holiday, sent by themselves.")
class OccasionNode(relay.Node):
    node_permission: ClassVar[str] = CAMPAIGN_READ

    id: relay.NodeID[int]
    name: str
    kind: str = strawberry.field(description="birthday or holiday.")
    holiday: str = strawberry.field(description="The holiday's code (see `holidays`); empty for birthdays.")
    purpose: str
    subject: str
    text: str
    html: str | None
    days_before: int
    active: bool
    segment_id: strawberry.Private[int | None]

    @batched_field(load_each("marketing.segment", lambda o: o.segment_id), description="Null: everyone who consented.")
    async def segment(self, info: strawberry.Info) -> SegmentNode | None:
        if self.segment_id is None:
            return None
        return await info.context.loaders["marketing.segment"].load(self.segment_id)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> OccasionNode:
        return cls(
            id=row["id"],
            name=row["name"],
            kind=row["kind"],
            holiday=row["holiday"],
            purpose=row["purpose"],
            subject=row["subject"],
            text=row["text_body"],
            html=row["html_body"],
            days_before=row["days_before"],
            active=row["active"],
            segment_id=row["segment"],
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Any, node_ids: list[Any], required: bool = False) -> list:
        return await nodes_by_loader(info, "marketing.occasion", node_ids)


@strawberry.type(description="A holiday of the Polish calendar an occasion can be tied to.")
class HolidayDay:
    code: str
    name: str
    day: date
