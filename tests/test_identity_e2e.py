"""End to end against a running `kartoteka serve` on loopback, with a real HTTP client: a person
signs in through the form, consents, the code is exchanged with PKCE, the API is called, the
token refreshed and the spent refresh token's reuse detected; a partner integration with client
credentials works within its scopes and is refused outside them."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from core.access import services as access
from core.auth import SYSTEM
from core.db.migrate import migrate
from core.db.tables import AuditEntry
from core.identity import clients
from core.runtime import Runtime
from core.settings import load_settings
from tests.conftest import SAMPLE_PLUGINS, write_plugins
from tests.identity_support import PASSWORD, REDIRECT, csrf_of, pkce, query_of
from tests.test_serve import free_port

pytestmark = pytest.mark.slow
VIEWER = "{ viewer { kind permissions } }"


async def _prepare(settings) -> dict[str, str]:
    runtime = Runtime.boot(settings, role="cli")
    await migrate(runtime)
    await access.sync_builtin_roles(runtime)
    await access.create_user(
        runtime, SYSTEM, email="ala@example.com", display_name="Ala", password=PASSWORD, roles=["sales_rep"]
    )
    _, app_id, _ = await clients.create_client(
        runtime, SYSTEM, name="Admin UI", confidential=False, redirect_uris=[REDIRECT], scopes=["openid", "api"]
    )
    _, partner_id, partner_secret = await clients.create_client(
        runtime, SYSTEM, name="ERP", grant_types=["client_credentials"], scopes=["core.company.read"]
    )
    return {"app": app_id, "partner": partner_id, "partner_secret": partner_secret}


async def _audit(settings) -> list[str]:
    Runtime.boot(settings, role="cli")
    return [row["event"] for row in await AuditEntry.select(AuditEntry.event)]


@contextmanager
def serving(log: Path, database: str, plugins: Path, port: int, **extra: str) -> Iterator[str]:
    """`kartoteka serve` on loopback until the block ends; yields its address."""
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KARTOTEKA_")} | {
        "KARTOTEKA_DATABASE_URL": database,
        "KARTOTEKA_PLUGINS_FILE": str(plugins),
        "KARTOTEKA_PORT": str(port),
        "KARTOTEKA_PUBLIC_URL": url,
        **extra,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "core.cli", "serve"], env=env, stdout=log.open("a"), stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_full_flow_against_a_running_server(tmp_path: Path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    plugins = write_plugins(tmp_path / "plugins.toml", SAMPLE_PLUGINS)
    database = f"sqlite:///{tmp_path}/served.sqlite3"
    settings = load_settings(environ={}, database_url=database, plugins_file=plugins, public_url=url)
    clients = asyncio.run(_prepare(settings))

    with serving(tmp_path / "server.log", database, plugins, port):
        _drive(url, clients)
    events = asyncio.run(_audit(settings))
    assert {"core.signed_in", "core.oauth_grant_revoked", "core.oauth_request_rejected"} <= set(events)


def _drive(url: str, clients: dict[str, str]) -> None:
    with httpx.Client(base_url=url, timeout=30) as browser:
        metadata = browser.get("/.well-known/openid-configuration").json()
        assert metadata["authorization_endpoint"] == f"{url}/oauth/authorize"

        verifier, challenge = pkce()
        params = {
            "response_type": "code",
            "client_id": clients["app"],
            "redirect_uri": REDIRECT,
            "scope": "openid api",
            "state": "s-1",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        login = browser.get(metadata["authorization_endpoint"], params=params)
        assert login.status_code == 200 and 'action="/oauth/login"' in login.text
        next_path = login.url.raw_path.decode()
        form = {"csrf": csrf_of(login.text), "email": "ala@example.com", "password": PASSWORD, "audience": "staff"}
        signed_in = browser.post("/oauth/login", data={**form, "next": next_path})
        assert signed_in.status_code == 303 and signed_in.headers["location"] == next_path
        page = browser.get(next_path)
        assert 'value="allow"' in page.text
        answer = browser.post(next_path, data={"csrf": csrf_of(page.text), "decision": "allow"})
        assert answer.status_code == 302
        callback = query_of(answer.headers["location"])
        assert answer.headers["location"].startswith(REDIRECT) and callback["state"] == "s-1"

        api = httpx.Client(base_url=url, timeout=30)  # the app's back end: no cookies of the browser
        exchange = {
            "grant_type": "authorization_code",
            "code": callback["code"],
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
            "client_id": clients["app"],
        }
        tokens = api.post(metadata["token_endpoint"], data=exchange).json()
        assert "id_token" in tokens, tokens

        def viewer(token: str) -> httpx.Response:
            return api.post("/graphql", json={"query": VIEWER}, headers={"authorization": f"Bearer {token}"})

        assert viewer(tokens["access_token"]).json()["data"]["viewer"]["kind"] == "staff"
        refreshed = api.post(
            metadata["token_endpoint"],
            data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": clients["app"]},
        ).json()
        assert viewer(refreshed["access_token"]).status_code == 200
        reuse = api.post(
            metadata["token_endpoint"],
            data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": clients["app"]},
        )
        assert reuse.status_code == 400 and reuse.json()["error"] == "invalid_grant"
        assert viewer(refreshed["access_token"]).status_code == 401  # the whole grant went

        partner = api.post(
            metadata["token_endpoint"],
            data={"grant_type": "client_credentials"},
            auth=(clients["partner"], clients["partner_secret"]),
        ).json()
        bearer = {"authorization": f"Bearer {partner['access_token']}"}
        listed = api.post("/graphql", json={"query": "{ companies { edges { node { id } } } }"}, headers=bearer)
        assert listed.status_code == 200 and "errors" not in listed.json()
        write = 'mutation { companyCreate(input: {name: "X"}) { userErrors { code } } }'
        refused = api.post("/graphql", json={"query": write}, headers=bearer).json()
        assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        api.close()


async def _prepare_provider(settings, relying_party: str) -> tuple[str, str]:
    runtime = Runtime.boot(settings, role="cli")
    await migrate(runtime)
    for email in ("ala@example.com", "obcy@example.com"):
        await access.create_user(runtime, SYSTEM, email=email, display_name=email[:3].title(), password=PASSWORD)
    _, client_id, secret = await clients.create_client(
        runtime,
        SYSTEM,
        name="Kartoteka of another office",
        redirect_uris=[f"{relying_party}/oauth/sso/callback"],
        scopes=["openid", "email", "profile"],
        skip_consent=True,
    )
    return client_id, secret


async def _prepare_relying_party(settings) -> None:
    runtime = Runtime.boot(settings, role="cli")
    await migrate(runtime)
    await access.create_user(runtime, SYSTEM, email="ala@example.com", display_name="Ala z biura")


def test_staff_single_sign_on_through_an_external_oidc_provider(tmp_path: Path):
    """Two servers: one is the company's OpenID provider, the other signs its staff in through it."""
    plugins = write_plugins(tmp_path / "plugins.toml", SAMPLE_PLUGINS)
    provider_port, party_port = free_port(), free_port()
    party_url = f"http://127.0.0.1:{party_port}"
    provider_db, party_db = f"sqlite:///{tmp_path}/provider.sqlite3", f"sqlite:///{tmp_path}/party.sqlite3"
    client_id, secret = asyncio.run(
        _prepare_provider(load_settings(environ={}, database_url=provider_db, plugins_file=plugins), party_url)
    )
    asyncio.run(_prepare_relying_party(load_settings(environ={}, database_url=party_db, plugins_file=plugins)))

    with (
        serving(tmp_path / "provider.log", provider_db, plugins, provider_port) as provider_url,
        serving(
            tmp_path / "party.log",
            party_db,
            plugins,
            party_port,
            KARTOTEKA_SSO_ISSUER=f"http://127.0.0.1:{provider_port}",
            KARTOTEKA_SSO_CLIENT_ID=client_id,
            KARTOTEKA_SSO_CLIENT_SECRET=secret,
            KARTOTEKA_SSO_NAME="Biuro",
        ),
        httpx.Client(timeout=30) as browser,
    ):
        login = browser.get(f"{party_url}/oauth/login")
        assert "Sign in with Biuro" in login.text

        def through_provider(email: str) -> httpx.Response:
            start = browser.get(f"{party_url}/oauth/sso", params={"next": "/oauth/account"})
            assert start.status_code == 302 and start.headers["location"].startswith(provider_url)
            page = browser.get(start.headers["location"])
            form = {"csrf": csrf_of(page.text), "email": email, "password": PASSWORD, "audience": "staff"}
            signed_in = browser.post(f"{provider_url}/oauth/login", data={**form, "next": page.url.raw_path.decode()})
            back = browser.get(provider_url + signed_in.headers["location"])
            assert back.status_code == 302 and back.headers["location"].startswith(f"{party_url}/oauth/sso/callback")
            return browser.get(back.headers["location"])

        arrived = through_provider("ala@example.com")
        assert arrived.status_code == 303 and arrived.headers["location"] == "/oauth/account"
        assert "Signed in as Ala z biura" in browser.get(f"{party_url}/oauth/account").text

        # Known to the provider, but not a staff user here: no way in.
        browser.cookies.clear()
        assert through_provider("obcy@example.com").status_code == 403
        # A callback this browser did not start (no flow cookie, forged state) is refused.
        browser.cookies.clear()
        forged = browser.get(f"{party_url}/oauth/sso/callback", params={"code": "x", "state": "y"})
        assert forged.status_code == 403
