"""Error hygiene: no Python exception text reaches a client, every error carries a code, and the
server log tells client errors (one line) from unexpected ones (a traceback under an error id)."""

import logging
from pathlib import Path

import pytest

from core.access import services as access
from core.auth import SYSTEM
from core.crm import services as crm
from tests.conftest import SAMPLE_PLUGINS, STAFF, as_user, gql, make_user, serve_app, write_plugins

ALL_PLUGINS = SAMPLE_PLUGINS + "\n[plugins.sales]\nenabled = true\n[plugins.marketing]\nenabled = true\n"
sqlite_only = pytest.mark.parametrize("engine_kind", ["sqlite"])


@pytest.fixture
def plugins_file(tmp_path: Path) -> Path:
    return write_plugins(tmp_path / "plugins.toml", ALL_PLUGINS)


async def test_bad_input_is_answered_as_bad_input_not_as_a_python_error(client, runtime, engine_kind):
    retry = await gql(
        client,
        'mutation { webhookDeliveryRetry(id: "²") { userErrors { field code } } }',
        actor="staff:core.rule.manage",
    )
    # The id is a global id now: a malformed one is a coded client error, never int()'s text.
    assert retry["data"] is None
    [error] = retry["errors"]
    assert error["extensions"]["code"] == "INVALID_ID" and "literal" not in error["message"]
    segment = await gql(
        client,
        'mutation { segmentCreate(input: {name: "x", criteria: {field: [1]}}) { userErrors { field code } } }',
        actor="staff:marketing.segment.manage",
    )
    assert segment["data"]["segmentCreate"]["userErrors"] == [
        {"field": ["input", "criteria", "field"], "code": "SEGMENT_FIELD_UNKNOWN"}
    ]
    await crm.create_company(runtime, SYSTEM, {"name": "Acme"})
    await access.create_role(
        runtime, SYSTEM, name="lister", description="", permissions=["core.company.read"], record_scope="all"
    )
    _, token = await make_user(runtime, "lister@firma.pl", roles=["lister"])
    # Without core.person.read the company's employees are an empty page, not a crash of the query.
    employees = await as_user(
        client,
        token,
        "{ companies { edges { node { name employees(first: 1) "
        "{ edges { node { position } } pageInfo { hasNextPage } } } } } }",
    )
    assert "errors" not in employees
    [company] = employees["data"]["companies"]["edges"]
    assert company["node"]["employees"] == {"edges": [], "pageInfo": {"hasNextPage": False}}


@sqlite_only
async def test_unexpected_errors_are_masked_with_an_id_the_log_carries(client, caplog):
    with caplog.at_level(logging.INFO, logger="kartoteka.graphql"):
        failed = await gql(client, "{ sampleFail }")
    [error] = failed["errors"]
    assert error["extensions"]["code"] == "INTERNAL"
    assert "hunter2" not in str(failed) and "RuntimeError" not in str(failed)
    error_id = error["extensions"]["errorId"]
    assert error_id in error["message"]
    [record] = [r for r in caplog.records if error_id in r.getMessage()]
    assert record.levelno == logging.ERROR
    assert record.exc_info and "hunter2" in str(record.exc_info[1])


@sqlite_only
async def test_every_error_has_a_code(client):
    cases = {
        '{ node(id: "not-a-global-id") { id } }': "INVALID_ID",
        "{ nod { id } }": "GRAPHQL_VALIDATION_FAILED",
        "{ viewer { kind ": "GRAPHQL_PARSE_FAILED",
        "{ sampleNotes { edges { cursor } } }": "FORBIDDEN",
    }
    for query, code in cases.items():
        result = await gql(client, query, actor=None if code == "FORBIDDEN" else STAFF)
        assert [e["extensions"]["code"] for e in result["errors"]] == [code], (query, result)
    variable = await gql(client, "query($n: Int) { sampleNotes(first: $n) { edges { cursor } } }", {"n": "x"})
    assert variable["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    # Strawberry's DateTime adds Python's text ("invalid literal for int() …") to its refusal.
    for bad_time in ('{ calendar(start: "nope", end: "x") { id } }',):
        refused = await gql(client, bad_time, actor="staff:core.task.read")
        messages = [e["message"] for e in refused["errors"]]
        assert messages == ['Value cannot represent a DateTime: "nope".', 'Value cannot represent a DateTime: "x".']
    as_variable = await gql(
        client,
        "query($s: DateTime!) { calendar(start: $s, end: $s) { id } }",
        {"s": "nope"},
        actor="staff:core.task.read",
    )
    assert as_variable["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "invalid literal" not in as_variable["errors"][0]["message"]
    json_variable = await gql(
        client,
        'mutation($c: JSON) { sampleNoteCreate(input: {text: "a", customFields: $c}) { userErrors { code } } }',
        {"c": {"a": 1}},
    )
    assert "errors" not in json_variable


@sqlite_only
async def test_client_errors_are_logged_as_one_line_without_a_traceback(client, caplog):
    with caplog.at_level(logging.DEBUG):
        await gql(client, "{ sampleNotes { edges { cursor } } }", actor=None)
        await gql(client, '{ node(id: "not-a-global-id") { id } }')
        await gql(client, "{ nod { id } }")
    records = [r for r in caplog.records if r.name.startswith(("kartoteka", "strawberry"))]
    assert len(records) == 3, [r.getMessage() for r in records]
    for record in records:
        assert record.levelno in (logging.INFO, logging.WARNING)
        assert record.exc_info is None and "\n" not in record.getMessage()


@sqlite_only
async def test_production_keeps_client_errors_and_masks_only_unexpected_ones(runtime):
    runtime.settings = runtime.settings.with_overrides(profile="production", secret_key="p" * 40)
    async with serve_app(runtime) as client:
        bad_id = await gql(client, '{ node(id: "not-a-global-id") { id } }')
        assert bad_id["errors"][0]["extensions"]["code"] == "INVALID_ID"
        assert bad_id["errors"][0]["message"] == "This is not an id that the API handed out."
        typo = await gql(client, "{ nod { id } }")
        assert typo["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert "Did you mean" not in typo["errors"][0]["message"]
        variable = await gql(client, "query($n: Int) { sampleNotes(first: $n) { edges { cursor } } }", {"n": "x"})
        assert "Int cannot represent" in variable["errors"][0]["message"]
        failed = await gql(client, "{ sampleFail }")
        assert failed["errors"][0]["extensions"]["code"] == "INTERNAL"
        assert "hunter2" not in str(failed)


async def test_text_with_a_nul_character_is_bad_input_on_both_engines(client, engine_kind):
    create = "mutation($t: String!) { sampleNoteCreate(input: {text: $t}) { userErrors { code } } }"
    by_variable = await gql(client, create, {"t": "a\x00b"})
    assert by_variable["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    literal = await gql(client, 'mutation { sampleNoteCreate(input: {text: "a\\u0000b"}) { userErrors { code } } }')
    assert literal["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
