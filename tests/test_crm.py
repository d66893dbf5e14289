"""The client file through the staff API: companies, persons, validation, record scoping."""

import base64

import asyncpg
import pytest

from core.access import services as access
from core.auth import SYSTEM
from core.crm.sync import FINISHED
from core.crm.tables import Company, ContactPoint, Person, Tag
from core.db.tables import AuditEntry, OutboxMessage
from tests.conftest import as_user, make_user, wait_for

COMPANY_FIELDS = """id name kind lifecycle nip regon owner { displayName } territory { code }
    emails { value label isPrimary } phones { value } tags addresses { city postalCode country }"""
CREATE_COMPANY = f"""mutation($input: CompanyCreateInput!) {{ companyCreate(input: $input) {{
    company {{ {COMPANY_FIELDS} }} userErrors {{ field code message }} }} }}"""
UPDATE_COMPANY = """mutation($id: ID!, $input: CompanyUpdateInput!) { companyUpdate(id: $id, input: $input) {
    company { id name lifecycle nip tags phones { value } } userErrors { field code } } }"""
CREATE_PERSON = """mutation($input: PersonCreateInput!) { personCreate(input: $input) {
    person { id fullName phones { value } employments { position company { name } } } userErrors { field code } } }"""
LIST = "{ companies(first: 50) { edges { node { name } } } }"


@pytest.fixture
async def regions(runtime):
    """Two voivodeships, a rep in each, a manager of a team, and an administrator."""
    for code, name in (("pl", "Polska"), ("malopolskie", "Małopolska"), ("podkarpackie", "Podkarpacie")):
        await access.create_territory(runtime, SYSTEM, code, name, parent="pl" if code != "pl" else None)
    await access.create_team(runtime, SYSTEM, "Południe")
    users = {}
    users["admin"] = await make_user(runtime, "admin@firma.pl", roles=["administrator"])
    users["krakow"] = await make_user(
        runtime, "krakow@firma.pl", roles=["sales_rep"], territories=["malopolskie"], team="Południe"
    )
    users["rzeszow"] = await make_user(runtime, "rzeszow@firma.pl", roles=["sales_rep"], territories=["podkarpackie"])
    users["manager"] = await make_user(runtime, "szef@firma.pl", roles=["sales_manager"], team="Południe")
    users["country"] = await make_user(runtime, "kraj@firma.pl", roles=["sales_rep"], territories=["pl"])
    return {name: token for name, (_, token) in users.items()}


async def create_company(client, token, **fields):
    result = await as_user(client, token, CREATE_COMPANY, {"input": {"name": "Firma", **fields}})
    assert "errors" not in result, result
    return result["data"]["companyCreate"]


async def names(client, token, query=LIST):
    result = await as_user(client, token, query)
    assert "errors" not in result, result
    return [edge["node"]["name"] for edge in result["data"]["companies"]["edges"]]


async def test_company_is_stored_normalised_with_its_contacts(client, regions, engine_kind):
    created = await create_company(
        client,
        regions["admin"],
        name="Zakłady Mięsne Kraków S.A.",
        nip="PL 526-025-02-74",
        regon="01-21-00784",
        lifecycle="CUSTOMER",
        territory="malopolskie",
        emails=[{"value": "Biuro@ZMK.pl", "label": "biuro", "isPrimary": True}],
        phones=[{"value": "12 345 67 89"}, {"value": "+48 601-234-567"}],
        tags=["VIP", "hurt", "VIP"],
        addresses=[{"street": "Rynek 1", "postalCode": "31-001", "city": "Kraków"}],
    )
    assert created["userErrors"] == []
    company = created["company"]
    assert company["nip"] == "5260250274" and company["regon"] == "012100784"
    assert company["lifecycle"] == "CUSTOMER" and company["kind"] == "B2B"
    assert company["emails"] == [{"value": "biuro@zmk.pl", "label": "biuro", "isPrimary": True}]
    assert company["phones"] == [{"value": "+48123456789"}, {"value": "+48601234567"}]
    assert company["tags"] == ["hurt", "VIP"]
    assert company["owner"] == {"displayName": "Admin"}  # the creator, by default
    assert company["territory"] == {"code": "malopolskie"}
    assert company["addresses"] == [{"city": "Kraków", "postalCode": "31-001", "country": "PL"}]
    events = await OutboxMessage.select(OutboxMessage.name).where(OutboxMessage.kind == "event")
    assert [e["name"] for e in events] == ["core.company_created"]


@pytest.mark.parametrize(
    ("fields", "path", "code"),
    [
        ({"nip": "5260250275"}, ["input", "nip"], "INVALID_NIP"),
        ({"regon": "123"}, ["input", "regon"], "INVALID_REGON"),
        ({"phones": [{"value": "601234567"}, {"value": "12"}]}, ["input", "phones", "1", "value"], "INVALID_PHONE"),
        ({"emails": [{"value": "jan@"}]}, ["input", "emails", "0", "value"], "INVALID_EMAIL"),
        ({"name": "  "}, ["input", "name"], "BLANK"),
        ({"territory": "mazowieckie"}, ["input", "territory"], "UNKNOWN_TERRITORY"),
        ({"addresses": [{"country": "Polska"}]}, ["input", "addresses", "0", "country"], "INVALID_COUNTRY"),
        ({"tags": ["nowy"], "owner": "VXNlck5vZGU6OTk5"}, ["input", "owner"], "UNKNOWN_USER"),
    ],
)
async def test_bad_input_is_refused_and_nothing_is_written(client, regions, engine_kind, fields, path, code):
    result = await as_user(client, regions["admin"], CREATE_COMPANY, {"input": {"name": "Firma", **fields}})
    errors = result["data"]["companyCreate"]["userErrors"]
    assert [(e["field"], e["code"]) for e in errors] == [(path, code)]
    assert await Company.count() == 0 and await ContactPoint.count() == 0 and await Tag.count() == 0
    assert await OutboxMessage.count() == 0


