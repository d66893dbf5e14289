"""The mutations of staff users, roles, teams, territories and access tokens, with their inputs and payloads."""

from datetime import datetime

import strawberry
from strawberry import relay

from core.access import services as access
from core.access.graphql.types import (
    AccessTokenNode,
    RoleNode,
    TeamNode,
    TerritoryNode,
    UserNode,
    _names,
    _node,
    attempt,
)
from core.access.tables import Role, Team
from core.errors import DomainError
from core.graphql.errors import UserError
from core.graphql.ids import decode_id
from core.graphql.permissions import AUTHENTICATED, mutation
from core.i18n import _


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
