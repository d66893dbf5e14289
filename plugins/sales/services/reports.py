"""Funnel, pipeline flow, forecast and rep scorecards, each computed by the database.

Every report reads only the opportunities the actor may see (the role's record scope, compiled
by the core into SQL) narrowed by the report's filter; the figures are sums in the reporting
currency (``value_base``). Statements are written once with the few dialect differences
(date arithmetic, week and month buckets) filled in for PostgreSQL or SQLite.

Definitions (docs/sales.md explains them for users):
- An opportunity *reached* a stage when it entered it or any later stage; a won deal reached
  every stage. Conversion from stage A to the next stage B = reached(B) / reached(A), over the
  opportunities opened in the period.
- Win rate = won / (won + lost) among those closed in the period; cycle = days from opening to
  winning, averaged over the deals won in the period.
- Forecast: each open opportunity is won with its stage's historical win rate (closed deals of
  the process that reached the stage; the stage's default probability while fewer than
  ``MIN_SAMPLE`` such deals exist), closes on its expected close date or, without one, after
  the stage's historical time to a win, and is worth its value or, without one, the process's
  average won deal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from piccolo.querystring import QueryString

from core.api import Actor, DomainError, PluginRuntime, User, _, require_permission
from plugins.sales.permissions import REPORT_READ
from plugins.sales.services.opportunities import readable
from plugins.sales.services.values import amount
from plugins.sales.tables import Opportunity, SalesProcess

MIN_SAMPLE = 5  # closed deals a stage needs before its own history replaces the default probability
MAX_BUCKETS = 400
INTERVALS = ("DAY", "WEEK", "MONTH", "QUARTER")


@dataclass(frozen=True)
class ReportFilter:
    period_start: date
    period_end: date  # inclusive
    process_id: int | None = None
    owner_ids: Sequence[int] = ()
    team_id: int | None = None

    def check(self) -> None:
        if self.period_end < self.period_start:
            raise DomainError("END_BEFORE_START", _("The period ends before it starts."), ["filter", "periodEnd"])
        if (self.period_end - self.period_start).days > 3660:
            raise DomainError("PERIOD_TOO_LONG", _("A report covers at most ten years."), ["filter", "periodEnd"])

    @property
    def start(self) -> datetime:
        return datetime.combine(self.period_start, time(), tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """Exclusive: midnight after the last day."""
        return datetime.combine(self.period_end + timedelta(days=1), time(), tzinfo=UTC)


def scope(actor: Actor, report: ReportFilter, *, owners: bool = True) -> QueryString:
    """A where-clause over ``sales_opportunity`` (the table, unaliased): the opportunities the
    actor may see, narrowed by the filter. It names only the table's own columns (members of a
    team come from a sub-select), so the statements below read the table once."""
    condition = readable(actor)
    if report.process_id is not None:
        condition &= Opportunity.process == report.process_id
    if owners and report.owner_ids:
        condition &= Opportunity.owner.is_in(list(report.owner_ids))
    if owners and report.team_id is not None:
        condition &= Opportunity.owner.is_in(User.select(User.id).where(User.team == report.team_id))
    return condition.querystring


def _sqlite(runtime: PluginRuntime) -> bool:
    return not runtime.settings.is_postgres


def days_between(runtime: PluginRuntime, later: str, earlier: str) -> str:
    if _sqlite(runtime):
        return f"(julianday({later}) - julianday({earlier}))"
    return f"(EXTRACT(EPOCH FROM ({later}) - ({earlier})) / 86400.0)"


def bucket(runtime: PluginRuntime, column: str, interval: str) -> str:
    """The first day of the bucket ``column`` falls in, as YYYY-MM-DD text."""
    if _sqlite(runtime):
        return {
            "DAY": f"date({column})",
            "WEEK": f"date({column}, 'weekday 0', '-6 days')",
            "MONTH": f"strftime('%Y-%m-01', {column})",
            "QUARTER": f"(strftime('%Y', {column}) || '-' || printf('%02d', "
            f"((CAST(strftime('%m', {column}) AS INTEGER) - 1) / 3) * 3 + 1) || '-01')",
        }[interval]
    unit = interval.lower()
    return f"to_char(date_trunc('{unit}', {column} AT TIME ZONE 'UTC'), 'YYYY-MM-DD')"


async def _rows(sql: str, *args: Any) -> list[dict[str, Any]]:
    """Run a report statement. ``@created_at`` and ``@closed_at`` mark period conditions: SQLite
    is told not to use their indexes (``+column``), because for a report period its planner
    prefers a range scan with a row lookup each to reading the table, three times slower."""
    sqlite = Opportunity._meta.db.engine_type == "sqlite"
    for column in ("created_at", "closed_at"):
        sql = sql.replace(f"@{column}", f"+{column}" if sqlite else column)
    return await Opportunity.raw(sql, *args)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# --- funnel -----------------------------------------------------------------------------------------
@dataclass
class FunnelStage:
    stage_id: int
    name: str
    position: int
    probability: int
    open_count: int = 0
    open_value: Decimal = Decimal(0)
    weighted_value: Decimal = Decimal(0)
    reached: int = 0
    conversion_to_next: float | None = None  # to the next stage; from the last one, to won


@dataclass
class Funnel:
    stages: list[FunnelStage]
    opened: int
    opened_value: Decimal
    won: int
    won_value: Decimal
    lost: int
    win_rate: float | None
    average_cycle_days: float | None
    average_won_value: Decimal | None
    won_of_opened: int  # of the opportunities opened in the period, how many are won by now
    overall_conversion: float | None  # won_of_opened / opened


async def funnel(runtime: PluginRuntime, actor: Actor, report: ReportFilter) -> Funnel:
    require_permission(actor, REPORT_READ)
    report.check()
    if report.process_id is None:
        raise DomainError("BLANK", _("This field must not be blank."), ["filter", "process"])
    if not await SalesProcess.exists().where(SalesProcess.id == report.process_id):
        raise DomainError("NOT_FOUND", _("No such record, or it is outside your area."), ["filter", "process"])
    ids = scope(actor, report)
    stages = await _rows(
        "SELECT s.id, s.name, s.position, s.probability,"
        " COUNT(sales_opportunity.id) AS open_count, COALESCE(SUM(sales_opportunity.value_base), 0) AS open_value,"
        " COALESCE(SUM(sales_opportunity.value_base * s.probability), 0) / 100.0 AS weighted_value"
        " FROM sales_stage s LEFT JOIN sales_opportunity"
        "  ON sales_opportunity.stage = s.id AND sales_opportunity.status = 'open' AND {}"
        " WHERE s.process = {} GROUP BY s.id, s.name, s.position, s.probability ORDER BY s.position",
        ids,
        report.process_id,
    )
    # How far the opportunities opened in the period got: a count per furthest position (a won
    # deal counts as past the last stage); reached(stage) sums the counts at or beyond it.
    furthest = await _rows(
        "SELECT CASE WHEN status = 'won' THEN 1000000 ELSE furthest_position END AS furthest, COUNT(*) AS count"
        " FROM sales_opportunity WHERE {} AND @created_at >= {} AND @created_at < {} GROUP BY 1",
        ids,
        report.start,
        report.end,
    )
    reached = {row["id"]: sum(int(f["count"]) for f in furthest if f["furthest"] >= row["position"]) for row in stages}
    opened = "created_at >= {} AND created_at < {}"
    closed = "closed_at >= {} AND closed_at < {}"
    cycle = days_between(runtime, "closed_at", "created_at")
    columns = (
        (f"SUM(CASE WHEN {opened} THEN 1 ELSE 0 END)", "opened"),
        (f"SUM(CASE WHEN {opened} THEN value_base ELSE 0 END)", "opened_value"),
        (f"SUM(CASE WHEN {opened} AND status = 'won' THEN 1 ELSE 0 END)", "won_of_opened"),
        (f"SUM(CASE WHEN {closed} AND status = 'won' THEN 1 ELSE 0 END)", "won"),
        (f"SUM(CASE WHEN {closed} AND status = 'won' THEN value_base ELSE 0 END)", "won_value"),
        (f"SUM(CASE WHEN {closed} AND status = 'lost' THEN 1 ELSE 0 END)", "lost"),
        (f"AVG(CASE WHEN {closed} AND status = 'won' THEN {cycle} END)", "cycle"),
    )
    [totals] = await _rows(
        "SELECT " + ", ".join(f"{expression} AS {name}" for expression, name in columns) + " FROM sales_opportunity"
        " WHERE {} AND (@created_at >= {} OR @closed_at >= {}) AND @created_at < {}",
        *([report.start, report.end] * len(columns)),
        ids,
        report.start,
        report.start,
        report.end,
    )
    result = [
        FunnelStage(
            stage_id=row["id"],
            name=row["name"],
            position=row["position"],
            probability=row["probability"],
            open_count=row["open_count"],
            open_value=amount(row["open_value"]),
            weighted_value=amount(row["weighted_value"]),
            reached=reached.get(row["id"], 0),
        )
        for row in stages
    ]
    won_of_opened = int(totals["won_of_opened"] or 0)
    for current, following in zip(result, [*result[1:], None], strict=True):
        current.conversion_to_next = _ratio(following.reached if following else won_of_opened, current.reached)
    won, lost = int(totals["won"] or 0), int(totals["lost"] or 0)
    won_value = amount(totals["won_value"])
    opened = int(totals["opened"] or 0)
    return Funnel(
        stages=result,
        opened=opened,
        opened_value=amount(totals["opened_value"]),
        won=won,
        won_value=won_value,
        lost=lost,
        win_rate=_ratio(won, won + lost),
        average_cycle_days=round(float(totals["cycle"]), 2) if totals["cycle"] is not None else None,
        average_won_value=(won_value / won).quantize(Decimal("0.01")) if won else None,
        won_of_opened=won_of_opened,
        overall_conversion=_ratio(won_of_opened, opened),
    )


# --- pipeline flow ----------------------------------------------------------------------------------
@dataclass
class FlowBucket:
    starts: date
    opened: int = 0
    opened_value: Decimal = Decimal(0)
    won: int = 0
    won_value: Decimal = Decimal(0)
    lost: int = 0


def _bucket_starts(start: date, end: date, interval: str) -> list[date]:
    def first(day: date) -> date:
        if interval == "WEEK":
            return day - timedelta(days=day.weekday())
        if interval == "MONTH":
            return day.replace(day=1)
        if interval == "QUARTER":
            return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
        return day

    def following(day: date) -> date:
        if interval == "DAY":
            return day + timedelta(days=1)
        if interval == "WEEK":
            return day + timedelta(days=7)
        months = 1 if interval == "MONTH" else 3
        month = day.month - 1 + months
        return date(day.year + month // 12, month % 12 + 1, 1)

    starts, day = [], first(start)
    while day <= end:
        starts.append(day)
        day = following(day)
    return starts


async def pipeline_flow(runtime: PluginRuntime, actor: Actor, report: ReportFilter, interval: str) -> list[FlowBucket]:
    """New, won and lost opportunities per day, week, month or quarter of the period."""
    require_permission(actor, REPORT_READ)
    report.check()
    if interval not in INTERVALS:
        raise DomainError("INVALID_CHOICE", _("Allowed values: {allowed}."), ["interval"], allowed=", ".join(INTERVALS))
    starts = _bucket_starts(report.period_start, report.period_end, interval)
    if len(starts) > MAX_BUCKETS:
        raise DomainError(
            "TOO_MANY_BUCKETS", _("At most {limit} buckets; choose a longer interval."), ["interval"], limit=MAX_BUCKETS
        )
    ids = scope(actor, report)
    rows = await _rows(
        "SELECT bucket, SUM(opened) AS opened, SUM(opened_value) AS opened_value, SUM(won) AS won,"
        " SUM(won_value) AS won_value, SUM(lost) AS lost FROM ("
        f" SELECT {bucket(runtime, 'created_at', interval)} AS bucket, 1 AS opened, value_base AS opened_value,"
        "  0 AS won, 0 AS won_value, 0 AS lost"
        "  FROM sales_opportunity WHERE {} AND @created_at >= {} AND @created_at < {}"
        " UNION ALL"
        f" SELECT {bucket(runtime, 'closed_at', interval)}, 0, 0,"
        "  CASE WHEN status = 'won' THEN 1 ELSE 0 END, CASE WHEN status = 'won' THEN value_base ELSE 0 END,"
        "  CASE WHEN status = 'lost' THEN 1 ELSE 0 END"
        "  FROM sales_opportunity WHERE {} AND @closed_at >= {} AND @closed_at < {}"
        ") flow GROUP BY bucket",
        ids,
        report.start,
        report.end,
        ids,
        report.start,
        report.end,
    )
    found = {date.fromisoformat(str(row["bucket"])[:10]): row for row in rows}
    buckets = []
    for starts_on in starts:
        row = found.get(starts_on, {})
        buckets.append(
            FlowBucket(
                starts=starts_on,
                opened=int(row.get("opened") or 0),
                opened_value=amount(row.get("opened_value")),
                won=int(row.get("won") or 0),
                won_value=amount(row.get("won_value")),
                lost=int(row.get("lost") or 0),
            )
        )
    return buckets


# --- forecast ---------------------------------------------------------------------------------------
@dataclass
class StageBasis:
    """What the forecast assumed for one stage."""

    stage_id: int
    closed_sample: int  # closed deals of the process that reached the stage
    win_rate: float  # used: historical, or the default probability when the sample is small
    historical: bool
    days_to_win: float | None  # average days from entering the stage to winning
    open_count: int = 0
    expected_count: float = 0.0  # open deals expected to be won within the period
    expected_value: Decimal = Decimal(0)


@dataclass
class OwnerForecast:
    owner_id: int | None
    team_id: int | None
    actual_value: Decimal = Decimal(0)
    actual_deals: int = 0
    expected_value: Decimal = Decimal(0)
    expected_deals: float = 0.0


@dataclass
class Forecast:
    report: ReportFilter
    stages: list[StageBasis] = field(default_factory=list)
    owners: list[OwnerForecast] = field(default_factory=list)

    @property
    def actual_value(self) -> Decimal:
        return sum((o.actual_value for o in self.owners), Decimal(0))

    @property
    def actual_deals(self) -> int:
        return sum(o.actual_deals for o in self.owners)

    @property
    def expected_value(self) -> Decimal:
        return sum((o.expected_value for o in self.owners), Decimal(0)).quantize(Decimal("0.01"))

    @property
    def expected_deals(self) -> float:
        return round(sum(o.expected_deals for o in self.owners), 2)


def _forecast_sql(runtime: PluginRuntime, one_process: bool) -> str:
    """Placeholders: (history scope, start, end) twice, the sample threshold, [the process],
    today, the report's scope, the window's first and last day (twice)."""
    to_win = days_between(runtime, "w.closed_at", "e.entered_at")
    if _sqlite(runtime):
        predicted = (
            "MAX(COALESCE(expected_close_date,"
            " date(julianday(stage_entered_at) + COALESCE(st.days_to_win, st.expected_days, 30))), {})"
        )
    else:
        predicted = (
            "GREATEST(COALESCE(expected_close_date, (stage_entered_at"
            " + make_interval(secs => COALESCE(st.days_to_win, st.expected_days, 30) * 86400))::date), {})"
        )
    closed_in_window = "{} AND status IN ('won', 'lost') AND @closed_at >= {} AND @closed_at < {}"
    return (
        # Closed deals of the history window, counted by how far they got (a won one: past all).
        "WITH groups AS ("
        "  SELECT process, status, CASE WHEN status = 'won' THEN 1000000 ELSE furthest_position END AS furthest,"
        "   COUNT(*) AS deals, SUM(value_base) AS value"
        f"  FROM sales_opportunity WHERE {closed_in_window} GROUP BY process, status, 3"
        "), history AS ("
        "  SELECT s.id AS stage,"
        "   SUM(CASE WHEN g.status = 'won' THEN g.deals ELSE 0 END) AS won,"
        "   SUM(CASE WHEN g.status = 'lost' THEN g.deals ELSE 0 END) AS lost"
        "  FROM sales_stage s JOIN groups g ON g.process = s.process AND g.furthest >= s.position GROUP BY s.id"
        "), average AS ("
        "  SELECT process, SUM(value) * 1.0 / SUM(deals) AS value FROM groups WHERE status = 'won' GROUP BY process"
        "), timing AS ("
        f"  SELECT e.stage, AVG({to_win}) AS days_to_win"
        "  FROM sales_stage_entry e JOIN sales_opportunity w ON w.id = e.opportunity"
        "  WHERE w.id IN (SELECT id FROM sales_opportunity"
        f"   WHERE {closed_in_window} AND status = 'won')"
        "  GROUP BY e.stage"
        "), st AS ("
        "  SELECT s.id, s.process, s.probability, s.expected_days,"
        "   COALESCE(h.won, 0) AS won, COALESCE(h.lost, 0) AS lost, t.days_to_win,"
        "   CASE WHEN COALESCE(h.won, 0) + COALESCE(h.lost, 0) >= {}"
        "    THEN h.won * 1.0 / (h.won + h.lost) ELSE s.probability / 100.0 END AS win_rate"
        "  FROM sales_stage s LEFT JOIN history h ON h.stage = s.id LEFT JOIN timing t ON t.stage = s.id"
        + ("  WHERE s.process = {}" if one_process else "")
        + "), pending AS ("
        "  SELECT owner, stage, st.win_rate,"
        "   CASE WHEN value_base > 0 THEN value_base ELSE COALESCE(a.value, 0) END AS value,"
        f"   {predicted} AS closes"
        "  FROM sales_opportunity JOIN st ON st.id = sales_opportunity.stage"
        "  LEFT JOIN average a ON a.process = sales_opportunity.process"
        "  WHERE {} AND status = 'open'"
        ")"
        " SELECT 'stage' AS kind, st.id AS stage, NULL AS owner, st.won + st.lost AS sample,"
        "  st.win_rate, st.days_to_win, 0 AS open_count, 0 AS expected_count, 0 AS expected_value"
        " FROM st"
        " UNION ALL"
        " SELECT 'open', stage, owner, 0, 0, NULL, COUNT(*),"
        "  SUM(CASE WHEN closes >= {} AND closes <= {} THEN win_rate ELSE 0 END),"
        "  SUM(CASE WHEN closes >= {} AND closes <= {} THEN win_rate * value ELSE 0 END)"
        " FROM pending GROUP BY stage, owner"
    )


async def forecast(
    runtime: PluginRuntime, actor: Actor, report: ReportFilter, *, history_days: int = 730, today: date | None = None
) -> Forecast:
    """Plan-free figures for the period: won so far (actual) and expected from open deals."""
    require_permission(actor, REPORT_READ)
    report.check()
    if not 30 <= history_days <= 3650:
        raise DomainError("OUT_OF_RANGE", _("Between {low} and {high}."), ["historyDays"], low=30, high=3650)
    today = today or datetime.now(UTC).date()
    history_end = datetime.now(UTC)
    history_start = history_end - timedelta(days=history_days)
    everyone = scope(actor, report, owners=False)  # history: the whole process as far as the actor sees
    ids = scope(actor, report)
    window_start = max(report.period_start, today)
    one_process = report.process_id is not None
    rows = await _rows(
        _forecast_sql(runtime, one_process),
        *([everyone, history_start, history_end] * 2),
        MIN_SAMPLE,
        *([report.process_id] if one_process else []),
        today,
        ids,
        window_start,
        report.period_end,
        window_start,
        report.period_end,
    )
    result = Forecast(report=report)
    bases: dict[int, StageBasis] = {}
    owners: dict[int | None, OwnerForecast] = {}
    for row in rows:
        if row["kind"] == "stage":
            sample = int(row["sample"] or 0)
            bases[row["stage"]] = StageBasis(
                stage_id=row["stage"],
                closed_sample=sample,
                win_rate=round(float(row["win_rate"]), 4),
                historical=sample >= MIN_SAMPLE,
                days_to_win=round(float(row["days_to_win"]), 2) if row["days_to_win"] is not None else None,
            )
    for row in rows:
        if row["kind"] != "open":
            continue
        basis = bases.get(row["stage"])
        if basis is not None:
            basis.open_count += int(row["open_count"])
            basis.expected_count += float(row["expected_count"] or 0)
            basis.expected_value += Decimal(str(row["expected_value"] or 0))
        owner = owners.setdefault(row["owner"], OwnerForecast(owner_id=row["owner"], team_id=None))
        owner.expected_value += Decimal(str(row["expected_value"] or 0))
        owner.expected_deals += float(row["expected_count"] or 0)
    for row in await _rows(
        "SELECT owner, COUNT(*) AS deals, SUM(value_base) AS value FROM sales_opportunity"
        " WHERE {} AND status = 'won' AND @closed_at >= {} AND @closed_at < {} GROUP BY owner",
        ids,
        report.start,
        report.end,
    ):
        owner = owners.setdefault(row["owner"], OwnerForecast(owner_id=row["owner"], team_id=None))
        owner.actual_deals = int(row["deals"])
        owner.actual_value = amount(row["value"])
    teams = (
        {
            row["id"]: row["team"]
            for row in await User.select(User.id, User.team).where(User.id.is_in([k for k in owners if k is not None]))
        }
        if any(k is not None for k in owners)
        else {}
    )
    for owner in owners.values():
        owner.team_id = teams.get(owner.owner_id)
        owner.expected_value = owner.expected_value.quantize(Decimal("0.01"))
        owner.expected_deals = round(owner.expected_deals, 2)
    for basis in bases.values():
        basis.expected_value = basis.expected_value.quantize(Decimal("0.01"))
        basis.expected_count = round(basis.expected_count, 2)
    result.stages = sorted(bases.values(), key=lambda b: b.stage_id)
    result.owners = sorted(owners.values(), key=lambda o: (o.owner_id is None, o.owner_id or 0))
    return result


# --- rep scorecard ----------------------------------------------------------------------------------
@dataclass
class RepScore:
    user_id: int
    opened: int = 0
    new_clients: int = 0
    stage_advances: int = 0
    won: int = 0
    won_value: Decimal = Decimal(0)
    lost: int = 0
    activities: int = 0

    @property
    def win_rate(self) -> float | None:
        return _ratio(self.won, self.won + self.lost)


async def rep_scorecard(runtime: PluginRuntime, actor: Actor, report: ReportFilter) -> list[RepScore]:
    """Per rep in the period: opportunities opened, new clients won, stage advances (a stage after
    the first entered for the first time: going back and forth again is no progress), deals won
    and lost, and contacts logged."""
    require_permission(actor, REPORT_READ)
    report.check()
    ids = scope(actor, report)
    scores: dict[int, RepScore] = {}

    def score(user: int) -> RepScore:
        return scores.setdefault(user, RepScore(user_id=user))

    for row in await _rows(
        "SELECT owner,"
        " SUM(CASE WHEN created_at >= {} AND created_at < {} THEN 1 ELSE 0 END) AS opened,"
        " SUM(CASE WHEN status = 'won' AND closed_at >= {} AND closed_at < {} THEN 1 ELSE 0 END) AS won,"
        " SUM(CASE WHEN status = 'won' AND closed_at >= {} AND closed_at < {} THEN value_base ELSE 0 END)"
        "  AS won_value,"
        " SUM(CASE WHEN status = 'lost' AND closed_at >= {} AND closed_at < {} THEN 1 ELSE 0 END) AS lost"
        " FROM sales_opportunity WHERE {} AND owner IS NOT NULL"
        " AND (@created_at >= {} OR @closed_at >= {}) AND @created_at < {} GROUP BY owner",
        *([report.start, report.end] * 4),
        ids,
        report.start,
        report.start,
        report.end,
    ):
        entry = score(row["owner"])
        entry.opened, entry.won, entry.lost = int(row["opened"] or 0), int(row["won"] or 0), int(row["lost"] or 0)
        entry.won_value = amount(row["won_value"])
    for row in await _rows(
        "SELECT owner, COUNT(DISTINCT company) AS clients FROM sales_opportunity"
        " WHERE {} AND owner IS NOT NULL AND status = 'won' AND @closed_at >= {} AND @closed_at < {}"
        " AND company IN (SELECT company FROM sales_opportunity WHERE status = 'won' AND company IS NOT NULL"
        "  GROUP BY company HAVING MIN(closed_at) >= {})"  # the company's first deal ever won
        " GROUP BY owner",
        ids,
        report.start,
        report.end,
        report.start,
    ):
        score(row["owner"]).new_clients = int(row["clients"])
    for row in await _rows(
        "SELECT sales_opportunity.owner, COUNT(*) AS advances FROM sales_stage_entry e"
        " JOIN sales_opportunity ON sales_opportunity.id = e.opportunity"
        " JOIN sales_stage s ON s.id = e.stage"
        " WHERE {} AND sales_opportunity.owner IS NOT NULL AND e.entered_at >= {} AND e.entered_at < {}"
        " AND s.position > 1 GROUP BY sales_opportunity.owner",
        ids,
        report.start,
        report.end,
    ):
        score(row["owner"]).stage_advances = int(row["advances"])
    users = await _report_users(actor, report, set(scores))
    if users:
        placeholders = ", ".join("{}" for _user in users)
        for row in await _rows(
            "SELECT author, COUNT(*) AS activities FROM core_timeline_entry"
            f" WHERE author IN ({placeholders}) AND occurred_at >= {{}} AND occurred_at < {{}}"
            " AND kind IN ('core.call', 'core.email', 'core.meeting', 'core.note', 'core.fax') GROUP BY author",
            *users,
            report.start,
            report.end,
        ):
            score(row["author"]).activities = int(row["activities"])
    return [score(user) for user in sorted(users)]


async def _report_users(actor: Actor, report: ReportFilter, with_figures: set[int]) -> list[int]:
    """Whom the scorecard lists: the reps asked for (or all with figures, active or not), within
    the actor's reach: everyone with "all", the team with "team", else only the actor."""
    query = User.select(User.id)
    if report.owner_ids:
        query = query.where(User.id.is_in(list(report.owner_ids)))
    if report.team_id is not None:
        query = query.where(User.team == report.team_id)
    reach = actor.scope_for(REPORT_READ)
    me = actor.user_id or -1
    if reach == "team" and actor.team_id is not None:
        query = query.where((User.team == actor.team_id) | (User.id == me))
    elif reach != "all":
        query = query.where(User.id == me)
    ids = [row["id"] for row in await query]
    if not report.owner_ids and report.team_id is None:
        ids = [user for user in ids if user in with_figures]
    return ids
