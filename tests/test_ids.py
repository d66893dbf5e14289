"""One convention for ids: every object is referred to by the global id the API hands out for it,
in every input, on both surfaces (staff and portal)."""

import ast
import re
from pathlib import Path

import pytest
from graphql import GraphQLInputObjectType, GraphQLObjectType, build_schema, get_named_type

from tests.conftest import as_user, make_user, write_plugins
from tests.plugins.marketing.conftest import MARKETING_PLUGINS

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = {surface: ROOT / "schema" / f"{surface}.graphql" for surface in ("schema", "portal")}
IDISH = re.compile(r"^(id|ids|.+Id|.+Ids)$")
# Identifiers that are not ids of objects of this API: header values and the OAuth client_id
# that an application is configured with, and the actor, which is not always an object
# ("system", a portal person, a staff user).
NOT_OBJECT_IDS = {"messageId", "clientId", "actorId"}


def _schema(surface: str):
    return build_schema(SCHEMAS[surface].read_text())


# Territories are referred to by their code (``malopolskie``) everywhere, in the API and on the
# command line: a code is a natural key that never changes, so it stays.
BY_NATURAL_KEY = {"territory", "territories"}


def _record_words(schema) -> set[str]:
    """``company``, ``companies``… for every object type with an id: an input named so refers to one."""
    words = set()
    for name, graphql_type in schema.type_map.items():
        if isinstance(graphql_type, GraphQLObjectType) and "id" in graphql_type.fields and not name.startswith("__"):
            stem = name.removesuffix("Node").removesuffix("Type")
            word = stem[0].lower() + stem[1:]
            words |= {word, word + "s", word.removesuffix("y") + "ies"}
    return words - BY_NATURAL_KEY


@pytest.mark.parametrize("surface", sorted(SCHEMAS))
def test_every_input_naming_a_record_takes_its_global_id(surface):
    """``team: String`` (a name) beside ``team: ID`` elsewhere is two conventions."""
    schema = _schema(surface)
    words = _record_words(schema)
    wrong = []
    for name, graphql_type in schema.type_map.items():
        if isinstance(graphql_type, GraphQLInputObjectType):
            inputs = [(f"{name}.{field_name}", field) for field_name, field in graphql_type.fields.items()]
        elif isinstance(graphql_type, GraphQLObjectType) and not name.startswith("__"):
            inputs = [
                (f"{name}.{f}({a})", arg) for f, field in graphql_type.fields.items() for a, arg in field.args.items()
            ]
        else:
            continue
        for where, value in inputs:
            if where.rsplit(".", 1)[1].split("(")[-1].rstrip(")") in words and get_named_type(value.type).name != "ID":
                wrong.append(f"{where}: {value.type}")
    assert wrong == []


@pytest.mark.parametrize("surface", sorted(SCHEMAS))
def test_every_id_in_the_sdl_is_a_global_id(surface):
    """Walks the SDL: an argument, input field or field that names an id takes an ID, never an
    Int or a String; a record referred to by another word (``person: ID``) is an ID too."""
    schema = _schema(surface)
    wrong = []
    for name, graphql_type in schema.type_map.items():
        if name.startswith("__") or not isinstance(graphql_type, GraphQLObjectType | GraphQLInputObjectType):
            continue
        for field_name, field in graphql_type.fields.items():
            named = get_named_type(field.type).name
            if IDISH.match(field_name) and field_name not in NOT_OBJECT_IDS and named != "ID":
                wrong.append(f"{name}.{field_name}: {field.type}")
            for arg_name, arg in getattr(field, "args", {}).items():
                if IDISH.match(arg_name) and get_named_type(arg.type).name != "ID":
                    wrong.append(f"{name}.{field_name}({arg_name}: {arg.type})")
    assert wrong == []