async def test_duplicate_nip_is_refused(client, regions, engine_kind):
    await create_company(client, regions["admin"], nip="5260250274")
    duplicate = await create_company(client, regions["admin"], name="Inna", nip="526-025-02-74")
    assert duplicate["userErrors"][0]["code"] == "NIP_TAKEN"
    assert duplicate["userErrors"][0]["field"] == ["input", "nip"]


async def test_partial_update_changes_only_what_is_given(client, regions, engine_kind):
    company = (
        await create_company(client, regions["admin"], name="Stara Nazwa", tags=["a"], phones=[{"value": "601234567"}])
    )["company"]
    updated = await as_user(
        client,
        regions["admin"],
        UPDATE_COMPANY,
        {"id": company["id"], "input": {"name": "Nowa Nazwa", "lifecycle": "QUALIFIED"}},
    )
    result = updated["data"]["companyUpdate"]
    assert result["userErrors"] == []
    assert result["company"] == {
        "id": company["id"],
        "name": "Nowa Nazwa",
        "lifecycle": "QUALIFIED",
        "nip": None,
        "tags": ["a"],
        "phones": [{"value": "+48601234567"}],
    }
    [event] = await OutboxMessage.select().where(OutboxMessage.name == "core.company_updated").output(load_json=True)
    assert event["payload"]["changes"] == {"name": ["Stara Nazwa", "Nowa Nazwa"], "lifecycle": ["lead", "qualified"]}


OWNER_UPDATES = {
    "company": """mutation($id: ID!, $input: CompanyUpdateInput!) { companyUpdate(id: $id, input: $input) {
        company { name owner { displayName } } userErrors { field code } } }""",
    "person": """mutation($id: ID!, $input: PersonUpdateInput!) { personUpdate(id: $id, input: $input) {
        person { fullName owner { displayName } } userErrors { field code } } }""",
}


@pytest.mark.parametrize("entity", ["company", "person"])
async def test_owner_null_clears_the_owner_and_leaving_it_out_keeps_it(client, regions, engine_kind, entity):
    admin = regions["admin"]
    if entity == "company":
        record = (await create_company(client, admin, name="Z opiekunem"))["company"]
    else:
        created = await as_user(client, admin, CREATE_PERSON, {"input": {"lastName": "Z opiekunem"}})
        record = created["data"]["personCreate"]["person"]
    field = "companyUpdate" if entity == "company" else "personUpdate"

    async def update(fields):
        result = await as_user(client, admin, OWNER_UPDATES[entity], {"id": record["id"], "input": fields})
        assert result["data"][field]["userErrors"] == [], result
        return result["data"][field][entity]["owner"]

    field_name = "name" if entity == "company" else "lastName"
    assert await update({field_name: "Bez zmian"}) == {"displayName": "Admin"}  # left out: kept
    assert await update({"owner": None}) is None  # null: cleared
    assert await update({field_name: "Dalej bez"}) is None
    events = await OutboxMessage.select().where(OutboxMessage.name == f"core.{entity}_updated").output(load_json=True)
    assert [e["payload"]["changes"]["owner"][1] for e in events if "owner" in e["payload"]["changes"]] == [None]


async def test_name_contains_matches_percent_and_underscore_literally(client, regions, engine_kind):
    admin = regions["admin"]
    for name in ("100% Bio", "100 Bio", "Pod_Lasem", "PodXLasem", "ŁÓDŹ Sp"):
        await create_company(client, admin, name=name)
    for last, first in (("Kowal_ski", "Jan"), ("KowalXski", "Jan"), ("Nowak", "Ann_a"), ("Nowak", "Annxa")):
        created = await as_user(client, admin, CREATE_PERSON, {"input": {"lastName": last, "firstName": first}})
        assert created["data"]["personCreate"]["userErrors"] == []

    async def companies(text):
        return sorted(
            await names(
                client,
                admin,
                f'{{ companies(first: 50, filter: {{nameContains: "{text}"}}) {{ edges {{ node {{ name }} }} }} }}',
            )
        )

    async def persons(text):
        query = f'{{ persons(first: 50, filter: {{nameContains: "{text}"}}) {{ edges {{ node {{ fullName }} }} }} }}'
        result = await as_user(client, admin, query)
        return sorted(edge["node"]["fullName"] for edge in result["data"]["persons"]["edges"])

    assert await companies("%") == ["100% Bio"]
    assert await companies("0% b") == ["100% Bio"]  # still ignoring case
    assert await companies("_") == ["Pod_Lasem"]
    assert await companies("d_l") == ["Pod_Lasem"]
    assert await companies("łódź") == ["ŁÓDŹ Sp"]  # Polish letters fold on both engines
    assert await persons("l_s") == ["Jan Kowal_ski"]
    assert await persons("_") == ["Ann_a Nowak", "Jan Kowal_ski"]  # first or last name
    assert await persons("%") == []


