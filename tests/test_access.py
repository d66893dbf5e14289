"""Staff users, roles as data, personal access tokens, record scopes."""

import base64
from datetime import UTC, datetime, timedelta

import pytest

from core.access import services as access
from core.access.tables import AccessToken, Role, User
from core.auth import SYSTEM, Actor
from tests.conftest import make_user

sqlite_only = pytest.mark.parametrize("engine_kind", ["sqlite"])


async def ask(client, token, query, variables=None, **headers):
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"authorization": f"Bearer {token}", **headers},
    )
    return response


async def data(client, token, query, variables=None):
    response = await ask(client, token, query, variables)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


async def test_token_authenticates_with_the_permissions_of_the_users_roles(client, runtime, engine_kind):
    _, token = await make_user(runtime, "ewa@firma.pl", roles=["sample_editor"])
    viewer = (await data(client, token, "{ viewer { kind displayName permissions } }"))["viewer"]
    assert viewer == {"kind": "staff", "displayName": "Ewa", "permissions": ["sample.note.read", "sample.note.write"]}
    denied = (await ask(client, token, "{ users { edges { node { email } } } }")).json()
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_bad_expired_and_revoked_tokens_get_401(client, runtime, engine_kind):
    user_id, token = await make_user(runtime, "jan@firma.pl", roles=["sample_editor"])
    assert (await ask(client, "kt_not-a-real-token", "{ viewer { kind } }")).status_code == 401
    response = await ask(client, token, "{ viewer { kind } }")
    assert response.status_code == 200
    _, expiring = await access.create_token(
        runtime, SYSTEM, user_id=user_id, name="short", expires_at=datetime.now(UTC) + timedelta(seconds=1)
    )
    await AccessToken.update({AccessToken.expires_at: datetime.now(UTC) - timedelta(seconds=1)}).where(
        AccessToken.name == "short"
    )
    assert (await ask(client, expiring, "{ viewer { kind } }")).status_code == 401
    [own] = (await data(client, token, "{ viewer { accessTokens { id name } } }"))["viewer"]["accessTokens"][1:]
    revoke = "mutation($id: ID!) { accessTokenRevoke(id: $id) { accessToken { revokedAt } userErrors { code } } }"
    revoked = (await data(client, token, revoke, {"id": own["id"]}))["accessTokenRevoke"]
    assert revoked["userErrors"] == [] and revoked["accessToken"]["revokedAt"]
    assert (await ask(client, token, "{ viewer { kind } }")).status_code == 401  # the very next request
    assert response.headers.get("www-authenticate") is None


async def test_disabling_a_user_stops_their_tokens(client, runtime, engine_kind):
    _, token = await make_user(runtime, "ola@firma.pl")
    _, admin = await make_user(runtime, "admin@firma.pl", roles=["administrator"])
    disable = (
        "mutation($id: ID!) { userUpdate(id: $id, input: {isActive: false}) { user { isActive } userErrors { code } } }"
    )
    users = (await data(client, admin, "{ users { edges { node { id email } } } }"))["users"]["edges"]
    ola = next(edge["node"]["id"] for edge in users if edge["node"]["email"] == "ola@firma.pl")
    assert (await data(client, admin, disable, {"id": ola}))["userUpdate"] == {
        "user": {"isActive": False},
        "userErrors": [],
    }
    assert (await ask(client, token, "{ viewer { kind } }")).status_code == 401


async def test_scoped_token_holds_only_its_scopes(client, runtime, engine_kind):
    user_id, _ = await make_user(runtime, "root@firma.pl", superuser=True)
    _, scoped = await access.create_token(runtime, SYSTEM, user_id=user_id, name="ro", scopes=["sample.note.read"])
    viewer = (await data(client, scoped, "{ viewer { permissions } }"))["viewer"]
    assert viewer["permissions"] == ["sample.note.read"]
    assert (await ask(client, scoped, "{ system { version } }")).json()["errors"][0]["extensions"][
        "code"
    ] == "FORBIDDEN"


