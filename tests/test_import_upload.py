"""CSV import over GraphQL: ``companiesImport`` / ``personsImport`` with a multipart upload."""

import json

import pytest

from core.crm.tables import Company, Employment, Person
from core.db.tables import OutboxMessage
from core.settings import load_settings
from tests.conftest import make_user

MAX_BYTES = 4096
IMPORT = """mutation($file: Upload!, $mapping: [ImportColumnInput!], $dryRun: Boolean!) {
  %s(file: $file, mapping: $mapping, dryRun: $dryRun) {
    committed dryRun created skipped failed
    rows { row status recordId errors { field code message } }
    userErrors { field code message }
  } }"""
COMPANIES = """Nazwa;NIP;Telefon;E-mail;Miasto
Huta Kraków;526-025-02-74;12 345 67 89;biuro@huta.pl;Kraków
Meble Łódź;;601 234 567;;Łódź
"""
BAD_NIP = COMPANIES + "Zła Firma;1234567890;;;\n"


@pytest.fixture
def settings(database_url, plugins_file):
    return load_settings(environ={}, database_url=database_url, plugins_file=plugins_file, import_max_bytes=MAX_BYTES)


@pytest.fixture
async def tokens(runtime):
    _, admin = await make_user(runtime, "admin@firma.pl", roles=["administrator"])
    _, operator = await make_user(runtime, "operator@firma.pl", roles=["operator"])
    return {"admin": admin, "operator": operator}


async def upload(client, field, text, *, token=None, headers=None, mapping=None, dry_run=False, status=200):
    """A GraphQL multipart request (operations + map + the file), as Apollo and urql send it."""
    operations = {
        "query": IMPORT % field,
        "variables": {"file": None, "mapping": mapping, "dryRun": dry_run},
    }
    response = await client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": ("import.csv", text.encode("utf-8"), "text/csv")},
        headers={**({"authorization": f"Bearer {token}"} if token else {}), **(headers or {})},
    )
    assert response.status_code == status, response.text
    return response.json() if status == 200 else response


async def test_companies_are_imported_and_each_row_reported_with_its_id(client, tokens, engine_kind):
    result = await upload(client, "companiesImport", COMPANIES, token=tokens["admin"])
    payload = result["data"]["companiesImport"]
    assert (payload["committed"], payload["created"], payload["skipped"], payload["failed"]) == (True, 2, 0, 0)
    assert [(r["row"], r["status"], r["errors"]) for r in payload["rows"]] == [(1, "CREATED", []), (2, "CREATED", [])]
    company = await client.post(
        "/graphql",
        json={
            "query": "query($id: ID!) { company(id: $id) { name nip } }",
            "variables": {"id": payload["rows"][0]["recordId"]},
        },
        headers={"authorization": f"Bearer {tokens['admin']}"},
    )
    assert company.json()["data"]["company"] == {"name": "Huta Kraków", "nip": "5260250274"}
    assert await OutboxMessage.count().where(OutboxMessage.name == "core.company_created") == 2

    again = (await upload(client, "companiesImport", COMPANIES, token=tokens["admin"]))["data"]["companiesImport"]
    assert (again["created"], again["skipped"]) == (0, 2)
    assert [r["recordId"] for r in again["rows"]] == [r["recordId"] for r in payload["rows"]]
    assert await Company.count() == 2


async def test_dry_run_writes_nothing(client, tokens, engine_kind):
    payload = (await upload(client, "companiesImport", COMPANIES, token=tokens["admin"], dry_run=True))["data"][
        "companiesImport"
    ]
    assert (payload["committed"], payload["dryRun"], payload["created"]) == (False, True, 2)
    assert [r["recordId"] for r in payload["rows"]] == [None, None]
    assert await Company.count() == 0 and await OutboxMessage.count() == 0


async def test_a_bad_row_keeps_the_whole_file_out_and_names_row_field_and_code(client, tokens, engine_kind):
    result = await upload(client, "companiesImport", BAD_NIP, token=tokens["admin"], headers={"accept-language": "pl"})
    payload = result["data"]["companiesImport"]
    assert (payload["committed"], payload["failed"], payload["userErrors"]) == (False, 1, [])
    [bad] = [r for r in payload["rows"] if r["status"] == "FAILED"]
    assert bad["row"] == 3 and bad["recordId"] is None
    assert [(e["field"], e["code"]) for e in bad["errors"]] == [(["nip"], "INVALID_NIP")]
    assert "NIP" in bad["errors"][0]["message"] and "invalid" not in bad["errors"][0]["message"].lower()
    assert await Company.count() == 0 and await OutboxMessage.count() == 0


