"""What a role may do to others' deals and plans, and how deals follow merged and erased clients."""

from datetime import UTC, datetime, timedelta

from core.auth import SYSTEM
from core.crm.tables import Task
from core.jobs.context import JobContext
from tests.conftest import as_user
from tests.plugins.sales.helpers import (
    MOVE,
    WIN,
    create_company,
    create_opportunity,
    create_process,
    gid,
    sales_team,
)

UPDATE = """mutation($id: ID!, $input: OpportunityUpdateInput!) { opportunityUpdate(id: $id, input: $input) {
    opportunity { owner { email } value } userErrors { field code } } }"""
PLAN = """mutation($input: SalesPlanInput!) { salesPlanSet(input: $input) { planId userErrors { field code } } }"""
PLANS = """{ salesPlans(periodStart: "2027-01-01", periodEnd: "2027-03-31") { user { email } team { name } } }"""
CONTACT = """mutation($id: ID!) { opportunityLogContact(id: $id, input: {kind: "core.call", subject: "Telefon"}) {
    opportunity { stuck } userErrors { code } } }"""


def quarter(**who: str) -> dict:
    return {"input": {"periodStart": "2027-01-01", "periodEnd": "2027-03-31", "targetValue": "100000", **who}}


async def test_deals_and_plans_stay_within_reach(client, runtime, engine_kind):
    users = await sales_team(runtime)
    admin, boss, rep1 = users["admin"][1], users["boss"][1], users["rep1"][1]
    user = {name: gid("UserNode", users[name][0]) for name in users}
    process = await create_process(client, admin)
    deal = await create_opportunity(client, rep1, name="Regały", process=process["id"], value="5000")

    handed = await as_user(client, rep1, UPDATE, {"id": deal["id"], "input": {"owner": user["rep2"]}})
    assert handed["data"]["opportunityUpdate"]["userErrors"] == [{"field": ["input", "owner"], "code": "FORBIDDEN"}]
    away = await as_user(client, boss, UPDATE, {"id": deal["id"], "input": {"owner": user["rep3"]}})
    assert away["data"]["opportunityUpdate"]["userErrors"] == [{"field": ["input", "owner"], "code": "FORBIDDEN"}]
    within = await as_user(client, boss, UPDATE, {"id": deal["id"], "input": {"owner": user["rep2"]}})
    assert within["data"]["opportunityUpdate"]["opportunity"]["owner"] == {"email": "rep2@firma.pl"}

    team_ids = {"Kraków": gid("TeamNode", 1), "Gdańsk": gid("TeamNode", 2)}
    for who in (
        {"user": user["rep1"]},
        {"user": user["rep3"]},
        {"team": team_ids["Gdańsk"]},
        {"team": team_ids["Kraków"]},
    ):
        planned = await as_user(client, admin, PLAN, quarter(**who))
        assert planned["data"]["salesPlanSet"]["userErrors"] == [], planned
    refused = await as_user(client, boss, PLAN, quarter(user=user["rep3"]))
    assert refused["data"]["salesPlanSet"]["userErrors"] == [{"field": ["input", "user"], "code": "FORBIDDEN"}]
    allowed = await as_user(client, boss, PLAN, quarter(user=user["rep2"]))
    assert allowed["data"]["salesPlanSet"]["userErrors"] == []

    def seen(result: dict) -> set:
        return {(p["user"] or {}).get("email") or p["team"]["name"] for p in result["data"]["salesPlans"]}

    assert seen(await as_user(client, rep1, PLANS)) == {"rep1@firma.pl", "Kraków"}
    assert seen(await as_user(client, boss, PLANS)) == {"rep1@firma.pl", "rep2@firma.pl", "Kraków"}
    assert seen(await as_user(client, admin, PLANS)) == {
        "rep1@firma.pl",
        "rep2@firma.pl",
        "rep3@firma.pl",
        "Kraków",
        "Gdańsk",
    }
    peek = await as_user(
        client,
        rep1,
        """query($f: SalesReportFilter!) { forecast(filter: $f) { planValue } }""",
        {"f": {"periodStart": "2027-01-01", "periodEnd": "2027-03-31", "team": team_ids["Gdańsk"]}},
    )
    assert peek["data"]["forecast"]["planValue"] is None  # another team's target stays hidden
    scores = await as_user(
        client,
        rep1,
        """query($f: SalesReportFilter!) { repScorecard(filter: $f) { user { email } } }""",
        {"f": {"periodStart": "2026-01-01", "periodEnd": "2027-03-31", "owners": [user["rep3"], user["rep1"]]}},
    )
    assert scores["data"]["repScorecard"] == [{"user": {"email": "rep1@firma.pl"}}]


