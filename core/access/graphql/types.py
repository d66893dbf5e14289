"""GraphQL for access control: users, roles, teams, territories, permissions, access tokens.

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
"""

from collections.abc import Awaitable, Sequence
from datetime import datetime
from typing import Any, ClassVar, TypeVar

import strawberry
from strawberry import relay

from core.access import services as access
from core.access.tables import AccessToken, Role, Team, Territory, User, UserRole, UserTerritory
from core.errors import DomainError
from core.graphql.batching import batched_field, load_each
from core.graphql.errors import UserError
from core.graphql.ids import decode_id
from core.graphql.pagination import paginate_by_id
from core.graphql.permissions import AUTHENTICATED, field, mutation
from core.i18n import _

T = TypeVar("T")


async def attempt(action: Awaitable[T]) -> tuple[T | None, list[UserError]]:
    """Run a service call; a DomainError becomes ``userErrors`` (its transaction rolled back)."""
    try:
        return await action, []
    except DomainError as error:
        return None, [UserError.from_domain(error)]


async def _names(table: Any, global_ids: list[relay.GlobalID], path: list[str], *, listed: bool = True) -> list[str]:
    """The names of the roles or teams that ``global_ids`` name (the services take names, as
    the command line does); errors name the item of a list."""
    node = "RoleNode" if table is Role else "TeamNode"
    paths = [[*path, str(i)] if listed else path for i in range(len(global_ids))]
    ids = [decode_id(global_id, node, item) for global_id, item in zip(global_ids, paths, strict=True)]
    rows = await table.select(table.id, table.name).where(table.id.is_in(ids)) if ids else []
    found = {row["id"]: row["name"] for row in rows}
    for row_id, item in zip(ids, paths, strict=True):
        if row_id not in found:
            raise DomainError("NOT_FOUND", _("No such role.") if table is Role else _("No such team."), item)
    return [found[row_id] for row_id in ids]


def maximum(info: strawberry.Info) -> int:
    return info.context.runtime.settings.max_page_size


async def _by_ids(table: Any, cls: Any, node_ids: list[Any]) -> list[Any]:
    ids = [int(i) for i in node_ids if str(i).isdecimal()]
    rows = {r["id"]: r for r in await table.select().where(table.id.is_in(ids)).output(load_json=True)} if ids else {}
    return [cls.from_row(rows[int(i)]) if str(i).isdecimal() and int(i) in rows else None for i in node_ids]


@strawberry.type(description="A permission code a role can grant.")
class PermissionInfo:
    code: str
    description: str
    plugin: str


@strawberry.type(description="A set of permissions and how far they reach (own, team, territory or all records).")
class RoleNode(relay.Node):
    node_permission: ClassVar[str] = access.USER_READ

    id: relay.NodeID[int]
    name: str
    description: str
    permissions: list[str] = strawberry.field(description='Permission codes; "*" grants every permission.')
    record_scope: str
    builtin: bool = strawberry.field(description="Shipped by a plugin; still editable.")

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "RoleNode":
        return cls(
            id=row["id"],
            name=row["name"],
            description=row["description"],
            permissions=row["permissions"],
            record_scope=row["record_scope"],
            builtin=row["builtin"],
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Any, node_ids: list[Any], required: bool = False) -> list:
        return await _by_ids(Role, cls, node_ids)


@strawberry.type(description="A team of staff users.")
class TeamNode(relay.Node):
    node_permission: ClassVar[str] = access.USER_READ

    id: relay.NodeID[int]
    name: str

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "TeamNode":
        return cls(id=row["id"], name=row["name"])

    @classmethod
    async def resolve_nodes(cls, *, info: Any, node_ids: list[Any], required: bool = False) -> list:
        return await _by_ids(Team, cls, node_ids)


@strawberry.type(description="A sales territory; a user assigned to it sees its clients.")
class TerritoryNode(relay.Node):
    node_permission: ClassVar[str] = access.USER_READ

    id: relay.NodeID[int]
    code: str
    name: str
    parent_id: strawberry.Private[int | None]

    @batched_field(load_each("core.territory", lambda s: s.parent_id), description="The territory this one lies in.")
    async def parent(self, info: strawberry.Info) -> "TerritoryNode | None":
        if self.parent_id is None:
            return None
        return await info.context.loaders["core.territory"].load(self.parent_id)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "TerritoryNode":
        return cls(id=row["id"], code=row["code"], name=row["name"], parent_id=row["parent"])

    @classmethod
    async def resolve_nodes(cls, *, info: Any, node_ids: list[Any], required: bool = False) -> list:
        return await _by_ids(Territory, cls, node_ids)


