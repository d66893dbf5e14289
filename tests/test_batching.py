"""Lists are completed level by level (core.graphql.batching) with the same answer graphql-core
gives field by field: same data, aliases, fragments, directives, nulls and errors."""

import pytest
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from core.graphql.batching import BatchingExecutor
from tests.conftest import as_user
from tests.test_crm import create_company
from tests.test_crm import regions as regions_fixture

regions = regions_fixture  # the same two voivodeships and users as the client-file tests

RICH_LIST = """
query($withOwner: Boolean!) {
  companies(first: 10) {
    edges { cursor node { ...card nip label: name __typename
      owner @include(if: $withOwner) { id displayName email }
      territory { code name parent { code } }
      lastActivity { kind title occurredAt cost author { displayName } company { name } } } }
    pageInfo { hasNextPage endCursor startCursor }
  }
  persons(first: 10) { edges { node { id fullName birthday employments { position company { name tags } } } } }
}
fragment card on Company { id kind lifecycle tags emails { value isPrimary } phones { value } addresses { city }
  customFields createdAt }
"""


@pytest.fixture
def field_calls(monkeypatch):
    """How many fields graphql-core resolved one by one."""
    calls = []
    original = StrawberryGraphQLCoreExecutionContext.execute_field

    def counting(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "execute_field", counting)
    return calls


async def fill(client, token):
    for number in range(6):
        created = await create_company(
            client,
            token,
            name=f"Firma {number}",
            territory="malopolskie" if number % 2 else "podkarpackie",
            tags=["hurt", f"t{number}"],
            emails=[{"value": f"biuro{number}@firma.pl"}],
            phones=[{"value": f"601 234 5{number:02}"}],
            addresses=[{"city": "Kraków", "postalCode": "30-001", "street": "Rynek 1"}],
        )
        company_id = created["company"]["id"]
        if number % 3:
            result = await as_user(
                client,
                token,
                "mutation($input: TimelineEntryInput!) { timelineEntryCreate(input: $input) { userErrors { code } } }",
                {"input": {"kind": "core.call", "company": company_id, "title": f"Rozmowa {number}", "cost": "12.5"}},
            )
            assert result["data"]["timelineEntryCreate"]["userErrors"] == []
        result = await as_user(
            client,
            token,
            """mutation($input: PersonCreateInput!) { personCreate(input: $input) { userErrors { code } } }""",
            {
                "input": {
                    "lastName": f"Nowak{number}",
                    "firstName": "Jan",
                    "employments": [{"company": company_id, "position": "Prezes"}],
                }
            },
        )
        assert result["data"]["personCreate"]["userErrors"] == [], result


async def both_ways(client, token, query, variables, monkeypatch, field_calls):
    field_calls.clear()
    batched = await as_user(client, token, query, variables)
    batched_calls = len(field_calls)
    with monkeypatch.context() as patch:
        patch.setattr(BatchingExecutor, "complete_value", StrawberryGraphQLCoreExecutionContext.complete_value)
        field_calls.clear()
        plain = await as_user(client, token, query, variables)
    return batched, plain, batched_calls, len(field_calls)


async def test_a_page_is_the_same_completed_by_level_or_by_field(
    client, regions, engine_kind, monkeypatch, field_calls
):
    await fill(client, regions["admin"])
    for variables in ({"withOwner": True}, {"withOwner": False}):
        batched, plain, batched_calls, plain_calls = await both_ways(
            client, regions["admin"], RICH_LIST, variables, monkeypatch, field_calls
        )
        assert "errors" not in batched, batched
        assert batched == plain
        assert len(batched["data"]["companies"]["edges"]) == 6
        assert batched_calls == 2  # the two root fields; everything below them was completed by level
        assert plain_calls > 200
    node = batched["data"]["companies"]["edges"][1]["node"]
    assert "owner" not in node
    assert node["lastActivity"]["cost"] == "12.50" and node["lastActivity"]["author"]["displayName"] == "Admin"


async def test_a_rep_gets_the_same_nulls_and_errors_either_way(client, regions, engine_kind, monkeypatch, field_calls):
    await fill(client, regions["admin"])
    # A rep in Małopolska: the people's companies outside the area are null, not leaked.
    query = "{ persons(first: 10) { edges { node { fullName employments { company { name } } } } } }"
    batched, plain, *_ = await both_ways(client, regions["krakow"], query, None, monkeypatch, field_calls)
    assert batched == plain
