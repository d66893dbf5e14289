"""Leads qualified and converted without duplicates; stuck deals flagged once with a task; events."""

from datetime import UTC, datetime, timedelta

from core.auth import SYSTEM
from core.crm.tables import Company, Person, Task
from core.db.tables import OutboxMessage
from core.jobs.context import JobContext
from tests.conftest import as_user
from tests.plugins.sales.helpers import MOVE, create_company, create_opportunity, create_process, sales_team

QUALIFY = (
    """mutation($input: LeadQualifyInput!) { leadQualify(input: $input) { qualified userErrors { field code } } }"""
)
CONVERT = """mutation($input: LeadConvertInput!) { leadConvert(input: $input) {
    opportunity { id name source company { id name lifecycle } person { id lastName lifecycle } }
    userErrors { field code message } } }"""
PERSON_CREATE = """mutation($input: PersonCreateInput!) { personCreate(input: $input) {
    person { id } userErrors { field code } } }"""
CONTACT = """mutation($id: ID!, $input: OpportunityContactInput!) { opportunityLogContact(id: $id, input: $input) {
    opportunity { stuck lastContactAt } userErrors { field code } } }"""
STUCK = "{ opportunities(filter: {stuck: true}) { edges { node { name stuck } } } }"


async def test_qualifying_and_converting_leads_reuses_what_the_crm_has(client, runtime, engine_kind):
    users = await sales_team(runtime)
    admin, rep = users["admin"][1], users["rep1"][1]
    process = await create_process(client, admin)
    lead = await create_company(client, rep, "Piekarnia Nowak", nip="5260250274")
    qualified = await as_user(
        client, rep, QUALIFY, {"input": {"company": lead, "qualification": {"budget": "50 tys.", "need": "piece"}}}
    )
    assert qualified["data"]["leadQualify"] == {"qualified": True, "userErrors": []}
    again = await as_user(client, rep, QUALIFY, {"input": {"company": lead, "qualification": {}}})
    assert again["data"]["leadQualify"]["userErrors"] == [{"field": ["input", "company"], "code": "NOT_A_LEAD"}]
    person = await as_user(
        client,
        rep,
        PERSON_CREATE,
        {"input": {"firstName": "Jan", "lastName": "Nowak", "emails": [{"value": "jan@piekarnia.pl"}]}},
    )
    person_id = person["data"]["personCreate"]["person"]["id"]
    companies_before = await Company.count()
    persons_before = await Person.count()

    converted = await as_user(
        client,
        rep,
        CONVERT,
        {
            "input": {
                "process": process["id"],
                "name": "Piece konwekcyjne",
                "newCompany": {"name": "PIEKARNIA NOWAK sp. j.", "nip": "526-025-02-74"},  # same NIP, other spelling
                "newPerson": {"lastName": "Nowak", "firstName": "Jan", "email": "JAN@piekarnia.pl"},
                "value": "48000",
            }
        },
    )
    payload = converted["data"]["leadConvert"]
    assert payload["userErrors"] == [], payload
    opportunity = payload["opportunity"]
    assert opportunity["company"]["id"] == lead and opportunity["person"]["id"] == person_id
    assert opportunity["company"]["lifecycle"] == "QUALIFIED" and opportunity["person"]["lifecycle"] == "QUALIFIED"
    assert opportunity["source"] == "lead"
    assert (await Company.count(), await Person.count()) == (companies_before, persons_before)  # nothing duplicated

    fresh = await as_user(
        client,
        rep,
        CONVERT,
        {
            "input": {
                "process": process["id"],
                "name": "Kasy fiskalne",
                "newCompany": {"name": "Sklep Zielony"},
                "newPerson": {
                    "lastName": "Zielińska",
                    "firstName": "Anna",
                    "email": "anna@zielony.pl",
                    "position": "właścicielka",
                },
            }
        },
    )
    created = fresh["data"]["leadConvert"]["opportunity"]
    assert created["company"]["name"] == "Sklep Zielony" and created["person"]["lastName"] == "Zielińska"
    employment = await as_user(
        client,
        rep,
        "query($id: ID!) { node(id: $id) { ... on Person { employments { position company { name } } } } }",
        {"id": created["person"]["id"]},
    )
    assert employment["data"]["node"]["employments"] == [
        {"position": "właścicielka", "company": {"name": "Sklep Zielony"}}
    ]

    refused = await as_user(
        client,
        rep,
        CONVERT,
        {"input": {"process": process["id"], "name": "Nic", "newCompany": {"name": "Firma X"}, "value": "-1"}},
    )
    assert refused["data"]["leadConvert"]["userErrors"][0]["code"] == "NEGATIVE"
    assert await Company.count().where(Company.name == "Firma X") == 0  # the company is not left behind
    events = [
        row["name"] for row in await OutboxMessage.select(OutboxMessage.name).where(OutboxMessage.kind == "event")
    ]
    assert events.count("sales.lead.converted") == 2 and events.count("sales.lead.qualified") == 1
    assert events.count("sales.opportunity.created") == 2


