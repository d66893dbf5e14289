"""GDPR (RODO): consents, a person's export, erasure across plugins."""

from core.crm.gdpr import has_consent
from core.crm.tables import ContactPoint, Person, SearchDocument
from kartoteka_sample.tables import SampleNote
from tests.conftest import as_user, make_user

CREATE = (
    """mutation($input: PersonCreateInput!) { personCreate(input: $input) { person { id } userErrors { code } } }"""
)
GIVE = """mutation($input: ConsentInput!) { consentGive(input: $input) {
    person { consents { purpose channel active } } userErrors { field code } } }"""
WITHDRAW = """mutation($input: ConsentInput!) { consentWithdraw(input: $input) {
    person { consents { purpose channel active } } userErrors { field code } } }"""


async def person(client, token, **fields):
    result = await as_user(
        client,
        token,
        CREATE,
        {"input": {"lastName": "Wiśniewska", "firstName": "Anna", "emails": [{"value": "anna@example.pl"}], **fields}},
    )
    created = result["data"]["personCreate"]
    assert created["userErrors"] == [], result
    return created["person"]["id"]


def number(global_id: str) -> int:
    import base64

    return int(base64.b64decode(global_id).decode().split(":")[1])


async def test_consents_are_given_withdrawn_and_checked(client, runtime, engine_kind):
    _, rep = await make_user(runtime, "rep@firma.pl", roles=["sales_rep"])
    anna = await person(client, rep)
    given = await as_user(
        client,
        rep,
        GIVE,
        {"input": {"person": anna, "purpose": "marketing", "channel": "email", "source": "formularz www"}},
    )
    assert given["data"]["consentGive"]["person"]["consents"] == [
        {"purpose": "marketing", "channel": "email", "active": True}
    ]
    assert await has_consent(number(anna), "marketing", "email")
    assert not await has_consent(number(anna), "marketing", "sms")
    withdrawn = await as_user(
        client, rep, WITHDRAW, {"input": {"person": anna, "purpose": "marketing", "channel": "any"}}
    )
    assert withdrawn["data"]["consentWithdraw"]["person"]["consents"] == [
        {"purpose": "marketing", "channel": "email", "active": False}
    ]  # the history stays
    assert not await has_consent(number(anna), "marketing", "email")
    bad = await as_user(client, rep, GIVE, {"input": {"person": anna, "purpose": "marketing", "channel": "pigeon"}})
    assert bad["data"]["consentGive"]["userErrors"] == [{"field": ["input", "channel"], "code": "INVALID_CHOICE"}]


async def test_export_gathers_every_plugins_data(client, runtime, engine_kind):
    _, admin = await make_user(runtime, "admin@firma.pl", roles=["administrator"])
    anna = await person(client, admin, phones=[{"value": "601234567"}])
    await SampleNote.insert(SampleNote(text=f"call back [person:{number(anna)}]"))
    exported = await as_user(
        client, admin, "mutation($id: ID!) { personExport(id: $id) { data userErrors { code } } }", {"id": anna}
    )
    data = exported["data"]["personExport"]["data"]
    assert data["core"]["person"]["last_name"] == "Wiśniewska"
    assert {p["value"] for p in data["core"]["contact_points"]} == {"anna@example.pl", "+48601234567"}
    assert data["sample"] == {"notes": [f"call back [person:{number(anna)}]"]}
    _, rep = await make_user(runtime, "rep@firma.pl", roles=["sales_rep"])
    denied = await as_user(client, rep, "mutation($id: ID!) { personExport(id: $id) { data } }", {"id": anna})
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_erasure_anonymises_across_plugins_and_is_audited(client, runtime, engine_kind):
    _, admin = await make_user(runtime, "admin@firma.pl", roles=["administrator"])
    anna = await person(client, admin, phones=[{"value": "601234567"}])
    await SampleNote.insert(SampleNote(text=f"call back [person:{number(anna)}]"))
    erased = await as_user(
        client, admin, "mutation($id: ID!) { personErase(id: $id) { deletedId userErrors { code } } }", {"id": anna}
    )
    assert erased["data"]["personErase"] == {"deletedId": anna, "userErrors": []}
    row = await Person.select().where(Person.id == number(anna)).first()
    assert (row["first_name"], row["last_name"], row["deleted_at"] is not None) == ("", "—", True)
    assert await ContactPoint.count().where(ContactPoint.person == number(anna)) == 0
    assert await SearchDocument.count().where(SearchDocument.entity == "person") == 0
    assert [n["text"] for n in await SampleNote.select(SampleNote.text)] == ["[erased]"]
    found = await as_user(client, admin, '{ search(query: "Wiśniewska") { persons { id } } }')
    assert found["data"]["search"]["persons"] == []
    log = await as_user(client, admin, '{ auditLog(entityType: "person") { edges { node { event actorKind } } } }')
    assert log["data"]["auditLog"]["edges"][0]["node"] == {"event": "core.person_erased", "actorKind": "staff"}
