"""The composed GraphQL API: permissions, Relay ids and connections, payload errors, guards."""

import base64

import pytest
from graphql import GraphQLObjectType

from core.errors import camel_case
from core.graphql.compose import build_schema
from core.graphql.permissions import declared_permission
from core.settings import load_settings
from kartoteka_sample import graphql as sample_graphql
from kartoteka_sample.tables import SampleNote, SampleRun
from tests.conftest import STAFF, gql, serve_app, wait_for

CREATE = (
    "mutation($text: String!) { sampleNoteCreate(input: {text: $text}) "
    "{ note { id text } userErrors { field code message } } }"
)
sqlite_only = pytest.mark.parametrize("engine_kind", ["sqlite"])


async def create(client, text):
    return (await gql(client, CREATE, {"text": text}))["data"]["sampleNoteCreate"]


async def test_plugin_query_mutation_and_core_type_extension(client, engine_kind):
    created = await create(client, "pierwsza notatka")
    assert created["userErrors"] == []
    assert created["note"]["text"] == "pierwsza notatka"
    result = await gql(client, "{ viewer { kind displayName sampleNoteCount permissions } }")
    assert result["data"]["viewer"]["kind"] == "staff"
    assert result["data"]["viewer"]["sampleNoteCount"] == 1
    assert "sample.note.write" in result["data"]["viewer"]["permissions"]


async def test_fields_are_denied_without_their_permission(client, engine_kind):
    anonymous = await gql(client, "{ sampleNotes { edges { node { id } } } }", actor=None)
    assert anonymous["data"] is None
    assert anonymous["errors"][0]["extensions"] == {"code": "FORBIDDEN", "permission": "sample.note.read"}
    reader = "staff:sample.note.read"
    denied = await gql(client, CREATE, {"text": "x"}, actor=reader)
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert await SampleNote.count() == 0
    # A field a plugin adds to a core type is checked too.
    viewer = await gql(client, "{ viewer { kind sampleNoteCount } }", actor="staff:")
    assert viewer["errors"][0]["path"] == ["viewer", "sampleNoteCount"]
    assert viewer["data"] is None
    public = await gql(client, "{ viewer { kind } }", actor=None)
    assert public["data"] == {"viewer": {"kind": "anonymous"}}


@sqlite_only
async def test_every_root_field_declares_its_permission(runtime):
    """Walks both schemas: each root field carries a registered permission and documents it."""
    known = set(runtime.registry.permissions) | {"public", "authenticated"}
    for surface in ("staff", "portal"):
        schema = build_schema(runtime, surface)
        for root_name in ("Query", "Mutation"):
            root = schema.get_type_by_name(root_name)
            if root is None:
                continue
            for field in root.fields:
                code = declared_permission(field)
                assert code in known, f"{surface} {root_name}.{field.name} declares {code!r}"
                graphql_field = schema._schema.get_type(root_name).fields[field.graphql_name or camel_case(field.name)]
                assert "Requires permission" in graphql_field.description or code in ("public", "authenticated")


@sqlite_only
async def test_composition_refuses_fields_without_permission(runtime, tmp_path):
    import strawberry

    from core.api import NoConfig, Plugin, PluginInfo, hookimpl
    from core.errors import SchemaCompositionError
    from core.runtime import Runtime

    @strawberry.type
    class Careless:
        @strawberry.field
        def careless(self) -> int:
            return 1

    class CarelessPlugin(Plugin):
        info = PluginInfo(description="forgets permissions")

        @hookimpl
        def kartoteka_graphql_queries(self, surface):
            return [Careless]

    booted = Runtime.boot(runtime.settings, extra_plugins={"careless": CarelessPlugin("careless", NoConfig())})
    with pytest.raises(SchemaCompositionError, match=r"Query.careless \(plugin 'careless'\) declares no permission"):
        build_schema(booted, "staff")


@sqlite_only
async def test_portal_surface_never_exposes_staff_types(runtime):
    portal = build_schema(runtime, "portal")
    names = set(portal._schema.type_map)
    assert "DeadLetter" not in names and "SampleNoteNode" not in names and "SystemInfo" not in names
    introspection = portal.as_str()
    assert "sampleNoteCount" not in introspection and "deadLetterRetry" not in introspection


async def test_relay_node_lookup_and_global_ids(client, engine_kind):
    created = await create(client, "node me")
    global_id = created["note"]["id"]
    assert base64.b64decode(global_id).decode().startswith("SampleNoteNode:")
    query = "query($id: ID!) { node(id: $id) { id ... on SampleNoteNode { text } } }"
    found = await gql(client, query, {"id": global_id})
    assert found["data"]["node"] == {"id": global_id, "text": "node me"}
    # Without the type's permission the object is simply not there (no existence leak).
    hidden = await gql(client, query, {"id": global_id}, actor="staff:core.jobs.read")
    assert hidden["data"]["node"] is None
    missing = base64.b64encode(b"SampleNoteNode:999999").decode()
    assert (await gql(client, query, {"id": missing}))["data"]["node"] is None


