"""Lead routing over GraphQL and the public form endpoint: by territory, by source, round-robin
within a team (also for leads arriving at once), unmatched leads listed; a task for each owner."""

from __future__ import annotations

import asyncio
import base64
from collections import Counter
from pathlib import Path

import pytest

from core.access import services as access
from core.api import ContactPoint, Person
from core.auth import SYSTEM
from core.crm.tables import Task
from tests.conftest import SAMPLE_PLUGINS, as_user, make_user, write_plugins
from tests.plugins.marketing.test_web_forms import make_form

RULE_CREATE = """mutation($input: RoutingRuleInput!) { routingRuleCreate(input: $input) {
    routingRule { id name position territory source assignee { email } team { name } } userErrors { field code } } }"""
RULES = "query { routingRules { name position } }"
REORDER = """mutation($ids: [ID!]!) { routingRulesReorder(ids: $ids) { routingRules { name } userErrors { code } } }"""
UNROUTED = "query { unroutedLeads { edges { node { source person { lastName } owner { email } } } } }"


@pytest.fixture
def plugins_file(tmp_path: Path) -> Path:
    """Throttling is tested elsewhere; here one client sends many posts."""
    return write_plugins(
        tmp_path / "plugins.toml",
        SAMPLE_PLUGINS
        + """
[plugins.sales]
enabled = true
[plugins.marketing]
enabled = true
[plugins.marketing.config]
form_posts_per_ip = 1000
""",
    )


def gid(type_name: str, node_id: int) -> str:
    return base64.b64encode(f"{type_name}:{node_id}".encode()).decode()


async def owner_of(address: str) -> int | None:
    row = await (
        ContactPoint.select(ContactPoint.person)
        .where((ContactPoint.value == address) & ContactPoint.person.is_not_null())
        .first()
    )
    return (await Person.select(Person.owner).where(Person.id == row["person"]).first())["owner"]


async def submit(client, key: str, address: str, **values: str) -> None:
    sent = await client.post(f"/plugins/marketing/forms/{key}", json={"email": address, "last_name": "Lead", **values})
    assert sent.status_code == 202, sent.text


@pytest.fixture
async def staff(runtime) -> dict:
    await access.create_team(runtime, SYSTEM, "Północ")
    await access.create_territory(runtime, SYSTEM, "mazowieckie", "Mazowieckie")
    await access.create_territory(runtime, SYSTEM, "warszawa", "Warszawa", parent="mazowieckie")
    users = {
        name: (await make_user(runtime, f"{name}@firma.pl", **options))[0]
        for name, options in (
            ("ania", {"roles": ["sales_rep"]}),
            ("bogdan", {"roles": ["sales_rep"]}),
            ("cyryl", {"roles": ["sales_rep"], "team": "Północ"}),
            ("dorota", {"roles": ["sales_rep"], "team": "Północ"}),
        )
    }
    users["token"] = (await make_user(runtime, "szef@firma.pl", roles=["marketer", "sales_manager"]))[1]
    return users


