"""Shared GraphQL documents and set-up of the sales tests."""

from __future__ import annotations

from typing import Any

from core.access import services as access
from core.auth import SYSTEM
from core.testing import gid as gid  # the public ids helpers, re-exported for the sales tests
from core.testing import node_id as node_id
from tests.conftest import as_user, make_user

PROCESS_CREATE = """mutation($input: SalesProcessCreateInput!) { salesProcessCreate(input: $input) {
    process { id name stages { id name position probability requiredFields expectedDays } }
    userErrors { field code message } } }"""
OPPORTUNITY_FIELDS = """id name status value currency valueInReportingCurrency expectedCloseDate source
    stage { name } company { name } person { lastName } owner { email } stuck stuckSince
    competitors { name strengths price } customFields history { outcome fromStage { name } toStage { name } }"""
OPPORTUNITY_CREATE = f"""mutation($input: OpportunityCreateInput!) {{ opportunityCreate(input: $input) {{
    opportunity {{ {OPPORTUNITY_FIELDS} }} userErrors {{ field code message }} }} }}"""
MOVE = """mutation($id: ID!, $input: OpportunityMoveInput!) { opportunityMove(id: $id, input: $input) {
    opportunity { id stage { name } stageEnteredAt } userErrors { field code message } } }"""
WIN = """mutation($id: ID!, $at: DateTime) { opportunityWin(id: $id, at: $at) {
    opportunity { id status closedAt } userErrors { field code message } } }"""
LOSE = """mutation($id: ID!, $input: OpportunityLoseInput!) { opportunityLose(id: $id, input: $input) {
    opportunity { id status lostReason } userErrors { field code message } } }"""
COMPANY_CREATE = """mutation($input: CompanyCreateInput!) { companyCreate(input: $input) {
    company { id name lifecycle } userErrors { field code } } }"""

STAGES = [
    {"name": "Analiza potrzeb", "probability": 10, "expectedDays": 14},
    {"name": "Propozycja", "probability": 25},
    {"name": "Prezentacja", "probability": 40},
    {"name": "Oferta", "probability": 60, "requiredFields": ["value"]},
    {"name": "Negocjacje", "probability": 80, "requiredFields": ["value", "expectedCloseDate"]},
]


async def sales_team(runtime: Any) -> dict[str, tuple[int, str]]:
    """An administrator, a manager and two reps in team Kraków, a rep in team Gdańsk."""
    await access.create_team(runtime, SYSTEM, "Kraków")
    await access.create_team(runtime, SYSTEM, "Gdańsk")
    users = {"admin": await make_user(runtime, "admin@firma.pl", roles=["administrator"])}
    for name, roles, team in (
        ("boss", ["sales_manager"], "Kraków"),
        ("rep1", ["sales_rep"], "Kraków"),
        ("rep2", ["sales_rep"], "Kraków"),
        ("rep3", ["sales_rep"], "Gdańsk"),
    ):
        users[name] = await make_user(runtime, f"{name}@firma.pl", roles=roles, team=team)
    return users


async def create_process(client: Any, token: str, name: str = "Sprzedaż B2B", stages: list | None = None) -> dict:
    result = await as_user(client, token, PROCESS_CREATE, {"input": {"name": name, "stages": stages or STAGES}})
    payload = result["data"]["salesProcessCreate"]
    assert payload["userErrors"] == [], payload
    return payload["process"]


async def create_opportunity(client: Any, token: str, **fields: Any) -> dict:
    result = await as_user(client, token, OPPORTUNITY_CREATE, {"input": fields})
    assert "errors" not in result, result
    payload = result["data"]["opportunityCreate"]
    assert payload["userErrors"] == [], payload
    return payload["opportunity"]


async def create_company(client: Any, token: str, name: str, **fields: Any) -> str:
    result = await as_user(client, token, COMPANY_CREATE, {"input": {"name": name, **fields}})
    assert result["data"]["companyCreate"]["userErrors"] == [], result
    return result["data"]["companyCreate"]["company"]["id"]
