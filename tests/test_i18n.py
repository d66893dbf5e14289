"""Messages a user reads come in Polish or English, as the request asks."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from core.i18n import Translator, negotiate
from tests.conftest import gql

ROOT = Path(__file__).resolve().parents[1]
sqlite_only = pytest.mark.parametrize("engine_kind", ["sqlite"])
CREATE = 'mutation { sampleNoteCreate(input: {text: " "}) { userErrors { code message } } }'


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        (None, "en"),
        ("pl", "pl"),
        ("pl-PL,pl;q=0.9,en-US;q=0.8", "pl"),
        ("en-GB,en;q=0.9,pl;q=0.8", "en"),
        ("de-DE,de;q=0.9,pl;q=0.5", "pl"),
        ("fr-FR", "en"),
        ("en;q=0.1,pl;q=0.9", "pl"),
        ("*", "en"),
        (";;;q=x", "en"),
    ],
)
def test_accept_language_negotiation(header, locale):
    assert negotiate(header) == locale


FIRST_PARTY_PLUGINS = sorted(str(path.parent.relative_to(ROOT)) for path in (ROOT / "plugins").glob("*/plugin.py"))


@pytest.mark.parametrize("package", ["core", "tests/sample_plugin/kartoteka_sample", *FIRST_PARTY_PLUGINS])
def test_every_message_has_a_polish_translation(package):
    folder = ROOT / package
    messages = {
        message
        for _, _, message, *_ in extract_from_dir(folder, method_map=[("**.py", "python")], keywords={"_": None})
    }
    assert messages, f"no translatable messages found in {package}"
    # A plugin may reuse the core's messages ("This field must not be blank."): the runtime merges both.
    translator = Translator.load([ROOT / "core" / "locale", folder / "locale"])
    missing = sorted(m for m in messages if m not in translator.catalogs["pl"])
    assert missing == []


def test_translation_keeps_parameters():
    translator = Translator(
        {"pl": {"Text is longer than {limit} characters.": "Tekst jest dłuższy niż {limit} znaków."}}
    )
    assert (
        translator.text("pl", "Text is longer than {limit} characters.", {"limit": 5})
        == "Tekst jest dłuższy niż 5 znaków."
    )
    assert (
        translator.text("en", "Text is longer than {limit} characters.", {"limit": 5})
        == "Text is longer than 5 characters."
    )


@sqlite_only
async def test_user_errors_and_graphql_errors_follow_accept_language(client):
    english = await client.post(
        "/graphql", json={"query": CREATE}, headers={"x-sample-actor": "staff:sample.note.write"}
    )
    assert english.json()["data"]["sampleNoteCreate"]["userErrors"] == [
        {"code": "BLANK", "message": "Text must not be blank."}
    ]
    polish = await client.post(
        "/graphql",
        json={"query": CREATE},
        headers={"x-sample-actor": "staff:sample.note.write", "accept-language": "pl-PL"},
    )
    assert polish.json()["data"]["sampleNoteCreate"]["userErrors"] == [
        {"code": "BLANK", "message": "Tekst nie może być pusty."}
    ]
    denied = await client.post(
        "/graphql", json={"query": "{ deadLetters { edges { cursor } } }"}, headers={"accept-language": "pl"}
    )
    assert denied.json()["errors"][0]["message"] == "Nie masz uprawnienia core.jobs.read."
    assert denied.json()["errors"][0]["extensions"] == {"code": "FORBIDDEN", "permission": "core.jobs.read"}
    too_big = await gql(client, "{ sampleNotes(first: 1000) { edges { cursor } } }")
    assert too_big["errors"][0]["message"] == "`first` must be between 0 and 100; got 1000."
