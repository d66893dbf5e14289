"""Who sees which opportunities (the core's record scopes apply), the Kanban board, and roles that
gain the sales rights when the plugin is enabled on a running deployment."""

from core.access.tables import Role
from core.db.migrate import migrate
from core.runtime import Runtime
from core.settings import load_settings
from tests.conftest import SAMPLE_PLUGINS, as_user, write_plugins
from tests.plugins.sales.helpers import MOVE, create_opportunity, create_process, gid, sales_team

LIST = "{ opportunities { edges { node { name owner { email } } } } }"
GET = """query($id: ID!) { opportunity(id: $id) { name } }"""
BOARD = """query($process: ID!, $first: Int!) { opportunityBoard(process: $process, first: $first) {
    stage { name } count totalValue weightedValue
    opportunities { edges { node { name } } pageInfo { hasNextPage endCursor } } } }"""
NEXT = """query($stage: ID!, $after: String!) {
    opportunities(filter: {stages: [$stage], status: OPEN}, first: 2, after: $after) {
    edges { node { name } } pageInfo { hasNextPage } } }"""
FUNNEL = """query($filter: SalesReportFilter!) { funnel(filter: $filter) { opened stages { openCount } } }"""


async def test_reps_see_their_own_managers_their_team(client, runtime, engine_kind):
    users = await sales_team(runtime)
    admin = users["admin"][1]
    process = await create_process(client, admin)
    made = {}
    for name in ("rep1", "rep2", "rep3"):
        made[name] = await create_opportunity(
            client, users[name][1], name=f"Szansa {name}", process=process["id"], value="1000"
        )
    names = lambda result: sorted(e["node"]["name"] for e in result["data"]["opportunities"]["edges"])  # noqa: E731
    assert names(await as_user(client, users["rep1"][1], LIST)) == ["Szansa rep1"]
    assert names(await as_user(client, users["boss"][1], LIST)) == ["Szansa rep1", "Szansa rep2"]
    assert names(await as_user(client, admin, LIST)) == ["Szansa rep1", "Szansa rep2", "Szansa rep3"]
    hidden = await as_user(client, users["rep3"][1], GET, {"id": made["rep1"]["id"]})
    assert hidden["data"]["opportunity"] is None
    node = await as_user(
        client, users["rep3"][1], "query($id: ID!) { node(id: $id) { id } }", {"id": made["rep1"]["id"]}
    )
    assert node["data"]["node"] is None
    foreign = await as_user(
        client, users["rep2"][1], MOVE, {"id": made["rep1"]["id"], "input": {"stage": process["stages"][1]["id"]}}
    )
    assert foreign["data"]["opportunityMove"]["userErrors"][0]["code"] == "NOT_FOUND"
    today = "2026-01-01", "2030-12-31"
    window = {"periodStart": today[0], "periodEnd": today[1], "process": process["id"]}
    own = await as_user(client, users["rep1"][1], FUNNEL, {"filter": window})
    assert own["data"]["funnel"]["stages"][0]["openCount"] == 1  # reports count only what the actor may see
    team = await as_user(client, users["boss"][1], FUNNEL, {"filter": window})
    assert team["data"]["funnel"]["stages"][0]["openCount"] == 2
    nobody = await as_user(
        client, users["rep1"][1], '{ salesPlans(periodStart: "2026-01-01", periodEnd: "2026-12-31") { id } }'
    )
    assert nobody["data"]["salesPlans"] == []
    refused = await as_user(
        client,
        users["rep1"][1],
        """mutation($team: ID!) { salesPlanSet(input: {team: $team, periodStart: "2026-01-01",
            periodEnd: "2026-03-31", targetValue: "1"}) { planId } }""",
        {"team": gid("TeamNode", 1)},
    )
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_board_groups_open_opportunities_by_stage_with_pages(client, runtime, engine_kind):
    users = await sales_team(runtime)
    admin = users["admin"][1]
    process = await create_process(client, admin)
    stages = process["stages"]
    for n in range(5):
        await create_opportunity(client, admin, name=f"Nowa {n}", process=process["id"], value=str(100 * (n + 1)))
    for n in range(2):
        await create_opportunity(
            client, admin, name=f"Oferta {n}", process=process["id"], stage=stages[3]["id"], value="1000"
        )
    board = (await as_user(client, admin, BOARD, {"process": process["id"], "first": 3}))["data"]["opportunityBoard"]
    assert [(c["stage"]["name"], c["count"]) for c in board] == [
        ("Analiza potrzeb", 5),
        ("Propozycja", 0),
        ("Prezentacja", 0),
        ("Oferta", 2),
        ("Negocjacje", 0),
    ]
    first = board[0]
    assert first["totalValue"] == "1500.00" and first["weightedValue"] == "150.00"
    assert [e["node"]["name"] for e in first["opportunities"]["edges"]] == ["Nowa 4", "Nowa 3", "Nowa 2"]
    assert first["opportunities"]["pageInfo"]["hasNextPage"] is True
    rest = await as_user(
        client, admin, NEXT, {"stage": stages[0]["id"], "after": first["opportunities"]["pageInfo"]["endCursor"]}
    )
    assert [e["node"]["name"] for e in rest["data"]["opportunities"]["edges"]] == ["Nowa 1", "Nowa 0"]
    assert rest["data"]["opportunities"]["pageInfo"]["hasNextPage"] is False
    assert board[3]["weightedValue"] == "1200.00" and board[3]["opportunities"]["pageInfo"]["hasNextPage"] is False
    too_many = await as_user(client, admin, BOARD, {"process": process["id"], "first": 500})
    assert too_many["errors"][0]["extensions"]["code"] == "OUT_OF_RANGE"


async def test_enabling_sales_later_grants_the_sales_roles_once(tmp_path, database_url, engine_kind):
    before = Runtime.boot(
        load_settings(
            environ={}, database_url=database_url, plugins_file=write_plugins(tmp_path / "a.toml", SAMPLE_PLUGINS)
        )
    )
    await migrate(before)
    await before.start()
    role = await Role.select().where(Role.name == "sales_rep").output(load_json=True).first()
    await before.stop()
    assert "sales.opportunity.read" not in role["permissions"]
    sales = SAMPLE_PLUGINS + "\n[plugins.sales]\nenabled = true\n"
    after = Runtime.boot(
        load_settings(environ={}, database_url=database_url, plugins_file=write_plugins(tmp_path / "b.toml", sales))
    )
    await migrate(after)
    await after.start()
    try:
        role = await Role.select().where(Role.name == "sales_rep").output(load_json=True).first()
        assert {"sales.opportunity.read", "sales.opportunity.write", "sales.report.read"} <= set(role["permissions"])
        assert "core.company.read" in role["permissions"]
        # An administrator takes a right away; the next migrate does not give it back.
        await Role.update({Role.permissions: [p for p in role["permissions"] if p != "sales.report.read"]}).where(
            Role.id == role["id"]
        )
        await migrate(after)
        again = await Role.select().where(Role.name == "sales_rep").output(load_json=True).first()
        assert "sales.report.read" not in again["permissions"]
    finally:
        await after.stop()