USER_DETAIL = "Null without permission `core.user.read`, except on your own user."


def _sees_user(actor: Any, user_id: int) -> bool:
    return actor.can(access.USER_READ) or actor.user_id == user_id


def _user_detail(attribute: str) -> Any:
    async def batch(sources: Sequence[Any], context: Any) -> list[Any]:
        return [getattr(s, attribute) if _sees_user(context.actor, s.id) else None for s in sources]

    return batch


def _user_loaded(loader: str, key: Any) -> Any:
    """``load_each`` for the users the actor may see in full; None for the others."""
    load = load_each(loader, key)

    async def batch(sources: Sequence[Any], context: Any) -> list[Any]:
        shown = [s for s in sources if _sees_user(context.actor, s.id)]
        found = dict(zip(map(id, shown), await load(shown, context), strict=True))
        return [found.get(id(s)) for s in sources]

    return batch


@strawberry.type(description="A staff user.")
class UserNode(relay.Node):
    node_permission: ClassVar[str] = access.USER_READ

    id: relay.NodeID[int]
    display_name: str
    user_email: strawberry.Private[str]
    user_is_active: strawberry.Private[bool]
    user_is_superuser: strawberry.Private[bool]
    user_locale: strawberry.Private[str]
    team_id: strawberry.Private[int | None]

    # A user reached through another object (a record's owner, a task's assignee) shows its name to
    # anyone; the rest needs core.user.read, as the users list does, except on your own user.
    @batched_field(_user_detail("user_email"), description=f"E-mail address. {USER_DETAIL}")
    def email(self, info: strawberry.Info) -> str | None:
        return self.user_email if _sees_user(info.context.actor, self.id) else None

    @batched_field(_user_detail("user_is_active"), description=USER_DETAIL)
    def is_active(self, info: strawberry.Info) -> bool | None:
        return self.user_is_active if _sees_user(info.context.actor, self.id) else None

    @batched_field(_user_detail("user_is_superuser"), description=USER_DETAIL)
    def is_superuser(self, info: strawberry.Info) -> bool | None:
        return self.user_is_superuser if _sees_user(info.context.actor, self.id) else None

    @batched_field(_user_detail("user_locale"), description=USER_DETAIL)
    def locale(self, info: strawberry.Info) -> str | None:
        return self.user_locale if _sees_user(info.context.actor, self.id) else None

    @batched_field(_user_loaded("core.team", lambda s: s.team_id), description=USER_DETAIL)
    async def team(self, info: strawberry.Info) -> TeamNode | None:
        if self.team_id is None or not _sees_user(info.context.actor, self.id):
            return None
        return await info.context.loaders["core.team"].load(self.team_id)

    @batched_field(_user_loaded("core.roles_by_user", lambda s: s.id), description=USER_DETAIL)
    async def roles(self, info: strawberry.Info) -> list[RoleNode] | None:
        if not _sees_user(info.context.actor, self.id):
            return None
        return await info.context.loaders["core.roles_by_user"].load(self.id)

    @batched_field(_user_loaded("core.territories_by_user", lambda s: s.id), description=USER_DETAIL)
    async def territories(self, info: strawberry.Info) -> list[TerritoryNode] | None:
        if not _sees_user(info.context.actor, self.id):
            return None
        return await info.context.loaders["core.territories_by_user"].load(self.id)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "UserNode":
        return cls(
            id=row["id"],
            display_name=row["display_name"],
            user_email=row["email"],
            user_is_active=bool(row["is_active"]),
            user_is_superuser=bool(row["is_superuser"]),
            user_locale=row["locale"],
            team_id=row["team"],
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Any, node_ids: list[Any], required: bool = False) -> list:
        return await _by_ids(User, cls, node_ids)


@strawberry.type(description="A personal access token (the token itself is shown only when created).")
class AccessTokenNode(relay.Node):
    node_permission: ClassVar[str] = AUTHENTICATED

    id: relay.NodeID[int]
    name: str
    prefix: str = strawberry.field(description="The first characters of the token, to recognise it.")
    scopes: list[str] = strawberry.field(description="Permissions the token is limited to; empty = all of the user's.")
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "AccessTokenNode":
        return cls(
            id=row["id"],
            name=row["name"],
            prefix=row["prefix"],
            scopes=row["scopes"],
            expires_at=row["expires_at"],
            revoked_at=row["revoked_at"],
            last_used_at=row["last_used_at"],
            created_at=row["created_at"],
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Any, node_ids: list[Any], required: bool = False) -> list:
        actor = info.context.actor
        nodes = await _by_ids(AccessToken, cls, node_ids)
        if actor.can(access.USER_MANAGE):
            return nodes
        owned = {
            r["id"] for r in await AccessToken.select(AccessToken.id).where(AccessToken.user == int(actor.id or 0))
        }
        return [node if node is not None and node.id in owned else None for node in nodes]