def _literal_type_names() -> list[tuple[str, str]]:
    """The type names written into calls of the id functions in the code: (where, name)."""
    found = []
    for folder in ("core", "plugins"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                callee = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
                if callee in ("decode_id", "id_of", "global_id", "_decode_filter_id", "_optional_id", "_with_id"):
                    for arg in node.args[:2]:
                        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                            found.append((f"{path.relative_to(ROOT)}:{node.lineno}", arg.value))
    return found


def test_the_code_decodes_only_type_names_that_objects_carry():
    """``decode_id(x, "User", …)`` while queries hand out ``UserNode`` ids can never pass."""
    carried = set()
    for surface in SCHEMAS:
        schema = _schema(surface)
        carried |= {n for n, t in schema.type_map.items() if isinstance(t, GraphQLObjectType) and "id" in t.fields}
    literals = _literal_type_names()
    assert len(literals) > 50  # the walk finds the calls
    assert [(where, name) for where, name in literals if name not in carried] == []


@pytest.fixture
def plugins_file(tmp_path: Path) -> Path:
    return write_plugins(tmp_path / "plugins.toml", MARKETING_PLUGINS)  # with sales


def _ok(result: dict, name: str) -> dict:
    assert "errors" not in result, result
    payload = result["data"][name]
    assert payload["userErrors"] == [], payload
    return payload


async def test_mutations_take_the_ids_that_queries_return(client, runtime, engine_kind):
    from core.access import services as access
    from core.auth import SYSTEM

    await access.create_team(runtime, SYSTEM, "Północ")
    _, admin = await make_user(runtime, "admin@firma.pl", roles=["administrator"], team="Północ")

    async def ask(query, variables=None):
        result = await as_user(client, admin, query, variables)
        assert "errors" not in result, result
        return result["data"]

    company = _ok(
        await as_user(
            client,
            admin,
            'mutation { companyCreate(input: {name: "Huta"}) { company { id } userErrors { code } } }',
        ),
        "companyCreate",
    )["company"]["id"]
    _ok(
        await as_user(
            client,
            admin,
            """mutation($c: ID!) { personCreate(input: {lastName: "Nowak", emails: [{value: "n@huta.pl"}],
                employments: [{company: $c}]}) { person { id } userErrors { code } } }""",
            {"c": company},
        ),
        "personCreate",
    )
    # The ids below come from queries, never from the mutations that made the records.
    user = (await ask("{ users(first: 1) { edges { node { id } } } }"))["users"]["edges"][0]["node"]["id"]
    team = (await ask("{ teams(first: 1) { edges { node { id } } } }"))["teams"]["edges"][0]["node"]["id"]
    company = (await ask("{ companies(first: 1) { edges { node { id } } } }"))["companies"]["edges"][0]["node"]["id"]
    person = (await ask("{ persons(first: 1) { edges { node { id } } } }"))["persons"]["edges"][0]["node"]["id"]

    role = (await ask("{ roles(first: 1) { edges { node { id name } } } }"))["roles"]["edges"][0]["node"]
    staff = _ok(
        await as_user(
            client,
            admin,
            """mutation($r: [ID!]!, $t: ID) { userCreate(input: {email: "nowy@firma.pl", displayName: "Nowy",
                roles: $r, team: $t}) { user { roles { name } team { id } } userErrors { field code } } }""",
            {"r": [role["id"]], "t": team},
        ),
        "userCreate",
    )
    assert staff["user"] == {"roles": [{"name": role["name"]}], "team": {"id": team}}

    routing = await as_user(
        client,
        admin,
        """mutation($u: ID, $t: ID) { a: routingRuleCreate(input: {name: "A", assignee: $u}) { userErrors { code } }
            b: routingRuleCreate(input: {name: "B", team: $t}) { userErrors { code } } }""",
        {"u": user, "t": team},
    )
    assert routing["data"] == {"a": {"userErrors": []}, "b": {"userErrors": []}}
    rules = [r["id"] for r in (await ask("{ routingRules { id } }"))["routingRules"]]
    _ok(
        await as_user(
            client,
            admin,
            "mutation($ids: [ID!]!) { routingRulesReorder(ids: $ids) { userErrors { code } } }",
            {"ids": rules[::-1]},
        ),
        "routingRulesReorder",
    )

    _ok(
        await as_user(
            client,
            admin,
            """mutation { webhookEndpointCreate(input: {name: "ERP", url: "https://erp.example.com/hook"}) {
                userErrors { code } } }""",
        ),
        "webhookEndpointCreate",
    )
    endpoint = (await ask("{ webhookEndpoints { edges { node { id } } } }"))["webhookEndpoints"]["edges"][0]["node"]
    actions = [
        {"type": "webhook", "endpoint_id": endpoint["id"]},
        {"type": "task", "title": "Zadzwoń", "assignee": user},
        {"type": "notify", "to": team, "title": "Wygrana"},
    ]
    conditions = {"all": [{"field": "company_id", "op": "in", "value": [company]}]}
    created = _ok(
        await as_user(
            client,
            admin,
            """mutation($a: JSON!, $c: JSON) { ruleCreate(input: {name: "R", eventType: "sales.opportunity.won",
                actions: $a, conditions: $c}) { rule { id } userErrors { field code } } }""",
            {"a": actions, "c": conditions},
        ),
        "ruleCreate",
    )
    shown = (await ask("{ rules { edges { node { id conditions actions } } } }"))["rules"]["edges"][0]["node"]
    assert shown["id"] == created["rule"]["id"] and shown["conditions"] == conditions
    assert [a.get("endpoint_id") or a.get("assignee") or a.get("to") for a in shown["actions"]] == [
        endpoint["id"],
        user,
        team,
    ]

    task = _ok(
        await as_user(
            client,
            admin,
            """mutation($u: ID, $c: ID, $p: ID) { taskCreate(input: {title: "Oferta", dueAt: "2026-05-04T10:00:00Z",
                assignee: $u, company: $c, person: $p}) { userErrors { field code } } }""",
            {"u": user, "c": company, "p": person},
        ),
        "taskCreate",
    )
    assert task["userErrors"] == []
    [listed] = (
        await ask(
            """query($u: [ID!]) { calendar(start: "2026-05-01T00:00:00Z", end: "2026-06-01T00:00:00Z", users: $u)
                { id } }""",
            {"u": [user]},
        )
    )["calendar"]
    _ok(
        await as_user(
            client, admin, "mutation($id: ID!) { taskComplete(id: $id) { userErrors { code } } }", {"id": listed["id"]}
        ),
        "taskComplete",
    )

    _ok(
        await as_user(
            client,
            admin,
            """mutation { customFieldDefine(input: {entity: "company", key: "branza", labelPl: "Branża",
                labelEn: "Industry", kind: "text"}) { userErrors { field code } } }""",
        ),
        "customFieldDefine",
    )
    [definition] = (await ask('{ customFieldDefinitions(entity: "company") { id } }'))["customFieldDefinitions"]
    _ok(
        await as_user(
            client,
            admin,
            """mutation($id: ID!) { customFieldUpdate(id: $id, input: {labelEn: "Sector"}) {
                userErrors { field code } } }""",
            {"id": definition["id"]},
        ),
        "customFieldUpdate",
    )

    _ok(
        await as_user(
            client,
            admin,
            """mutation($p: ID!, $c: ID) { portalAccountInvite(input: {person: $p, company: $c}) {
                account { person company } userErrors { field code } } }""",
            {"p": person, "c": company},
        ),
        "portalAccountInvite",
    )
    accounts = (await ask("{ portalAccounts(first: 5) { edges { node { person company } } } }"))["portalAccounts"]
    assert [edge["node"] for edge in accounts["edges"]] == [{"person": person, "company": company}]

    uploaded = await client.post(
        "/plugins/core/attachments",
        headers={"authorization": f"Bearer {admin}"},
        data={"subject": company},
        files={"file": ("a.txt", b"v1", "text/plain")},
    )
    assert uploaded.status_code == 201, uploaded.text
    [attachment] = (await ask("query($s: ID!) { attachments(subject: $s) { id } }", {"s": company}))["attachments"]
    assert attachment["id"] == uploaded.json()["id"]
    replaced = await client.post(
        "/plugins/core/attachments",
        headers={"authorization": f"Bearer {admin}"},
        data={"subject": company, "replaces": attachment["id"]},
        files={"file": ("a.txt", b"v2", "text/plain")},
    )
    assert replaced.status_code == 201, replaced.text
    [newer] = (await ask("query($s: ID!) { attachments(subject: $s) { id version } }", {"s": company}))["attachments"]
    assert newer["version"] == 2
    _ok(
        await as_user(
            client,
            admin,
            "mutation($id: ID!) { attachmentDelete(id: $id) { userErrors { code } } }",
            {"id": newer["id"]},
        ),
        "attachmentDelete",
    )

    log = await ask(
        "query($e: ID) { auditLog(entity: $e, first: 50) { edges { node { entity event } } } }", {"e": company}
    )
    assert {edge["node"]["entity"] for edge in log["auditLog"]["edges"]} == {company}
    assert "core.company_created" in {edge["node"]["event"] for edge in log["auditLog"]["edges"]}
