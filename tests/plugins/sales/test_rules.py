"""Bad input is refused with a code and the field at fault, and a refused change writes nothing."""

from datetime import UTC, datetime, timedelta

from tests.conftest import as_user
from tests.plugins.sales.helpers import (
    MOVE,
    OPPORTUNITY_CREATE,
    PROCESS_CREATE,
    create_company,
    create_opportunity,
    create_process,
    node_id,
    sales_team,
)

UPDATE = """mutation($id: ID!, $input: OpportunityUpdateInput!) { opportunityUpdate(id: $id, input: $input) {
    opportunity { value currency valueInReportingCurrency expectedCloseDate } userErrors { field code message } } }"""
STAGE_DELETE = """mutation($id: ID!) { salesStageDelete(id: $id) { deletedId userErrors { field code message } } }"""
STAGE_ADD = """mutation($process: ID!, $input: SalesStageInput!, $position: Int) {
    salesStageAdd(process: $process, input: $input, position: $position) {
    stage { name position process { stages { name position } } } userErrors { field code } } }"""
REORDER = """mutation($process: ID!, $stages: [ID!]!) { salesStagesReorder(process: $process, stages: $stages) {
    process { stages { name position } } userErrors { field code } } }"""
GET = """query($id: ID!) { opportunity(id: $id) { value currency expectedCloseDate stage { name } } }"""


def errors_of(result: dict, name: str) -> list[dict]:
    assert "errors" not in result, result
    return result["data"][name]["userErrors"]


async def test_bad_opportunity_input_is_refused_and_nothing_is_written(client, runtime, engine_kind):
    users = await sales_team(runtime)
    admin, rep = users["admin"][1], users["rep1"][1]
    process = await create_process(client, admin)
    base = {"name": "Dostawa", "process": process["id"]}
    for extra, code, field in (
        ({"value": "-5"}, "NEGATIVE", ["input", "value"]),
        ({"currency": "GBP"}, "CURRENCY_NOT_CONFIGURED", ["input", "currency"]),
        (
            {"expectedCloseDate": (datetime.now(UTC) - timedelta(days=3)).date().isoformat()},
            "CLOSE_BEFORE_CREATED",
            ["input", "expectedCloseDate"],
        ),
        ({"name": "  "}, "BLANK", ["input", "name"]),
        ({"stage": process["stages"][3]["id"]}, "REQUIRED_FIELD_MISSING", ["input", "value"]),
        ({"openedAt": (datetime.now(UTC) + timedelta(days=2)).isoformat()}, "IN_THE_FUTURE", ["input", "openedAt"]),
    ):
        result = await as_user(client, rep, OPPORTUNITY_CREATE, {"input": {**base, **extra}})
        [error] = errors_of(result, "opportunityCreate")
        assert (error["code"], error["field"]) == (code, field), extra
        assert result["data"]["opportunityCreate"]["opportunity"] is None
    listed = await as_user(client, rep, "{ opportunities { edges { node { id } } } }")
    assert listed["data"]["opportunities"]["edges"] == []

    opportunity = await create_opportunity(client, rep, **base, value="1000", currency="EUR")
    half = await as_user(client, rep, UPDATE, {"id": opportunity["id"], "input": {"value": "2000", "currency": "CHF"}})
    assert [e["code"] for e in errors_of(half, "opportunityUpdate")] == ["CURRENCY_NOT_CONFIGURED"]
    unchanged = await as_user(client, rep, GET, {"id": opportunity["id"]})
    assert unchanged["data"]["opportunity"] == {
        "value": "1000.00",
        "currency": "EUR",
        "expectedCloseDate": None,
        "stage": {"name": "Analiza potrzeb"},
    }
    polish = await client.post(
        "/graphql",
        json={"query": UPDATE, "variables": {"id": opportunity["id"], "input": {"currency": "CHF"}}},
        headers={"authorization": f"Bearer {rep}", "accept-language": "pl"},
    )
    message = polish.json()["data"]["opportunityUpdate"]["userErrors"][0]["message"]
    assert message == "Waluta CHF nie jest skonfigurowana (skonfigurowane: PLN, EUR)."

    other = await create_process(client, admin, "Serwis", [{"name": "Zgłoszenie"}, {"name": "Wycena"}])
    wrong = await as_user(client, rep, MOVE, {"id": opportunity["id"], "input": {"stage": other["stages"][1]["id"]}})
    assert [e["code"] for e in errors_of(wrong, "opportunityMove")] == ["WRONG_PROCESS"]
    same = await as_user(client, rep, MOVE, {"id": opportunity["id"], "input": {"stage": process["stages"][0]["id"]}})
    assert [e["code"] for e in errors_of(same, "opportunityMove")] == ["SAME_STAGE"]