async def test_administrator_manages_roles_users_teams_and_territories(client, runtime, engine_kind):
    _, admin = await make_user(runtime, "admin@firma.pl", roles=["administrator"])
    create_role = """mutation($input: RoleInput!) { roleCreate(input: $input) {
        role { id name permissions recordScope } userErrors { field code message } } }"""
    created = (
        await data(
            client,
            admin,
            create_role,
            {"input": {"name": "handlowiec", "permissions": ["sample.note.read"], "recordScope": "territory"}},
        )
    )["roleCreate"]
    assert created["userErrors"] == []
    assert created["role"]["recordScope"] == "territory"
    bad = (
        await data(
            client,
            admin,
            create_role,
            {"input": {"name": "zly", "permissions": ["sample.note.fly"], "recordScope": "galaxy"}},
        )
    )["roleCreate"]
    assert bad["role"] is None
    assert (
        bad["userErrors"][0]["field"] == ["input", "permissions"]
        and bad["userErrors"][0]["code"] == "UNKNOWN_PERMISSION"
    )
    assert not await Role.exists().where(Role.name == "zly")

    team = await data(client, admin, 'mutation { teamCreate(name: "Kraków") { team { id } userErrors { code } } }')
    territory = """mutation($input: TerritoryInput!) { territoryCreate(input: $input) {
        territory { code name parent { code } } userErrors { field code } } }"""
    await data(client, admin, territory, {"input": {"code": "pl", "name": "Polska"}})
    made = await data(
        client, admin, territory, {"input": {"code": "malopolskie", "name": "Małopolska", "parent": "pl"}}
    )
    assert made["territoryCreate"]["territory"] == {
        "code": "malopolskie",
        "name": "Małopolska",
        "parent": {"code": "pl"},
    }

    create_user = """mutation($input: UserCreateInput!) { userCreate(input: $input) {
        user { email roles { name } team { name } territories { code } } userErrors { field code } } }"""
    user = (
        await data(
            client,
            admin,
            create_user,
            {
                "input": {
                    "email": "Rep@Firma.PL",
                    "displayName": "Rep",
                    "roles": [created["role"]["id"]],  # ids, as roles and teamCreate give them
                    "team": team["teamCreate"]["team"]["id"],
                    "territories": ["malopolskie"],
                }
            },
        )
    )["userCreate"]
    assert user == {
        "user": {
            "email": "rep@firma.pl",
            "roles": [{"name": "handlowiec"}],
            "team": {"name": "Kraków"},
            "territories": [{"code": "malopolskie"}],
        },
        "userErrors": [],
    }
    duplicate = await data(client, admin, create_user, {"input": {"email": "rep@firma.pl", "displayName": "R"}})
    assert duplicate["userCreate"]["userErrors"] == [{"field": ["input", "email"], "code": "EMAIL_TAKEN"}]
    invalid = await data(client, admin, create_user, {"input": {"email": "rep@", "displayName": "R"}})
    assert invalid["userCreate"]["userErrors"] == [{"field": ["input", "email"], "code": "INVALID_EMAIL"}]
    wrong_type = await data(
        client,
        admin,
        create_user,
        {"input": {"email": "x@firma.pl", "displayName": "X", "roles": [team["teamCreate"]["team"]["id"]]}},
    )
    assert wrong_type["userCreate"]["userErrors"] == [{"field": ["input", "roles", "0"], "code": "INVALID_ID"}]
    unknown_team = base64.b64encode(b"TeamNode:999").decode()
    no_team = await data(
        client, admin, create_user, {"input": {"email": "x@firma.pl", "displayName": "X", "team": unknown_team}}
    )
    assert no_team["userCreate"]["userErrors"] == [{"field": ["input", "team"], "code": "NOT_FOUND"}]
    user_id = (await User.select(User.id).where(User.email == "rep@firma.pl").first())["id"]
    update_user = """mutation($id: ID!, $input: UserUpdateInput!) { userUpdate(id: $id, input: $input) {
        user { roles { name } team { name } } userErrors { field code } } }"""
    rep = base64.b64encode(f"UserNode:{user_id}".encode()).decode()
    kept = await data(client, admin, update_user, {"id": rep, "input": {"displayName": "Rep 2"}})
    assert kept["userUpdate"] == {
        "user": {"roles": [{"name": "handlowiec"}], "team": {"name": "Kraków"}},
        "userErrors": [],
    }
    removed = await data(client, admin, update_user, {"id": rep, "input": {"team": None}})
    assert removed["userUpdate"] == {"user": {"roles": [{"name": "handlowiec"}], "team": None}, "userErrors": []}
    assert await User.count() == 2

    delete = "mutation($id: ID!) { roleDelete(id: $id) { deletedId userErrors { code } } }"
    in_use = (await data(client, admin, delete, {"id": created["role"]["id"]}))["roleDelete"]
    assert in_use == {"deletedId": None, "userErrors": [{"code": "ROLE_IN_USE"}]}


@sqlite_only
async def test_polish_user_errors(client, runtime):
    _, admin = await make_user(runtime, "admin@firma.pl", roles=["administrator"])
    response = await ask(
        client,
        admin,
        'mutation { userCreate(input: {email: "zly", displayName: "X"}) { userErrors { message } } }',
        **{"accept-language": "pl"},
    )
    assert response.json()["data"]["userCreate"]["userErrors"][0]["message"] == "To nie jest poprawny adres e-mail."


async def test_passwords_are_stored_with_argon2id(runtime, engine_kind):
    user_id = await access.create_user(
        runtime, SYSTEM, email="hasło@firma.pl", display_name="H", password="correct horse battery"
    )
    stored = (await User.select(User.password_hash).where(User.id == user_id).first())["password_hash"]
    assert stored.startswith("$argon2id$")
    assert access.verify_password(stored, "correct horse battery")
    assert not access.verify_password(stored, "wrong horse battery")


async def test_only_token_hashes_are_stored(runtime, engine_kind):
    _, token = await make_user(runtime, "x@firma.pl")
    rows = await AccessToken.select(AccessToken.token_hash, AccessToken.prefix)
    assert token not in str(rows)
    assert rows[0]["token_hash"] == access.hash_token(token)
    assert token.startswith(rows[0]["prefix"])


async def test_record_scope_is_the_widest_of_the_roles_granting_a_permission(runtime, engine_kind):
    await access.create_role(
        runtime, SYSTEM, name="own", description="", permissions=["sample.note.read"], record_scope="own"
    )
    await access.create_role(
        runtime,
        SYSTEM,
        name="team",
        description="",
        permissions=["sample.note.read", "sample.note.write"],
        record_scope="team",
    )
    await access.create_team(runtime, SYSTEM, "Rzeszów")
    await access.create_territory(runtime, SYSTEM, "podkarpackie", "Podkarpacie")
    user_id = await access.create_user(
        runtime,
        SYSTEM,
        email="r@firma.pl",
        display_name="R",
        roles=["own", "team"],
        team="Rzeszów",
        territories=["podkarpackie"],
    )
    user = await User.select().where(User.id == user_id).first()
    actor = await access.actor_for_user(runtime, user)
    assert actor.scope_for("sample.note.read") == "team"
    assert actor.scope_for("core.user.read") is None
    assert actor.team_id is not None and len(actor.territory_ids) == 1
    assert Actor(kind="staff", superuser=True).scope_for("anything") == "all"
    assert Actor(kind="portal", superuser=True).scope_for("anything") is None
