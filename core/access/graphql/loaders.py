"""Per-request dataloaders of staff users, roles, teams, territories and access tokens."""

from typing import Any

from core.access.graphql.types import RoleNode, TeamNode, TerritoryNode
from core.access.tables import Team, Territory, UserRole, UserTerritory


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
