"""Business rules of access control: users, roles, teams, territories, tokens. No GraphQL here."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from core.access.tables import AccessToken, Role, Team, Territory, User, UserRole, UserTerritory
from core.auth import RECORD_SCOPES, SYSTEM, Actor, RecordScope, widest
from core.db.fetch import fetch
from core.errors import DomainError
from core.i18n import _
from core.validation import normalise_email

if TYPE_CHECKING:
    from core.runtime import Runtime

USER_READ = "core.user.read"
USER_MANAGE = "core.user.manage"
ROLE_MANAGE = "core.role.manage"
TOKEN_PREFIX = "kt_"
LAST_USED_RESOLUTION = timedelta(minutes=1)  # bounds writes caused by authentication
_hasher = PasswordHasher()  # argon2id with the library's RFC 9106 defaults


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash was made with weaker parameters than today's (rehash at sign-in)."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def hash_token(token: str) -> str:
    # Tokens carry 256 random bits, so a fast hash is enough to make a stolen table useless.
    return hashlib.sha256(token.encode()).hexdigest()


def require(actor: Actor, code: str) -> None:
    if not actor.can(code):
        raise DomainError("FORBIDDEN", _("You do not have the permission {permission}."), permission=code)


# --- actors --------------------------------------------------------------------------------
# Everything an actor is made of besides the user row, in one statement (a request pays for it):
# the permissions and record scope of each role, and the assigned territories with every
# territory inside them (a country holds its regions). `_TOKEN_ACTOR` adds the token and user
# row in front, so a token-authenticated request costs one statement before its own work.
_WITHIN_TERRITORY = """within_territory(id) AS (
    SELECT territory FROM core_user_territory WHERE "user" = {user}
    UNION
    SELECT t.id FROM core_territory t JOIN within_territory w ON t.parent = w.id
)"""
_GRANT_ROWS = """
SELECT 'role' AS kind, CAST(r.permissions AS TEXT) AS permissions, r.record_scope AS record_scope, 0 AS territory{nulls}
FROM core_user_role ur JOIN core_role r ON r.id = ur.role WHERE ur."user" = {user}
UNION ALL
SELECT 'territory', '[]', '', id{nulls} FROM within_territory"""
_GRANTS = "WITH RECURSIVE " + _WITHIN_TERRITORY.format(user="{}") + _GRANT_ROWS.format(user="{}", nulls="")
_TOKEN_COLUMNS = (
    "expires_at",
    "revoked_at",
    "last_used_at",
    "token_id",
    "user_id",
    "is_active",
    "is_superuser",
    "display_name",
    "team",
)
_USER = '(SELECT "user" FROM token)'
_TOKEN_ACTOR = (
    'WITH RECURSIVE token AS (SELECT id, "user" FROM core_access_token WHERE token_hash = {}), '
    + _WITHIN_TERRITORY.format(user=_USER)
    + "\nSELECT 'token' AS kind, CAST(t.scopes AS TEXT) AS permissions, '' AS record_scope, 0 AS territory,"
    " t.expires_at, t.revoked_at, t.last_used_at, t.id AS token_id, u.id AS user_id, u.is_active, u.is_superuser,"
    ' u.display_name, u.team FROM core_access_token t JOIN core_user u ON u.id = t."user"'
    " WHERE t.id = (SELECT id FROM token)\nUNION ALL"
    + _GRANT_ROWS.format(user=_USER, nulls=", NULL" * len(_TOKEN_COLUMNS))
)


async def actor_for_user(runtime: Runtime, user: dict[str, Any], token_scopes: Sequence[str] = ()) -> Actor:
    """The actor of a user: permissions and record scopes from their roles, cut to the token's scopes."""
    return _actor(runtime, user, token_scopes, await fetch(UserRole, _GRANTS, user["id"], user["id"]))


def _actor(runtime: Runtime, user: dict[str, Any], token_scopes: Sequence[str], grants: list[dict]) -> Actor:
    registered = runtime.registry.permissions
    scopes: dict[str, RecordScope] = {}
    territory_ids = []
    for row in grants:
        if row["kind"] == "territory":
            territory_ids.append(row["territory"])
            continue
        permissions = json.loads(row["permissions"])
        granted = registered.keys() if "*" in permissions else permissions
        for code in granted:
            if code in registered:
                scopes[code] = widest(scopes.get(code), row["record_scope"])
    superuser = bool(user["is_superuser"])
    if token_scopes:
        if superuser:
            scopes = {code: "all" for code in registered}
            superuser = False  # a scoped token never carries more than its scopes
        scopes = {code: scope for code, scope in scopes.items() if code in token_scopes}
    return Actor(
        kind="staff",
        id=str(user["id"]),
        permissions=frozenset(scopes),
        superuser=superuser,
        display_name=user["display_name"],
        record_scopes=scopes,
        team_id=user["team"],
        territory_ids=frozenset(territory_ids),
    )