async def _run_stuck_check(runtime) -> None:
    flag = runtime.registry.jobs["sales.flag_stuck"].fn
    async with runtime.unit_of_work(SYSTEM) as uow:
        await flag(JobContext(runtime=runtime, uow=uow, actor=SYSTEM, owner="sales"))


async def test_stuck_deals_are_flagged_once_and_their_owner_gets_a_task(client, runtime, engine_kind):
    users = await sales_team(runtime)
    admin, rep = users["admin"][1], users["rep1"][1]
    process = await create_process(client, admin)  # Analiza potrzeb expects 14 days; stuck_after_days = 10
    company = await create_company(client, rep, "Hurtownia Kowalski")
    days_ago = lambda n: (datetime.now(UTC) - timedelta(days=n)).isoformat()  # noqa: E731
    overdue = await create_opportunity(
        client, rep, name="Za długo", process=process["id"], company=company, openedAt=days_ago(15)
    )
    quiet = await create_opportunity(
        client, rep, name="Cisza", process=process["id"], company=company, openedAt=days_ago(12)
    )
    moved = await as_user(
        client, rep, MOVE, {"id": quiet["id"], "input": {"stage": process["stages"][1]["id"], "at": days_ago(11)}}
    )
    assert moved["data"]["opportunityMove"]["userErrors"] == []
    await create_opportunity(client, rep, name="Świeża", process=process["id"], company=company, openedAt=days_ago(2))

    await _run_stuck_check(runtime)
    await _run_stuck_check(runtime)  # a second run flags nothing twice
    stuck = await as_user(client, rep, STUCK)
    assert sorted(e["node"]["name"] for e in stuck["data"]["opportunities"]["edges"]) == ["Cisza", "Za długo"]
    tasks = await Task.select(Task.title, Task.assignee).order_by(Task.title)
    assert [t["assignee"] for t in tasks] == [users["rep1"][0]] * 2
    assert sorted(t["title"] for t in tasks) == [
        "Brak kontaktu od 10 dni: Cisza",  # the rep's locale is Polish
        "Dłużej niż zakładano na etapie Analiza potrzeb: Za długo",
    ]
    reasons = sorted(
        row["payload"]["reason"]
        for row in await OutboxMessage.select()
        .where(OutboxMessage.name == "sales.opportunity.stuck")
        .output(load_json=True)
    )
    assert reasons == ["no_contact", "stage_overdue"]

    contact = await as_user(
        client, rep, CONTACT, {"id": quiet["id"], "input": {"kind": "core.call", "subject": "Rozmowa o terminie"}}
    )
    assert contact["data"]["opportunityLogContact"]["opportunity"]["stuck"] is False
    after_move = await as_user(client, rep, MOVE, {"id": overdue["id"], "input": {"stage": process["stages"][1]["id"]}})
    assert after_move["data"]["opportunityMove"]["userErrors"] == []
    assert (await as_user(client, rep, STUCK))["data"]["opportunities"]["edges"] == []
    timeline = await as_user(
        client,
        rep,
        'query($c: ID!) { timeline(subject: $c, kinds: ["core.call"]) { edges { node { title data } } } }',
        {"c": company},
    )
    [entry] = timeline["data"]["timeline"]["edges"]
    assert entry["node"]["data"]["stage"] == "Propozycja"  # logged with the stage it happened in
    assert "sales.flag_stuck" in runtime.registry.schedules
