"""Custom fields: defined at runtime, validated on write, typed on read, filtered in SQL on both engines."""

import base64

import pytest

from core.access import services as access
from core.auth import SYSTEM
from core.crm.tables import Company
from tests.conftest import as_user, make_user

DEFINE = """mutation($input: CustomFieldDefineInput!) { customFieldDefine(input: $input) {
    definition { id key kind label } userErrors { field code } } }"""
CREATE = """mutation($input: CompanyCreateInput!) { companyCreate(input: $input) {
    company { id name customFields } userErrors { field code } } }"""
UPDATE = """mutation($id: ID!, $input: CompanyUpdateInput!) { companyUpdate(id: $id, input: $input) {
    company { customFields } userErrors { field code } } }"""
FILTER = """query($filter: [CustomFieldFilter!]) { companies(filter: {customFields: $filter}) {
    edges { node { name } } } }"""
FIELDS = [
    {
        "key": "employees",
        "labelPl": "Liczba pracowników",
        "labelEn": "Employees",
        "kind": "number",
        "options": {"min": 0},
    },
    {
        "key": "industry",
        "labelPl": "Branża",
        "labelEn": "Industry",
        "kind": "choice",
        "options": {"choices": ["IT", "produkcja", "handel"]},
    },
    {
        "key": "markets",
        "labelPl": "Rynki",
        "labelEn": "Markets",
        "kind": "multi_choice",
        "options": {"choices": ["PL", "DE", "CZ"]},
    },
    {"key": "contract_end", "labelPl": "Koniec umowy", "labelEn": "Contract end", "kind": "date"},
    {"key": "vip", "labelPl": "VIP", "labelEn": "VIP", "kind": "bool"},
    {"key": "discount", "labelPl": "Rabat", "labelEn": "Discount", "kind": "decimal"},
    {"key": "hotline", "labelPl": "Infolinia", "labelEn": "Hotline", "kind": "phone"},
]


@pytest.fixture
async def admin(client, runtime):
    _, token = await make_user(runtime, "admin@firma.pl", roles=["administrator"])
    for definition in FIELDS:
        result = await as_user(client, token, DEFINE, {"input": {"entity": "company", **definition}})
        assert result["data"]["customFieldDefine"]["userErrors"] == [], result
    return token


async def create(client, token, name, custom):
    result = await as_user(client, token, CREATE, {"input": {"name": name, "customFields": custom}})
    assert "errors" not in result, result
    return result["data"]["companyCreate"]


async def names(client, token, conditions):
    result = await as_user(client, token, FILTER, {"filter": conditions})
    assert "errors" not in result, result
    return [edge["node"]["name"] for edge in result["data"]["companies"]["edges"]]


async def test_values_are_validated_stored_and_read_typed(client, admin, engine_kind):
    created = await create(
        client,
        admin,
        "Alfa",
        {
            "employees": 120,
            "industry": "IT",
            "markets": ["PL", "DE", "PL"],
            "contract_end": "2027-03-31",
            "vip": True,
            "discount": "12.50",
            "hotline": "801 234 567",
        },
    )
    assert created["userErrors"] == []
    assert created["company"]["customFields"] == {
        "employees": 120.0,
        "industry": "IT",
        "markets": ["PL", "DE"],
        "contract_end": "2027-03-31",
        "vip": True,
        "discount": "12.50",
        "hotline": "+48801234567",
    }
    typed = await as_user(
        client,
        admin,
        """query($id: ID!) { company(id: $id) {
        e: customField(key: "employees") { ... on NumberFieldValue { number } definition { label } }
        d: customField(key: "discount") { ... on DecimalFieldValue { decimal } }
        m: customField(key: "markets") { ... on MultiChoiceFieldValue { choices } }
        c: customField(key: "contract_end") { ... on DateFieldValue { date } }
        missing: customField(key: "nothing") { definition { key } } } }""",
        {"id": created["company"]["id"]},
        **{"accept-language": "pl"},
    )
    company = typed["data"]["company"]
    assert company["e"] == {"number": 120.0, "definition": {"label": "Liczba pracowników"}}
    assert company["d"] == {"decimal": "12.50"} and company["m"] == {"choices": ["PL", "DE"]}
    assert company["c"] == {"date": "2027-03-31"} and company["missing"] is None