class InvalidToken(Exception):
    """The bearer token is unknown, expired, revoked, or its user is disabled."""


async def actor_for_token(runtime: Runtime, token: str) -> Actor:
    if not token.startswith(TOKEN_PREFIX):
        raise InvalidToken
    rows = await fetch(AccessToken, _TOKEN_ACTOR, hash_token(token))
    row = next((row for row in rows if row["kind"] == "token"), None)
    now = datetime.now(UTC)
    if row is None or row["revoked_at"] is not None or not row["is_active"]:
        raise InvalidToken
    expires_at, last_used_at = _timestamp(row["expires_at"]), _timestamp(row["last_used_at"])
    if expires_at is not None and expires_at <= now:
        raise InvalidToken
    if last_used_at is None or now - last_used_at > LAST_USED_RESOLUTION:
        await AccessToken.update({AccessToken.last_used_at: now}).where(AccessToken.id == row["token_id"])
    user = {"id": row["user_id"], **{key: row[key] for key in ("is_superuser", "display_name", "team")}}
    return _actor(runtime, user, json.loads(row["permissions"] or "[]"), [r for r in rows if r is not row])


def _timestamp(value: datetime | str | None) -> datetime | None:
    # SQLite hands back text for columns of a UNION (it knows their declared type only outside one).
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return None if value is None else _aware(value)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# --- users ---------------------------------------------------------------------------------
async def user_id_by_email(email: str) -> int:
    row = await User.select(User.id).where(User.email == normalise_email(email, ["email"])).first()
    if row is None:
        raise DomainError("NOT_FOUND", _("No such user."), ["email"])
    return row["id"]


async def _role_ids(names: Iterable[str], field: Sequence[str]) -> list[int]:
    names = list(dict.fromkeys(names))
    rows = await Role.select(Role.id, Role.name).where(Role.name.is_in(names)) if names else []
    found = {row["name"]: row["id"] for row in rows}
    for name in names:
        if name not in found:
            raise DomainError("UNKNOWN_ROLE", _("There is no role called {name}."), field, name=name)
    return [found[name] for name in names]


async def _territory_ids(codes: Iterable[str], field: Sequence[str]) -> list[int]:
    codes = list(dict.fromkeys(codes))
    rows = await Territory.select(Territory.id, Territory.code).where(Territory.code.is_in(codes)) if codes else []
    found = {row["code"]: row["id"] for row in rows}
    for code in codes:
        if code not in found:
            raise DomainError(
                "UNKNOWN_TERRITORY", _("There is no territory with the code {territory}."), field, territory=code
            )
    return [found[code] for code in codes]


async def _team_id(name: str | None, field: Sequence[str]) -> int | None:
    if name is None:
        return None
    row = await Team.select(Team.id).where(Team.name == name).first()
    if row is None:
        raise DomainError("UNKNOWN_TEAM", _("There is no team called {name}."), field, name=name)
    return row["id"]


async def create_user(
    runtime: Runtime,
    actor: Actor,
    *,
    email: str,
    display_name: str,
    password: str | None = None,
    roles: Sequence[str] = (),
    team: str | None = None,
    territories: Sequence[str] = (),
    superuser: bool = False,
) -> int:
    require(actor, USER_MANAGE)
    if superuser and not actor.superuser:
        raise DomainError("FORBIDDEN", _("Only a superuser can create another superuser."), ["input", "superuser"])
    email = normalise_email(email, ["input", "email"])
    if not display_name.strip():
        raise DomainError("BLANK", _("This field must not be blank."), ["input", "displayName"])
    if password is not None and len(password) < 12:
        raise DomainError("PASSWORD_TOO_SHORT", _("A password needs at least 12 characters."), ["input", "password"])
    async with runtime.unit_of_work(actor):
        if await User.exists().where(User.email == email):
            raise DomainError("EMAIL_TAKEN", _("A user with this e-mail address already exists."), ["input", "email"])
        [row] = await User.insert(
            User(
                email=email,
                display_name=display_name.strip(),
                password_hash=hash_password(password) if password else None,
                is_superuser=superuser,
                team=await _team_id(team, ["input", "team"]),
            )
        ).returning(User.id)
        await _assign(row["id"], roles, territories)
    return row["id"]


async def _assign(user_id: int, roles: Sequence[str] | None, territories: Sequence[str] | None) -> None:
    if roles is not None:
        role_ids = await _role_ids(roles, ["input", "roles"])
        await UserRole.delete().where(UserRole.user == user_id)
        if role_ids:
            await UserRole.insert(*(UserRole(user=user_id, role=role_id) for role_id in role_ids))
    if territories is not None:
        territory_ids = await _territory_ids(territories, ["input", "territories"])
        await UserTerritory.delete().where(UserTerritory.user == user_id)
        if territory_ids:
            await UserTerritory.insert(*(UserTerritory(user=user_id, territory=t) for t in territory_ids))


