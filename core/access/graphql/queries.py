"""The root queries of staff users, roles, teams, territories and access tokens."""

import strawberry
from strawberry import relay

from core.access import services as access
from core.access.graphql.types import PermissionInfo, RoleNode, TeamNode, TerritoryNode, UserNode, maximum
from core.access.tables import Role, Team, Territory, User
from core.graphql.pagination import paginate_by_id
from core.graphql.permissions import field


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
