"""The stuck-deal check: an opportunity longer in its stage than the stage expects, or without a
contact for ``stuck_after_days``, is flagged once and its owner gets a task."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from core.api import SYSTEM, JobContext, _, create_task
from plugins.sales.events import OpportunityStuck
from plugins.sales.tables import Opportunity, SalesStage

BATCH = 500  # per run, so one run's transaction stays short; the next run takes the rest


def stuck_condition(stages: list[dict[str, Any]], now: datetime, quiet_days: int) -> tuple[Any, Any]:
    """Where-clauses for "overdue in its stage" and "no contact for too long" (open, unflagged)."""
    overdue = None
    for stage in stages:
        if stage["expected_days"]:
            late = (Opportunity.stage == stage["id"]) & (
                Opportunity.stage_entered_at < now - timedelta(days=stage["expected_days"])
            )
            overdue = late if overdue is None else overdue | late
    quiet_since = now - timedelta(days=quiet_days)
    # Neither a contact nor a move since then.
    quiet = (Opportunity.last_contact_at.is_null() | (Opportunity.last_contact_at < quiet_since)) & (
        Opportunity.stage_entered_at < quiet_since
    )
    return overdue, quiet


def flag_stuck_opportunities(config: Any):
    async def flag_stuck(ctx: JobContext) -> None:
        runtime = ctx.plugin
        now = datetime.now(UTC)
        stages = await SalesStage.select(SalesStage.id, SalesStage.expected_days)
        overdue, quiet = stuck_condition(stages, now, config.stuck_after_days)
        live = (Opportunity.status == "open") & Opportunity.deleted_at.is_null() & Opportunity.stuck_since.is_null()
        found: dict[int, tuple[dict[str, Any], str]] = {}
        for reason, condition in (("stage_overdue", overdue), ("no_contact", quiet)):
            if condition is None:
                continue
            rows = await (
                Opportunity.select(
                    Opportunity.id,
                    Opportunity.name,
                    Opportunity.owner,
                    Opportunity.company,
                    Opportunity.person,
                    Opportunity.stage.name,
                    Opportunity.owner.locale,
                    Opportunity.owner.is_active,
                )
                .where(live & condition)
                .order_by(Opportunity.id)
                .limit(BATCH)
            )
            for row in rows:
                found.setdefault(row["id"], (row, reason))
        for opportunity_id, (row, reason) in sorted(found.items())[:BATCH]:
            task_id = None
            if row["owner"] is not None and row["owner.is_active"]:
                locale = row["owner.locale"] or "pl"
                template = (
                    _("Stuck in {stage} longer than expected: {name}")
                    if reason == "stage_overdue"
                    else _("No contact for {days} days: {name}")
                )
                title = runtime.text(
                    locale, template, {"stage": row["stage.name"], "name": row["name"], "days": config.stuck_after_days}
                )
                task_id = await create_task(
                    runtime,
                    SYSTEM,
                    title=title,
                    due_at=now + timedelta(days=1),
                    assignee_id=row["owner"],
                    company_id=row["company"],
                    person_id=row["person"],
                    description=f"sales.opportunity:{opportunity_id}",
                )
            await Opportunity.update({Opportunity.stuck_since: now}).where(Opportunity.id == opportunity_id)
            await ctx.uow.publish(OpportunityStuck(opportunity_id=opportunity_id, reason=reason, task_id=task_id))

    return flag_stuck