async def update_user(
    runtime: Runtime,
    actor: Actor,
    user_id: int,
    *,
    display_name: str | None = None,
    is_active: bool | None = None,
    roles: Sequence[str] | None = None,
    team: str | None = None,
    territories: Sequence[str] | None = None,
) -> None:
    require(actor, USER_MANAGE)
    async with runtime.unit_of_work(actor):
        if not await User.exists().where(User.id == user_id):
            raise DomainError("NOT_FOUND", _("No such user."), ["id"])
        changes: dict[Any, Any] = {}
        if display_name is not None:
            if not display_name.strip():
                raise DomainError("BLANK", _("This field must not be blank."), ["input", "displayName"])
            changes[User.display_name] = display_name.strip()
        if is_active is not None:
            if not is_active and str(user_id) == actor.id:
                raise DomainError("SELF_DISABLE", _("You cannot disable your own account."), ["input", "isActive"])
            changes[User.is_active] = is_active
        if team is not None:
            changes[User.team] = await _team_id(team, ["input", "team"]) if team else None
        if changes:
            await User.update(changes).where(User.id == user_id)
        await _assign(user_id, roles, territories)


# --- roles, teams, territories -----------------------------------------------------------------
def _check_role(runtime: Runtime, permissions: Sequence[str], record_scope: str) -> list[str]:
    unknown = [code for code in permissions if code != "*" and code not in runtime.registry.permissions]
    if unknown:
        raise DomainError(
            "UNKNOWN_PERMISSION", _("Unknown permission: {codes}."), ["input", "permissions"], codes=", ".join(unknown)
        )
    if record_scope not in RECORD_SCOPES:
        raise DomainError(
            "INVALID_SCOPE", _("The record scope must be own, team, territory or all."), ["input", "recordScope"]
        )
    return list(dict.fromkeys(permissions))


async def create_role(
    runtime: Runtime, actor: Actor, *, name: str, description: str, permissions: Sequence[str], record_scope: str
) -> int:
    require(actor, ROLE_MANAGE)
    permissions = _check_role(runtime, permissions, record_scope)
    if not name.strip():
        raise DomainError("BLANK", _("This field must not be blank."), ["input", "name"])
    async with runtime.unit_of_work(actor):
        if await Role.exists().where(Role.name == name.strip()):
            raise DomainError("NAME_TAKEN", _("A role with this name already exists."), ["input", "name"])
        [row] = await Role.insert(
            Role(name=name.strip(), description=description, permissions=permissions, record_scope=record_scope)
        ).returning(Role.id)
    return row["id"]


async def update_role(
    runtime: Runtime,
    actor: Actor,
    role_id: int,
    *,
    description: str | None = None,
    permissions: Sequence[str] | None = None,
    record_scope: str | None = None,
) -> None:
    require(actor, ROLE_MANAGE)
    async with runtime.unit_of_work(actor):
        row = (
            await Role.select(Role.permissions, Role.record_scope)
            .where(Role.id == role_id)
            .output(load_json=True)
            .first()
        )
        if row is None:
            raise DomainError("NOT_FOUND", _("No such role."), ["id"])
        permissions = _check_role(
            runtime, row["permissions"] if permissions is None else permissions, record_scope or row["record_scope"]
        )
        changes: dict[Any, Any] = {Role.permissions: permissions}
        if description is not None:
            changes[Role.description] = description
        if record_scope is not None:
            changes[Role.record_scope] = record_scope
        await Role.update(changes).where(Role.id == role_id)


async def delete_role(runtime: Runtime, actor: Actor, role_id: int) -> None:
    require(actor, ROLE_MANAGE)
    async with runtime.unit_of_work(actor):
        if not await Role.exists().where(Role.id == role_id):
            raise DomainError("NOT_FOUND", _("No such role."), ["id"])
        holders = await UserRole.count().where(UserRole.role == role_id)
        if holders:
            raise DomainError("ROLE_IN_USE", _("{count} user(s) still hold this role."), ["id"], count=holders)
        await Role.delete().where(Role.id == role_id)


def _fits(value: str, column: Any, path: list[str]) -> None:
    """PostgreSQL refuses a text longer than its column (SQLite would keep it): say so first."""
    if len(value) > column.length:
        raise DomainError("TOO_LONG", _("At most {limit} characters."), path, limit=column.length)