async def test_record_scope_by_territory_team_and_owner(client, regions, engine_kind):
    admin = regions["admin"]
    krakow = await create_company(
        client, admin, name="Kraków Sp. z o.o.", territory="malopolskie", phones=[{"value": "12 111 11 11"}]
    )
    rzeszow = await create_company(
        client, admin, name="Rzeszów S.A.", territory="podkarpackie", phones=[{"value": "17 222 22 22"}]
    )
    own = await create_company(client, regions["rzeszow"], name="Własna Rzeszowa")  # no territory, owned by the rep
    assert own["userErrors"] == []

    assert await names(client, regions["krakow"]) == ["Kraków Sp. z o.o."]
    assert await names(client, regions["rzeszow"]) == ["Rzeszów S.A.", "Własna Rzeszowa"]
    assert await names(client, regions["country"]) == ["Kraków Sp. z o.o.", "Rzeszów S.A."]  # regions inside Polska
    assert await names(client, regions["admin"]) == ["Kraków Sp. z o.o.", "Rzeszów S.A.", "Własna Rzeszowa"]
    assert await names(client, regions["manager"]) == []  # the team owns nothing yet

    other = rzeszow["company"]["id"]
    for query in ("query($id: ID!) { company(id: $id) { name } }", "query($id: ID!) { node(id: $id) { id } }"):
        result = await as_user(client, regions["krakow"], query, {"id": other})
        assert list(result["data"].values()) == [None], query
    by_phone = await as_user(client, regions["krakow"], '{ findByPhone(phone: "172222222") { companies { name } } }')
    assert by_phone["data"]["findByPhone"]["companies"] == []
    by_phone = await as_user(
        client, regions["rzeszow"], '{ findByPhone(phone: "+48 17 222 22 22") { companies { name } } }'
    )
    assert by_phone["data"]["findByPhone"]["companies"] == [{"name": "Rzeszów S.A."}]
    refused = await as_user(client, regions["krakow"], UPDATE_COMPANY, {"id": other, "input": {"name": "Przejęta"}})
    assert refused["data"]["companyUpdate"]["userErrors"] == [{"field": ["id"], "code": "NOT_FOUND"}]
    assert await Company.count().where(Company.name == "Przejęta") == 0

    # The manager's team member (the Kraków rep) owns a company: the manager now sees it.
    mine = await create_company(client, regions["krakow"], name="Od Krakowiaka")
    assert mine["userErrors"] == []
    assert await names(client, regions["manager"]) == ["Od Krakowiaka"]
    assert krakow["userErrors"] == []
    # A colleague's e-mail reached through a record needs core.user.read (the manager has it, the
    # rep not); the name stays visible, and one's own user is always shown whole.
    owner = "{ companies { edges { node { owner { displayName email isActive roles { name } team { name } } } } } }"
    by_manager = await as_user(client, regions["manager"], owner)
    assert by_manager["data"]["companies"]["edges"][0]["node"]["owner"]["email"] == "krakow@firma.pl"
    await as_user(client, admin, UPDATE_COMPANY, {"id": mine["company"]["id"], "input": {"territory": "podkarpackie"}})
    by_rep = await as_user(client, regions["rzeszow"], owner)
    owners = {e["node"]["owner"]["displayName"]: e["node"]["owner"] for e in by_rep["data"]["companies"]["edges"]}
    assert owners["Krakow"] == {"displayName": "Krakow", "email": None, "isActive": None, "roles": None, "team": None}
    assert owners["Rzeszow"]["email"] == "rzeszow@firma.pl" and owners["Rzeszow"]["roles"] == [{"name": "sales_rep"}]
    assert by_manager["data"]["companies"]["edges"][0]["node"]["owner"]["team"] == {"name": "Południe"}


async def test_delete_hides_the_company_everywhere(client, regions, engine_kind):
    company = (await create_company(client, regions["admin"], name="Do usunięcia"))["company"]
    denied = await as_user(
        client, regions["krakow"], "mutation($id: ID!) { companyDelete(id: $id) { deletedId } }", {"id": company["id"]}
    )
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"  # reps may not delete
    deleted = await as_user(
        client,
        regions["admin"],
        "mutation($id: ID!) { companyDelete(id: $id) { deletedId userErrors { code } } }",
        {"id": company["id"]},
    )
    assert deleted["data"]["companyDelete"] == {"deletedId": company["id"], "userErrors": []}
    assert await names(client, regions["admin"]) == []
    node = await as_user(client, regions["admin"], "query($id: ID!) { node(id: $id) { id } }", {"id": company["id"]})
    assert node["data"]["node"] is None
    assert await Company.count() == 1  # kept for the records


async def test_persons_work_at_companies(client, regions, engine_kind):
    company = (await create_company(client, regions["admin"], name="Huta", territory="malopolskie"))["company"]
    person = await as_user(
        client,
        regions["admin"],
        CREATE_PERSON,
        {
            "input": {
                "firstName": "Jan",
                "lastName": "Kowalski",
                "phones": [{"value": "601 234 567"}],
                "territory": "malopolskie",
                "employments": [{"company": company["id"], "position": "Prezes"}],
            }
        },
    )
    created = person["data"]["personCreate"]
    assert created["userErrors"] == []
    assert created["person"]["fullName"] == "Jan Kowalski"
    assert created["person"]["employments"] == [{"position": "Prezes", "company": {"name": "Huta"}}]
    staff = await as_user(
        client,
        regions["krakow"],
        "query($id: ID!) { company(id: $id) { employees { edges { node { position person { fullName } } } } } }",
        {"id": company["id"]},
    )
    assert staff["data"]["company"]["employees"]["edges"] == [
        {"node": {"position": "Prezes", "person": {"fullName": "Jan Kowalski"}}}
    ]
    found = await as_user(client, regions["krakow"], '{ findByPhone(phone: "601234567") { persons { fullName } } }')
    assert found["data"]["findByPhone"]["persons"] == [{"fullName": "Jan Kowalski"}]
    hidden = await as_user(client, regions["rzeszow"], '{ findByPhone(phone: "601234567") { persons { fullName } } }')
    assert hidden["data"]["findByPhone"]["persons"] == []
    bad = await as_user(
        client,
        regions["admin"],
        CREATE_PERSON,
        {"input": {"lastName": "Nowak", "employments": [{"company": base64.b64encode(b"Company:999").decode()}]}},
    )
    assert bad["data"]["personCreate"]["userErrors"] == [
        {"field": ["input", "employments", "0", "company"], "code": "NOT_FOUND"}
    ]
    assert await Person.count() == 1