async def test_process_definition_rules(client, runtime, engine_kind):
    users = await sales_team(runtime)
    admin, rep = users["admin"][1], users["rep1"][1]
    for stages, code, field in (
        ([], "NO_STAGES", ["input", "stages"]),
        ([{"name": "A", "probability": 101}], "OUT_OF_RANGE", ["input", "stages", "0", "probability"]),
        ([{"name": "A"}, {"name": "a"}], "DUPLICATE", ["input", "stages", "1", "name"]),
        (
            [{"name": "A", "requiredFields": ["budget"]}],
            "UNKNOWN_FIELD",
            ["input", "stages", "0", "requiredFields", "0"],
        ),
        (
            [{"name": "A", "requiredFields": ["custom.budzet"]}],
            "UNKNOWN_FIELD",
            ["input", "stages", "0", "requiredFields", "0"],
        ),
    ):
        result = await as_user(client, admin, PROCESS_CREATE, {"input": {"name": "Proces", "stages": stages}})
        [error] = errors_of(result, "salesProcessCreate")
        assert (error["code"], error["field"]) == (code, field), stages
    forbidden = await as_user(client, rep, PROCESS_CREATE, {"input": {"name": "Mój", "stages": [{"name": "A"}]}})
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    process = await create_process(
        client, admin, "Projekty", [{"name": "Brief"}, {"name": "Wycena"}, {"name": "Umowa"}]
    )
    taken = await as_user(client, admin, PROCESS_CREATE, {"input": {"name": "Projekty", "stages": [{"name": "A"}]}})
    assert [e["code"] for e in errors_of(taken, "salesProcessCreate")] == ["NAME_TAKEN"]

    added = await as_user(
        client, admin, STAGE_ADD, {"process": process["id"], "input": {"name": "Prezentacja"}, "position": 2}
    )
    assert errors_of(added, "salesStageAdd") == []
    assert [(s["name"], s["position"]) for s in added["data"]["salesStageAdd"]["stage"]["process"]["stages"]] == [
        ("Brief", 1),
        ("Prezentacja", 2),
        ("Wycena", 3),
        ("Umowa", 4),
    ]
    stage_ids = {s["name"]: s["id"] for s in process["stages"]}
    new_stage = added["data"]["salesStageAdd"]["stage"]
    assert new_stage["position"] == 2
    reordered = await as_user(
        client,
        admin,
        REORDER,
        {"process": process["id"], "stages": [stage_ids["Umowa"], stage_ids["Brief"], stage_ids["Wycena"]]},
    )
    assert [e["code"] for e in errors_of(reordered, "salesStagesReorder")] == ["INCOMPLETE_ORDER"]

    opportunity = await create_opportunity(client, rep, name="Strona", process=process["id"], stage=stage_ids["Wycena"])
    in_use = await as_user(client, admin, STAGE_DELETE, {"id": stage_ids["Wycena"]})
    [error] = errors_of(in_use, "salesStageDelete")
    assert error["code"] == "STAGE_IN_USE" and "1" in error["message"]
    free = await as_user(client, admin, STAGE_DELETE, {"id": stage_ids["Umowa"]})
    assert errors_of(free, "salesStageDelete") == []
    after = await as_user(client, rep, GET, {"id": opportunity["id"]})
    assert after["data"]["opportunity"]["stage"] == {"name": "Wycena"}
    processes = await as_user(client, rep, "{ salesProcesses { name stages { name position } } }")
    [projects] = [p for p in processes["data"]["salesProcesses"] if p["name"] == "Projekty"]
    assert [(s["name"], s["position"]) for s in projects["stages"]] == [("Brief", 1), ("Prezentacja", 2), ("Wycena", 3)]
    assert node_id(process["id"]) > 0


