"""Staff queries of the marketing plugin."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from core.api import ClientError, DomainError, _, decode_id, field, paginate_by_id, paginate_by_key
from core.api import Person as PersonTable
from plugins.marketing.graphql.types import (
    CampaignNode,
    CampaignStats,
    HolidayDay,
    MailHeader,
    MessagePreview,
    OccasionNode,
    PersonRef,
    SegmentNode,
    SegmentSize,
)
from plugins.marketing.permissions import CAMPAIGN_READ, SEGMENT_READ
from plugins.marketing.services import campaigns, occasions, responses, segments
from plugins.marketing.tables import Campaign, Occasion, Segment

PREVIEW_SAMPLE = 10


def client_error(error: DomainError) -> ClientError:
    code = "FORBIDDEN" if error.code == "FORBIDDEN" else error.code
    return ClientError(code, error.message, extensions={"field": list(error.field)}, **error.params)


@strawberry.type(description="What a segment's criteria select now: counts and the first persons.")
class SegmentPreview:
    size: SegmentSize
    sample: list[PersonRef] = strawberry.field(description="The first persons, by id.")  # type: ignore[valid-type]


def _maximum(info: Any) -> int:
    return info.context.plugin(info).settings.max_page_size


@strawberry.type
class MarketingQuery:
    @field(permission=SEGMENT_READ, description="Segments, oldest first.")
    async def segments(
        self, info: strawberry.Info, include_archived: bool = False, first: int | None = None, after: str | None = None
    ) -> relay.Connection[SegmentNode]:
        query = Segment.select().output(load_json=True)
        if not include_archived:
            query = query.where(Segment.archived_at.is_null())
        return await paginate_by_id(
            query, Segment.id, first=first, after=after, maximum=_maximum(info), to_node=SegmentNode.from_row
        )

    @field(permission=SEGMENT_READ)
    async def segment(self, info: strawberry.Info, id: relay.GlobalID) -> SegmentNode | None:
        return await info.context.loaders["marketing.segment"].load(decode_id(id, "Segment", ["id"]))

    @field(
        permission=SEGMENT_READ,
        description="Count what criteria select (and how many may be mailed for `purpose`) before using them.",
    )
    async def segment_preview(
        self, info: strawberry.Info, criteria: JSON, purpose: str = "marketing"
    ) -> SegmentPreview:
        ctx = info.context
        try:
            size = await segments.measure(ctx.plugin(info), ctx.actor, criteria, purpose)
            condition = await segments.compile_criteria(ctx.plugin(info), criteria)
        except DomainError as error:
            raise client_error(error) from None
        rows = await (
            PersonTable.select(PersonTable.id)
            .where(segments.members_condition(ctx.actor, condition))
            .order_by(PersonTable.id)
            .limit(PREVIEW_SAMPLE)
        )
        people = await ctx.loaders["core.person"].load_many([row["id"] for row in rows])
        return SegmentPreview(
            size=SegmentSize(persons=size.persons, mailable=size.mailable, callable=size.callable),
            sample=[p for p in people if p is not None],
        )

    @field(permission=SEGMENT_READ, description="Persons a segment selects now, by id: a mailing or call list.")
    async def segment_members(
        self,
        info: strawberry.Info,
        id: relay.GlobalID,
        with_phone: bool = False,
        first: int | None = None,
        after: str | None = None,
    ) -> relay.Connection[PersonRef]:  # type: ignore[valid-type]
        ctx = info.context
        try:
            segment = await segments.segment_row(decode_id(id, "Segment", ["id"]), ["id"])
            condition = await segments.compile_criteria(ctx.plugin(info), segment["criteria"], ["criteria"])
        except DomainError as error:
            raise client_error(error) from None
        query = PersonTable.select(PersonTable.id).where(segments.members_condition(ctx.actor, condition))
        if with_phone:
            query = query.where(segments.has_phone())
        connection = await paginate_by_id(
            query, PersonTable.id, first=first, after=after, maximum=_maximum(info), to_node=lambda row: row["id"]
        )
        people = await ctx.loaders["core.person"].load_many([edge.node for edge in connection.edges])
        for edge, person in zip(connection.edges, people, strict=True):
            edge.node = person
        return connection

    @field(permission=CAMPAIGN_READ, description="Campaigns, newest first.")
    async def campaigns(
        self, info: strawberry.Info, status: str | None = None, first: int | None = None, after: str | None = None
    ) -> relay.Connection[CampaignNode]:
        query = Campaign.select()
        if status:
            query = query.where(Campaign.status == status)
        return await paginate_by_key(
            query,
            [Campaign.id],
            first=first,
            after=after,
            maximum=_maximum(info),
            to_node=CampaignNode.from_row,
            descending=True,
        )

    @field(permission=CAMPAIGN_READ)
    async def campaign(self, info: strawberry.Info, id: relay.GlobalID) -> CampaignNode | None:
        return await info.context.loaders["marketing.campaign"].load(decode_id(id, "Campaign", ["id"]))

    @field(permission=CAMPAIGN_READ, description="The message as a recipient gets it; sample data without one.")
    async def campaign_preview(
        self, info: strawberry.Info, id: relay.GlobalID, recipient: relay.GlobalID | None = None
    ) -> MessagePreview:
        ctx = info.context
        try:
            person_id = None if recipient is None else decode_id(recipient, "Person", ["recipient"])
            message = await campaigns.preview(ctx.plugin(info), ctx.actor, decode_id(id, "Campaign", ["id"]), person_id)
        except DomainError as error:
            raise client_error(error) from None
        return MessagePreview(
            to=message.to,
            subject=message.subject,
            text=message.text,
            html=message.html,
            headers=[MailHeader(name=k, value=v) for k, v in message.headers.items()],
        )

    @field(permission=CAMPAIGN_READ, description="Delivery, responses, deals and return on investment.")
    async def campaign_stats(self, info: strawberry.Info, id: relay.GlobalID) -> CampaignStats:
        ctx = info.context
        try:
            stats = await responses.campaign_stats(ctx.plugin(info), ctx.actor, decode_id(id, "Campaign", ["id"]))
        except DomainError as error:
            raise client_error(error) from None
        return CampaignStats.from_stats(stats)

    @field(permission=CAMPAIGN_READ, description="Occasion mailings.")
    async def occasions(self, info: strawberry.Info) -> list[OccasionNode]:
        return [OccasionNode.from_row(row) for row in await Occasion.select().order_by(Occasion.id)]

    @field(permission=CAMPAIGN_READ, description="Holidays an occasion can be tied to, with their days in `year`.")
    async def holidays(self, info: strawberry.Info, year: int) -> list[HolidayDay]:
        if not 1900 <= year <= 2200:
            raise ClientError(
                "BAD_USER_INPUT",
                _("Expected a number from {low} to {high}."),
                extensions={"field": ["year"]},
                low=1900,
                high=2200,
            )
        days = []
        for code, name in occasions.HOLIDAYS.items():
            day = occasions.holiday_date(code, year)
            if day is not None:
                days.append(HolidayDay(code=code, name=name, day=day))
        return sorted(days, key=lambda d: d.day)