async def test_pages_by_name_are_stable(client, regions, engine_kind):
    for number in (5, 3, 9, 1, 7, 2, 8, 4, 6):
        await create_company(client, regions["admin"], name=f"Firma {number}")
    await create_company(client, regions["admin"], name="Firma 5")  # same name: the id breaks the tie
    query = (
        "query($after: String) { companies(first: 4, after: $after) "
        "{ edges { node { name } } pageInfo { hasNextPage endCursor } } }"
    )
    seen, after = [], None
    while True:
        page = (await as_user(client, regions["admin"], query, {"after": after}))["data"]["companies"]
        seen += [edge["node"]["name"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [f"Firma {n}" for n in (1, 2, 3, 4, 5, 5, 6, 7, 8, 9)]


async def test_lists_follow_the_polish_alphabet(client, regions, engine_kind):
    for name in ("Żuraw", "Zenit", "Łąka", "Lipa", "Ćwik", "Cyna", '"Alfa" Sp. z o.o.', "ąbc", "azot"):
        await create_company(client, regions["admin"], name=name)
    # Quotes are ignored ("Alfa" files under A); Ą, Ć, Ł, Ż are letters after A, C, L, Z.
    expected = ['"Alfa" Sp. z o.o.', "azot", "ąbc", "Cyna", "Ćwik", "Lipa", "Łąka", "Zenit", "Żuraw"]
    assert await names(client, regions["admin"]) == expected
    renamed = await create_company(client, regions["admin"], name="Aaa")
    await as_user(
        client, regions["admin"], UPDATE_COMPANY, {"id": renamed["company"]["id"], "input": {"name": "Źródło"}}
    )
    assert (await names(client, regions["admin"]))[-2:] == ["Źródło", "Żuraw"]
    for last, first in (("Łęcki", "Jan"), ("Lenart", "Ewa"), ("Lenart", "Ada")):
        await as_user(client, regions["admin"], CREATE_PERSON, {"input": {"lastName": last, "firstName": first}})
    persons = await as_user(client, regions["admin"], "{ persons(first: 10) { edges { node { fullName } } } }")
    assert [e["node"]["fullName"] for e in persons["data"]["persons"]["edges"]] == [
        "Ada Lenart",
        "Ewa Lenart",
        "Jan Łęcki",
    ]


async def test_sql_statements_per_list_do_not_grow_with_the_page(client, regions, runtime, engine_kind, monkeypatch):
    for number in range(30):
        await create_company(
            client,
            regions["admin"],
            name=f"Firma {number:02}",
            territory="malopolskie",
            tags=["x", f"t{number}"],
            phones=[{"value": f"601 234 5{number:02}"}],
        )
    query = f"query($n: Int) {{ companies(first: $n) {{ edges {{ node {{ {COMPANY_FIELDS} }} }} }} }}"
    counts = {}
    engine_class = type(runtime.engine)
    original = engine_class.run_querystring
    statements: list[str] = []

    async def counting(self, querystring, *args, **kwargs):
        text = str(querystring)
        if not any(table in text for table in ('"core_outbox"', '"core_delivery"', '"core_schedule"')):
            statements.append(text)  # the in-process relay polls on its own; not part of the request
        return await original(self, querystring, *args, **kwargs)

    monkeypatch.setattr(engine_class, "run_querystring", counting)
    for size in (3, 30):
        statements.clear()
        result = await as_user(client, regions["admin"], query, {"n": size})
        assert len(result["data"]["companies"]["edges"]) == size
        counts[size] = [statement[:100] for statement in statements]
    assert len(counts[3]) == len(counts[30]), "\n".join(counts[3] + ["----"] + counts[30])


async def test_every_change_is_in_the_audit_log(client, regions, engine_kind):
    company = (await create_company(client, regions["admin"], name="Audytowana"))["company"]
    await as_user(client, regions["admin"], UPDATE_COMPANY, {"id": company["id"], "input": {"name": "Po zmianie"}})
    query = """query($id: ID) { auditLog(entity: $id) {
        edges { node { event actorKind actorId changes entityType entity } } } }"""
    log = await as_user(client, regions["admin"], query, {"id": company["id"]})
    entries = [edge["node"] for edge in log["data"]["auditLog"]["edges"]]
    assert [e["event"] for e in entries] == ["core.company_updated", "core.company_created"]  # newest first
    assert {(e["entityType"], e["entity"]) for e in entries} == {("company", company["id"])}  # the id queries give
    assert entries[0]["changes"] == {"name": ["Audytowana", "Po zmianie"]}
    assert {e["actorKind"] for e in entries} == {"staff"}
    denied = await as_user(client, regions["krakow"], query, {"id": company["id"]})
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    mutations = await as_user(client, regions["admin"], '{ __type(name: "Mutation") { fields { name } } }')
    assert not [f for f in mutations["data"]["__type"]["fields"] if "audit" in f["name"].lower()]  # read-only


LOG = """mutation($input: TimelineEntryInput!) { timelineEntryCreate(input: $input) {
    entry { kind title durationMinutes cost author { displayName } company { name } } userErrors { field code } } }"""
TIMELINE = """query($subject: ID!, $kinds: [String!], $after: String) {
    timeline(subject: $subject, kinds: $kinds, first: 2, after: $after) {
        edges { node { kind title occurredAt } } pageInfo { hasNextPage endCursor } } }"""


async def test_timeline_of_a_company(client, regions, engine_kind):
    admin, krakow = regions["admin"], regions["krakow"]
    company = (await create_company(client, admin, name="Huta Kraków", territory="malopolskie"))["company"]
    entries = [
        ("core.call", "Pierwszy telefon", "2026-11-02T09:00:00+00:00", 15, "0"),
        ("core.meeting", "Spotkanie w siedzibie", "2026-11-05T13:00:00+00:00", 90, "120.50"),
        ("core.note", "Notatka", "2026-11-04T10:00:00+00:00", 0, None),
    ]
    for kind, title, when, minutes, cost in entries:
        logged = await as_user(
            client,
            krakow,
            LOG,
            {
                "input": {
                    "kind": kind,
                    "company": company["id"],
                    "title": title,
                    "occurredAt": when,
                    "durationMinutes": minutes,
                    "cost": cost,
                }
            },
        )
        assert logged["data"]["timelineEntryCreate"]["userErrors"] == [], logged
    meeting = logged_meeting = await as_user(
        client, admin, TIMELINE, {"subject": company["id"], "kinds": ["core.meeting"]}
    )
    [edge] = logged_meeting["data"]["timeline"]["edges"]
    assert edge["node"]["title"] == "Spotkanie w siedzibie"
    titles, after = [], None
    while True:
        page = (await as_user(client, krakow, TIMELINE, {"subject": company["id"], "after": after}))["data"]["timeline"]
        titles += [edge["node"]["title"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert titles == ["Spotkanie w siedzibie", "Notatka", "Pierwszy telefon"]  # newest first
    listing = await as_user(
        client, krakow, "{ companies { edges { node { name lastActivity { title cost durationMinutes } } } } }"
    )
    assert listing["data"]["companies"]["edges"][0]["node"]["lastActivity"] == {
        "title": "Spotkanie w siedzibie",
        "cost": "120.50",
        "durationMinutes": 90,
    }
    hidden = await as_user(client, regions["rzeszow"], TIMELINE, {"subject": company["id"]})
    assert hidden["data"]["timeline"]["edges"] == []
    refused = await as_user(client, regions["rzeszow"], LOG, {"input": {"kind": "core.call", "company": company["id"]}})
    assert refused["data"]["timelineEntryCreate"]["userErrors"] == [
        {"field": ["input", "subject"], "code": "NOT_FOUND"}
    ]
    bad = await as_user(client, krakow, LOG, {"input": {"kind": "core.telepathy", "company": company["id"]}})
    assert bad["data"]["timelineEntryCreate"]["userErrors"] == [{"field": ["input", "kind"], "code": "UNKNOWN_KIND"}]
    # The answer to a newcomer's "call" names the namespaced kinds to use instead.
    explained = await as_user(
        client,
        krakow,
        'mutation($c: ID!) { timelineEntryCreate(input: {kind: "call", company: $c}) { userErrors { message } } }',
        {"c": company["id"]},
        **{"accept-language": "en"},
    )
    message = explained["data"]["timelineEntryCreate"]["userErrors"][0]["message"]
    assert "core.call, not call" in message and "core.meeting" in message
    listed = await as_user(client, krakow, TIMELINE, {"subject": company["id"], "kinds": ["call"]})
    assert "core.call" in listed["errors"][0]["message"] and listed["errors"][0]["extensions"]["field"] == ["kinds"]
    negative = await as_user(
        client, krakow, LOG, {"input": {"kind": "core.call", "company": company["id"], "durationMinutes": -5}}
    )
    assert negative["data"]["timelineEntryCreate"]["userErrors"] == [
        {"field": ["input", "durationMinutes"], "code": "NEGATIVE"}
    ]
    assert meeting is not None


async def test_timeline_kinds_come_from_plugins_in_the_request_language(client, regions, engine_kind):
    kinds = await as_user(client, regions["krakow"], "{ timelineKinds { name label } }", **{"accept-language": "pl"})
    labels = {kind["name"]: kind["label"] for kind in kinds["data"]["timelineKinds"]}
    assert labels["core.call"] == "Rozmowa telefoniczna"
    assert labels["sample.note"] == "Notatka przykładowa"


MERGE = """mutation($input: MergeInput!) { companyMerge(input: $input) {
    company { id name phones { value } tags customFields employees { edges { node { position } } } }
    userErrors { field code } } }"""


async def test_merging_duplicates_moves_everything_to_the_winner(client, regions, runtime, engine_kind):
    admin = regions["admin"]
    winner = (
        await create_company(client, admin, name="ACME Sp. z o.o.", tags=["VIP"], phones=[{"value": "601234567"}])
    )["company"]
    loser = (
        await create_company(
            client,
            admin,
            name="Acme",
            tags=["VIP", "hurt"],
            phones=[{"value": "+48601234567"}, {"value": "12 345 67 89"}],
        )
    )["company"]
    person = await as_user(
        client,
        admin,
        CREATE_PERSON,
        {"input": {"lastName": "Nowak", "employments": [{"company": loser["id"], "position": "Zakupy"}]}},
    )
    assert person["data"]["personCreate"]["userErrors"] == []
    await as_user(client, admin, LOG, {"input": {"kind": "core.call", "company": loser["id"], "title": "Telefon"}})

    merged = await as_user(client, admin, MERGE, {"input": {"winner": winner["id"], "loser": loser["id"]}})
    result = merged["data"]["companyMerge"]
    assert result["userErrors"] == []
    company = result["company"]
    assert company["name"] == "ACME Sp. z o.o."
    assert company["phones"] == [{"value": "+48601234567"}, {"value": "+48123456789"}]
    assert company["tags"] == ["hurt", "VIP"]
    assert company["employees"]["edges"] == [{"node": {"position": "Zakupy"}}]
    timeline = await as_user(client, admin, TIMELINE, {"subject": winner["id"]})
    assert [edge["node"]["title"] for edge in timeline["data"]["timeline"]["edges"]] == ["Telefon"]
    # The loser's id still answers, with the winner.
    by_old_id = await as_user(client, admin, "query($id: ID!) { company(id: $id) { id name } }", {"id": loser["id"]})
    assert by_old_id["data"]["company"] == {"id": winner["id"], "name": "ACME Sp. z o.o."}
    assert await names(client, admin) == ["ACME Sp. z o.o."]
    events = await OutboxMessage.select(OutboxMessage.name).where(OutboxMessage.name == "core.company_merged")
    assert len(events) == 1

    itself = await as_user(client, admin, MERGE, {"input": {"winner": winner["id"], "loser": winner["id"]}})
    assert itself["data"]["companyMerge"]["userErrors"] == [{"field": ["input", "loser"], "code": "SAME_RECORD"}]
    wrong_type = await as_user(client, admin, MERGE, {"input": {"winner": winner["id"], "loser": "UGVyc29uOjE="}})
    assert wrong_type["data"]["companyMerge"]["userErrors"] == [{"field": ["input", "loser"], "code": "INVALID_ID"}]


async def test_a_rep_cannot_merge_a_record_outside_their_area(client, regions, engine_kind):
    mine = (await create_company(client, regions["krakow"], name="Moja"))["company"]
    theirs = (await create_company(client, regions["admin"], name="Obca", territory="podkarpackie"))["company"]
    refused = await as_user(client, regions["krakow"], MERGE, {"input": {"winner": mine["id"], "loser": theirs["id"]}})
    assert refused["data"]["companyMerge"]["userErrors"] == [{"field": ["input", "loser"], "code": "NOT_FOUND"}]
    assert await names(client, regions["admin"]) == ["Moja", "Obca"]


async def test_whoever_reads_an_ownerless_company_may_follow_it_and_nobody_else(client, regions, engine_kind):
    """Team scope reaches the clients of the team's members; a company without an owner is
    nobody's client, so a team manager neither reads nor follows it. Territory and all scopes
    reach it by where it is."""
    admin = regions["admin"]
    company = (await create_company(client, admin, name="Bez opiekuna", territory="malopolskie"))["company"]
    await Company.update({Company.owner: None}).where(Company.name == "Bez opiekuna")  # as an unrouted lead
    read = "query($id: ID!) { company(id: $id) { name } }"
    follow = "mutation($s: ID!) { recordFollow(subject: $s) { following userErrors { field code } } }"
    seen = {}
    for who in ("admin", "krakow", "country", "manager", "rzeszow"):
        shown = (await as_user(client, regions[who], read, {"id": company["id"]}))["data"]["company"]
        followed = (await as_user(client, regions[who], follow, {"s": company["id"]}))["data"]["recordFollow"]
        assert (shown is not None) == (followed["userErrors"] == []), (who, shown, followed)
        if shown is None:
            assert followed["userErrors"] == [{"field": ["subject"], "code": "NOT_FOUND"}]
        seen[who] = shown is not None
    assert seen == {"admin": True, "krakow": True, "country": True, "manager": False, "rzeszow": False}


SEARCH = "query($q: String!) { search(query: $q) { companies { name } persons { fullName } } }"


async def found(client, token, text):
    result = await as_user(client, token, SEARCH, {"q": text})
    assert "errors" not in result, result
    hits = result["data"]["search"]
    return [c["name"] for c in hits["companies"]], [p["fullName"] for p in hits["persons"]]


async def test_search_by_name_nip_email_and_phone(client, regions, engine_kind):
    admin = regions["admin"]
    lodz = (
        await create_company(client, admin, name="Łódzkie Meble Sp. z o.o.", nip="5260250274", territory="malopolskie")
    )["company"]
    stal = (
        await create_company(
            client, admin, name="Kraków Stal S.A.", territory="malopolskie", emails=[{"value": "biuro@stal.pl"}]
        )
    )["company"]
    await as_user(
        client,
        admin,
        CREATE_PERSON,
        {
            "input": {
                "firstName": "Jan",
                "lastName": "Kowalski",
                "territory": "malopolskie",
                "phones": [{"value": "601 234 567"}],
                "emails": [{"value": "jan.kowalski@stal.pl"}],
                "employments": [{"company": stal["id"]}],
            }
        },
    )

    assert await found(client, admin, "lodz") == (["Łódzkie Meble Sp. z o.o."], [])
    assert await found(client, admin, "MEBLE łódź") == (["Łódzkie Meble Sp. z o.o."], [])
    assert await found(client, admin, "526025") == (["Łódzkie Meble Sp. z o.o."], [])
    assert await found(client, admin, "kowal") == ([], ["Jan Kowalski"])
    assert await found(client, admin, "stal") == (["Kraków Stal S.A."], ["Jan Kowalski"])  # employer's name too
    assert await found(client, admin, "601234567") == ([], ["Jan Kowalski"])
    assert await found(client, admin, "stal.pl biuro") == (["Kraków Stal S.A."], [])
    assert await found(client, admin, "Sp") == (["Łódzkie Meble Sp. z o.o."], [])  # short words still match
    assert await found(client, admin, "---") == ([], [])
    assert await found(client, regions["rzeszow"], "stal") == ([], [])  # outside the rep's area

    await as_user(client, admin, UPDATE_COMPANY, {"id": lodz["id"], "input": {"name": "Gdańskie Meble"}})
    assert await found(client, admin, "lodz") == ([], [])
    assert await found(client, admin, "gdansk") == (["Gdańskie Meble"], [])
    await as_user(client, admin, "mutation($id: ID!) { companyDelete(id: $id) { deletedId } }", {"id": lodz["id"]})
    assert await found(client, admin, "meble") == ([], [])


async def test_demo_organisation_is_searchable(client, runtime, engine_kind):
    from core.crm.demo import load_demo

    message = await load_demo(runtime, 20)
    token = message.rsplit(" ", 1)[1]
    some = await as_user(client, token, "{ companies(first: 1) { edges { node { name nip } } } }")
    company = some["data"]["companies"]["edges"][0]["node"]
    names, _ = await found(client, token, company["nip"])
    assert company["name"] in names
    reps = await as_user(client, token, "{ users(first: 100) { edges { node { email roles { name } } } } }")
    assert len(reps["data"]["users"]["edges"]) == 1 + 3 + 16  # administrator, 3 managers, a rep per voivodeship


async def feed_settled(txid=None):
    """On PostgreSQL the feed holds a change back while an older transaction anywhere in the
    cluster still runs (other tests' databases share it): wait until ``txid`` (by default the
    newest change's) is below every running transaction."""
    if AuditEntry._meta.db.engine_type != "postgres":
        return

    async def settled():
        bound = txid if txid is not None else "(SELECT coalesce(max(txid), 0) FROM core_audit)"
        [row] = await AuditEntry.raw(f"SELECT {bound} < {FINISHED} AS settled")
        return row["settled"]

    await wait_for(settled)


async def read_feed(client, token, query, variables=None):
    """The feed once it can show everything committed."""
    await feed_settled()
    return await as_user(client, token, query, variables)


CHANGES = """query($since: String, $first: Int) { changes(since: $since, first: $first) {
    changes { operation entity id company { name } } cursor hasMore } }"""


async def test_delta_sync_sends_a_rep_only_their_area_in_order(client, regions, engine_kind):
    admin, krakow = regions["admin"], regions["krakow"]
    first = await read_feed(client, krakow, CHANGES)
    assert first["data"]["changes"]["changes"] == [] and first["data"]["changes"]["hasMore"] is False
    cursor = first["data"]["changes"]["cursor"]

    mine = (await create_company(client, admin, name="Kraków A", territory="malopolskie"))["company"]
    await create_company(client, admin, name="Rzeszów B", territory="podkarpackie")
    await as_user(client, admin, UPDATE_COMPANY, {"id": mine["id"], "input": {"name": "Kraków A2"}})
    batch = (await read_feed(client, krakow, CHANGES, {"since": cursor}))["data"]["changes"]
    assert [(c["operation"], c["id"]) for c in batch["changes"]] == [("CREATED", mine["id"]), ("UPDATED", mine["id"])]
    assert batch["changes"][1]["company"] == {"name": "Kraków A2"}  # the current state rides along

    paged, since, seen = True, cursor, []
    while paged:
        page = (await read_feed(client, krakow, CHANGES, {"since": since, "first": 1}))["data"]["changes"]
        seen += [c["operation"] for c in page["changes"]]
        since, paged = page["cursor"], page["hasMore"]
    assert seen == ["CREATED", "UPDATED"]  # resumable one at a time, nothing lost or repeated

    await as_user(client, admin, "mutation($id: ID!) { companyDelete(id: $id) { deletedId } }", {"id": mine["id"]})
    deleted = (await read_feed(client, krakow, CHANGES, {"since": batch["cursor"]}))["data"]["changes"]
    assert [(c["operation"], c["id"], c["company"]) for c in deleted["changes"]] == [("DELETED", mine["id"], None)]
    # A first sync of the administrator: the other region too, as it is now, then nothing more.
    everything = (await read_feed(client, admin, CHANGES))["data"]["changes"]
    assert [(c["operation"], c["company"]) for c in everything["changes"]] == [("SNAPSHOT", {"name": "Rzeszów B"})]
    assert (await read_feed(client, admin, CHANGES, {"since": everything["cursor"]}))["data"]["changes"][
        "changes"
    ] == []


AUDIT_ROW = """INSERT INTO core_audit (occurred_at, actor_kind, event, entity_type, entity_id, changes, payload)
    VALUES (now(), 'system', 'core.company_updated', 'company', $1, '{}', '{}')"""


def row_id(global_id):
    return int(base64.b64decode(global_id).decode().split(":")[1])


def sync_ids(result):
    return [(c["operation"], c["id"]) for c in result["data"]["changes"]["changes"]]


@pytest.mark.parametrize("engine_kind", ["postgres"])  # SQLite has one writer: ids are in commit order
async def test_delta_sync_waits_for_a_change_that_commits_after_a_later_one(client, regions, database_url):
    """A PostgreSQL transaction takes its audit id when it writes, not when it commits: a reader
    must not step past a row that may still appear below its cursor."""
    admin, krakow = regions["admin"], regions["krakow"]
    first = (await create_company(client, admin, name="Kraków A", territory="malopolskie"))["company"]
    second = (await create_company(client, admin, name="Kraków B", territory="malopolskie"))["company"]
    cursor = (await as_user(client, krakow, CHANGES))["data"]["changes"]["cursor"]
    a, c = await asyncpg.connect(database_url), await asyncpg.connect(database_url)
    try:
        # A writes a change to the first company and stays open; B commits a later change.
        held = a.transaction()
        await held.start()
        await a.execute(AUDIT_ROW, row_id(first["id"]))
        created = (await create_company(client, admin, name="Kraków C", territory="malopolskie"))["company"]
        early = await as_user(client, krakow, CHANGES, {"since": cursor})
        assert sync_ids(early) == []  # B waits behind A
        snapshot = await as_user(client, krakow, CHANGES)  # a first sync meanwhile
        assert {c["id"] for c in snapshot["data"]["changes"]["changes"]} == {first["id"], second["id"], created["id"]}
        await held.commit()
        await feed_settled()
        expected = [("UPDATED", first["id"]), ("CREATED", created["id"])]
        assert (
            sync_ids(await as_user(client, krakow, CHANGES, {"since": early["data"]["changes"]["cursor"]})) == expected
        )
        after_snapshot = await as_user(client, krakow, CHANGES, {"since": snapshot["data"]["changes"]["cursor"]})
        assert ("UPDATED", first["id"]) in sync_ids(after_snapshot)  # (B again is harmless)

        # C got its transaction id before A did but writes its audit row after A's: ids and
        # transaction ids disagree, and the feed follows the transactions.
        cursor = (await read_feed(client, krakow, CHANGES))["data"]["changes"]["cursor"]
        other = c.transaction()
        await other.start()
        c_txid = int(await c.fetchval("SELECT pg_current_xact_id()::text"))
        held = a.transaction()
        await held.start()
        await a.execute(AUDIT_ROW, row_id(first["id"]))
        await c.execute(AUDIT_ROW, row_id(second["id"]))
        await other.commit()
        await feed_settled(c_txid)
        early = await as_user(client, krakow, CHANGES, {"since": cursor})
        assert sync_ids(early) == [("UPDATED", second["id"])]
        await held.commit()
        await feed_settled()
        late = await as_user(client, krakow, CHANGES, {"since": early["data"]["changes"]["cursor"]})
        assert sync_ids(late) == [("UPDATED", first["id"])]
    finally:
        await a.close()
        await c.close()


SYNC_MERGES = """query($since: String) { changes(since: $since) {
    changes { operation entity id mergedInto company { id name } person { id fullName } } cursor } }"""
PERSON_MERGE = """mutation($input: MergeInput!) { personMerge(input: $input) { person { id } userErrors { code } } }"""


async def test_delta_sync_names_the_record_a_merge_took_away(client, regions, engine_kind):
    admin, krakow, rzeszow = regions["admin"], regions["krakow"], regions["rzeszow"]
    winner = (await create_company(client, admin, name="ACME", territory="malopolskie"))["company"]
    loser = (await create_company(client, admin, name="Acme", territory="podkarpackie"))["company"]
    people = []
    for last in ("Nowak", "Nowakowa"):
        created = await as_user(client, admin, CREATE_PERSON, {"input": {"lastName": last, "territory": "malopolskie"}})
        people.append(created["data"]["personCreate"]["person"])
    cursors = {}
    for name, token in (("admin", admin), ("krakow", krakow), ("rzeszow", rzeszow)):
        cursors[name] = (await read_feed(client, token, SYNC_MERGES))["data"]["changes"]["cursor"]

    merged = await as_user(client, admin, MERGE, {"input": {"winner": winner["id"], "loser": loser["id"]}})
    assert merged["data"]["companyMerge"]["userErrors"] == []
    merged = await as_user(
        client, admin, PERSON_MERGE, {"input": {"winner": people[0]["id"], "loser": people[1]["id"]}}
    )
    assert merged["data"]["personMerge"]["userErrors"] == []

    def seen(result):
        return [
            (c["operation"], c["entity"], c["id"], c["mergedInto"], c["company"] or c["person"])
            for c in result["data"]["changes"]["changes"]
        ]

    everything = seen(await read_feed(client, admin, SYNC_MERGES, {"since": cursors["admin"]}))
    assert everything == [
        ("MERGED", "COMPANY", loser["id"], winner["id"], {"id": winner["id"], "name": "ACME"}),
        ("MERGED", "PERSON", people[1]["id"], people[0]["id"], {"id": people[0]["id"], "fullName": "Nowak"}),
    ]
    # Who could see either side hears of it; who held only the loser drops it without seeing the winner.
    assert seen(await read_feed(client, krakow, SYNC_MERGES, {"since": cursors["krakow"]})) == everything
    assert seen(await read_feed(client, rzeszow, SYNC_MERGES, {"since": cursors["rzeszow"]})) == [
        ("MERGED", "COMPANY", loser["id"], winner["id"], None)
    ]


FIRST_SYNC = """query($since: String, $first: Int) { changes(since: $since, first: $first) {
    changes { operation entity id company { name } person { fullName } } cursor hasMore } }"""


async def every_id(client, token, field):
    ids, after = [], None
    while True:
        query = f"""query($after: String) {{ {field}(first: 100, after: $after) {{
            edges {{ node {{ id }} }} pageInfo {{ hasNextPage endCursor }} }} }}"""
        page = (await as_user(client, token, query, {"after": after}))["data"][field]
        ids += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return ids
        after = page["pageInfo"]["endCursor"]


async def test_a_first_sync_sends_every_visible_record_however_it_was_written(client, runtime, engine_kind):
    from core.crm.demo import load_demo
    from core.db.tables import AuditEntry

    message = await load_demo(runtime, 30)  # bulk inserts: no event, so no audit entry, per record
    admin = message.rsplit(" ", 1)[1]
    busiest = await Company.raw(
        "SELECT t.code, count(*) AS n FROM core_company c JOIN core_territory t ON t.id = c.territory"
        " GROUP BY t.code ORDER BY n DESC, t.code LIMIT 1"
    )
    _, rep = await make_user(runtime, "rep@firma.pl", roles=["sales_rep"], territories=[busiest[0]["code"]])
    expected = {"COMPANY": await every_id(client, rep, "companies"), "PERSON": await every_id(client, rep, "persons")}
    assert expected["COMPANY"] and expected["PERSON"]
    total = await Company.count() + await Person.count()
    assert len(expected["COMPANY"]) + len(expected["PERSON"]) < total  # the rep sees only their region
    assert await AuditEntry.count() == 0

    received, after, since, pages, more = {"COMPANY": [], "PERSON": []}, [], None, 0, True
    while more:
        page = (await read_feed(client, rep, FIRST_SYNC, {"since": since, "first": 3}))["data"]["changes"]
        for change in page["changes"]:
            if change["operation"] == "SNAPSHOT":
                assert not after and (change["company"] or change["person"])
                received[change["entity"]].append(change["id"])
            else:
                after.append((change["operation"], change["id"], change["company"]))
        since, more, pages = page["cursor"], page["hasMore"], pages + 1
        if pages == 1:  # a change while the laptop is still downloading arrives after the snapshot
            changed = await as_user(
                client, admin, UPDATE_COMPANY, {"id": expected["COMPANY"][0], "input": {"name": "Nowa"}}
            )
            assert changed["data"]["companyUpdate"]["userErrors"] == []
            elsewhere = await create_company(client, admin, name="Gdzie indziej", territory="pl")
            assert elsewhere["userErrors"] == []
    assert {kind: sorted(ids) for kind, ids in received.items()} == {k: sorted(v) for k, v in expected.items()}
    assert all(len(ids) == len(set(ids)) for ids in received.values())  # stable pages: nothing twice
    assert pages > 2
    assert after == [("UPDATED", expected["COMPANY"][0], {"name": "Nowa"})]  # not the other region's company

    # The cursor after the snapshot carries on with the feed.
    later = (await read_feed(client, rep, FIRST_SYNC, {"since": since}))["data"]["changes"]
    assert later["changes"] == []
    added = await create_company(client, admin, name="Nowy klient", territory=busiest[0]["code"])
    later = (await read_feed(client, rep, FIRST_SYNC, {"since": later["cursor"]}))["data"]["changes"]
    assert [(c["operation"], c["id"]) for c in later["changes"]] == [("CREATED", added["company"]["id"])]
