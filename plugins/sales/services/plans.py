"""Sales plans: how much a user or a team should win in a period, and who may see and set them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from core.api import Actor, DomainError, PluginRuntime, User, _, require_permission
from plugins.sales.permissions import PLAN_MANAGE, REPORT_READ
from plugins.sales.services.opportunities import active_user
from plugins.sales.services.processes import existing_team
from plugins.sales.services.values import money
from plugins.sales.tables import SalesPlan


async def set_plan(
    runtime: PluginRuntime,
    actor: Actor,
    *,
    user: int | None,
    team: int | None,
    period_start: date,
    period_end: date,
    target_value: Decimal,
    target_deals: int = 0,
) -> int:
    """Set (or replace) the plan of one rep or one team for one period."""
    require_permission(actor, PLAN_MANAGE)
    if (user is None) == (team is None):
        raise DomainError("ONE_SUBJECT", _("Give either a user or a team."), ["input"])
    if period_end < period_start:
        raise DomainError("END_BEFORE_START", _("The period ends before it starts."), ["input", "periodEnd"])
    if target_deals < 0:
        raise DomainError("NEGATIVE", _("This must not be negative."), ["input", "targetDeals"])
    target = money(target_value, ["input", "targetValue"])
    async with runtime.unit_of_work(actor):
        if user is not None:
            await active_user(user, ["input", "user"])
        else:
            await existing_team(team, ["input", "team"])
        await _may_plan(actor, user, team)
        who = SalesPlan.user == user if user is not None else SalesPlan.team == team
        same = (
            await SalesPlan.select(SalesPlan.id)
            .where(who & (SalesPlan.period_start == period_start) & (SalesPlan.period_end == period_end))
            .first()
        )
        values = {
            SalesPlan.target_value: target,
            SalesPlan.target_deals: target_deals,
            SalesPlan.updated_at: datetime.now(UTC),
        }
        if same:
            await SalesPlan.update(values).where(SalesPlan.id == same["id"])
            return same["id"]
        [row] = await SalesPlan.insert(
            SalesPlan(
                user=user,
                team=team,
                period_start=period_start,
                period_end=period_end,
                target_value=target,
                target_deals=target_deals,
            )
        ).returning(SalesPlan.id)
    return row["id"]


def visible_plans(actor: Actor) -> Any:
    """Plans the actor may see, as a where-clause: everyone's with the "all" reach of
    ``sales.report.read``; a team's leader their team's plan and its members'; anyone else their
    own and their team's."""
    reach = actor.scope_for(REPORT_READ)
    if reach == "all":
        return SalesPlan.id.is_not_null()
    condition = SalesPlan.user == (actor.user_id or -1)
    if actor.team_id is not None:
        condition |= SalesPlan.team == actor.team_id
        if reach == "team":
            condition |= SalesPlan.user.is_in(User.select(User.id).where(User.team == actor.team_id))
    return condition


async def _may_plan(actor: Actor, user: int | None, team: int | None) -> None:
    """Plans are set within the reach of ``sales.plan.manage``: a team's leader plans the team and
    its members, an "all" reach anyone."""
    reach = actor.scope_for(PLAN_MANAGE)
    if reach == "all" or (user is not None and user == actor.user_id):
        return
    if reach == "team" and actor.team_id is not None:
        if team == actor.team_id:
            return
        if user is not None and await User.exists().where((User.id == user) & (User.team == actor.team_id)):
            return
    raise DomainError(
        "FORBIDDEN", _("You may set plans only for your team and its members."), ["input", "user" if user else "team"]
    )
