"""A realistic quarter: 200 opportunities moved through the stages on known days, and every report
checked against figures worked out by hand from the plan below.

Opportunity i (0…199) is opened on day ``i % 60`` of the quarter, for company ``i % 20``, owned by
rep1 when i is even and rep2 when odd, worth ``1000 * (i % 7 + 1)`` PLN. What happens to it depends
on ``i % 10`` (one move every 3 days, the close 2 days after the last move):

    0, 1, 2  lost in Analiza potrzeb          5, 6  won from Oferta (3 moves)
    3        lost in Propozycja (1 move)      7     won from Negocjacje (4 moves)
    4        lost in Prezentacja (2 moves)    8     still open in Propozycja (1 move)
                                              9     still open in Oferta (3 moves)
"""

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from tests.conftest import as_user
from tests.plugins.sales.helpers import (
    LOSE,
    MOVE,
    WIN,
    create_company,
    create_opportunity,
    create_process,
    gid,
    sales_team,
)

MOVES = {0: 0, 1: 0, 2: 0, 3: 1, 4: 2, 5: 3, 6: 3, 7: 4, 8: 1, 9: 3}
OUTCOME = {0: "lost", 1: "lost", 2: "lost", 3: "lost", 4: "lost", 5: "won", 6: "won", 7: "won", 8: None, 9: None}
STAGE_NAMES = ["Analiza potrzeb", "Propozycja", "Prezentacja", "Oferta", "Negocjacje"]
TODAY = datetime.now(UTC).date()
START = TODAY - timedelta(days=120)  # the quarter: 90 days, all in the past
END = START + timedelta(days=89)
FORECAST_END = TODAY + timedelta(days=60)

UPDATE_CLOSE = """mutation($id: ID!, $day: Date!) { opportunityUpdate(id: $id, input: {expectedCloseDate: $day}) {
    userErrors { field code } } }"""
FUNNEL = """query($filter: SalesReportFilter!) { funnel(filter: $filter) {
    stages { stage { name } openCount openValue weightedValue reached conversionToNext }
    opened openedValue won wonValue lost winRate averageCycleDays averageWonValue wonOfOpened overallConversion } }"""
FLOW = """query($filter: SalesReportFilter!) { pipelineFlow(filter: $filter, interval: MONTH) {
    starts opened openedValue won wonValue lost } }"""
FORECAST = """query($filter: SalesReportFilter!) { forecast(filter: $filter) {
    planValue actualValue actualDeals expectedValue expectedDeals forecastValue currency
    stages { stage { name } closedSample winRate historical daysToWin openCount expectedDeals expectedValue }
    owners { owner { email } actualValue expectedValue planValue } } }"""
SCORECARD = """query($filter: SalesReportFilter!) { repScorecard(filter: $filter) {
    user { email } opened newClients stageAdvances won wonValue lost winRate activities } }"""
PLAN = """mutation($input: SalesPlanInput!) { salesPlanSet(input: $input) { planId userErrors { field code } } }"""
PLANS = """query($start: Date!, $end: Date!) { salesPlans(periodStart: $start, periodEnd: $end) {
    user { email } team { name } targetValue actualValue forecastValue } }"""
CONTACT = """mutation($id: ID!, $input: OpportunityContactInput!) { opportunityLogContact(id: $id, input: $input) {
    timelineEntryId userErrors { field code } } }"""


def moment(day: date, hour: int = 10) -> str:
    return datetime.combine(day, time(hour), tzinfo=UTC).isoformat()


def value(i: int) -> Decimal:
    return Decimal(1000 * (i % 7 + 1))


def money(amount: Decimal | float) -> str:
    return str(Decimal(str(amount)).quantize(Decimal("0.01")))


def opened_on(i: int) -> date:
    return START + timedelta(days=i % 60)


def open_close_date(i: int) -> date:
    """Open deals: half expected within the forecast window, half after it."""
    return TODAY + timedelta(days=10) if i % 20 < 10 else TODAY + timedelta(days=100)


async def build_quarter(client, runtime) -> dict:
    users = await sales_team(runtime)
    admin = users["admin"][1]
    process = await create_process(client, admin)
    stages = [s["id"] for s in process["stages"]]
    companies = [await create_company(client, admin, f"Klient {n:02d}") for n in range(20)]
    ids = []
    for i in range(200):
        kind = i % 10
        day = opened_on(i)
        opportunity = await create_opportunity(
            client,
            admin,
            name=f"Szansa {i}",
            process=process["id"],
            company=companies[i % 20],
            owner=gid("UserNode", users["rep1" if i % 2 == 0 else "rep2"][0]),
            value=str(value(i)),
            expectedCloseDate=(day + timedelta(days=30)).isoformat() if OUTCOME[kind] else None,
            openedAt=moment(day),
        )
        ids.append(opportunity["id"])
        for step in range(1, MOVES[kind] + 1):
            moved = await as_user(
                client,
                admin,
                MOVE,
                {
                    "id": opportunity["id"],
                    "input": {"stage": stages[step], "at": moment(day + timedelta(days=3 * step))},
                },
            )
            assert moved["data"]["opportunityMove"]["userErrors"] == [], (i, moved)
        closes_at = moment(day + timedelta(days=3 * MOVES[kind] + 2))
        if OUTCOME[kind] == "won":
            closed = await as_user(client, admin, WIN, {"id": opportunity["id"], "at": closes_at})
            assert closed["data"]["opportunityWin"]["userErrors"] == [], closed
        elif OUTCOME[kind] == "lost":
            closed = await as_user(
                client, admin, LOSE, {"id": opportunity["id"], "input": {"reason": "cena", "at": closes_at}}
            )
            assert closed["data"]["opportunityLose"]["userErrors"] == [], closed
        else:
            updated = await as_user(
                client, admin, UPDATE_CLOSE, {"id": opportunity["id"], "day": open_close_date(i).isoformat()}
            )
            assert updated["data"]["opportunityUpdate"]["userErrors"] == [], updated
    return {"users": users, "process": process, "ids": ids}


