"""The OAuth 2.1 / OpenID Connect server: flows, and the attacks each one must turn away."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from core.identity import keys, services
from core.runtime import Runtime
from core.settings import Settings, load_settings
from tests.identity_support import (
    ADMIN,
    ISSUER,
    REDIRECT,
    api,
    audit_events,
    authorization_code,
    authorize_url,
    consent,
    csrf_of,
    exchange,
    grant_tokens,
    identity_http,
    pkce,
    query_of,
    refresh,
    register_client,
    sign_in,
    staff_user,
)

sqlite_only = pytest.mark.parametrize("engine_kind", ["sqlite"])
VIEWER = "{ viewer { kind actorId permissions } }"


@pytest.fixture
def settings(database_url: str, plugins_file: Path, tmp_path: Path) -> Settings:
    return load_settings(
        environ={},
        database_url=database_url,
        plugins_file=plugins_file,
        relay_interval=0.05,
        public_url=ISSUER,
        mail_dir=tmp_path / "mail",
    )


@pytest.fixture
async def http(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    async with identity_http(runtime) as client:
        yield client


async def test_authorization_code_with_pkce_refresh_rotation_and_reuse_detection(http, runtime):
    await staff_user(runtime, "ala@example.com")
    client = await register_client(http, confidential=False)
    assert client["secret"] is None and client["confidential"] is False

    # Not signed in: the authorization endpoint shows the login form, which comes back to it.
    verifier, challenge = pkce()
    url = authorize_url(client["clientId"], challenge, nonce="n-1")
    page = await http.get(url)
    assert page.status_code == 200 and 'action="/oauth/login"' in page.text
    signed_in = await sign_in(http, "ala@example.com", next_path=url)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == url

    answer = await consent(http, authorize_url(client["clientId"], challenge, nonce="n-1", state="st-1"))
    callback = query_of(answer.headers["location"])
    assert callback["state"] == "st-1" and callback["iss"] == ISSUER  # RFC 9207
    tokens = (await exchange(http, client, callback["code"], verifier)).json()
    assert tokens["token_type"] == "Bearer" and tokens["refresh_token"].startswith("kr_") and "id_token" in tokens

    viewer = (await api(http, tokens["access_token"], VIEWER)).json()["data"]["viewer"]
    assert viewer["kind"] == "staff" and "core.company.read" in viewer["permissions"]

    rotated = (await refresh(http, client, tokens["refresh_token"])).json()
    assert rotated["refresh_token"] != tokens["refresh_token"]
    assert (await api(http, rotated["access_token"], VIEWER)).status_code == 200

    # The spent refresh token comes back: a stolen copy. The whole grant goes.
    reused = await refresh(http, client, tokens["refresh_token"])
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    assert (await refresh(http, client, rotated["refresh_token"])).json()["error"] == "invalid_grant"
    assert (await api(http, rotated["access_token"], VIEWER)).status_code == 401
    [revoked] = await audit_events(runtime, "core.oauth_grant_revoked")
    assert revoked["payload"]["reason"] == "refresh_token_reuse"


async def test_concurrent_refreshes_with_one_token_spend_it_once(http, runtime):
    import asyncio

    await staff_user(runtime, "ala@example.com")
    client = await register_client(http)
    await sign_in(http, "ala@example.com")
    tokens = await grant_tokens(http, client)
    first, second = await asyncio.gather(
        refresh(http, client, tokens["refresh_token"]), refresh(http, client, tokens["refresh_token"])
    )
    assert sorted([first.status_code, second.status_code]) == [200, 400]


async def test_pkce_is_required_s256_only_and_checked(http, runtime):
    await staff_user(runtime, "ala@example.com")
    client = await register_client(http)
    await sign_in(http, "ala@example.com")
    verifier, challenge = pkce()

    for params in ({"code_challenge": None, "code_challenge_method": None}, {"code_challenge_method": "plain"}):
        refused = await http.get(authorize_url(client["clientId"], challenge, **params))
        assert refused.status_code == 302
        assert query_of(refused.headers["location"])["error"] == "invalid_request"

    code = await authorization_code(http, client["clientId"], challenge)
    wrong = await exchange(http, client, code, pkce()[0])
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"

    # A verifier seen once (say, leaked from a log) does not redeem another authorization's code.
    _, second_challenge = pkce()
    second_code = await authorization_code(http, client["clientId"], second_challenge)
    assert (await exchange(http, client, second_code, verifier)).json()["error"] == "invalid_grant"
    missing = await http.post(
        "/oauth/token",
        data={"grant_type": "authorization_code", "code": "x", "redirect_uri": REDIRECT},
        auth=(client["clientId"], client["secret"]),
    )
    assert missing.json()["error"] in ("invalid_request", "invalid_grant")
    rejected = await audit_events(runtime, "core.oauth_request_rejected")
    assert {entry["payload"]["error"] for entry in rejected} >= {"invalid_request", "invalid_grant"}


async def test_replayed_code_is_refused_and_revokes_its_tokens(http, runtime):
    await staff_user(runtime, "ala@example.com")
    client = await register_client(http)
    await sign_in(http, "ala@example.com")
    verifier, challenge = pkce()
    code = await authorization_code(http, client["clientId"], challenge)
    tokens = (await exchange(http, client, code, verifier)).json()
    replay = await exchange(http, client, code, verifier)
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    assert (await api(http, tokens["access_token"], VIEWER)).status_code == 401
    [revoked] = await audit_events(runtime, "core.oauth_grant_revoked")
    assert revoked["payload"]["reason"] == "code_replay"


@sqlite_only
@pytest.mark.parametrize(
    "redirect",
    [
        REDIRECT + "/",
        REDIRECT.upper(),
        REDIRECT + "?x=1",
        REDIRECT[:-1] + "X",
        REDIRECT.replace("127.0.0.1", "127.0.0.1.evil.example"),
        REDIRECT + "#frag",
    ],
)
async def test_redirect_uri_must_match_byte_for_byte(http, runtime, redirect):
    await staff_user(runtime, "ala@example.com")
    client = await register_client(http)
    await sign_in(http, "ala@example.com")
    refused = await http.get(authorize_url(client["clientId"], pkce()[1], redirect_uri=redirect))
    # Never a redirect to an address the client did not register: an error page instead.
    assert refused.status_code == 400 and "location" not in refused.headers
    assert "invalid_request" in refused.text
    [rejected] = await audit_events(runtime, "core.oauth_request_rejected")
    assert rejected["payload"]["endpoint"] == "authorize" and rejected["payload"]["client_id"] == client["clientId"]


@sqlite_only
async def test_no_implicit_and_no_password_grant(http, runtime):
    await staff_user(runtime, "ala@example.com")
    client = await register_client(http)
    await sign_in(http, "ala@example.com")
    implicit = await http.get(authorize_url(client["clientId"], pkce()[1], response_type="token"))
    assert query_of(implicit.headers["location"])["error"] == "unsupported_response_type"
    password = await http.post(
        "/oauth/token",
        data={"grant_type": "password", "username": "ala@example.com", "password": "x"},
        auth=(client["clientId"], client["secret"]),
    )
    assert password.status_code == 400 and password.json()["error"] == "unsupported_grant_type"


@sqlite_only
async def test_consent_denied_and_unknown_client(http, runtime):
    await staff_user(runtime, "ala@example.com")
    client = await register_client(http)
    await sign_in(http, "ala@example.com")
    denied = await consent(http, authorize_url(client["clientId"], pkce()[1]), decision="deny")
    assert query_of(denied.headers["location"])["error"] == "access_denied"
    unknown = await http.get(authorize_url("kc_nobody", pkce()[1]))
    assert unknown.status_code == 400 and "invalid_client" in unknown.text
    forged = await http.post(authorize_url(client["clientId"], pkce()[1]), data={"decision": "allow", "csrf": "x"})
    assert forged.status_code == 403


async def test_client_credentials_within_scopes_only(http, runtime):
    partner = await register_client(
        http,
        name="ERP sync",
        grantTypes=["client_credentials"],
        redirectUris=[],
        scopes=["core.company.read", "core.person.read"],
    )
    response = await http.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(partner["clientId"], partner["secret"])
    )
    token = response.json()
    assert response.status_code == 200 and "refresh_token" not in token
    viewer = (await api(http, token["access_token"], VIEWER)).json()["data"]["viewer"]
    assert viewer == {
        "kind": "service",
        "actorId": partner["clientId"],
        "permissions": ["core.company.read", "core.person.read"],
    }
    listed = await api(http, token["access_token"], "{ companies { edges { node { id } } } }")
    assert "errors" not in listed.json(), listed.json()
    created = (
        await api(http, token["access_token"], 'mutation { companyCreate(input: {name: "X"}) { userErrors { code } } }')
    ).json()
    assert created["errors"][0]["extensions"]["code"] == "FORBIDDEN"

    outside = await http.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", "scope": "core.company.write"},
        auth=(partner["clientId"], partner["secret"]),
    )
    assert outside.status_code == 400 and outside.json()["error"] == "invalid_scope"
    wrong_secret = await http.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(partner["clientId"], "not-the-secret")
    )
    assert wrong_secret.status_code == 401 and wrong_secret.json()["error"] == "invalid_client"

    # Narrowing the client applies to tokens already issued, on their next request.
    update = """mutation($id: ID!) { oauthClientUpdate(id: $id, input: {scopes: ["core.person.read"]}) {
        client { scopes } userErrors { code } } }"""
    changed = await http.post(
        "/graphql", json={"query": update, "variables": {"id": partner["id"]}}, headers={"x-sample-actor": ADMIN}
    )
    assert changed.json()["data"]["oauthClientUpdate"]["client"]["scopes"] == ["core.person.read"]
    viewer = (await api(http, token["access_token"], VIEWER)).json()["data"]["viewer"]
    assert viewer["permissions"] == ["core.person.read"]

    # Secret rotation: the old secret stops at once, the new one works.
    rotate = "mutation($id: ID!) { oauthClientRotateSecret(id: $id) { clientSecret userErrors { code } } }"
    rotated = await http.post(
        "/graphql", json={"query": rotate, "variables": {"id": partner["id"]}}, headers={"x-sample-actor": ADMIN}
    )
    new_secret = rotated.json()["data"]["oauthClientRotateSecret"]["clientSecret"]
    old = await http.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(partner["clientId"], partner["secret"])
    )
    assert old.status_code == 401
    new = await http.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=(partner["clientId"], new_secret)
    )
    assert new.status_code == 200


async def test_revocation_and_introspection(http, runtime):
    await staff_user(runtime, "ala@example.com")
    client = await register_client(http)
    await sign_in(http, "ala@example.com")
    tokens = await grant_tokens(http, client)
    auth = (client["clientId"], client["secret"])

    active = (await http.post("/oauth/introspect", data={"token": tokens["access_token"]}, auth=auth)).json()
    assert active["active"] is True and active["client_id"] == client["clientId"] and active["sub"].startswith("user:")
    other = await register_client(http, name="Other")
    foreign = await http.post(
        "/oauth/introspect", data={"token": tokens["access_token"]}, auth=(other["clientId"], other["secret"])
    )
    assert foreign.json() == {"active": False}

    revoked = await http.post(
        "/oauth/revoke", data={"token": tokens["refresh_token"], "token_type_hint": "refresh_token"}, auth=auth
    )
    assert revoked.status_code == 200
    assert (await http.post("/oauth/introspect", data={"token": tokens["access_token"]}, auth=auth)).json() == {
        "active": False
    }
    assert (await api(http, tokens["access_token"], VIEWER)).status_code == 401
    assert (await refresh(http, client, tokens["refresh_token"])).json()["error"] == "invalid_grant"
    wrong_secret = await http.post(
        "/oauth/introspect", data={"token": tokens["access_token"]}, auth=(client["clientId"], "x")
    )
    assert wrong_secret.status_code == 401 and wrong_secret.json()["error"] == "invalid_client"
    refusals = {
        (e["payload"]["endpoint"], e["payload"]["error"])
        for e in await audit_events(runtime, "core.oauth_request_rejected")
    }
    assert refusals == {("api", "invalid_token"), ("token", "invalid_grant"), ("introspection", "invalid_client")}
    # Revoking an unknown token is not an error (RFC 7009 §2.2).
    assert (await http.post("/oauth/revoke", data={"token": "nonsense"}, auth=auth)).status_code == 200


async def test_tampered_expired_and_foreign_audience_tokens_are_refused(http, runtime):
    await staff_user(runtime, "ala@example.com")
    client = await register_client(http)
    await sign_in(http, "ala@example.com")
    tokens = await grant_tokens(http, client)
    assert (await api(http, tokens["access_token"], VIEWER)).status_code == 200

    head, body, signature = tokens["access_token"].split(".")
    tampered = f"{head}.{body}.{signature[:-4]}AAAA"
    store = keys.runtime_keys(runtime)
    claims = await store.verify(tokens["access_token"], audience=f"{ISSUER}/graphql")
    expired = await store.sign({**claims, "exp": keys.now_seconds() - 5}, token_type="at+jwt")
    portal_audience = await store.sign({**claims, "aud": f"{ISSUER}/portal/graphql"}, token_type="at+jwt")
    other_issuer = await store.sign({**claims, "iss": "https://evil.example"}, token_type="at+jwt")
    for bad in (tampered, expired, tokens["id_token"], other_issuer, "not-a-jwt"):
        response = await api(http, bad, VIEWER)
        assert response.status_code == 401, bad
        assert 'error="invalid_token"' in response.headers["www-authenticate"]
    # A token for the portal API opens neither the staff API nor — with a staff actor — the portal.
    assert (await api(http, portal_audience, VIEWER)).status_code == 401
    assert (await api(http, tokens["access_token"], VIEWER, path="/portal/graphql")).status_code == 401
    rejected = await audit_events(runtime, "core.oauth_request_rejected")
    assert len(rejected) >= 7 and {entry["payload"]["error"] for entry in rejected} == {"invalid_token"}


@sqlite_only
async def test_a_hundred_password_attempts_in_a_minute(http, runtime):
    await staff_user(runtime, "ala@example.com")
    page = await http.get("/oauth/login")
    form = {"csrf": csrf_of(page.text), "email": "ala@example.com", "audience": "staff", "next": ""}
    statuses = [
        (await http.post("/oauth/login", data={**form, "password": f"guess-{attempt}"})).status_code
        for attempt in range(100)
    ]
    limit = runtime.settings.login_failures_per_account
    assert statuses[:limit] == [401] * limit and set(statuses[limit:]) == {429}
    # Even the right password is refused while the account is throttled.
    assert (await http.post("/oauth/login", data={**form, "password": "correct horse battery"})).status_code == 429
    failures = await audit_events(runtime, "core.sign_in_failed")
    assert len(failures) == 101 and failures[-1]["payload"]["reason"] == "throttled"


async def test_a_burst_of_parallel_guesses_gets_no_more_tries_than_the_throttle(http, runtime, engine_kind):
    await staff_user(runtime, "ala@example.com")
    results = await asyncio.gather(
        *[services.check_password(runtime, "staff", "ala@example.com", f"guess-{n}", "10.0.0.9") for n in range(20)],
        return_exceptions=True,
    )
    reasons = [str(result) for result in results]
    assert all(isinstance(result, services.SignInRefused) for result in results)
    assert reasons.count("wrong_password") <= runtime.settings.login_failures_per_account
    assert reasons.count("throttled") >= 20 - runtime.settings.login_failures_per_account


@sqlite_only
async def test_throttling_per_address_across_accounts(http, runtime):
    runtime.settings = runtime.settings.with_overrides(login_failures_per_ip=8)
    page = await http.get("/oauth/login")
    form = {"csrf": csrf_of(page.text), "audience": "staff", "next": "", "password": "x"}
    statuses = [
        (await http.post("/oauth/login", data={**form, "email": f"user{n}@example.com"})).status_code for n in range(12)
    ]
    assert statuses[:8] == [401] * 8 and set(statuses[8:]) == {429}


@sqlite_only
@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "http:/x"]
)
async def test_open_redirect_through_next_is_refused(http, runtime, target):
    await staff_user(runtime, "ala@example.com")
    signed_in = await sign_in(http, "ala@example.com", next_path=target)
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/oauth/account"
    [rejected] = await audit_events(runtime, "core.oauth_request_rejected")
    assert rejected["payload"]["endpoint"] == "login"


async def test_lock_and_disable_take_effect_on_the_next_request(http, runtime):
    user_id = await staff_user(runtime, "ala@example.com")
    client = await register_client(http)
    await sign_in(http, "ala@example.com")
    tokens = await grant_tokens(http, client)
    from strawberry.relay import to_base64

    user = to_base64("UserNode", user_id)
    lock = "mutation($id: ID!) { userLock(id: $id) { user { id } userErrors { code } } }"
    locked = await http.post(
        "/graphql", json={"query": lock, "variables": {"id": user}}, headers={"x-sample-actor": ADMIN}
    )
    assert locked.json()["data"]["userLock"]["userErrors"] == []
    assert (await api(http, tokens["access_token"], VIEWER)).status_code == 401
    assert (await refresh(http, client, tokens["refresh_token"])).json()["error"] == "invalid_grant"
    refused = await sign_in(http, "ala@example.com")
    assert refused.status_code == 401 and "locked" in refused.text

    unlock = "mutation($id: ID!) { userUnlock(id: $id) { userErrors { code } } }"
    await http.post("/graphql", json={"query": unlock, "variables": {"id": user}}, headers={"x-sample-actor": ADMIN})
    assert (await sign_in(http, "ala@example.com")).status_code == 303
    fresh = await grant_tokens(http, client)
    assert (await api(http, fresh["access_token"], VIEWER)).status_code == 200

    disable = "mutation($id: ID!) { userUpdate(id: $id, input: {isActive: false}) { userErrors { code } } }"
    await http.post("/graphql", json={"query": disable, "variables": {"id": user}}, headers={"x-sample-actor": ADMIN})
    assert (await api(http, fresh["access_token"], VIEWER)).status_code == 401


@pytest.mark.parametrize(
    ("environ", "key"),
    [
        ({"KARTOTEKA_PUBLIC_URL": "ftp://example.com"}, "KARTOTEKA_PUBLIC_URL"),
        ({"KARTOTEKA_ACCESS_TOKEN_SECONDS": "0"}, "KARTOTEKA_ACCESS_TOKEN_SECONDS"),
        ({"KARTOTEKA_LOGIN_FAILURES_PER_ACCOUNT": "many"}, "KARTOTEKA_LOGIN_FAILURES_PER_ACCOUNT"),
        ({"KARTOTEKA_SMTP_URL": "mail.example.com"}, "KARTOTEKA_SMTP_URL"),
        (
            {
                "KARTOTEKA_PROFILE": "production",
                "KARTOTEKA_SECRET_KEY": "s" * 40,
                "KARTOTEKA_PUBLIC_URL": "http://crm.example",
            },
            "KARTOTEKA_PUBLIC_URL",
        ),
    ],
)
def test_malformed_identity_settings_stop_start_up_naming_the_key(environ, key):
    from core.errors import ConfigError

    with pytest.raises(ConfigError) as raised:
        load_settings(environ=environ)
    assert raised.value.key == key


@sqlite_only
async def test_password_hashes_are_argon2id_and_upgraded_at_sign_in(http, runtime):
    from argon2 import PasswordHasher

    from core.access.tables import User

    user_id = await staff_user(runtime, "ala@example.com")
    stored = (await User.select(User.password_hash).where(User.id == user_id).first())["password_hash"]
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("correct horse battery")
    await User.update({User.password_hash: weak}).where(User.id == user_id)
    assert (await sign_in(http, "ala@example.com")).status_code == 303
    upgraded = (await User.select(User.password_hash).where(User.id == user_id).first())["password_hash"]
    assert upgraded != weak and upgraded.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
