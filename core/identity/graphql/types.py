"""GraphQL for the identity server: OAuth clients, portal accounts, account locks.

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
"""

from datetime import datetime
from typing import Any, ClassVar

import strawberry
from strawberry import relay

from core.graphql.ids import global_id
from core.identity import accounts, clients
from core.identity.tables import OAuthClient, PortalAccount


async def _accounts_by_ids(node_ids: list[Any]) -> list[Any]:
    ids = [int(i) for i in node_ids if str(i).isdecimal()]
    query = PortalAccount.select(
        *PortalAccount.all_columns(exclude=[PortalAccount.password_hash, PortalAccount.totp_secret])
    )
    rows = {r["id"]: r for r in await query.where(PortalAccount.id.is_in(ids)).output(load_json=True)} if ids else {}
    return [
        PortalAccountNode.from_row(rows[int(i)]) if str(i).isdecimal() and int(i) in rows else None for i in node_ids
    ]


@strawberry.type(description="An application that signs people in through Kartoteka or calls its API on its own.")
class OAuthClientNode(relay.Node):
    node_permission: ClassVar[str] = clients.CLIENT_MANAGE

    id: relay.NodeID[int]
    client_id: str = strawberry.field(description="The public identifier the application sends.")
    name: str
    confidential: bool = strawberry.field(description="Holds a secret (a server); public clients rely on PKCE alone.")
    audience: str = strawberry.field(description="`staff` or `portal`: who signs in, and which API its tokens open.")
    redirect_uris: list[str] = strawberry.field(description="Compared byte for byte with the request's.")
    grant_types: list[str]
    scopes: list[str] = strawberry.field(description="The most the client may ask for.")
    skip_consent: bool = strawberry.field(description="A first-party front end: no consent page.")
    is_active: bool
    secret_rotated_at: datetime | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "OAuthClientNode":
        return cls(
            id=row["id"],
            client_id=row["client_id"],
            name=row["name"],
            confidential=row["confidential"],
            audience=row["audience"],
            redirect_uris=row["redirect_uris"],
            grant_types=row["grant_types"],
            scopes=row["scopes"],
            skip_consent=bool(row["skip_consent"]),
            is_active=bool(row["is_active"]),
            secret_rotated_at=row["secret_rotated_at"],
            created_at=row["created_at"],
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Any, node_ids: list[Any], required: bool = False) -> list:
        ids = [int(i) for i in node_ids if str(i).isdecimal()]
        rows = await _client_query().where(OAuthClient.id.is_in(ids)).output(load_json=True) if ids else []
        found = {row["id"]: _client_node(row) for row in rows}
        return [found.get(int(i)) if str(i).isdecimal() else None for i in node_ids]


def _client_query() -> Any:
    return OAuthClient.select(*OAuthClient.all_columns(exclude=[OAuthClient.secret_hash]), OAuthClient.secret_hash)


def _client_node(row: dict[str, Any]) -> OAuthClientNode:
    return OAuthClientNode.from_row({**row, "confidential": row.pop("secret_hash", None) is not None})


@strawberry.type(description="A person of the CRM who signs in to the portal for one company.")
class PortalAccountNode(relay.Node):
    node_permission: ClassVar[str] = accounts.PORTAL_ACCOUNT_MANAGE

    id: relay.NodeID[int]
    email: str
    kind: str = strawberry.field(description="`client` or `partner`.")
    rights: list[str] = strawberry.field(description="client: browse, order, invoices; partner: leads.")
    is_admin: bool = strawberry.field(description="May invite colleagues of the same company.")
    is_active: bool
    locked: bool
    activated: bool = strawberry.field(description="The invitation was accepted.")
    person: relay.GlobalID = strawberry.field(description="The person's global id (a Person of the staff API).")
    company: relay.GlobalID = strawberry.field(description="The company's global id (a Company of the staff API).")
    created_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "PortalAccountNode":
        return cls(
            id=row["id"],
            email=row["email"],
            kind=row["kind"],
            rights=row["rights"],
            is_admin=bool(row["is_admin"]),
            is_active=bool(row["is_active"]),
            locked=row["locked_at"] is not None,
            activated=row["activated_at"] is not None,
            person=global_id("Person", row["person"]),
            company=global_id("Company", row["company"]),
            created_at=row["created_at"],
        )

    @classmethod
    async def resolve_nodes(cls, *, info: Any, node_ids: list[Any], required: bool = False) -> list:
        return await _accounts_by_ids(node_ids)


async def _client(info: strawberry.Info, client_row_id: int | None) -> OAuthClientNode | None:
    if client_row_id is None:
        return None
    row = await _client_query().where(OAuthClient.id == client_row_id).output(load_json=True).first()
    return _client_node(row) if row else None
