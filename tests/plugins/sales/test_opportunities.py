"""Processes, opportunities moving through stages, winning and losing, through GraphQL."""

from core.db.tables import OutboxMessage
from tests.conftest import as_user
from tests.plugins.sales.helpers import (
    LOSE,
    MOVE,
    WIN,
    create_company,
    create_opportunity,
    create_process,
    node_id,
    sales_team,
)


async def test_an_opportunity_moves_through_the_stages_and_is_won(client, runtime, engine_kind):
    users = await sales_team(runtime)
    admin, rep = users["admin"][1], users["rep1"][1]
    process = await create_process(client, admin)
    assert [s["name"] for s in process["stages"]] == [
        "Analiza potrzeb",
        "Propozycja",
        "Prezentacja",
        "Oferta",
        "Negocjacje",
    ]
    company = await create_company(client, rep, "Huta Kościuszko")
    opportunity = await create_opportunity(
        client,
        rep,
        name="Linia walcownicza",
        process=process["id"],
        company=company,
        value="120000.00",
        currency="EUR",
        competitors=[{"name": "ArcelorMittal", "strengths": "cena", "price": "110000"}],
    )
    assert opportunity["status"] == "OPEN"
    assert opportunity["stage"]["name"] == "Analiza potrzeb"
    assert opportunity["valueInReportingCurrency"] == "510000.00"  # 120 000 EUR at 4.25
    assert opportunity["owner"]["email"] == "rep1@firma.pl"
    assert opportunity["competitors"] == [{"name": "ArcelorMittal", "strengths": "cena", "price": "110000.00"}]
    stages = {s["name"]: s["id"] for s in process["stages"]}
    for name in ("Propozycja", "Oferta"):
        moved = await as_user(client, rep, MOVE, {"id": opportunity["id"], "input": {"stage": stages[name]}})
        assert moved["data"]["opportunityMove"]["userErrors"] == [], moved
        assert moved["data"]["opportunityMove"]["opportunity"]["stage"]["name"] == name
    refused = await as_user(client, rep, MOVE, {"id": opportunity["id"], "input": {"stage": stages["Negocjacje"]}})
    errors = refused["data"]["opportunityMove"]["userErrors"]
    assert errors[0]["code"] == "REQUIRED_FIELD_MISSING" and errors[0]["field"] == ["input", "expectedCloseDate"]
    won = await as_user(client, rep, WIN, {"id": opportunity["id"]})
    assert won["data"]["opportunityWin"]["opportunity"]["status"] == "WON"
    again = await as_user(client, rep, LOSE, {"id": opportunity["id"], "input": {"reason": "cena"}})
    assert again["data"]["opportunityLose"]["userErrors"][0]["code"] == "CLOSED"
    detail = await as_user(
        client,
        rep,
        """query($id: ID!, $company: ID!) { opportunity(id: $id) {
            history { outcome fromStage { name } toStage { name } } company { lifecycle } }
            timeline(subject: $company, first: 10) { edges { node { kind title data } } } }""",
        {"id": opportunity["id"], "company": company},
    )
    assert "errors" not in detail, detail
    found = detail["data"]["opportunity"]
    assert [(h["outcome"], (h["toStage"] or {}).get("name")) for h in found["history"]] == [
        ("OPEN", "Analiza potrzeb"),
        ("OPEN", "Propozycja"),
        ("OPEN", "Oferta"),
        ("WON", None),
    ]
    assert found["company"]["lifecycle"] == "CUSTOMER"
    kinds = [e["node"]["kind"] for e in detail["data"]["timeline"]["edges"]]
    assert "sales.opportunity_won" in kinds and "sales.stage_changed" in kinds


async def test_events_and_the_gdpr_export_carry_the_opportunity(client, runtime, engine_kind):
    users = await sales_team(runtime)
    admin, rep = users["admin"][1], users["rep1"][1]
    process = await create_process(client, admin)
    person = await as_user(
        client, rep, """mutation { personCreate(input: {lastName: "Wiśniewska"}) { person { id } } }"""
    )
    person_id = person["data"]["personCreate"]["person"]["id"]
    opportunity = await create_opportunity(
        client, rep, name="Meble biurowe", process=process["id"], person=person_id, value="8000"
    )
    moved = await as_user(client, rep, MOVE, {"id": opportunity["id"], "input": {"stage": process["stages"][1]["id"]}})
    assert moved["data"]["opportunityMove"]["userErrors"] == []
    await as_user(client, rep, WIN, {"id": opportunity["id"]})
    events = {
        row["name"]: row["payload"]
        for row in await OutboxMessage.select().where(OutboxMessage.kind == "event").output(load_json=True)
    }
    assert events["sales.opportunity.stage_changed"]["to_stage_id"] == node_id(process["stages"][1]["id"])
    assert events["sales.opportunity.won"] == {
        "opportunity_id": node_id(opportunity["id"]),
        "company_id": None,
        "person_id": node_id(person_id),
        "value": "8000.00",
        "currency": "PLN",
    }
    exported = await as_user(client, admin, "mutation($id: ID!) { personExport(id: $id) { data } }", {"id": person_id})
    [deal] = exported["data"]["personExport"]["data"]["sales"]["opportunities"]
    assert (deal["name"], deal["status"], deal["value"]) == ("Meble biurowe", "won", "8000.00")


async def test_the_opportunity_search_matches_percent_underscore_and_polish_letters_literally(client, runtime):
    users = await sales_team(runtime)
    admin = users["admin"][1]
    process = await create_process(client, admin)
    company = await create_company(client, admin, "Huta Kościuszko")
    for name in ("Rabat 50% na walcarkę", "Rabat 500 zł", "Linia_A", "LiniaBA", "ŻURAW portowy"):
        await create_opportunity(client, admin, name=name, process=process["id"], company=company)
    query = "query($search: String!) { opportunities(filter: {search: $search}) { edges { node { name } } } }"

    async def found(search: str) -> list[str]:
        result = await as_user(client, admin, query, {"search": search})
        assert "errors" not in result, result
        return sorted(edge["node"]["name"] for edge in result["data"]["opportunities"]["edges"])

    assert await found("50%") == ["Rabat 50% na walcarkę"]
    assert await found("a_a") == ["Linia_A"]
    assert await found("żuraw") == ["ŻURAW portowy"]
    assert await found("RABAT") == ["Rabat 50% na walcarkę", "Rabat 500 zł"]