async def test_duplicates_by_email_and_phone_are_skipped_within_the_file_too(client, tokens, engine_kind):
    text = "Firma,Telefon,E-mail\nA,,biuro@a.pl\nB,+48 601 234 567,\nA bis,,BIURO@a.pl\nB bis,601-234-567,\n"
    payload = (await upload(client, "companiesImport", text, token=tokens["admin"]))["data"]["companiesImport"]
    statuses = [(r["status"], r["recordId"]) for r in payload["rows"]]
    assert [s for s, _ in statuses] == ["CREATED", "CREATED", "SKIPPED", "SKIPPED"]
    assert statuses[2][1] == statuses[0][1] and statuses[3][1] == statuses[1][1]
    assert await Company.count() == 2


async def test_persons_are_linked_to_companies_by_nip_or_name(client, tokens, engine_kind):
    await upload(client, "companiesImport", COMPANIES, token=tokens["admin"])
    people = (
        "Imię;Nazwisko;E-mail;Stanowisko;Firma;NIP firmy\n"
        "Anna;Nowak;anna@huta.pl;Prezes;;5260250274\n"
        "Jan;Kowalski;;Kierowca;Meble Łódź;\n"
    )
    payload = (await upload(client, "personsImport", people, token=tokens["admin"]))["data"]["personsImport"]
    assert (payload["committed"], payload["created"]) == (True, 2), payload
    jobs = await Employment.select(Employment.person.last_name, Employment.company.name, Employment.position).order_by(
        Employment.position, ascending=False
    )
    assert [(j["person.last_name"], j["company.name"], j["position"]) for j in jobs] == [
        ("Nowak", "Huta Kraków", "Prezes"),
        ("Kowalski", "Meble Łódź", "Kierowca"),
    ]


async def test_mapping_is_checked(client, tokens, engine_kind):
    mapping = [{"column": "Kontrahent", "field": "name"}]
    payload = (await upload(client, "companiesImport", "Firma\nA\n", token=tokens["admin"], mapping=mapping))["data"][
        "companiesImport"
    ]
    assert [(e["field"], e["code"]) for e in payload["userErrors"]] == [(["mapping", "Kontrahent"], "UNKNOWN_COLUMN")]
    mapped = [{"column": "Kontrahent", "field": "name"}, {"column": "Numer", "field": "phone"}]
    text = "Kontrahent,Numer\nNowa Sp. z o.o.,+48 22 123 45 67\n"
    payload = (await upload(client, "companiesImport", text, token=tokens["admin"], mapping=mapped))["data"][
        "companiesImport"
    ]
    assert payload["created"] == 1 and payload["committed"]


async def test_a_role_without_the_create_permission_is_refused(client, tokens, engine_kind):
    result = await upload(client, "companiesImport", COMPANIES, token=tokens["operator"])
    assert result["data"] is None
    assert result["errors"][0]["extensions"] == {"code": "FORBIDDEN", "permission": "core.company.write"}
    result = await upload(client, "personsImport", "Nazwisko\nNowak\n", token=tokens["operator"])
    assert result["errors"][0]["extensions"]["permission"] == "core.person.write"
    assert await Company.count() == 0 and await Person.count() == 0


async def test_a_file_over_the_limit_is_refused_naming_the_setting(client, tokens, engine_kind):
    text = "Nazwa\n" + "".join(f"Firma numer {i}\n" for i in range(400))
    assert len(text.encode()) > MAX_BYTES
    payload = (await upload(client, "companiesImport", text, token=tokens["admin"]))["data"]["companiesImport"]
    [error] = payload["userErrors"]
    assert (error["field"], error["code"]) == (["file"], "FILE_TOO_LARGE")
    assert "KARTOTEKA_IMPORT_MAX_BYTES" in error["message"] and str(MAX_BYTES) in error["message"]
    assert payload["rows"] == [] and await Company.count() == 0


async def test_a_multipart_request_without_a_preflight_header_is_refused(client, tokens, engine_kind):
    """A cross-site HTML form can send multipart/form-data but no Authorization or custom header."""
    refused = await upload(
        client, "companiesImport", COMPANIES, headers={"x-sample-actor": "staff:core.company.write"}, status=400
    )
    assert "x-kartoteka-csrf" in refused.text
    allowed = await upload(
        client,
        "companiesImport",
        COMPANIES,
        headers={"x-sample-actor": "staff:core.company.write", "x-kartoteka-csrf": "1"},
    )
    assert allowed["data"]["companiesImport"]["committed"] is True
    assert await Company.count() == 2
