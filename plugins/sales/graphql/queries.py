"""Staff queries of the sales plugin: processes, opportunities (list, board) and reports."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry
from strawberry import relay

from core.api import (
    ClientError,
    DomainError,
    TeamNode,
    UserNode,
    _,
    batched_field,
    decode_id,
    encode_key,
    field,
    global_id,
    id_of,
    load_each,
    make_connection,
    paginate_by_key,
)
from plugins.sales.graphql.filters import OpportunityFilter, opportunity_conditions
from plugins.sales.graphql.types import BoardColumn, OpportunityNode, SalesProcessNode, SalesStageNode
from plugins.sales.permissions import OPPORTUNITY_READ, REPORT_READ
from plugins.sales.services import reports
from plugins.sales.services.opportunities import readable
from plugins.sales.services.plans import visible_plans
from plugins.sales.services.values import amount
from plugins.sales.tables import Opportunity, SalesPlan, SalesProcess


def _client_error(error: DomainError) -> ClientError:
    return ClientError(error.code, error.message, extensions={"field": list(error.field)}, **error.params)


@strawberry.enum(description="What a list of opportunities is ordered by (the id breaks ties).")
class OpportunityOrderField(Enum):
    CREATED_AT = "created_at"
    VALUE = "value_base"
    STAGE_ENTERED_AT = "stage_entered_at"


@strawberry.input
class OpportunityOrder:
    by: OpportunityOrderField = OpportunityOrderField.CREATED_AT
    descending: bool = True


@strawberry.input(description="Whose figures, for which days (both ends included).")
class SalesReportFilter:
    period_start: date
    period_end: date
    process: relay.GlobalID | None = None
    owners: list[relay.GlobalID] | None = None
    team: relay.GlobalID | None = None


def _report(filter: SalesReportFilter) -> reports.ReportFilter:
    return reports.ReportFilter(
        period_start=filter.period_start,
        period_end=filter.period_end,
        process_id=decode_id(filter.process, "SalesProcess", ["filter", "process"]) if filter.process else None,
        owner_ids=[decode_id(o, "UserNode", ["filter", "owners", str(i)]) for i, o in enumerate(filter.owners or [])],
        team_id=decode_id(filter.team, "TeamNode", ["filter", "team"]) if filter.team else None,
    )


@strawberry.type(name="FunnelStage", description="A stage of the funnel.")
class FunnelStageType:
    stage: SalesStageNode
    open_count: int = strawberry.field(description="Open opportunities in the stage now.")
    open_value: Decimal
    weighted_value: Decimal = strawberry.field(description="Open value times the stage's default probability.")
    reached: int = strawberry.field(
        description="Opportunities opened in the period that reached this stage or a later one (won ones reach all)."
    )
    conversion_to_next: float | None = strawberry.field(
        description="Share of those that reached the next stage (from the last stage: that were won)."
    )


@strawberry.type
class Funnel:
    stages: list[FunnelStageType]
    opened: int = strawberry.field(description="Opportunities opened in the period.")
    opened_value: Decimal
    won: int = strawberry.field(description="Deals won in the period.")
    won_value: Decimal
    lost: int
    win_rate: float | None = strawberry.field(description="Won / (won + lost), closed in the period.")
    average_cycle_days: float | None = strawberry.field(description="Opening to winning, deals won in the period.")
    average_won_value: Decimal | None
    won_of_opened: int = strawberry.field(description="Of the opportunities opened in the period, won by now.")
    overall_conversion: float | None = strawberry.field(description="wonOfOpened / opened.")


@strawberry.enum
class FlowInterval(Enum):
    DAY = "DAY"
    WEEK = "WEEK"
    MONTH = "MONTH"
    QUARTER = "QUARTER"


@strawberry.type
class PipelineFlowBucket:
    starts: date = strawberry.field(description="First day of the day, week (Monday), month or quarter.")
    opened: int
    opened_value: Decimal
    won: int
    won_value: Decimal
    lost: int


@strawberry.type(description="What the forecast assumed for a stage.")
class ForecastStage:
    stage: SalesStageNode
    closed_sample: int = strawberry.field(description="Closed deals of the process that reached the stage.")
    win_rate: float = strawberry.field(description="Used for the stage's open deals.")
    historical: bool = strawberry.field(description="False: too few closed deals, the default probability is used.")
    days_to_win: float | None = strawberry.field(description="Average days from entering the stage to a win.")
    open_count: int
    expected_deals: float = strawberry.field(description="Open deals expected to be won within the period.")
    expected_value: Decimal


@strawberry.type(description="One rep's part of the forecast.")
class OwnerForecast:
    owner_id: strawberry.Private[int | None]
    actual_value: Decimal
    actual_deals: int
    expected_value: Decimal
    expected_deals: float
    plan_value: Decimal | None

    @batched_field(load_each("core.user", lambda s: s.owner_id))
    async def owner(self, info: strawberry.Info) -> UserNode | None:
        return None if self.owner_id is None else await info.context.loaders["core.user"].load(self.owner_id)


@strawberry.type(description="Plan vs forecast vs actual for a period, in the reporting currency.")
class Forecast:
    period_start: date
    period_end: date
    currency: str
    plan_value: Decimal | None = strawberry.field(description="Plans set for exactly this period (rep or team).")
    actual_value: Decimal = strawberry.field(description="Won in the period so far.")
    actual_deals: int
    expected_value: Decimal = strawberry.field(description="Expected from open deals by the period's end.")
    expected_deals: float
    forecast_value: Decimal = strawberry.field(description="actualValue + expectedValue.")
    stages: list[ForecastStage]
    owners: list[OwnerForecast]


@strawberry.type(description="A sales plan with how it is going.")
class SalesPlanType:
    id: relay.GlobalID
    period_start: date
    period_end: date
    target_value: Decimal
    target_deals: int
    actual_value: Decimal
    actual_deals: int
    forecast_value: Decimal = strawberry.field(description="Actual plus what open deals are expected to bring.")
    user_id: strawberry.Private[int | None]
    team_id: strawberry.Private[int | None]

    @batched_field(load_each("core.user", lambda s: s.user_id))
    async def user(self, info: strawberry.Info) -> UserNode | None:
        return None if self.user_id is None else await info.context.loaders["core.user"].load(self.user_id)

    @batched_field(load_each("core.team", lambda s: s.team_id))
    async def team(self, info: strawberry.Info) -> TeamNode | None:
        return None if self.team_id is None else await info.context.loaders["core.team"].load(self.team_id)


@strawberry.type
class RepScore:
    user_id: strawberry.Private[int]
    opened: int = strawberry.field(description="Opportunities opened in the period.")
    new_clients: int = strawberry.field(description="Companies whose first deal was won in the period.")
    stage_advances: int = strawberry.field(
        description="Stages after the first their opportunities entered for the first time in the period."
    )
    won: int
    won_value: Decimal
    lost: int
    win_rate: float | None
    activities: int = strawberry.field(description="Calls, e-mails, meetings and notes they logged.")

    @batched_field(load_each("core.user", lambda s: s.user_id))
    async def user(self, info: strawberry.Info) -> UserNode | None:
        return await info.context.loaders["core.user"].load(self.user_id)


async def _plan_value(forecast: reports.Forecast, actor: Any) -> Decimal | None:
    report = forecast.report
    query = SalesPlan.select(SalesPlan.target_value).where(
        (SalesPlan.period_start == report.period_start)
        & (SalesPlan.period_end == report.period_end)
        & visible_plans(actor)
    )
    if report.owner_ids:
        query = query.where(SalesPlan.user.is_in(list(report.owner_ids)))
    elif report.team_id is not None:
        query = query.where(SalesPlan.team == report.team_id)
    else:
        query = query.where(SalesPlan.team.is_not_null())
    rows = await query
    return sum((amount(row["target_value"]) for row in rows), Decimal(0)) if rows else None


# The Kanban board: every stage's open opportunities counted and summed, and the first page of
# each column, in two statements whatever the number of stages.
MAX_COLUMN_PAGE = 50


async def board(info: Any, process_id: int, conditions: list[Any], first: int) -> list[Any]:
    if not 1 <= first <= MAX_COLUMN_PAGE:
        raise DomainError("OUT_OF_RANGE", _("Between {low} and {high}."), ["first"], low=1, high=MAX_COLUMN_PAGE)
    if not await SalesProcess.exists().where(SalesProcess.id == process_id):
        raise DomainError("NOT_FOUND", _("No such record, or it is outside your area."), ["process"])
    condition = readable(info.context.actor) & (Opportunity.process == process_id) & (Opportunity.status == "open")
    for extra in conditions:
        condition &= extra
    ranked = await Opportunity.raw(
        "SELECT id, stage, place, stage_count, stage_value FROM ("
        " SELECT id, stage,"
        "  ROW_NUMBER() OVER (PARTITION BY stage ORDER BY created_at DESC, id DESC) AS place,"
        "  COUNT(*) OVER (PARTITION BY stage) AS stage_count,"
        "  SUM(value_base) OVER (PARTITION BY stage) AS stage_value"
        " FROM sales_opportunity WHERE {}"
        ") ranked WHERE place <= {}",
        condition.querystring,
        first,
    )
    rows = {
        row["id"]: row
        for row in await Opportunity.select()
        .where(Opportunity.id.is_in([r["id"] for r in ranked] or [-1]))
        .output(load_json=True)
    }
    stages = await info.context.loaders["sales.stages_by_process"].load(process_id)
    columns = []
    for stage in stages:
        mine = sorted((r for r in ranked if r["stage"] == stage.id), key=lambda r: r["place"])
        count = int(mine[0]["stage_count"]) if mine else 0
        value = amount(mine[0]["stage_value"] if mine else 0)
        columns.append(
            BoardColumn(
                stage=stage,
                count=count,
                total_value=value,
                weighted_value=(value * stage.probability / 100).quantize(Decimal("0.01")),
                opportunities=make_connection(
                    [rows[r["id"]] for r in mine],
                    has_next=count > len(mine),
                    has_previous=False,
                    key=lambda row: [row["created_at"], row["id"]],
                    to_node=OpportunityNode.from_row,
                    encode=encode_key,
                ),
            )
        )
    return columns


@strawberry.type
class SalesQuery:
    @field(permission=OPPORTUNITY_READ, description="Sales processes, active first, then by name.")
    async def sales_processes(self, info: strawberry.Info, include_archived: bool = False) -> list[SalesProcessNode]:
        query = SalesProcess.select().order_by(SalesProcess.name)
        if not include_archived:
            query = query.where(SalesProcess.archived_at.is_null())
        rows = await query
        return sorted((SalesProcessNode.from_row(row) for row in rows), key=lambda p: p.archived)

    @field(permission=OPPORTUNITY_READ, description="An opportunity you may see, or null.")
    async def opportunity(self, info: strawberry.Info, id: relay.GlobalID) -> OpportunityNode | None:
        opportunity_id = id_of(id, "Opportunity")
        return None if opportunity_id is None else await info.context.loaders["sales.opportunity"].load(opportunity_id)

    @field(permission=OPPORTUNITY_READ, description="Opportunities you may see, newest first unless ordered otherwise.")
    async def opportunities(
        self,
        info: strawberry.Info,
        filter: OpportunityFilter | None = None,
        order_by: OpportunityOrder | None = None,
        first: int | None = None,
        after: str | None = None,
    ) -> relay.Connection[OpportunityNode]:
        order = order_by or OpportunityOrder()
        try:
            conditions = opportunity_conditions(filter, sqlite=info.context.plugin(info).settings.is_sqlite)
        except DomainError as error:
            raise _client_error(error) from None
        query = Opportunity.select().where(readable(info.context.actor)).output(load_json=True)
        for condition in conditions:
            query = query.where(condition)
        column = getattr(Opportunity, order.by.value)
        return await paginate_by_key(
            query,
            [column, Opportunity.id],
            first=first,
            after=after,
            maximum=info.context.plugin(info).settings.max_page_size,
            to_node=OpportunityNode.from_row,
            descending=order.descending,
        )

    @field(
        permission=OPPORTUNITY_READ,
        description="Open opportunities of a process grouped by stage, for a Kanban board: each column with its "
        "count, values and first page.",
    )
    async def opportunity_board(
        self,
        info: strawberry.Info,
        process: relay.GlobalID,
        filter: OpportunityFilter | None = None,
        first: int = 10,
    ) -> list[BoardColumn]:
        try:
            process_id = decode_id(process, "SalesProcess", ["process"])
            conditions = opportunity_conditions(filter, sqlite=info.context.plugin(info).settings.is_sqlite)
            return await board(info, process_id, conditions, first)
        except DomainError as error:
            raise _client_error(error) from None

    @field(permission=REPORT_READ, description="Pipeline by stage, conversion between stages, win rate and cycle.")
    async def funnel(self, info: strawberry.Info, filter: SalesReportFilter) -> Funnel:
        ctx = info.context
        try:
            result = await reports.funnel(ctx.plugin(info), ctx.actor, _report(filter))
        except DomainError as error:
            raise _client_error(error) from None
        stages = await ctx.loaders["sales.stage"].load_many([s.stage_id for s in result.stages])
        return Funnel(
            stages=[
                FunnelStageType(
                    stage=node,
                    open_count=s.open_count,
                    open_value=s.open_value,
                    weighted_value=s.weighted_value,
                    reached=s.reached,
                    conversion_to_next=s.conversion_to_next,
                )
                for s, node in zip(result.stages, stages, strict=True)
            ],
            opened=result.opened,
            opened_value=result.opened_value,
            won=result.won,
            won_value=result.won_value,
            lost=result.lost,
            win_rate=result.win_rate,
            average_cycle_days=result.average_cycle_days,
            average_won_value=result.average_won_value,
            won_of_opened=result.won_of_opened,
            overall_conversion=result.overall_conversion,
        )

    @field(permission=REPORT_READ, description="New, won and lost opportunities per day, week, month or quarter.")
    async def pipeline_flow(
        self, info: strawberry.Info, filter: SalesReportFilter, interval: FlowInterval = FlowInterval.MONTH
    ) -> list[PipelineFlowBucket]:
        ctx = info.context
        try:
            buckets = await reports.pipeline_flow(ctx.plugin(info), ctx.actor, _report(filter), interval.value)
        except DomainError as error:
            raise _client_error(error) from None
        return [PipelineFlowBucket(**vars(b)) for b in buckets]

    @field(
        permission=REPORT_READ,
        description="Plan vs forecast vs actual for the period: won so far plus what open deals are expected to "
        "bring, from historical conversion rates, cycle lengths and average values.",
    )
    async def forecast(self, info: strawberry.Info, filter: SalesReportFilter, history_days: int = 730) -> Forecast:
        ctx = info.context
        try:
            result = await reports.forecast(ctx.plugin(info), ctx.actor, _report(filter), history_days=history_days)
        except DomainError as error:
            raise _client_error(error) from None
        return await _forecast_type(info, result)

    @field(permission=REPORT_READ, description="Sales plans overlapping the period, with actual and forecast figures.")
    async def sales_plans(self, info: strawberry.Info, period_start: date, period_end: date) -> list[SalesPlanType]:
        ctx = info.context
        rows = await SalesPlan.select().where(
            (SalesPlan.period_start <= period_end) & (SalesPlan.period_end >= period_start) & visible_plans(ctx.actor)
        )
        plans = []
        forecasts: dict[tuple[date, date], reports.Forecast] = {}
        for row in sorted(rows, key=lambda r: (r["period_start"], r["id"])):
            key = (row["period_start"], row["period_end"])
            if key not in forecasts:  # one forecast per distinct period, split by owner
                forecasts[key] = await reports.forecast(
                    ctx.plugin(info), ctx.actor, reports.ReportFilter(period_start=key[0], period_end=key[1])
                )
            owners = [
                o
                for o in forecasts[key].owners
                if (row["user"] is not None and o.owner_id == row["user"])
                or (row["team"] is not None and o.team_id == row["team"])
            ]
            actual = sum((o.actual_value for o in owners), Decimal(0))
            expected = sum((o.expected_value for o in owners), Decimal(0))
            plans.append(
                SalesPlanType(
                    id=global_id("SalesPlanType", row["id"]),
                    period_start=row["period_start"],
                    period_end=row["period_end"],
                    target_value=amount(row["target_value"]),
                    target_deals=row["target_deals"],
                    actual_value=actual,
                    actual_deals=sum(o.actual_deals for o in owners),
                    forecast_value=(actual + expected).quantize(Decimal("0.01")),
                    user_id=row["user"],
                    team_id=row["team"],
                )
            )
        return plans

    @field(permission=REPORT_READ, description="Per rep: opened, new clients, stage advances, won, lost, activity.")
    async def rep_scorecard(self, info: strawberry.Info, filter: SalesReportFilter) -> list[RepScore]:
        ctx = info.context
        try:
            scores = await reports.rep_scorecard(ctx.plugin(info), ctx.actor, _report(filter))
        except DomainError as error:
            raise _client_error(error) from None
        return [
            RepScore(
                user_id=s.user_id,
                opened=s.opened,
                new_clients=s.new_clients,
                stage_advances=s.stage_advances,
                won=s.won,
                won_value=s.won_value,
                lost=s.lost,
                win_rate=s.win_rate,
                activities=s.activities,
            )
            for s in scores
        ]


async def _forecast_type(info: strawberry.Info, result: reports.Forecast) -> Forecast:
    ctx = info.context
    stages = await ctx.loaders["sales.stage"].load_many([s.stage_id for s in result.stages])
    plans = {
        row["user"]: amount(row["target_value"])
        for row in await SalesPlan.select(SalesPlan.user, SalesPlan.target_value).where(
            (SalesPlan.period_start == result.report.period_start)
            & (SalesPlan.period_end == result.report.period_end)
            & SalesPlan.user.is_not_null()
            & visible_plans(info.context.actor)
        )
    }
    plan_value = await _plan_value(result, ctx.actor)
    return Forecast(
        period_start=result.report.period_start,
        period_end=result.report.period_end,
        currency=_currency(info),
        plan_value=plan_value,
        actual_value=result.actual_value,
        actual_deals=result.actual_deals,
        expected_value=result.expected_value,
        expected_deals=result.expected_deals,
        forecast_value=(result.actual_value + result.expected_value).quantize(Decimal("0.01")),
        stages=[
            ForecastStage(
                stage=node,
                closed_sample=s.closed_sample,
                win_rate=s.win_rate,
                historical=s.historical,
                days_to_win=s.days_to_win,
                open_count=s.open_count,
                expected_deals=s.expected_count,
                expected_value=s.expected_value,
            )
            for s, node in zip(result.stages, stages, strict=True)
            if node is not None
        ],
        owners=[
            OwnerForecast(
                owner_id=o.owner_id,
                actual_value=o.actual_value,
                actual_deals=o.actual_deals,
                expected_value=o.expected_value,
                expected_deals=o.expected_deals,
                plan_value=plans.get(o.owner_id),
            )
            for o in result.owners
        ],
    )


def _currency(info: strawberry.Info) -> str:
    return info.context.plugin(info).config.currency
