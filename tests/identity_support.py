"""Helpers of the identity tests: a browser's steps through the sign-in pages, PKCE, clients."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from core.access import services as access
from core.app import create_app
from core.auth import SYSTEM
from core.runtime import Runtime

ISSUER = "http://localhost"
REDIRECT = "http://127.0.0.1:8765/callback"
ADMIN = "staff:core.oauth_client.manage,core.portal_account.manage,core.user.manage,core.audit.read"
PASSWORD = "correct horse battery"
CLIENT_CREATE = """
mutation($input: OAuthClientCreateInput!) {
  oauthClientCreate(input: $input) {
    client { id clientId confidential audience redirectUris grantTypes scopes }
    clientSecret
    userErrors { field code message }
  }
}"""


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, html
    return match.group(1)


def query_of(location: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


async def staff_user(runtime: Runtime, email: str, *, roles: tuple[str, ...] = ("administrator",)) -> int:
    await access.sync_builtin_roles(runtime)
    return await access.create_user(
        runtime, SYSTEM, email=email, display_name=email.split("@")[0].title(), password=PASSWORD, roles=roles
    )


async def register_client(http: httpx.AsyncClient, **options: Any) -> dict[str, Any]:
    values = {"name": "Admin UI", "redirectUris": [REDIRECT], "scopes": ["openid", "profile", "email", "api"]}
    values.update(options)
    response = await http.post(
        "/graphql", json={"query": CLIENT_CREATE, "variables": {"input": values}}, headers={"x-sample-actor": ADMIN}
    )
    payload = response.json()["data"]["oauthClientCreate"]
    assert payload["userErrors"] == [], payload
    return {**payload["client"], "secret": payload["clientSecret"]}


def authorize_url(client_id: str, challenge: str, **params: str) -> str:
    query = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT,
        "scope": "openid profile api",
        "state": secrets.token_urlsafe(8),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        **params,
    }
    return "/oauth/authorize?" + urlencode({key: value for key, value in query.items() if value is not None})


async def sign_in(
    http: httpx.AsyncClient, email: str, password: str = PASSWORD, *, audience: str = "staff", next_path: str = ""
) -> httpx.Response:
    page = await http.get("/oauth/login", params={"audience": audience, "next": next_path})
    form = {"csrf": csrf_of(page.text), "email": email, "password": password, "audience": audience, "next": next_path}
    return await http.post("/oauth/login", data=form)


async def consent(http: httpx.AsyncClient, url: str, decision: str = "allow") -> httpx.Response:
    """Open the authorization URL as a signed-in browser and answer the consent page."""
    page = await http.get(url)
    assert page.status_code == 200 and 'name="decision"' in page.text, page.text
    return await http.post(url, data={"csrf": csrf_of(page.text), "decision": decision})


async def authorization_code(http: httpx.AsyncClient, client_id: str, challenge: str, **params: str) -> str:
    answer = await consent(http, authorize_url(client_id, challenge, **params))
    assert answer.status_code == 302, answer.text
    location = answer.headers["location"]
    assert location.startswith(REDIRECT + "?"), location
    return query_of(location)["code"]


async def exchange(http: httpx.AsyncClient, client: dict[str, Any], code: str, verifier: str) -> httpx.Response:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT, "code_verifier": verifier}
    return await _token(http, client, data)


async def refresh(http: httpx.AsyncClient, client: dict[str, Any], refresh_token: str) -> httpx.Response:
    return await _token(http, client, {"grant_type": "refresh_token", "refresh_token": refresh_token})


async def _token(http: httpx.AsyncClient, client: dict[str, Any], data: dict[str, str]) -> httpx.Response:
    if client["secret"]:
        return await http.post("/oauth/token", data=data, auth=(client["clientId"], client["secret"]))
    return await http.post("/oauth/token", data={**data, "client_id": client["clientId"]})


async def api(
    http: httpx.AsyncClient, token: str, query: str, path: str = "/graphql", **variables: Any
) -> httpx.Response:
    return await http.post(
        path, json={"query": query, "variables": variables}, headers={"authorization": f"Bearer {token}"}
    )


async def audit_events(runtime: Runtime, name: str) -> list[dict[str, Any]]:
    from core.db.tables import AuditEntry

    return await AuditEntry.select().where(AuditEntry.event == name).output(load_json=True)


async def grant_tokens(http: httpx.AsyncClient, client: dict[str, Any], **params: str) -> dict[str, Any]:
    """The token response of a full authorization (the browser is signed in already)."""
    verifier, challenge = pkce()
    code = await authorization_code(http, client["clientId"], challenge, **params)
    response = await exchange(http, client, code, verifier)
    assert response.status_code == 200, response.text
    return response.json()


@asynccontextmanager
async def identity_http(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan, reached at the issuer's address through ASGI."""
    app = create_app(runtime=runtime)
    transport = httpx.ASGITransport(app=app)
    async with app.state.kartoteka_lifespan(app), httpx.AsyncClient(transport=transport, base_url=ISSUER) as client:
        yield client