@pytest.mark.parametrize(
    ("custom", "path", "code"),
    [
        ({"colour": "red"}, ["input", "customFields", "colour"], "CUSTOM_FIELD_UNKNOWN"),
        ({"employees": "many"}, ["input", "customFields", "employees"], "CUSTOM_FIELD_INVALID"),
        ({"employees": -1}, ["input", "customFields", "employees"], "CUSTOM_FIELD_INVALID"),
        ({"industry": "rolnictwo"}, ["input", "customFields", "industry"], "CUSTOM_FIELD_INVALID"),
        ({"markets": ["PL", "US"]}, ["input", "customFields", "markets"], "CUSTOM_FIELD_INVALID"),
        ({"contract_end": "31.03.2027"}, ["input", "customFields", "contract_end"], "CUSTOM_FIELD_INVALID"),
        ({"vip": "yes"}, ["input", "customFields", "vip"], "CUSTOM_FIELD_INVALID"),
        ({"hotline": "12"}, ["input", "customFields", "hotline"], "INVALID_PHONE"),
    ],
)
async def test_bad_values_are_refused(client, admin, engine_kind, custom, path, code):
    result = await create(client, admin, "Zła", custom)
    assert result == {"company": None, "userErrors": [{"field": path, "code": code}]}
    assert await Company.count() == 0


async def test_required_fields_and_patches(client, admin, engine_kind):
    await as_user(
        client,
        admin,
        DEFINE,
        {
            "input": {
                "entity": "company",
                "key": "segment",
                "labelPl": "Segment",
                "labelEn": "Segment",
                "kind": "text",
                "required": True,
            }
        },
    )
    missing = await create(client, admin, "Bez segmentu", {"employees": 5})
    assert missing["userErrors"] == [{"field": ["input", "customFields", "segment"], "code": "REQUIRED"}]
    company = (await create(client, admin, "Z segmentem", {"segment": "MŚP", "employees": 5, "vip": True}))["company"]
    patched = await as_user(
        client, admin, UPDATE, {"id": company["id"], "input": {"customFields": {"employees": 7, "vip": None}}}
    )
    assert patched["data"]["companyUpdate"] == {
        "company": {"customFields": {"segment": "MŚP", "employees": 7.0}},
        "userErrors": [],
    }
    untouched = await as_user(client, admin, UPDATE, {"id": company["id"], "input": {"name": "Nowa"}})
    assert untouched["data"]["companyUpdate"]["company"]["customFields"] == {"segment": "MŚP", "employees": 7.0}


async def test_filters_compile_to_sql_on_both_engines(client, admin, engine_kind):
    await create(
        client,
        admin,
        "Alfa",
        {
            "employees": 120,
            "industry": "IT",
            "markets": ["PL", "DE"],
            "vip": True,
            "contract_end": "2027-03-31",
            "discount": "5",
        },
    )
    await create(
        client,
        admin,
        "Beta",
        {"employees": 40, "industry": "handel", "markets": ["CZ"], "vip": False, "contract_end": "2026-12-31"},
    )
    await create(client, admin, "Gamma", {"employees": 9, "industry": "produkcja"})
    assert await names(client, admin, [{"key": "employees", "op": "GTE", "value": 40}]) == ["Alfa", "Beta"]
    assert await names(client, admin, [{"key": "employees", "op": "LT", "value": 100}]) == ["Beta", "Gamma"]
    assert await names(client, admin, [{"key": "industry", "value": "IT"}]) == ["Alfa"]
    assert await names(client, admin, [{"key": "industry", "op": "IN", "value": ["IT", "handel"]}]) == ["Alfa", "Beta"]
    assert await names(client, admin, [{"key": "markets", "op": "CONTAINS", "value": "DE"}]) == ["Alfa"]
    assert await names(client, admin, [{"key": "vip", "value": True}]) == ["Alfa"]
    assert await names(client, admin, [{"key": "vip", "value": False}]) == ["Beta"]
    assert await names(client, admin, [{"key": "contract_end", "op": "LT", "value": "2027-01-01"}]) == ["Beta"]
    assert await names(client, admin, [{"key": "discount", "op": "IS_NULL", "value": True}]) == ["Beta", "Gamma"]
    assert await names(
        client, admin, [{"key": "employees", "op": "GT", "value": 10}, {"key": "industry", "op": "NEQ", "value": "IT"}]
    ) == ["Beta"]


