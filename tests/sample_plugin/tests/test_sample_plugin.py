"""The sample plugin's own tests, written as a partner's package must: only ``core.api``, the
test kit ``core.testing`` and the plugin itself (tests/test_architecture.py checks it)."""

import pytest

from core.api import SYSTEM
from core.testing import drain, gid, gql, gql_errors, make_user, node_id
from kartoteka_sample import services
from kartoteka_sample.tables import SampleNote, SampleRun

pytestmark = pytest.mark.kartoteka_plugins("sample")

CREATE = """mutation($input: SampleNoteCreateInput!) { sampleNoteCreate(input: $input) {
    note { id text runs } userErrors { field code } } }"""
NOTES = "{ sampleNotes { edges { node { id text } } } viewer { sampleNoteCount } }"


async def test_an_editor_writes_a_note_and_a_reader_sees_it(kartoteka_runtime, kartoteka_client):
    editor = await make_user(kartoteka_runtime, roles=["sample_editor"])
    created = await gql(kartoteka_client, CREATE, {"input": {"text": "Pierwsza notatka"}}, as_=editor)
    note = created["sampleNoteCreate"]["note"]
    assert created["sampleNoteCreate"]["userErrors"] == []
    assert note["id"] == gid("SampleNoteNode", node_id(note["id"]))
    listed = await gql(kartoteka_client, NOTES, as_=editor)
    assert listed == {
        "sampleNotes": {"edges": [{"node": {"id": note["id"], "text": "Pierwsza notatka"}}]},
        "viewer": {"sampleNoteCount": 1},
    }


async def test_without_the_role_notes_are_refused(kartoteka_runtime, kartoteka_client):
    stranger = await make_user(kartoteka_runtime)
    [error] = await gql_errors(kartoteka_client, "{ sampleNotes { edges { cursor } } }", as_=stranger)
    assert error["extensions"] == {"code": "FORBIDDEN", "permission": "sample.note.read"}
    [error] = await gql_errors(kartoteka_client, CREATE, {"input": {"text": "x"}})  # anonymous
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert await SampleNote.count() == 0


async def test_blank_and_vetoed_notes_are_user_errors_and_write_nothing(kartoteka_runtime, kartoteka_client):
    editor = await make_user(kartoteka_runtime, roles=["sample_editor"])
    for text, code in (("  ", "BLANK"), ("a forbidden word", "VETOED")):
        result = await gql(kartoteka_client, CREATE, {"input": {"text": text}}, as_=editor)
        assert result["sampleNoteCreate"] == {"note": None, "userErrors": [{"field": ["input", "text"], "code": code}]}
    assert await SampleNote.count() == 0


async def test_the_async_subscriber_runs_once_per_note(kartoteka_runtime):
    async with kartoteka_runtime.unit_of_work(SYSTEM) as uow:
        note_id = await services.create_note(uow, "Do przetworzenia")
    assert await SampleRun.count() == 0  # nothing runs inside the unit of work
    assert await drain(kartoteka_runtime) == 1
    assert await drain(kartoteka_runtime) == 0  # delivered once, never again
    assert [row["note_id"] for row in await SampleRun.select(SampleRun.note_id)] == [note_id]


async def test_a_failing_subscriber_shows_its_error(kartoteka_runtime):
    async with kartoteka_runtime.unit_of_work(SYSTEM) as uow:
        note_id = await services.create_note(uow, "fail, please")
    with pytest.raises(RuntimeError, match=f"note {note_id} asked to fail"):
        await drain(kartoteka_runtime)


@pytest.mark.kartoteka_plugins(sample={"greeting": "dzień dobry"})
async def test_the_config_of_the_marker_reaches_the_plugin(kartoteka_client):
    assert (await kartoteka_client.get("/plugins/sample/ping")).json() == {"greeting": "dzień dobry"}