async def test_deals_follow_merged_companies_and_erased_persons_lose_their_names(client, runtime, engine_kind):
    users = await sales_team(runtime)
    admin = users["admin"][1]
    process = await create_process(client, admin)
    duplicate = await create_company(client, admin, "Stolarnia Kowalski")
    original = await create_company(client, admin, "Stolarnia Kowalski s.c.")
    deal = await create_opportunity(client, admin, name="Okna", process=process["id"], company=duplicate, value="900")
    merged = await as_user(
        client,
        admin,
        "mutation($w: ID!, $l: ID!) { companyMerge(input: {winner: $w, loser: $l}) { userErrors { code } } }",
        {"w": original, "l": duplicate},
    )
    assert merged["data"]["companyMerge"]["userErrors"] == []
    won = await as_user(client, admin, WIN, {"id": deal["id"]})
    assert won["data"]["opportunityWin"]["userErrors"] == []
    card = await as_user(
        client,
        admin,
        "query($id: ID!) { opportunity(id: $id) { company { id name lifecycle } } }",
        {"id": deal["id"]},
    )
    assert card["data"]["opportunity"]["company"] == {
        "id": original,
        "name": "Stolarnia Kowalski s.c.",
        "lifecycle": "CUSTOMER",
    }

    person = await as_user(
        client, admin, """mutation { personCreate(input: {lastName: "Nowicka"}) { person { id } } }"""
    )
    person_id = person["data"]["personCreate"]["person"]["id"]
    private = await create_opportunity(
        client, admin, name="Kuchnia dla p. Nowickiej", process=process["id"], person=person_id
    )
    erased = await as_user(
        client, admin, "mutation($id: ID!) { personErase(id: $id) { userErrors { code } } }", {"id": person_id}
    )
    assert erased["data"]["personErase"]["userErrors"] == []
    after = await as_user(
        client, admin, "query($id: ID!) { opportunity(id: $id) { name value } }", {"id": private["id"]}
    )
    assert after["data"]["opportunity"] == {"name": "—", "value": "0.00"}


async def test_closed_deals_and_stages_they_ended_in_stay_as_history(client, runtime, engine_kind):
    users = await sales_team(runtime)
    admin = users["admin"][1]
    process = await create_process(client, admin, "Krótki", [{"name": "Rozmowa"}, {"name": "Oferta"}])
    deal = await create_opportunity(
        client, admin, name="Biurka", process=process["id"], stage=process["stages"][1]["id"]
    )
    await as_user(client, admin, WIN, {"id": deal["id"]})
    changed = await as_user(client, admin, UPDATE, {"id": deal["id"], "input": {"value": "1"}})
    assert changed["data"]["opportunityUpdate"]["userErrors"] == [{"field": ["id"], "code": "CLOSED"}]
    gone = await as_user(
        client,
        admin,
        "mutation($id: ID!) { salesStageDelete(id: $id) { userErrors { code } } }",
        {"id": process["stages"][1]["id"]},
    )
    assert gone["data"]["salesStageDelete"]["userErrors"] == [{"code": "STAGE_IN_HISTORY"}]


async def test_a_call_does_not_unstick_a_deal_overdue_in_its_stage(client, runtime, engine_kind):
    users = await sales_team(runtime)
    admin, rep = users["admin"][1], users["rep1"][1]
    process = await create_process(client, admin)  # Analiza potrzeb expects 14 days; no contact for 10 = stuck
    company = await create_company(client, rep, "Drukarnia")
    days_ago = lambda n: (datetime.now(UTC) - timedelta(days=n)).isoformat()  # noqa: E731
    overdue = await create_opportunity(
        client, rep, name="Stoi", process=process["id"], company=company, openedAt=days_ago(20)
    )
    moving = await create_opportunity(
        client, rep, name="Rusza", process=process["id"], company=company, openedAt=days_ago(30)
    )
    moved = await as_user(
        client, rep, MOVE, {"id": moving["id"], "input": {"stage": process["stages"][1]["id"], "at": days_ago(1)}}
    )
    assert moved["data"]["opportunityMove"]["userErrors"] == []
    flag = runtime.registry.jobs["sales.flag_stuck"].fn
    async with runtime.unit_of_work(SYSTEM) as uow:
        await flag(JobContext(runtime=runtime, uow=uow, actor=SYSTEM, owner="sales"))
    called = await as_user(client, rep, CONTACT, {"id": overdue["id"]})
    assert called["data"]["opportunityLogContact"]["opportunity"]["stuck"] is True  # still 20 days in a 14-day stage
    async with runtime.unit_of_work(SYSTEM) as uow:
        await flag(JobContext(runtime=runtime, uow=uow, actor=SYSTEM, owner="sales"))
    assert await Task.count() == 1  # one task for the overdue deal; the deal moved yesterday is not stuck
