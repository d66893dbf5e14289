"""Accounts of the identity server: portal persons and partners, invitations, password resets by
e-mail (a real SMTP server on loopback), TOTP, key rotation, the pages in Polish, and an
off-the-shelf OpenID Connect client signing in."""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pyotp
import pytest
from joserfc import jwt
from joserfc.jwk import KeySet
from strawberry.relay import to_base64

from core.access import services as access
from core.auth import SYSTEM
from core.crm.tables import Company, ContactPoint, Employment, Person
from core.identity import keys
from core.identity.tables import SigningKey
from core.runtime import Runtime
from core.settings import Settings, load_settings
from core.testing import SmtpSink, running_smtp
from tests.identity_support import (
    ADMIN,
    ISSUER,
    PASSWORD,
    REDIRECT,
    api,
    audit_events,
    authorization_code,
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
INVITE = """mutation($input: PortalAccountInviteInput!) {
  portalAccountInvite(input: $input) { account { id email rights isAdmin activated } userErrors { field code } } }"""


class Mailbox(SmtpSink):
    """An SMTP server on loopback that keeps what it receives."""

    policy = email.policy.compat32

    def link(self) -> str:
        body = self.messages[-1].get_payload(decode=True).decode()
        return re.search(r"https?://\S+", body).group(0)


@pytest.fixture
def mailbox() -> Mailbox:
    with running_smtp(Mailbox()) as box:
        yield box


@pytest.fixture
def settings(database_url: str, plugins_file: Path, tmp_path: Path, mailbox: Mailbox) -> Settings:
    return load_settings(
        environ={},
        database_url=database_url,
        plugins_file=plugins_file,
        relay_interval=0.05,
        public_url=ISSUER,
        smtp_url=mailbox.url,
    )


@pytest.fixture
async def http(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    async with identity_http(runtime) as client:
        yield client


async def _person(company_id: int, first: str, mail: str | None) -> int:
    [person] = await Person.insert(Person(first_name=first, last_name="Nowak")).returning(Person.id)
    await Employment.insert(Employment(company=company_id, person=person["id"], is_primary=True))
    if mail:
        await ContactPoint.insert(ContactPoint(person=person["id"], kind="email", value=mail, is_primary=True))
    return person["id"]


def pid(person: int) -> str:
    """The person's global id, as the staff API hands it out."""
    return to_base64("Person", person)


async def _company(name: str, kind: str = "b2b") -> int:
    [company] = await Company.insert(Company(name=name, kind=kind, lifecycle="customer")).returning(Company.id)
    return company["id"]


async def _gql(http: httpx.AsyncClient, query: str, variables: dict, **headers: str) -> dict:
    response = await http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def _accept(http: httpx.AsyncClient, link: str, password: str = PASSWORD) -> httpx.Response:
    page = await http.get(link)
    assert page.status_code == 200, page.text
    token = query_of(link)["token"]
    action = link.split("?")[0].removeprefix(ISSUER)
    return await http.post(
        action, data={"csrf": csrf_of(page.text), "token": token, "password": password, "repeat": password}
    )


async def test_portal_person_invited_signs_in_and_reaches_only_the_portal(http, runtime, mailbox):
    company = await _company("Hurtownia Kowalski")
    other_company = await _company("Inna firma")
    anna = await _person(company, "Anna", "anna@hurtownia.example")
    piotr = await _person(company, "Piotr", "piotr@hurtownia.example")
    stranger = await _person(other_company, "Obcy", "obcy@inna.example")

    invited = await _gql(
        http,
        INVITE,
        {"input": {"person": pid(anna), "rights": ["browse", "order"], "isAdmin": True}},
        **{"x-sample-actor": ADMIN},
    )
    account = invited["data"]["portalAccountInvite"]["account"]
    assert account["email"] == "anna@hurtownia.example" and account["activated"] is False
    assert mailbox.messages[-1]["To"] == "anna@hurtownia.example"
    # Not activated yet: the password cannot be guessed in.
    assert (await sign_in(http, "anna@hurtownia.example", audience="portal")).status_code == 401
    assert (await _accept(http, mailbox.link())).status_code == 200
    assert (await http.get(mailbox.link())).status_code == 400  # a link works once

    portal = await register_client(http, name="Portal", audience="portal", confidential=False, scopes=["openid", "api"])
    assert (await sign_in(http, "anna@hurtownia.example", audience="portal")).status_code == 303
    verifier, challenge = pkce()
    code = await authorization_code(http, portal["clientId"], challenge, scope="openid api")
    tokens = (await exchange(http, portal, code, verifier)).json()
    viewer = (await api(http, tokens["access_token"], VIEWER, path="/portal/graphql")).json()["data"]["viewer"]
    assert viewer == {
        "kind": "portal",
        "actorId": str(anna),
        "permissions": ["core.portal.admin", "core.portal.browse", "core.portal.order"],
    }
    assert (await api(http, tokens["access_token"], VIEWER)).status_code == 401  # never the staff API

    # The company's portal administrator invites a colleague, never with more rights than hers.
    invite = INVITE
    too_much = await api(
        http,
        tokens["access_token"],
        invite,
        path="/portal/graphql",
        input={"person": pid(piotr), "rights": ["invoices"]},
    )
    assert too_much.json()["data"]["portalAccountInvite"]["userErrors"][0]["code"] == "RIGHTS_EXCEED_YOURS"
    outside = await api(http, tokens["access_token"], invite, path="/portal/graphql", input={"person": pid(stranger)})
    assert outside.json()["data"]["portalAccountInvite"]["userErrors"][0]["code"] == "NOT_EMPLOYED"
    colleague = await api(
        http,
        tokens["access_token"],
        invite,
        path="/portal/graphql",
        input={"person": pid(piotr), "rights": ["browse"]},
    )
    assert colleague.json()["data"]["portalAccountInvite"]["account"]["rights"] == ["browse"]
    assert mailbox.messages[-1]["To"] == "piotr@hurtownia.example"

    # Staff lock the account: its token stops on the next request.
    lock = "mutation($id: ID!) { portalAccountLock(id: $id) { account { locked } userErrors { code } } }"
    locked = await _gql(http, lock, {"id": account["id"]}, **{"x-sample-actor": ADMIN})
    assert locked["data"]["portalAccountLock"]["account"]["locked"] is True
    assert (await api(http, tokens["access_token"], VIEWER, path="/portal/graphql")).status_code == 401

    # A staff personal access token is no key to the portal either.
    _, pat = await access.create_token(runtime, SYSTEM, user_id=await staff_user(runtime, "ala@example.com"), name="t")
    assert (await api(http, pat, VIEWER, path="/portal/graphql")).status_code == 401
    assert {e["payload"]["change"] for e in await audit_events(runtime, "core.portal_account_changed")} == {
        "invited",
        "activated",
    }


@sqlite_only
async def test_partner_person_gets_a_partner_actor(http, runtime, mailbox):
    partner = await _company("Dystrybutor Sp. z o.o.", kind="partner")
    ewa = await _person(partner, "Ewa", "ewa@dystrybutor.example")
    wrong = await _gql(
        http,
        INVITE,
        {"input": {"person": pid(ewa), "kind": "partner", "rights": ["order"]}},
        **{"x-sample-actor": ADMIN},
    )
    assert wrong["data"]["portalAccountInvite"]["userErrors"] == [
        {"field": ["input", "rights"], "code": "UNKNOWN_RIGHT"}
    ]
    await _gql(
        http,
        INVITE,
        {"input": {"person": pid(ewa), "kind": "partner", "rights": ["leads"]}},
        **{"x-sample-actor": ADMIN},
    )
    await _accept(http, mailbox.link())
    portal = await register_client(http, name="Partner portal", audience="portal", confidential=False, scopes=["api"])
    await sign_in(http, "ewa@dystrybutor.example", audience="portal")
    verifier, challenge = pkce()
    code = await authorization_code(http, portal["clientId"], challenge, scope="api")
    tokens = (await exchange(http, portal, code, verifier)).json()
    viewer = (await api(http, tokens["access_token"], VIEWER, path="/portal/graphql")).json()["data"]["viewer"]
    assert viewer == {"kind": "partner", "actorId": str(ewa), "permissions": ["core.partner.leads"]}


async def test_password_reset_by_email_link(http, runtime, mailbox):
    await staff_user(runtime, "ala@example.com")
    client = await register_client(http)
    await sign_in(http, "ala@example.com")
    tokens = await grant_tokens(http, client)

    page = await http.get("/oauth/password/forgot", headers={"accept-language": "pl"})
    assert "Ustaw nowe hasło" in page.text
    unknown = await http.post(
        "/oauth/password/forgot", data={"csrf": csrf_of(page.text), "email": "nobody@example.com", "audience": "staff"}
    )
    known = await http.post(
        "/oauth/password/forgot", data={"csrf": csrf_of(page.text), "email": "ala@example.com", "audience": "staff"}
    )
    assert unknown.text == known.text  # the page does not tell which addresses exist
    [message] = mailbox.messages
    assert message["To"] == "ala@example.com" and message["Subject"] == "Resetting your Kartoteka password"

    link = mailbox.link()
    page = await http.get(link)
    mismatch = await http.post(
        "/oauth/password/reset",
        data={"csrf": csrf_of(page.text), "token": query_of(link)["token"], "password": "a" * 12, "repeat": "b" * 12},
    )
    assert mismatch.status_code == 400
    short = await _accept(http, link, "short")
    assert short.status_code == 400 and "12" in short.text
    assert (await _accept(http, link, "a brand new secret")).status_code == 200
    assert (await http.get(link)).status_code == 400
    assert (await sign_in(http, "ala@example.com")).status_code == 401
    assert (await sign_in(http, "ala@example.com", "a brand new secret")).status_code == 303
    # Changing the password ends every earlier grant.
    assert (await api(http, tokens["access_token"], VIEWER)).status_code == 401
    assert (await refresh(http, client, tokens["refresh_token"])).json()["error"] == "invalid_grant"
    [changed] = await audit_events(runtime, "core.password_changed")
    assert changed["payload"]["via"] == "reset"


@sqlite_only
async def test_totp_second_step(http, runtime):
    user_id = await staff_user(runtime, "ala@example.com")
    _, pat = await access.create_token(runtime, SYSTEM, user_id=user_id, name="t")
    enable = """mutation($secret: String!, $code: String!) {
        viewerTotpEnable(secret: $secret, code: $code) { enabled userErrors { code } } }"""
    secret = pyotp.random_base32()
    wrong = (await api(http, pat, enable, secret=secret, code="000000")).json()["data"]["viewerTotpEnable"]
    assert wrong == {"enabled": False, "userErrors": [{"code": "WRONG_CODE"}]}
    right = (await api(http, pat, enable, secret=secret, code=pyotp.TOTP(secret).now())).json()
    assert right["data"]["viewerTotpEnable"] == {"enabled": True, "userErrors": []}
    # With TOTP on, a token alone can neither drop it nor put in another secret.
    disable = """mutation($code: String!) { viewerTotpDisable(currentCode: $code) { enabled userErrors { code } } }"""
    kept = (await api(http, pat, disable, code="000000")).json()["data"]["viewerTotpDisable"]
    assert kept["userErrors"] == [{"code": "WRONG_CODE"}]
    other = pyotp.random_base32()
    swapped = (await api(http, pat, enable, secret=other, code=pyotp.TOTP(other).now())).json()
    assert swapped["data"]["viewerTotpEnable"] == {"enabled": False, "userErrors": [{"code": "WRONG_CODE"}]}

    first = await sign_in(http, "ala@example.com")
    assert first.status_code == 200 and 'name="code"' in first.text
    # The password alone is not a session.
    assert "Signed in as" not in (await http.get("/oauth/account")).text
    wrong = await http.post("/oauth/login/totp", data={"csrf": csrf_of(first.text), "code": "000000", "next": ""})
    assert wrong.status_code == 401
    right = await http.post(
        "/oauth/login/totp", data={"csrf": csrf_of(first.text), "code": pyotp.TOTP(secret).now(), "next": ""}
    )
    assert right.status_code == 303
    assert "Signed in as Ala" in (await http.get("/oauth/account")).text
    [signed_in] = await audit_events(runtime, "core.signed_in")
    assert signed_in["payload"]["methods"] == ["pwd", "otp"]

    # An administrator turns it off for a user who lost their phone.
    reset = "mutation($id: ID!) { userTotpReset(id: $id) { userErrors { code } } }"
    await _gql(http, reset, {"id": to_base64("UserNode", user_id)}, **{"x-sample-actor": ADMIN})
    http.cookies.clear()
    assert (await sign_in(http, "ala@example.com")).status_code == 303


@sqlite_only
async def test_signing_keys_rotate_without_breaking_tokens(http, runtime):
    await staff_user(runtime, "ala@example.com")
    client = await register_client(http)
    await sign_in(http, "ala@example.com")
    old = await grant_tokens(http, client)
    [old_kid] = [key["kid"] for key in (await http.get("/oauth/jwks")).json()["keys"]]

    new_kid = await keys.rotate(runtime)
    published = [key["kid"] for key in (await http.get("/oauth/jwks")).json()["keys"]]
    assert published == [new_kid, old_kid]
    assert all("d" not in key for key in (await http.get("/oauth/jwks")).json()["keys"])  # public halves only
    assert (await api(http, old["access_token"], VIEWER)).status_code == 200
    fresh = (await refresh(http, client, old["refresh_token"])).json()
    assert (
        jwt.decode(fresh["access_token"], KeySet.import_key_set((await http.get("/oauth/jwks")).json())).header["kid"]
        == new_kid
    )

    # Once the old key is past its verification window it is gone, and so are its tokens.
    long_ago = datetime.now(UTC) - keys.verification_window(runtime) - timedelta(minutes=1)
    await SigningKey.update({SigningKey.retired_at: long_ago}).where(SigningKey.kid == old_kid)
    keys.runtime_keys(runtime).forget()
    assert [key["kid"] for key in (await http.get("/oauth/jwks")).json()["keys"]] == [new_kid]
    assert (await api(http, old["access_token"], VIEWER)).status_code == 401
    assert (await api(http, fresh["access_token"], VIEWER)).status_code == 200


@sqlite_only
async def test_pages_speak_polish_and_english(http, runtime):
    english = await http.get("/oauth/login")
    polish = await http.get("/oauth/login", headers={"accept-language": "pl-PL,pl;q=0.9"})
    assert "Sign in" in english.text and "E-mail address" in english.text
    assert "Zaloguj się" in polish.text and "Adres e-mail" in polish.text and 'lang="pl"' in polish.text
    assert "Zaloguj się" in (await http.get("/oauth/login?lang=pl")).text
    assert english.headers["x-frame-options"] == "DENY"
    await staff_user(runtime, "ala@example.com")
    wrong = await http.post(
        "/oauth/login",
        data={"csrf": csrf_of(polish.text), "email": "ala@example.com", "password": "nie", "audience": "staff"},
        headers={"accept-language": "pl"},
    )
    assert "Nieprawidłowy adres e-mail lub hasło." in wrong.text
    # Page text is escaped: what a user typed never becomes markup.
    page = await http.get("/oauth/login", params={"next": '"><script>alert(1)</script>'})
    assert "<script>alert(1)" not in page.text


@sqlite_only
async def test_client_registration_rejects_bad_input_and_writes_nothing(http, runtime):
    cases = [
        ({"name": "X", "redirectUris": ["http://example.com/cb"]}, "INVALID_REDIRECT_URI"),
        ({"name": "X", "redirectUris": ["https://example.com/cb#x"]}, "INVALID_REDIRECT_URI"),
        ({"name": "X", "redirectUris": [], "grantTypes": ["authorization_code"]}, "REDIRECT_URI_REQUIRED"),
        ({"name": "X", "grantTypes": ["password"]}, "INVALID_GRANT_TYPE"),
        ({"name": "X", "grantTypes": ["implicit"]}, "INVALID_GRANT_TYPE"),
        ({"name": "X", "confidential": False, "grantTypes": ["client_credentials"]}, "CLIENT_CREDENTIALS_NOT_ALLOWED"),
        ({"name": "X", "redirectUris": [REDIRECT], "scopes": ["core.nothing"]}, "UNKNOWN_SCOPE"),
        ({"name": " ", "redirectUris": [REDIRECT]}, "BLANK"),
    ]
    query = """mutation($input: OAuthClientCreateInput!) { oauthClientCreate(input: $input) {
        client { id } clientSecret userErrors { code } } }"""
    for values, code in cases:
        payload = (await _gql(http, query, {"input": values}, **{"x-sample-actor": ADMIN}))["data"]["oauthClientCreate"]
        assert payload == {"client": None, "clientSecret": None, "userErrors": [{"code": code}]}, values
    listed = await _gql(http, "{ oauthClients { edges { node { id } } } }", {}, **{"x-sample-actor": ADMIN})
    assert listed["data"]["oauthClients"]["edges"] == []
    denied = await _gql(http, query, {"input": {"name": "X"}}, **{"x-sample-actor": "staff:core.user.manage"})
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@sqlite_only
async def test_an_off_the_shelf_oidc_client_signs_in(http, runtime):
    """authlib's own OAuth client, configured from the discovery document, with no code of ours."""
    from authlib.common.security import generate_token
    from authlib.integrations.httpx_client import AsyncOAuth2Client

    await staff_user(runtime, "ala@example.com")
    registered = await register_client(http)
    metadata = (await http.get("/.well-known/openid-configuration")).json()
    assert metadata["issuer"] == ISSUER and metadata["code_challenge_methods_supported"] == ["S256"]

    async with AsyncOAuth2Client(
        registered["clientId"],
        registered["secret"],
        scope="openid profile email",
        redirect_uri=REDIRECT,
        code_challenge_method="S256",
        transport=http._transport,
    ) as oauth:
        verifier, nonce = generate_token(48), generate_token(16)
        url, state = oauth.create_authorization_url(
            metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce
        )
        # The browser's part: sign in, then consent.
        login = await http.get(url)
        await http.post(
            "/oauth/login",
            data={
                "csrf": csrf_of(login.text),
                "email": "ala@example.com",
                "password": PASSWORD,
                "audience": "staff",
                "next": url.removeprefix(ISSUER),
            },
        )
        consent = await http.get(url)
        answer = await http.post(url, data={"csrf": csrf_of(consent.text), "decision": "allow"})
        assert answer.headers["location"].startswith(REDIRECT)
        token = await oauth.fetch_token(
            metadata["token_endpoint"], authorization_response=answer.headers["location"], code_verifier=verifier
        )
        assert query_of(answer.headers["location"])["state"] == state
        jwks = KeySet.import_key_set((await oauth.get(metadata["jwks_uri"])).json())
        id_token = jwt.decode(token["id_token"], jwks)
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": metadata["issuer"]},
            aud={"essential": True, "value": registered["clientId"]},
            nonce={"essential": True, "value": nonce},
        ).validate(id_token.claims)
        assert id_token.claims["name"] == "Ala" and id_token.claims["email"] == "ala@example.com"
        by_get = await oauth.get(metadata["userinfo_endpoint"])
        by_post = await oauth.post(metadata["userinfo_endpoint"])
        assert (by_get.status_code, by_post.status_code) == (200, 200)  # OIDC Core 5.3.2: 200 OK
        assert by_post.json() == by_get.json()
        userinfo = by_get.json()
        assert userinfo == {
            "sub": id_token.claims["sub"],
            "name": "Ala",
            "email": "ala@example.com",
            "email_verified": True,
        }


@sqlite_only
async def test_cli_rotates_keys_and_registers_clients(runtime):
    from tests.test_cli import kartoteka

    env = {
        "KARTOTEKA_DATABASE_URL": runtime.settings.database_url,
        "KARTOTEKA_PLUGINS_FILE": str(runtime.settings.plugins_file),
    }
    rotated = kartoteka("keys", "rotate", env=env)
    assert rotated.returncode == 0, rotated.stderr
    assert await SigningKey.count().where(SigningKey.retired_at.is_null()) == 1
    created = kartoteka(
        "oauth-client", "create", "Admin UI", "--redirect-uri", REDIRECT, "--scope", "openid", "--scope", "api", env=env
    )
    assert created.returncode == 0, created.stderr
    assert "client_id: kc_" in created.stdout and "client_secret: " in created.stdout
    refused = kartoteka("oauth-client", "create", "Bad", "--redirect-uri", "http://example.com/cb", env=env)
    assert refused.returncode != 0 and "redirectUris" in refused.stderr
