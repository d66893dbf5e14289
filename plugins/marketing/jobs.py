"""Background work of the marketing plugin: starting and sending campaigns, occasion greetings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from core.api import JobContext
from plugins.marketing.services import campaigns, forms, occasions, routing, tracking
from plugins.marketing.services.responses import active_campaign_ids


async def campaign_tick(ctx: JobContext) -> None:
    """Start campaigns whose time has come and give every sending campaign its next batch."""
    now = datetime.now(UTC)
    await campaigns.start_due(ctx.plugin, ctx.uow, now)
    for campaign_id in await active_campaign_ids():
        await ctx.uow.defer("marketing.send_batch", campaign_id=campaign_id)


async def send_batch(ctx: JobContext, campaign_id: int) -> None:
    """Queue one batch; while the rate allows more at once, the next batch follows at once."""
    taken = await campaigns.send_batch(ctx.plugin, ctx.uow, campaign_id, datetime.now(UTC))
    if taken == campaigns.BATCH:
        await ctx.uow.defer("marketing.send_batch", campaign_id=campaign_id)


async def send_occasions(ctx: JobContext) -> None:
    if await occasions.greet_all(ctx.plugin, ctx.uow) >= occasions.BATCH:
        await ctx.uow.defer("marketing.send_occasions")  # a big holiday audience: the rest at once


async def retry_submissions(ctx: JobContext) -> None:
    await forms.retry_unprocessed(ctx.plugin, ctx.uow)


async def close_visits(ctx: JobContext) -> None:
    gap = timedelta(minutes=ctx.plugin.config.visit_gap_minutes)
    await tracking.close_idle_visits(ctx.plugin, ctx.uow, datetime.now(UTC), gap)


async def route_new_person(event: Any, ctx: JobContext) -> None:
    await routing.route_new_record(ctx.plugin, ctx.uow, person_id=event.person_id, company_id=None)


async def route_new_company(event: Any, ctx: JobContext) -> None:
    await routing.route_new_record(ctx.plugin, ctx.uow, person_id=None, company_id=event.company_id)