async def test_filter_keys_are_never_sql(client, admin, engine_kind):
    await create(client, admin, "Alfa", {"industry": "IT"})
    hostile = await as_user(client, admin, FILTER, {"filter": [{"key": "industry') OR 1=1 --", "value": "x"}]})
    assert hostile["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    await as_user(
        client,
        admin,
        DEFINE,
        {
            "input": {
                "entity": "company",
                "key": "contact_name",
                "labelPl": "Kontakt",
                "labelEn": "Contact",
                "kind": "text",
            }
        },
    )
    await create(client, admin, "Beta", {"contact_name": "O'Brien"})
    assert await names(client, admin, [{"key": "contact_name", "value": "O'Brien"}]) == ["Beta"]
    assert await names(client, admin, [{"key": "contact_name", "value": "x' OR '1'='1"}]) == []
    wrong = await as_user(client, admin, FILTER, {"filter": [{"key": "vip", "op": "GT", "value": 1}]})
    assert wrong["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_text_fields_filter_by_a_substring_ignoring_case(client, admin, engine_kind):
    defined = await as_user(
        client,
        admin,
        DEFINE,
        {"input": {"entity": "company", "key": "note", "labelPl": "Uwagi", "labelEn": "Note", "kind": "text"}},
    )
    assert defined["data"]["customFieldDefine"]["userErrors"] == []
    await create(client, admin, "Alfa", {"note": "Oddział w ŁODZI, rabat 50%"})
    await create(client, admin, "Beta", {"note": "Centrala w Krakowie, rabat 5_0"})
    await create(client, admin, "Gamma", {"industry": "IT"})

    def contains(value, key="note"):
        return names(client, admin, [{"key": key, "op": "CONTAINS_TEXT", "value": value}])

    assert await contains("łodzi") == ["Alfa"]  # Polish letters fold on SQLite too
    assert await contains("RABAT") == ["Alfa", "Beta"]
    assert await contains("50%") == ["Alfa"]  # % and _ are plain characters, not wildcards
    assert await contains("5_0") == ["Beta"]
    assert await contains("%") == ["Alfa"]
    assert await contains("warszawa") == []
    for key, value in (("employees", "1"), ("note", "")):  # a number field; an empty text
        refused = await as_user(
            client, admin, FILTER, {"filter": [{"key": key, "op": "CONTAINS_TEXT", "value": value}]}
        )
        assert refused["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", refused
    described = await as_user(
        client, admin, '{ __type(name: "CustomFieldOperator") { enumValues { name description } } }'
    )
    assert all(value["description"] for value in described["data"]["__type"]["enumValues"])


async def test_renaming_and_archiving_keep_the_data(client, admin, engine_kind):
    company = (await create(client, admin, "Alfa", {"industry": "IT"}))["company"]
    definitions = await as_user(client, admin, '{ customFieldDefinitions(entity: "company") { id key } }')
    industry = next(d["id"] for d in definitions["data"]["customFieldDefinitions"] if d["key"] == "industry")
    update = """mutation($id: ID!, $input: CustomFieldUpdateInput!) { customFieldUpdate(id: $id, input: $input) {
        definition { labelEn archived options } userErrors { field code } } }"""
    renamed = await as_user(
        client,
        admin,
        update,
        {
            "id": industry,
            "input": {"labelEn": "Sector", "options": {"choices": ["IT", "produkcja", "handel", "usługi"]}},
        },
    )
    assert renamed["data"]["customFieldUpdate"]["definition"]["labelEn"] == "Sector"
    shrunk = await as_user(client, admin, update, {"id": industry, "input": {"options": {"choices": ["IT"]}}})
    assert shrunk["data"]["customFieldUpdate"]["userErrors"] == [
        {"field": ["input", "options", "choices"], "code": "CHOICE_REMOVED"}
    ]
    archived = await as_user(client, admin, update, {"id": industry, "input": {"archived": True}})
    assert archived["data"]["customFieldUpdate"]["definition"]["archived"] is True
    listed = await as_user(client, admin, '{ customFieldDefinitions(entity: "company") { key } }')
    assert "industry" not in [d["key"] for d in listed["data"]["customFieldDefinitions"]]
    kept = await as_user(client, admin, "query($id: ID!) { company(id: $id) { customFields } }", {"id": company["id"]})
    assert kept["data"]["company"]["customFields"] == {"industry": "IT"}
    assert await names(client, admin, [{"key": "industry", "value": "IT"}]) == ["Alfa"]


async def test_definitions_need_their_permission(client, runtime, admin, engine_kind):
    _, rep = await make_user(runtime, "rep@firma.pl", roles=["sales_rep"])
    denied = await as_user(
        client,
        rep,
        DEFINE,
        {"input": {"entity": "company", "key": "x", "labelPl": "X", "labelEn": "X", "kind": "text"}},
    )
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    bad = await as_user(
        client,
        admin,
        DEFINE,
        {"input": {"entity": "company", "key": "Zła Nazwa", "labelPl": "X", "labelEn": "X", "kind": "colour"}},
    )
    assert bad["data"]["customFieldDefine"]["userErrors"] == [{"field": ["input", "key"], "code": "INVALID_KEY"}]
    duplicate = await as_user(client, admin, DEFINE, {"input": {"entity": "company", **FIELDS[0]}})
    assert duplicate["data"]["customFieldDefine"]["userErrors"] == [{"field": ["input", "key"], "code": "KEY_TAKEN"}]


async def test_sensitive_values_are_hidden_from_those_without_the_permission(client, runtime, admin, engine_kind):
    definition = {"key": "income", "labelPl": "Dochód", "labelEn": "Income", "kind": "decimal", "sensitive": True}
    result = await as_user(client, admin, DEFINE, {"input": {"entity": "person", **definition}})
    assert result["data"]["customFieldDefine"]["userErrors"] == []
    await access.create_team(runtime, SYSTEM, "Południe")
    _, manager = await make_user(runtime, "szef@firma.pl", roles=["sales_manager"], team="Południe")
    rep_id, rep = await make_user(runtime, "rep@firma.pl", roles=["sales_rep"], team="Południe")
    created = await as_user(
        client,
        admin,
        "mutation($input: PersonCreateInput!) { personCreate(input: $input) { person { id } userErrors { code } } }",
        {
            "input": {
                "lastName": "Nowak",
                "birthday": "1980-05-01",
                "customFields": {"income": "9000.00"},
                "owner": base64.b64encode(f"UserNode:{rep_id}".encode()).decode(),
            }
        },
    )
    person_id = created["data"]["personCreate"]["person"]["id"]
    fields = 'birthday customFields income: customField(key: "income") { ... on DecimalFieldValue { decimal } }'
    one = f"query($id: ID!) {{ person(id: $id) {{ {fields} }} }}"
    many = f"{{ persons(first: 5) {{ edges {{ node {{ {fields} }} }} }} }}"
    filtered = '{ persons(filter: {customFields: [{key: "income", op: GT, value: "100"}]}) { edges { node { id } } } }'
    seen = {"birthday": "1980-05-01", "customFields": {"income": "9000.00"}, "income": {"decimal": "9000.00"}}
    hidden = {"birthday": None, "customFields": {}, "income": None}
    for token, expected in ((admin, seen), (manager, seen), (rep, hidden)):
        # one record alone (completed field by field) and a list (completed by level) hide alike
        single = await as_user(client, token, one, {"id": person_id})
        assert single.get("data") and single["data"]["person"] == expected, single
        assert (await as_user(client, token, many))["data"]["persons"]["edges"] == [{"node": expected}]
        found = await as_user(client, token, filtered)
        if expected is seen:
            assert len(found["data"]["persons"]["edges"]) == 1
        else:  # filtering or sorting would reveal the value one question at a time
            assert found["errors"][0]["extensions"]["code"] == "FORBIDDEN", found
            ordered = '{ persons(orderBy: {by: CUSTOM_FIELD, customField: "income"}) { edges { node { id } } } }'
            assert (await as_user(client, token, ordered))["errors"][0]["extensions"]["code"] == "FORBIDDEN"


SORTED = """query($order: RecordOrder, $after: String) { companies(first: 2, after: $after, orderBy: $order) {
    edges { node { name } } pageInfo { hasNextPage endCursor } } }"""


async def every_page(client, token, order):
    seen, after = [], None
    while True:
        result = await as_user(client, token, SORTED, {"order": order, "after": after})
        assert "errors" not in result, result
        page = result["data"]["companies"]
        seen += [edge["node"]["name"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return seen
        after = page["pageInfo"]["endCursor"]


async def test_lists_sort_by_custom_fields_page_by_page(client, admin, engine_kind):
    for name, custom in (
        ("A", {"employees": 50, "industry": "IT"}),
        ("B", {"employees": 7}),
        ("C", {}),
        ("D", {"employees": 120, "industry": "handel"}),
        ("E", {"employees": 7, "industry": "produkcja"}),
        ("F", {"discount": "2.50"}),
    ):
        await create(client, admin, name, custom)
    by_employees = {"by": "CUSTOM_FIELD", "customField": "employees"}
    # numbers compare as numbers (7 < 50 < 120), ties by creation, records without a value last
    assert await every_page(client, admin, by_employees) == ["B", "E", "A", "D", "C", "F"]
    assert await every_page(client, admin, {**by_employees, "descending": True}) == ["D", "A", "E", "B", "F", "C"]
    # choices and texts compare code point by code point on both engines: "IT" < "handel"
    assert await every_page(client, admin, {"by": "CUSTOM_FIELD", "customField": "industry"}) == list("ADEBCF")
    assert await every_page(client, admin, {"by": "CREATED_AT", "descending": True}) == list("FEDCBA")
    assert await every_page(client, admin, {"by": "NAME", "descending": True}) == list("FEDCBA")
    for order, code in (
        ({"by": "CUSTOM_FIELD", "customField": "markets"}, "BAD_USER_INPUT"),
        ({"by": "CUSTOM_FIELD", "customField": "nope"}, "BAD_USER_INPUT"),
        ({"by": "CUSTOM_FIELD"}, "BAD_USER_INPUT"),
    ):
        result = await as_user(client, admin, SORTED, {"order": order})
        assert result["errors"][0]["extensions"]["code"] == code, result
    name_cursor = (await as_user(client, admin, SORTED, {}))["data"]["companies"]["pageInfo"]["endCursor"]
    result = await as_user(client, admin, SORTED, {"order": by_employees, "after": name_cursor})
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
