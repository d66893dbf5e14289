"""Staff mutations of the marketing plugin: each returns the record and userErrors."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import strawberry
from strawberry import relay
from strawberry.scalars import JSON

from core.api import UserError, attempt, decode_id, mutation, reload
from plugins.marketing.graphql.types import CampaignNode, OccasionNode, SegmentNode
from plugins.marketing.permissions import CAMPAIGN_MANAGE, CAMPAIGN_SEND, SEGMENT_MANAGE, SEGMENT_READ
from plugins.marketing.services import call_lists, campaigns, occasions, segments
from plugins.marketing.services.campaigns import MessageTemplate


@strawberry.input
class SegmentInput:
    name: str
    description: str = ""
    criteria: JSON = strawberry.field(description="See `Segment.criteria`.")


@strawberry.input
class SegmentUpdateInput:
    name: str | None = None
    description: str | None = None
    criteria: JSON | None = None
    archived: bool | None = None


@strawberry.input(description="Templates in Jinja2 syntax; `{{ recipient.first_name }}` and the like.")
class MessageInput:
    subject: str
    text: str
    html: str | None = None

    def to_service(self) -> MessageTemplate:
        return MessageTemplate(self.subject, self.text, self.html)


@strawberry.input
class CampaignInput:
    name: str
    segment: relay.GlobalID
    message: MessageInput
    purpose: str = strawberry.field(default="marketing", description="The consent each recipient must have given.")
    rate_per_minute: int = 600
    cost: Decimal = Decimal("0")


@strawberry.input
class CampaignUpdateInput:
    name: str | None = None
    segment: relay.GlobalID | None = None
    message: MessageInput | None = None
    rate_per_minute: int | None = None
    cost: Decimal | None = None


@strawberry.input
class CampaignScheduleInput:
    at: datetime | None = strawberry.field(default=None, description="With its time zone; none: now.")
    rate_per_minute: int | None = None


@strawberry.input
class OccasionInput:
    name: str
    kind: str = strawberry.field(description="birthday or holiday.")
    message: MessageInput
    holiday: str = strawberry.field(default="", description="A code from `holidays`, for kind holiday.")
    segment: relay.GlobalID | None = None
    purpose: str = "marketing"
    days_before: int = 0


@strawberry.input(description="Turn a segment's call list into queued calls, for a user or a team.")
class SegmentCallsInput:
    segment: relay.GlobalID
    reason: str
    assignee: relay.GlobalID | None = strawberry.field(default=None, description="Defaults to you (unless a team).")
    team: relay.GlobalID | None = None
    due_at: datetime | None = strawberry.field(default=None, description="Defaults to now.")
    priority: int = strawberry.field(default=3, description="1 is the most urgent, 5 the least.")
    purpose: str = strawberry.field(
        default="marketing", description="The consent to phone calls each member must have."
    )
    require_consent: bool = strawberry.field(
        default=True, description="False only for calls that need no consent (a contract, a claim)."
    )


@strawberry.type
class SegmentCallsPayload:
    queued: int = strawberry.field(
        description="Calls being put into the queue, in the background: they show in `callQueue` within moments."
    )
    skipped: int = strawberry.field(description="Members who already had an open call for this reason.")
    user_errors: list[UserError]


@strawberry.type
class SegmentPayload:
    segment: SegmentNode | None
    user_errors: list[UserError]


@strawberry.type
class CampaignPayload:
    campaign: CampaignNode | None
    user_errors: list[UserError]


@strawberry.type
class OccasionPayload:
    occasion: OccasionNode | None
    user_errors: list[UserError]


@strawberry.type
class SuppressionPayload:
    email: str | None
    user_errors: list[UserError]


async def _segment_payload(info: Any, action: Any) -> SegmentPayload:
    segment_id, errors = await attempt(action)
    return SegmentPayload(segment=await reload(info, "marketing.segment", segment_id), user_errors=errors)


async def _campaign_payload(info: Any, action: Any) -> CampaignPayload:
    campaign_id, errors = await attempt(action)
    return CampaignPayload(campaign=await reload(info, "marketing.campaign", campaign_id), user_errors=errors)


def _on_campaign(info: Any, id: relay.GlobalID, change: Any) -> Any:
    async def run() -> int:
        return await change(info.context.plugin(info), info.context.actor, decode_id(id, "Campaign", ["id"]))

    return run()


@strawberry.type
class MarketingMutation:
    @mutation(
        permission=SEGMENT_READ,
        description="Queue a call to each member of a segment with a phone (and consent for `purpose`); "
        "at most 5000, no second open call for the same reason.",
    )
    async def segment_queue_calls(self, info: strawberry.Info, input: SegmentCallsInput) -> SegmentCallsPayload:
        ctx = info.context

        async def queue() -> tuple[int, int]:
            done = await call_lists.queue_segment_calls(
                ctx.plugin(info),
                ctx.actor,
                decode_id(input.segment, "Segment", ["input", "segment"]),
                reason=input.reason,
                assignee_id=decode_id(input.assignee, "UserNode", ["input", "assignee"]) if input.assignee else None,
                team_id=decode_id(input.team, "TeamNode", ["input", "team"]) if input.team else None,
                due_at=input.due_at,
                priority=input.priority,
                purpose=input.purpose,
                require_consent=input.require_consent,
            )
            return done.pending, done.skipped

        counts, errors = await attempt(queue())
        queued, skipped = counts or (0, 0)
        return SegmentCallsPayload(queued=queued, skipped=skipped, user_errors=errors)

    @mutation(permission=SEGMENT_MANAGE, description="Save criteria as a segment (checked before saving).")
    async def segment_create(self, info: strawberry.Info, input: SegmentInput) -> SegmentPayload:
        ctx = info.context
        return await _segment_payload(
            info,
            segments.create_segment(
                ctx.plugin(info), ctx.actor, name=input.name, description=input.description, criteria=input.criteria
            ),
        )

    @mutation(permission=SEGMENT_MANAGE, description="Rename, describe, change criteria, archive or restore.")
    async def segment_update(
        self, info: strawberry.Info, id: relay.GlobalID, input: SegmentUpdateInput
    ) -> SegmentPayload:
        ctx = info.context

        async def update() -> int:
            return await segments.update_segment(
                ctx.plugin(info),
                ctx.actor,
                decode_id(id, "Segment", ["id"]),
                name=input.name,
                description=input.description,
                criteria=input.criteria,
                archived=input.archived,
            )

        return await _segment_payload(info, update())

    @mutation(permission=CAMPAIGN_MANAGE, description="Write a campaign as a draft; its templates are checked.")
    async def campaign_create(self, info: strawberry.Info, input: CampaignInput) -> CampaignPayload:
        ctx = info.context

        async def create() -> int:
            return await campaigns.create_campaign(
                ctx.plugin(info),
                ctx.actor,
                name=input.name,
                segment_id=decode_id(input.segment, "Segment", ["input", "segment"]),
                message=input.message.to_service(),
                purpose=input.purpose,
                rate_per_minute=input.rate_per_minute,
                cost=input.cost,
            )

        return await _campaign_payload(info, create())

    @mutation(permission=CAMPAIGN_MANAGE, description="Change a draft; cost and rate may change at any time.")
    async def campaign_update(
        self, info: strawberry.Info, id: relay.GlobalID, input: CampaignUpdateInput
    ) -> CampaignPayload:
        ctx = info.context

        async def update() -> int:
            segment = input.segment
            return await campaigns.update_campaign(
                ctx.plugin(info),
                ctx.actor,
                decode_id(id, "Campaign", ["id"]),
                name=input.name,
                segment_id=None if segment is None else decode_id(segment, "Segment", ["input", "segment"]),
                message=None if input.message is None else input.message.to_service(),
                rate_per_minute=input.rate_per_minute,
                cost=input.cost,
            )

        return await _campaign_payload(info, update())

    @mutation(
        permission=CAMPAIGN_SEND,
        description="Send now or at a time; refused (NO_CONSENTED_RECIPIENTS) when nobody may receive it.",
    )
    async def campaign_schedule(
        self, info: strawberry.Info, id: relay.GlobalID, input: CampaignScheduleInput | None = None
    ) -> CampaignPayload:
        options = input or CampaignScheduleInput()

        async def plan(runtime: Any, actor: Any, campaign_id: int) -> int:
            return await campaigns.schedule(
                runtime, actor, campaign_id, at=options.at, rate_per_minute=options.rate_per_minute
            )

        return await _campaign_payload(info, _on_campaign(info, id, plan))

    @mutation(permission=CAMPAIGN_SEND, description="Stop queuing messages until resumed.")
    async def campaign_pause(self, info: strawberry.Info, id: relay.GlobalID) -> CampaignPayload:
        return await _campaign_payload(info, _on_campaign(info, id, campaigns.pause))

    @mutation(permission=CAMPAIGN_SEND)
    async def campaign_resume(self, info: strawberry.Info, id: relay.GlobalID) -> CampaignPayload:
        return await _campaign_payload(info, _on_campaign(info, id, campaigns.resume))

    @mutation(permission=CAMPAIGN_SEND, description="Stop for good; messages still queued are not sent.")
    async def campaign_cancel(self, info: strawberry.Info, id: relay.GlobalID) -> CampaignPayload:
        return await _campaign_payload(info, _on_campaign(info, id, campaigns.cancel))

    @mutation(permission=CAMPAIGN_MANAGE, description="Greet on birthdays or a holiday, every year, by itself.")
    async def occasion_create(self, info: strawberry.Info, input: OccasionInput) -> OccasionPayload:
        ctx = info.context

        async def create() -> int:
            return await occasions.create_occasion(
                ctx.plugin(info),
                ctx.actor,
                name=input.name,
                kind=input.kind,
                holiday=input.holiday,
                segment_id=None if input.segment is None else decode_id(input.segment, "Segment", ["input", "segment"]),
                message=input.message.to_service(),
                purpose=input.purpose,
                days_before=input.days_before,
            )

        occasion_id, errors = await attempt(create())
        return OccasionPayload(occasion=await reload(info, "marketing.occasion", occasion_id), user_errors=errors)

    @mutation(permission=CAMPAIGN_MANAGE)
    async def occasion_set_active(self, info: strawberry.Info, id: relay.GlobalID, active: bool) -> OccasionPayload:
        ctx = info.context

        async def change() -> int:
            occasion_id = decode_id(id, "Occasion", ["id"])
            return await occasions.set_occasion_active(ctx.plugin(info), ctx.actor, occasion_id, active)

        occasion_id, errors = await attempt(change())
        return OccasionPayload(occasion=await reload(info, "marketing.occasion", occasion_id), user_errors=errors)

    @mutation(permission=CAMPAIGN_MANAGE, description="Never send marketing mail to this address.")
    async def suppression_add(self, info: strawberry.Info, email: str) -> SuppressionPayload:
        ctx = info.context

        async def add() -> str:
            return await campaigns.suppress(ctx.plugin(info), ctx.actor, email)

        address, errors = await attempt(add())
        return SuppressionPayload(email=address, user_errors=errors)

    @mutation(permission=CAMPAIGN_MANAGE, description="Mail this address again (after it was fixed).")
    async def suppression_remove(self, info: strawberry.Info, email: str) -> SuppressionPayload:
        ctx = info.context

        async def remove() -> str:
            return await campaigns.unsuppress(ctx.plugin(info), ctx.actor, email)

        address, errors = await attempt(remove())
        return SuppressionPayload(email=address, user_errors=errors)