async def test_leads_go_by_territory_source_and_in_turn_within_a_team(client, runtime, staff):
    token = staff["token"]
    regional = await make_form(
        client, token, name="Region", fields=["email", "last_name", "territory"], allowedOrigins=[]
    )
    partners = await make_form(
        client, token, name="Partnerzy", fields=["email", "last_name", "territory"], allowedOrigins=[]
    )
    newsletter = await make_form(client, token, name="Newsletter", allowedOrigins=[])
    other = await make_form(client, token, name="Inny", allowedOrigins=[])
    rules = [
        {"name": "Mazowsze", "territory": "mazowieckie", "assignee": gid("UserNode", staff["ania"])},
        {"name": "Partnerzy", "source": f"form:{partners['key']}", "assignee": gid("UserNode", staff["bogdan"])},
        {"name": "Newsletter", "source": f"form:{newsletter['key']}", "team": gid("TeamNode", 1)},
    ]
    for rule in rules:
        created = await as_user(client, token, RULE_CREATE, {"input": rule})
        assert created["data"]["routingRuleCreate"]["userErrors"] == [], created
    refused = await as_user(client, token, RULE_CREATE, {"input": {"name": "Nikt"}})
    assert refused["data"]["routingRuleCreate"]["userErrors"] == [
        {"field": ["input", "assignee"], "code": "ONE_TARGET"}
    ]

    # A territory inside the rule's counts; the rep gets a task to call the lead.
    await submit(client, regional["key"], "w@x.pl", territory="warszawa")
    assert await owner_of("w@x.pl") == staff["ania"]
    task = await Task.select().where(Task.assignee == staff["ania"]).first()
    assert task["title"] == "Zadzwoń do nowego leada: Lead"
    assert task["person"] is not None
    await submit(client, partners["key"], "p@x.pl")
    assert await owner_of("p@x.pl") == staff["bogdan"]
    await submit(client, partners["key"], "pw1@x.pl", territory="warszawa")  # both rules match: the first wins
    assert await owner_of("pw1@x.pl") == staff["ania"]

    # Round-robin within the team: members take turns.
    for index in range(4):
        await submit(client, newsletter["key"], f"n{index}@x.pl")
    owners = [await owner_of(f"n{index}@x.pl") for index in range(4)]
    assert owners == [staff["cyryl"], staff["dorota"], staff["cyryl"], staff["dorota"]]
    assert await Task.count().where(Task.assignee == staff["dorota"]) == 2

    # Leads arriving together are still shared fairly.
    await asyncio.gather(*(submit(client, newsletter["key"], f"r{index}@x.pl") for index in range(6)))
    together = Counter([await owner_of(f"r{index}@x.pl") for index in range(6)])
    assert together == {staff["cyryl"]: 3, staff["dorota"]: 3}

    # No rule matches: no owner, no task, listed for a manager.
    await submit(client, other["key"], "zaden@x.pl", last_name="Bezpański")
    assert await owner_of("zaden@x.pl") is None
    unrouted = await as_user(client, token, UNROUTED)
    leads = [edge["node"] for edge in unrouted["data"]["unroutedLeads"]["edges"]]
    assert {"source": f"form:{other['key']}", "person": {"lastName": "Bezpański"}, "owner": None} in leads
    assert await Task.count() == 13

    # Rules are tried in the order given: with the source rule first, it wins a partner lead from Warsaw.
    listed = [(r["name"], r["position"]) for r in (await as_user(client, token, RULES))["data"]["routingRules"]]
    assert listed == [("Mazowsze", 0), ("Partnerzy", 1), ("Newsletter", 2)]
    ids = [gid("RoutingRule", rule_id) for rule_id in (2, 1, 3)]
    reordered = await as_user(client, token, REORDER, {"ids": ids})
    assert [r["name"] for r in reordered["data"]["routingRulesReorder"]["routingRules"]] == [
        "Partnerzy",
        "Mazowsze",
        "Newsletter",
    ]
    await submit(client, partners["key"], "pw2@x.pl", territory="warszawa")
    assert await owner_of("pw2@x.pl") == staff["bogdan"]


async def test_routing_needs_its_permission(client, runtime):
    token = (await make_user(runtime, "m@firma.pl", roles=["marketer"]))[1]
    denied = await as_user(client, token, RULES)
    assert denied["data"] is None and denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_leads_created_elsewhere_without_an_owner_are_routed_too(client, runtime, staff):
    from core.crm import services as crm
    from tests.conftest import wait_for

    rule = {"name": "Import", "source": "other", "assignee": gid("UserNode", staff["bogdan"])}
    created = await as_user(client, staff["token"], RULE_CREATE, {"input": rule})
    assert created["data"]["routingRuleCreate"]["userErrors"] == []
    imported = await crm.create_person(runtime, SYSTEM, {"last_name": "Zimport"})

    async def owner() -> int | None:
        return (await Person.select(Person.owner).where(Person.id == imported).first())["owner"]

    assert await wait_for(owner) == staff["bogdan"]
    assert await Task.count().where((Task.person == imported) & (Task.assignee == staff["bogdan"])) == 1