async def create_team(runtime: Runtime, actor: Actor, name: str) -> int:
    require(actor, USER_MANAGE)
    if not name.strip():
        raise DomainError("BLANK", _("This field must not be blank."), ["input", "name"])
    _fits(name.strip(), Team.name, ["input", "name"])
    async with runtime.unit_of_work(actor):
        if await Team.exists().where(Team.name == name.strip()):
            raise DomainError("NAME_TAKEN", _("A team with this name already exists."), ["input", "name"])
        [row] = await Team.insert(Team(name=name.strip())).returning(Team.id)
    return row["id"]


async def create_territory(runtime: Runtime, actor: Actor, code: str, name: str, parent: str | None = None) -> int:
    require(actor, USER_MANAGE)
    code = code.strip().lower()
    if not code or not code.replace("-", "").replace("_", "").isalnum():
        raise DomainError("INVALID_CODE", _("A code uses letters, digits, - and _ only."), ["input", "code"])
    _fits(code, Territory.code, ["input", "code"])
    _fits(name.strip(), Territory.name, ["input", "name"])
    async with runtime.unit_of_work(actor):
        if await Territory.exists().where(Territory.code == code):
            raise DomainError("CODE_TAKEN", _("A territory with this code already exists."), ["input", "code"])
        parent_id = (await _territory_ids([parent], ["input", "parent"]))[0] if parent else None
        [row] = await Territory.insert(Territory(code=code, name=name.strip() or code, parent=parent_id)).returning(
            Territory.id
        )
    return row["id"]


async def sync_builtin_roles(runtime: Runtime) -> list[str]:
    """Create the roles plugins ship that do not exist yet, and grant built-in roles what their
    template gained since the last sync (a plugin enabled later). What an administrator removed
    from a role is not given back: only permissions new to the template are added."""
    changed = []
    async with runtime.unit_of_work(SYSTEM):
        existing = {
            row["name"]: row
            for row in await Role.select(
                Role.id, Role.name, Role.permissions, Role.builtin, Role.template_permissions
            ).output(load_json=True)
        }
        for template in runtime.registry.role_templates.values():
            granted = list(template.permissions)
            role = existing.get(template.name)
            if role is None:
                await Role.insert(
                    Role(
                        name=template.name,
                        description=template.description,
                        permissions=granted,
                        record_scope=template.record_scope,
                        builtin=True,
                        template_permissions=granted,
                    )
                )
                changed.append(template.name)
                continue
            if not role["builtin"]:
                continue
            known = set(role["template_permissions"] or [])
            new = [code for code in granted if code not in known]
            if not new:
                continue
            held = list(role["permissions"] or [])
            await Role.update(
                {
                    Role.permissions: held + [code for code in new if code not in held],
                    Role.template_permissions: sorted(known | set(granted)),
                }
            ).where(Role.id == role["id"])
            changed.append(template.name)
    return changed


# --- tokens ------------------------------------------------------------------------------------
async def create_token(
    runtime: Runtime,
    actor: Actor,
    *,
    user_id: int,
    name: str,
    scopes: Sequence[str] = (),
    expires_at: datetime | None = None,
) -> tuple[int, str]:
    """A new token for ``user_id``; returns its id and the token, which is never shown again."""
    if str(user_id) != actor.id:
        require(actor, USER_MANAGE)
    if not name.strip():
        raise DomainError("BLANK", _("This field must not be blank."), ["input", "name"])
    unknown = [code for code in scopes if code not in runtime.registry.permissions]
    if unknown:
        raise DomainError(
            "UNKNOWN_PERMISSION", _("Unknown permission: {codes}."), ["input", "scopes"], codes=", ".join(unknown)
        )
    if expires_at is not None and _aware(expires_at) <= datetime.now(UTC):
        raise DomainError("EXPIRED", _("The expiry time must be in the future."), ["input", "expiresAt"])
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    async with runtime.unit_of_work(actor):
        if not await User.exists().where((User.id == user_id) & (User.is_active == True)):  # noqa: E712
            raise DomainError("NOT_FOUND", _("No such user."), ["input", "user"])
        [row] = await AccessToken.insert(
            AccessToken(
                user=user_id,
                name=name.strip(),
                token_hash=hash_token(token),
                prefix=token[: len(TOKEN_PREFIX) + 6],
                scopes=list(dict.fromkeys(scopes)),
                expires_at=expires_at,
            )
        ).returning(AccessToken.id)
    return row["id"], token


async def revoke_token(runtime: Runtime, actor: Actor, token_id: int) -> None:
    async with runtime.unit_of_work(actor):
        row = (
            await AccessToken.select(AccessToken.user, AccessToken.revoked_at).where(AccessToken.id == token_id).first()
        )
        if row is None or (str(row["user"]) != actor.id and not actor.can(USER_MANAGE)):
            raise DomainError("NOT_FOUND", _("No such access token."), ["id"])
        if row["revoked_at"] is None:
            await AccessToken.update({AccessToken.revoked_at: datetime.now(UTC)}).where(AccessToken.id == token_id)