async def test_cursor_pagination_and_maximum_page_size(client, engine_kind):
    for number in range(5):
        await create(client, f"note {number}")
    query = (
        "query($after: String) { sampleNotes(first: 2, after: $after) "
        "{ edges { cursor node { text } } pageInfo { hasNextPage endCursor } } }"
    )
    seen, after = [], None
    while True:
        page = (await gql(client, query, {"after": after}))["data"]["sampleNotes"]
        seen += [edge["node"]["text"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [f"note {n}" for n in range(5)]
    too_big = await gql(client, "{ sampleNotes(first: 101) { edges { cursor } } }")
    assert too_big["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "maximum": 100}
    bad_cursor = await gql(client, '{ sampleNotes(after: "bm9wZQ==") { edges { cursor } } }')
    assert bad_cursor["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_mutation_user_errors_write_nothing(client, engine_kind):
    blank = await create(client, "   ")
    assert blank == {
        "note": None,
        "userErrors": [{"field": ["input", "text"], "code": "BLANK", "message": "Text must not be blank."}],
    }
    assert await SampleNote.count() == 0


async def test_dataloader_batches_a_whole_page(client, engine_kind):
    for number in range(4):
        await create(client, f"batch {number}")
    await wait_for(lambda: _runs_at_least(4))
    sample_graphql.BATCH_CALLS.clear()
    page = await gql(client, "{ sampleNotes(first: 10) { edges { node { runs } } } }")
    assert [edge["node"]["runs"] for edge in page["data"]["sampleNotes"]["edges"]] == [1, 1, 1, 1]
    assert sample_graphql.BATCH_CALLS == [4]


async def _runs_at_least(count):
    return await SampleRun.count() >= count


@sqlite_only
@pytest.mark.parametrize(
    ("query", "code_or_text"),
    [
        ("{ viewer { kind } " + " ".join(f"a{i}: viewer {{ kind }}" for i in range(16)) + " }", "aliases"),
        ("{ " + "viewer { kind } " * 1 + "__typename " * 2100 + "}", "token"),
    ],
)
async def test_alias_and_token_limits(client, query, code_or_text):
    result = await gql(client, query)
    assert code_or_text in result["errors"][0]["message"].lower()


@sqlite_only
async def test_depth_limit(runtime):
    from tests.conftest import serve_app

    shallow = runtime.settings.with_overrides(max_query_depth=2)
    runtime.settings = shallow
    async with serve_app(runtime) as client:
        deep = await gql(client, "{ sampleNotes { edges { node { id } } } }")
        assert "exceeds maximum operation depth" in deep["errors"][0]["message"]
        ok = await gql(client, "{ viewer { kind } }")
        assert ok["data"]["viewer"]["kind"] == "staff"


@sqlite_only
async def test_cost_limit_counts_page_sizes(runtime):
    runtime.settings = runtime.settings.with_overrides(max_query_cost=1000)
    async with serve_app(runtime) as client:
        await _check_cost_limit(client)


async def _check_cost_limit(client):
    expensive = await gql(
        client,
        "{ a: sampleNotes(first: 100) { edges { node { id text touched runs } } } "
        "b: sampleNotes(first: 100) { edges { node { id text touched runs } } } }",
    )
    assert expensive["errors"][0]["extensions"]["code"] == "COST_LIMIT_EXCEEDED"
    assert expensive["errors"][0]["extensions"]["cost"] == 2 * (1 + 100 * (1 + (1 + 4)))
    cheap = await gql(client, "{ sampleNotes(first: 5) { edges { node { id } } } }")
    assert "errors" not in cheap
    with_variable = await gql(
        client, "query($n: Int) { sampleNotes(first: $n) { edges { node { id text } } } }", {"n": 5}
    )
    assert "errors" not in with_variable
    # A variable's default value counts like a literal.
    by_default = await gql(
        client,
        "query($n: Int = 100) { a: sampleNotes(first: $n) { edges { node { id text touched runs } } } "
        "b: sampleNotes(first: $n) { edges { node { id text touched runs } } } }",
    )
    assert by_default["errors"][0]["extensions"]["code"] == "COST_LIMIT_EXCEEDED"
    assert by_default["errors"][0]["extensions"]["cost"] == expensive["errors"][0]["extensions"]["cost"]


@sqlite_only
async def test_request_deadline_stops_a_slow_request(runtime):
    runtime.settings = runtime.settings.with_overrides(request_deadline=0.2)
    async with serve_app(runtime) as client:
        slow = await gql(client, "{ sampleSleep(seconds: 5) }")
        assert slow["errors"][0]["extensions"]["code"] == "DEADLINE_EXCEEDED"
        quick = await gql(client, "{ sampleSleep(seconds: 0.01) }")
        assert quick["data"] == {"sampleSleep": True}


@sqlite_only
async def test_production_masks_internal_errors_and_hides_graphiql(runtime, tmp_path):
    async with serve_app(runtime) as client:
        page = await client.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code == 200 and "graphiql" in page.text.lower()
        # Like the other HTML pages: never framed by another site, scripts from known places only.
        assert page.headers["x-frame-options"] == "DENY"
        policy = page.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy and "default-src 'none'" in policy
    runtime.settings = runtime.settings.with_overrides(profile="production", secret_key="p" * 40)
    async with serve_app(runtime) as client:
        production = await gql(client, "{ sampleFail }")
        assert production["errors"][0]["extensions"]["code"] == "INTERNAL"
        denied = await gql(client, "{ sampleNotes { edges { cursor } } }", actor=None)
        assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"  # client errors stay readable
        assert (await client.get("/graphql", headers={"accept": "text/html"})).status_code != 200
        # No schema for anonymous callers on either surface; signed-in staff still read it.
        for path in ("/graphql", "/portal/graphql"):
            for probe in ("{ __schema { types { name } } }", '{ __type(name: "Query") { name } }'):
                refused = await gql(client, probe, actor=None, path=path)
                assert refused["data"] is None and refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        assert (await gql(client, "{ __typename }", actor=None))["data"] == {"__typename": "Query"}
        staff = await gql(client, "{ __schema { queryType { name } } }")
        assert staff["data"]["__schema"]["queryType"]["name"] == "Query"
        typo = await gql(client, "{ sampleNote { id } }")
        assert "Did you mean" not in typo["errors"][0]["message"]


@sqlite_only
async def test_queries_over_get_are_refused(client):
    response = await client.get("/graphql", params={"query": "{ viewer { kind } }"}, headers={"x-sample-actor": STAFF})
    assert response.status_code == 400
    assert "data" not in response.text


@sqlite_only
async def test_plugin_http_route_is_mounted_under_its_name(client):
    response = await client.get("/plugins/sample/ping")
    assert response.json() == {"greeting": "hello"}
    assert (await client.get("/healthz")).json() == {"status": "ok"}


@sqlite_only
async def test_system_information(client):
    result = await gql(client, "{ system { profile database broker plugins { name description requires } } }")
    system = result["data"]["system"]
    assert (system["profile"], system["database"], system["broker"]) == ("embedded", "sqlite", "memory")
    assert [p["name"] for p in system["plugins"]] == ["core", "sample"]


def test_schema_objects_use_global_ids():
    runtime_settings = load_settings(environ={}, database_url="sqlite:///:memory:")
    from core.runtime import Runtime

    schema = build_schema(Runtime.boot(runtime_settings), "staff")
    dead_letter = schema._schema.get_type("DeadLetter")
    assert isinstance(dead_letter, GraphQLObjectType)
    assert [i.name for i in dead_letter.interfaces] == ["Node"]


@sqlite_only
async def test_repeated_queries_hit_the_parser_and_validation_caches(client):
    from strawberry.extensions.validation_cache import _get_validate_cache

    from core.graphql.guards import VALIDATION_CACHE_SIZE

    cache = _get_validate_cache(VALIDATION_CACHE_SIZE)
    query = "{ viewer { kind displayName } }"
    await gql(client, query)
    before = cache.cache_info()
    for _ in range(3):
        await gql(client, query)
    after = cache.cache_info()
    assert after.hits - before.hits == 3
    assert after.misses == before.misses


@sqlite_only
async def test_huge_documents_are_refused_by_the_token_limit_before_costing(client):
    import time

    huge = "{ " + " ".join(f"a{i}: viewer {{ kind }}" for i in range(30_000)) + " }"
    started = time.monotonic()
    result = await gql(client, huge)
    assert "token" in result["errors"][0]["message"].lower()
    assert time.monotonic() - started < 5  # refused without parsing the whole document


@sqlite_only
def test_graphql_over_websocket_is_not_offered(runtime):
    from litestar.testing import TestClient

    from core.app import create_app

    with (
        TestClient(create_app(runtime=runtime, run_jobs=False)) as test_client,
        pytest.raises(Exception),  # noqa: B017 - the handshake is refused, however Litestar says it
        test_client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as socket,
    ):
        socket.send_json({"type": "connection_init"})
        socket.receive_json()