class ViewerAccessFields:
    """Fields the core adds to its own Viewer type."""

    @field(permission=AUTHENTICATED, description="Your personal access tokens, newest first.")
    async def access_tokens(self, info: strawberry.Info) -> list[AccessTokenNode]:
        actor = info.context.actor
        if actor.kind != "staff":
            return []
        rows = await (
            AccessToken.select()
            .where(AccessToken.user == int(actor.id))
            .order_by(AccessToken.id, ascending=False)
            .limit(maximum(info))
            .output(load_json=True)
        )
        return [AccessTokenNode.from_row(row) for row in rows]


@strawberry.type
class AccessQuery:
    @field(permission=access.USER_READ, description="Staff users, oldest first.")
    async def users(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None, active: bool | None = None
    ) -> relay.Connection[UserNode]:
        query = User.select(*User.all_columns(exclude=[User.password_hash]))
        if active is not None:
            query = query.where(User.is_active == active)
        return await paginate_by_id(
            query, User.id, first=first, after=after, maximum=maximum(info), to_node=UserNode.from_row
        )

    @field(permission=access.USER_READ, description="Roles, oldest first.")
    async def roles(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> relay.Connection[RoleNode]:
        return await paginate_by_id(
            Role.select().output(load_json=True),
            Role.id,
            first=first,
            after=after,
            maximum=maximum(info),
            to_node=RoleNode.from_row,
        )

    @field(permission=access.USER_READ, description="Teams, oldest first.")
    async def teams(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> relay.Connection[TeamNode]:
        return await paginate_by_id(
            Team.select(), Team.id, first=first, after=after, maximum=maximum(info), to_node=TeamNode.from_row
        )

    @field(permission=access.USER_READ, description="Territories, oldest first.")
    async def territories(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> relay.Connection[TerritoryNode]:
        return await paginate_by_id(
            Territory.select(),
            Territory.id,
            first=first,
            after=after,
            maximum=maximum(info),
            to_node=TerritoryNode.from_row,
        )

    @field(permission=access.ROLE_MANAGE, description="Every permission the enabled plugins define.")
    def permissions(self, info: strawberry.Info) -> list[PermissionInfo]:
        registry = info.context.runtime.registry
        return [
            PermissionInfo(code=code, description=p.description, plugin=registry.permission_owner[code])
            for code, p in sorted(registry.permissions.items())
        ]


@strawberry.input
class UserCreateInput:
    email: str
    display_name: str
    password: str | None = strawberry.field(default=None, description="At least 12 characters; stored with argon2id.")
    roles: list[relay.GlobalID] = strawberry.field(default_factory=list, description="Ids of roles.")
    team: relay.GlobalID | None = strawberry.field(default=None, description="The id of a team.")
    territories: list[str] = strawberry.field(default_factory=list, description="Territory codes.")
    superuser: bool = False


@strawberry.input
class UserUpdateInput:
    display_name: str | None = None
    is_active: bool | None = None
    roles: list[relay.GlobalID] | None = strawberry.field(
        default=None, description="Ids of roles; replaces the user's roles."
    )
    team: relay.GlobalID | None = strawberry.field(
        default=strawberry.UNSET, description="The id of a team; null removes the team, leaving it out keeps it."
    )
    territories: list[str] | None = strawberry.field(default=None, description="Replaces the user's territories.")


@strawberry.input
class RoleInput:
    name: str
    description: str = ""
    permissions: list[str] = strawberry.field(default_factory=list)
    record_scope: str = "own"


@strawberry.input
class RoleUpdateInput:
    description: str | None = None
    permissions: list[str] | None = None
    record_scope: str | None = None


@strawberry.input
class TerritoryInput:
    code: str
    name: str
    parent: str | None = strawberry.field(default=None, description="Code of the enclosing territory.")


@strawberry.input
class AccessTokenCreateInput:
    name: str
    scopes: list[str] = strawberry.field(default_factory=list, description="Limit the token to these permissions.")
    expires_at: datetime | None = None
    user: relay.GlobalID | None = strawberry.field(
        default=None, description="Another user's id (needs core.user.manage)."
    )


@strawberry.type
class UserPayload:
    user: UserNode | None
    user_errors: list[UserError]


@strawberry.type
class RolePayload:
    role: RoleNode | None
    user_errors: list[UserError]


@strawberry.type
class RoleDeletePayload:
    deleted_id: relay.GlobalID | None
    user_errors: list[UserError]


@strawberry.type
class TeamPayload:
    team: TeamNode | None
    user_errors: list[UserError]


@strawberry.type
class TerritoryPayload:
    territory: TerritoryNode | None
    user_errors: list[UserError]


@strawberry.type
class AccessTokenCreatePayload:
    token: str | None = strawberry.field(description="The token: store it now, it is never shown again.")
    access_token: AccessTokenNode | None
    user_errors: list[UserError]


@strawberry.type
class AccessTokenRevokePayload:
    access_token: AccessTokenNode | None
    user_errors: list[UserError]


async def _node(cls: Any, info: strawberry.Info, node_id: int | None) -> Any:
    if node_id is None:
        return None
    [node] = await cls.resolve_nodes(info=info, node_ids=[node_id])
    return node


@strawberry.type
class AccessMutation:
    @mutation(permission=access.USER_MANAGE, description="Create a staff user.")
    async def user_create(self, info: strawberry.Info, input: UserCreateInput) -> UserPayload:
        ctx = info.context

        async def create() -> int:
            team = (
                None if input.team is None else (await _names(Team, [input.team], ["input", "team"], listed=False))[0]
            )
            return await access.create_user(
                ctx.runtime,
                ctx.actor,
                email=input.email,
                display_name=input.display_name,
                password=input.password,
                roles=await _names(Role, input.roles, ["input", "roles"]),
                team=team,
                territories=input.territories,
                superuser=input.superuser,
            )

        user_id, errors = await attempt(create())
        return UserPayload(user=await _node(UserNode, info, user_id), user_errors=errors)

    @mutation(permission=access.USER_MANAGE, description="Change a user's name, roles, team, territories or status.")
    async def user_update(self, info: strawberry.Info, id: relay.GlobalID, input: UserUpdateInput) -> UserPayload:
        ctx = info.context

        async def update() -> int:
            user_id = decode_id(id, "UserNode", ["id"])
            team = None  # the service's "keep"; "" removes
            if input.team is None:
                team = ""
            elif input.team is not strawberry.UNSET:
                team = (await _names(Team, [input.team], ["input", "team"], listed=False))[0]
            await access.update_user(
                ctx.runtime,
                ctx.actor,
                user_id,
                display_name=input.display_name,
                is_active=input.is_active,
                roles=None if input.roles is None else await _names(Role, input.roles, ["input", "roles"]),
                team=team,
                territories=input.territories,
            )
            return user_id

        user_id, errors = await attempt(update())
        return UserPayload(user=await _node(UserNode, info, user_id), user_errors=errors)

    @mutation(permission=access.ROLE_MANAGE, description="Create a role.")
    async def role_create(self, info: strawberry.Info, input: RoleInput) -> RolePayload:
        ctx = info.context
        role_id, errors = await attempt(
            access.create_role(
                ctx.runtime,
                ctx.actor,
                name=input.name,
                description=input.description,
                permissions=input.permissions,
                record_scope=input.record_scope,
            )
        )
        return RolePayload(role=await _node(RoleNode, info, role_id), user_errors=errors)

    @mutation(permission=access.ROLE_MANAGE, description="Change a role's permissions or reach.")
    async def role_update(self, info: strawberry.Info, id: relay.GlobalID, input: RoleUpdateInput) -> RolePayload:
        ctx = info.context

        async def update() -> int:
            role_id = decode_id(id, "RoleNode", ["id"])
            await access.update_role(
                ctx.runtime,
                ctx.actor,
                role_id,
                description=input.description,
                permissions=input.permissions,
                record_scope=input.record_scope,
            )
            return role_id

        role_id, errors = await attempt(update())
        return RolePayload(role=await _node(RoleNode, info, role_id), user_errors=errors)

    @mutation(permission=access.ROLE_MANAGE, description="Delete a role no user holds.")
    async def role_delete(self, info: strawberry.Info, id: relay.GlobalID) -> RoleDeletePayload:
        ctx = info.context

        async def delete() -> relay.GlobalID:
            await access.delete_role(ctx.runtime, ctx.actor, decode_id(id, "RoleNode", ["id"]))
            return id

        deleted, errors = await attempt(delete())
        return RoleDeletePayload(deleted_id=deleted, user_errors=errors)

    @mutation(permission=access.USER_MANAGE, description="Create a team.")
    async def team_create(self, info: strawberry.Info, name: str) -> TeamPayload:
        team_id, errors = await attempt(access.create_team(info.context.runtime, info.context.actor, name))
        return TeamPayload(team=await _node(TeamNode, info, team_id), user_errors=errors)

    @mutation(permission=access.USER_MANAGE, description="Create a territory.")
    async def territory_create(self, info: strawberry.Info, input: TerritoryInput) -> TerritoryPayload:
        ctx = info.context
        territory_id, errors = await attempt(
            access.create_territory(ctx.runtime, ctx.actor, input.code, input.name, input.parent)
        )
        return TerritoryPayload(territory=await _node(TerritoryNode, info, territory_id), user_errors=errors)

    @mutation(
        permission=AUTHENTICATED, description="Create a personal access token (for yourself unless `user` is given)."
    )
    async def access_token_create(
        self, info: strawberry.Info, input: AccessTokenCreateInput
    ) -> AccessTokenCreatePayload:
        ctx = info.context

        async def create() -> tuple[int, str]:
            if ctx.actor.kind != "staff":
                raise DomainError("FORBIDDEN", _("Only staff users have access tokens."))
            user_id = decode_id(input.user, "UserNode", ["input", "user"]) if input.user else int(ctx.actor.id)
            return await access.create_token(
                ctx.runtime,
                ctx.actor,
                user_id=user_id,
                name=input.name,
                scopes=input.scopes,
                expires_at=input.expires_at,
            )

        created, errors = await attempt(create())
        if created is None:
            return AccessTokenCreatePayload(token=None, access_token=None, user_errors=errors)
        token_id, token = created
        return AccessTokenCreatePayload(
            token=token, access_token=await _node(AccessTokenNode, info, token_id), user_errors=[]
        )

    @mutation(permission=AUTHENTICATED, description="Revoke an access token; it stops working at once.")
    async def access_token_revoke(self, info: strawberry.Info, id: relay.GlobalID) -> AccessTokenRevokePayload:
        ctx = info.context

        async def revoke() -> int:
            token_id = decode_id(id, "AccessTokenNode", ["id"])
            await access.revoke_token(ctx.runtime, ctx.actor, token_id)
            return token_id

        token_id, errors = await attempt(revoke())
        return AccessTokenRevokePayload(access_token=await _node(AccessTokenNode, info, token_id), user_errors=errors)


# --- dataloaders --------------------------------------------------------------------------------
async def load_teams(keys: list[int], context: Any) -> list[TeamNode | None]:
    rows = {r["id"]: TeamNode.from_row(r) for r in await Team.select().where(Team.id.is_in(keys))}
    return [rows.get(key) for key in keys]


async def load_territories(keys: list[int], context: Any) -> list[TerritoryNode | None]:
    rows = {r["id"]: TerritoryNode.from_row(r) for r in await Territory.select().where(Territory.id.is_in(keys))}
    return [rows.get(key) for key in keys]


async def load_roles_by_user(keys: list[int], context: Any) -> list[list[RoleNode]]:
    rows = await (
        UserRole.select(UserRole.user, *UserRole.role.all_columns())
        .where(UserRole.user.is_in(keys))
        .order_by(UserRole.role)
        .output(load_json=True)
    )
    found: dict[int, list[RoleNode]] = {key: [] for key in keys}
    for row in rows:
        role = {key.removeprefix("role."): value for key, value in row.items() if key.startswith("role.")}
        found[row["user"]].append(RoleNode.from_row(role))
    return [found[key] for key in keys]


async def load_territories_by_user(keys: list[int], context: Any) -> list[list[TerritoryNode]]:
    rows = await (
        UserTerritory.select(UserTerritory.user, *UserTerritory.territory.all_columns())
        .where(UserTerritory.user.is_in(keys))
        .order_by(UserTerritory.territory)
    )
    found: dict[int, list[TerritoryNode]] = {key: [] for key in keys}
    for row in rows:
        territory = {
            key.removeprefix("territory."): value for key, value in row.items() if key.startswith("territory.")
        }
        found[row["user"]].append(TerritoryNode.from_row(territory))
    return [found[key] for key in keys]
