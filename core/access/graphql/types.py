"""GraphQL for access control: users, roles, teams, territories, permissions, access tokens.

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
"""

from collections.abc import Awaitable, Sequence
from datetime import datetime
from typing import Any, ClassVar, TypeVar

import strawberry
from strawberry import relay

from core.access import services as access
from core.access.tables import AccessToken, Role, Team, Territory, User
from core.errors import DomainError
from core.graphql.batching import batched_field, load_each
from core.graphql.errors import UserError
from core.graphql.ids import decode_id
from core.graphql.permissions import AUTHENTICATED, field
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


async def _node(cls: Any, info: strawberry.Info, node_id: int | None) -> Any:
    if node_id is None:
        return None
    [node] = await cls.resolve_nodes(info=info, node_ids=[node_id])
    return node