async def test_competitors_and_custom_fields_on_opportunities(client, runtime, engine_kind):
    users = await sales_team(runtime)
    admin, rep = users["admin"][1], users["rep1"][1]
    defined = await as_user(
        client,
        admin,
        """mutation { customFieldDefine(input: {entity: "sales.opportunity", key: "budzet", labelPl: "Budżet",
            labelEn: "Budget", kind: "number"}) { userErrors { field code } } }""",
    )
    assert defined["data"]["customFieldDefine"]["userErrors"] == [], defined
    process = await create_process(
        client, admin, "Przetargi", [{"name": "Ogłoszenie"}, {"name": "Oferta", "requiredFields": ["custom.budzet"]}]
    )
    opportunity = await create_opportunity(
        client,
        rep,
        name="Przetarg na serwery",
        process=process["id"],
        competitors=[{"name": "Comarch", "weaknesses": "termin"}, {"name": "Asseco", "price": "99000.5"}],
    )
    assert opportunity["competitors"] == [
        {"name": "Comarch", "strengths": "", "price": None},
        {"name": "Asseco", "strengths": "", "price": "99000.50"},
    ]
    blocked = await as_user(
        client, rep, MOVE, {"id": opportunity["id"], "input": {"stage": process["stages"][1]["id"]}}
    )
    [error] = errors_of(blocked, "opportunityMove")
    assert (error["code"], error["field"]) == ("REQUIRED_FIELD_MISSING", ["input", "customFields", "budzet"])
    wrong = await as_user(client, rep, UPDATE, {"id": opportunity["id"], "input": {"customFields": {"budzet": "dużo"}}})
    assert errors_of(wrong, "opportunityUpdate")[0]["field"][:2] == ["input", "customFields"]
    updated = await as_user(
        client, rep, UPDATE, {"id": opportunity["id"], "input": {"customFields": {"budzet": 250000}}}
    )
    assert errors_of(updated, "opportunityUpdate") == []
    moved = await as_user(client, rep, MOVE, {"id": opportunity["id"], "input": {"stage": process["stages"][1]["id"]}})
    assert errors_of(moved, "opportunityMove") == []
    company = await create_company(client, rep, "Urząd Miasta")
    linked = await as_user(client, rep, UPDATE, {"id": opportunity["id"], "input": {"company": company}})
    assert errors_of(linked, "opportunityUpdate") == []
    listed = await as_user(
        client,
        rep,
        """query($c: ID!) { opportunities(filter: {company: $c}) { edges { node { customFields } } } }""",
        {"c": company},
    )
    assert listed["data"]["opportunities"]["edges"] == [{"node": {"customFields": {"budzet": 250000}}}]


async def test_an_open_opportunity_entered_by_mistake_can_be_deleted(client, runtime, engine_kind):
    users = await sales_team(runtime)
    admin, rep = users["admin"][1], users["rep1"][1]
    process = await create_process(client, admin)
    mistake = await create_opportunity(client, rep, name="Pomyłka", process=process["id"], value="100")
    kept = await create_opportunity(client, rep, name="Prawdziwa", process=process["id"], value="200")
    delete = "mutation($id: ID!) { opportunityDelete(id: $id) { deletedId userErrors { field code } } }"
    foreign = await as_user(client, users["rep3"][1], delete, {"id": mistake["id"]})
    assert foreign["data"]["opportunityDelete"]["userErrors"] == [{"field": ["id"], "code": "NOT_FOUND"}]
    done = await as_user(client, rep, delete, {"id": mistake["id"]})
    assert done["data"]["opportunityDelete"] == {"deletedId": mistake["id"], "userErrors": []}
    listed = await as_user(client, rep, "{ opportunities { edges { node { name } } } }")
    assert listed["data"]["opportunities"]["edges"] == [{"node": {"name": "Prawdziwa"}}]
    assert (await as_user(client, rep, GET, {"id": mistake["id"]}))["data"]["opportunity"] is None
    funnel = await as_user(
        client,
        rep,
        """query($f: SalesReportFilter!) { funnel(filter: $f) { opened stages { openCount } } }""",
        {"f": {"periodStart": "2026-01-01", "periodEnd": "2030-12-31", "process": process["id"]}},
    )
    assert funnel["data"]["funnel"]["opened"] == 1 and funnel["data"]["funnel"]["stages"][0]["openCount"] == 1
    won = await as_user(
        client, rep, "mutation($id: ID!) { opportunityWin(id: $id) { userErrors { code } } }", {"id": kept["id"]}
    )
    assert won["data"]["opportunityWin"]["userErrors"] == []
    closed = await as_user(client, rep, delete, {"id": kept["id"]})
    assert closed["data"]["opportunityDelete"]["userErrors"] == [{"field": ["id"], "code": "CLOSED"}]


async def test_a_process_is_handed_to_a_team_and_back(client, runtime, engine_kind):
    users = await sales_team(runtime)
    admin = users["admin"][1]
    process = await create_process(client, admin, "Flota", [{"name": "Zapytanie"}])
    update = """mutation($id: ID!, $input: SalesProcessUpdateInput!) { salesProcessUpdate(id: $id, input: $input) {
        process { name team { name } } userErrors { field code } } }"""
    teams = await as_user(client, admin, "{ teams { edges { node { id name } } } }")
    krakow = next(e["node"]["id"] for e in teams["data"]["teams"]["edges"] if e["node"]["name"] == "Kraków")
    handed = await as_user(client, admin, update, {"id": process["id"], "input": {"team": krakow}})
    assert handed["data"]["salesProcessUpdate"]["process"]["team"] == {"name": "Kraków"}
    renamed = await as_user(client, admin, update, {"id": process["id"], "input": {"name": "Flota 2027"}})
    assert renamed["data"]["salesProcessUpdate"]["process"] == {"name": "Flota 2027", "team": {"name": "Kraków"}}
    back = await as_user(client, admin, update, {"id": process["id"], "input": {"team": None}})
    assert back["data"]["salesProcessUpdate"]["process"]["team"] is None