@pytest.mark.slow
async def test_a_quarter_of_selling_adds_up(client, runtime, engine_kind):
    world = await build_quarter(client, runtime)
    users, process = world["users"], world["process"]
    admin = users["admin"][1]
    quarter = {"periodStart": START.isoformat(), "periodEnd": END.isoformat(), "process": process["id"]}
    kinds = Counter(i % 10 for i in range(200))  # 20 of each

    # --- funnel ---
    funnel = (await as_user(client, admin, FUNNEL, {"filter": quarter}))["data"]["funnel"]
    reached = {  # a won deal reached every stage
        "Analiza potrzeb": 200,
        "Propozycja": sum(kinds[k] for k in (3, 4, 5, 6, 7, 8, 9)),
        "Prezentacja": sum(kinds[k] for k in (4, 5, 6, 7, 9)),
        "Oferta": sum(kinds[k] for k in (5, 6, 7, 9)),
        "Negocjacje": sum(kinds[k] for k in (5, 6, 7)),
    }
    assert reached == {"Analiza potrzeb": 200, "Propozycja": 140, "Prezentacja": 100, "Oferta": 80, "Negocjacje": 60}
    assert [s["reached"] for s in funnel["stages"]] == list(reached.values())
    assert [s["conversionToNext"] for s in funnel["stages"]] == [0.7, round(100 / 140, 4), 0.8, 0.75, 1.0]
    open_in = {"Propozycja": [i for i in range(200) if i % 10 == 8], "Oferta": [i for i in range(200) if i % 10 == 9]}
    probability = {"Analiza potrzeb": 10, "Propozycja": 25, "Prezentacja": 40, "Oferta": 60, "Negocjacje": 80}
    for stage in funnel["stages"]:
        members = open_in.get(stage["stage"]["name"], [])
        assert stage["openCount"] == len(members)
        assert stage["openValue"] == money(sum(value(i) for i in members))
        assert stage["weightedValue"] == money(
            sum(value(i) for i in members) * probability[stage["stage"]["name"]] / 100
        )
    won = [i for i in range(200) if OUTCOME[i % 10] == "won"]
    assert (funnel["opened"], funnel["won"], funnel["lost"], funnel["wonOfOpened"]) == (200, 60, 100, 60)
    assert funnel["openedValue"] == money(sum(value(i) for i in range(200)))
    assert funnel["wonValue"] == money(sum(value(i) for i in won))
    assert funnel["winRate"] == 0.375  # 60 / (60 + 100)
    assert funnel["averageCycleDays"] == pytest.approx((40 * 11 + 20 * 14) / 60)  # 3 moves + 2 days, 4 moves + 2
    assert funnel["averageWonValue"] == money(sum(value(i) for i in won) / 60)
    assert funnel["overallConversion"] == 0.3

    # --- pipeline flow, by month ---
    flow = (await as_user(client, admin, FLOW, {"filter": quarter}))["data"]["pipelineFlow"]
    opened_by_month = Counter(opened_on(i).replace(day=1) for i in range(200))
    closes = {i: opened_on(i) + timedelta(days=3 * MOVES[i % 10] + 2) for i in range(200) if OUTCOME[i % 10]}
    won_by_month = Counter(closes[i].replace(day=1) for i in won)
    lost_by_month = Counter(closes[i].replace(day=1) for i in closes if OUTCOME[i % 10] == "lost")
    months = sorted({START.replace(day=1), END.replace(day=1), *opened_by_month})
    assert [b["starts"] for b in flow] == [month.isoformat() for month in months]
    for bucket in flow:
        month = date.fromisoformat(bucket["starts"])
        assert bucket["opened"] == opened_by_month[month]
        assert bucket["openedValue"] == money(sum(value(i) for i in range(200) if opened_on(i).replace(day=1) == month))
        assert (bucket["won"], bucket["lost"]) == (won_by_month[month], lost_by_month[month])
    assert sum(b["won"] for b in flow) == 60 and sum(b["lost"] for b in flow) == 100

    # --- plans, forecast and plan vs actual ---
    window = {"periodStart": START.isoformat(), "periodEnd": FORECAST_END.isoformat()}
    rep1_id, rep2_id = users["rep1"][0], users["rep2"][0]
    for user, target in ((rep1_id, "200000"), (rep2_id, "300000")):
        planned = await as_user(
            client, admin, PLAN, {"input": {**window, "user": gid("UserNode", user), "targetValue": target}}
        )
        assert planned["data"]["salesPlanSet"]["userErrors"] == [], planned
    forecast = (await as_user(client, admin, FORECAST, {"filter": {**window, "process": process["id"]}}))["data"][
        "forecast"
    ]
    # History: 60 won, lost ones reached Analiza (100), Propozycja (40: kinds 3, 4), Prezentacja (20: kind 4).
    win_rate = {
        "Analiza potrzeb": 60 / 160,
        "Propozycja": 60 / 100,
        "Prezentacja": 60 / 80,
        "Oferta": 1.0,
        "Negocjacje": 1.0,
    }
    bases = {s["stage"]["name"]: s for s in forecast["stages"]}
    for name, rate in win_rate.items():
        assert bases[name]["winRate"] == round(rate, 4) and bases[name]["historical"] is True
    assert bases["Analiza potrzeb"]["closedSample"] == 160
    # Days from entering a stage to the win: kinds 5, 6 win 2 days after entering Oferta, kind 7 five days.
    assert bases["Oferta"]["daysToWin"] == pytest.approx((40 * 2 + 20 * 5) / 60)
    assert bases["Analiza potrzeb"]["daysToWin"] == pytest.approx((40 * 11 + 20 * 14) / 60)
    expected_by_owner: dict[int, Decimal] = {rep1_id: Decimal(0), rep2_id: Decimal(0)}
    for stage, members in open_in.items():
        for i in members:
            if open_close_date(i) <= FORECAST_END:
                owner = rep1_id if i % 2 == 0 else rep2_id
                expected_by_owner[owner] += value(i) * Decimal(str(round(win_rate[stage], 4)))
    expected = sum(expected_by_owner.values())
    actual = sum(value(i) for i in won)
    assert forecast["actualValue"] == money(actual) and forecast["actualDeals"] == 60
    assert forecast["expectedValue"] == money(expected)
    assert forecast["forecastValue"] == money(actual + expected)
    assert forecast["currency"] == "PLN"
    assert forecast["planValue"] is None  # plans are per rep; no team plan for this window
    owners = {o["owner"]["email"]: o for o in forecast["owners"]}
    actual_rep1 = sum(value(i) for i in won if i % 2 == 0)
    assert owners["rep1@firma.pl"]["actualValue"] == money(actual_rep1)
    assert owners["rep1@firma.pl"]["expectedValue"] == money(expected_by_owner[rep1_id])
    assert owners["rep1@firma.pl"]["planValue"] == "200000.00"
    plans = (await as_user(client, admin, PLANS, {"start": START.isoformat(), "end": FORECAST_END.isoformat()}))[
        "data"
    ]["salesPlans"]
    by_user = {p["user"]["email"]: p for p in plans}
    assert by_user["rep1@firma.pl"]["targetValue"] == "200000.00"
    assert by_user["rep1@firma.pl"]["actualValue"] == money(actual_rep1)
    assert by_user["rep1@firma.pl"]["forecastValue"] == money(actual_rep1 + expected_by_owner[rep1_id])
    assert by_user["rep2@firma.pl"]["actualValue"] == money(actual - actual_rep1)

    # --- rep scorecard ---
    rep1 = users["rep1"][1]
    first_of_rep1 = world["ids"][0]
    for subject in ("Telefon", "Mail", "Spotkanie"):
        logged = await as_user(
            client,
            rep1,
            CONTACT,
            {
                "id": first_of_rep1,
                "input": {"kind": "core.call", "subject": subject, "occurredAt": moment(START + timedelta(days=5))},
            },
        )
        assert logged["data"]["opportunityLogContact"]["userErrors"] == [], logged
    scores = {
        s["user"]["email"]: s
        for s in (await as_user(client, admin, SCORECARD, {"filter": quarter}))["data"]["repScorecard"]
    }
    advances = {1: sum(MOVES[k] for k in (0, 2, 4, 6, 8)) * 20, 2: sum(MOVES[k] for k in (1, 3, 5, 7, 9)) * 20}
    assert scores["rep1@firma.pl"] == {
        "user": {"email": "rep1@firma.pl"},
        "opened": 100,
        "newClients": 2,  # companies 6 and 16 (even deals of kind 6)
        "stageAdvances": advances[1],
        "won": 20,
        "wonValue": money(actual_rep1),
        "lost": 60,
        "winRate": 0.25,
        "activities": 3,
    }
    assert scores["rep2@firma.pl"]["newClients"] == 4  # companies 5, 7, 15, 17
    assert scores["rep2@firma.pl"]["stageAdvances"] == advances[2]
    assert (scores["rep2@firma.pl"]["won"], scores["rep2@firma.pl"]["lost"]) == (40, 40)
