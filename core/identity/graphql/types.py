"""GraphQL for the identity server: OAuth clients, portal accounts, account locks.

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
"""

from datetime import datetime
from typing import Any, ClassVar

import strawberry
from strawberry import relay

from core.access.graphql.types import UserNode, _node, attempt, decode_id, maximum
from core.access.services import USER_MANAGE
from core.errors import DomainError
from core.graphql.errors import UserError
from core.graphql.ids import global_id
from core.graphql.pagination import paginate_by_id
from core.graphql.permissions import AUTHENTICATED, field, mutation
from core.identity import accounts, clients
from core.identity import services as identity
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


@strawberry.input
class OAuthClientCreateInput:
    name: str
    audience: str = "staff"
    confidential: bool = True
    redirect_uris: list[str] = strawberry.field(default_factory=list)
    grant_types: list[str] = strawberry.field(default_factory=lambda: ["authorization_code", "refresh_token"])
    scopes: list[str] = strawberry.field(default_factory=list)
    skip_consent: bool = False


@strawberry.input
class OAuthClientUpdateInput:
    name: str | None = None
    redirect_uris: list[str] | None = None
    grant_types: list[str] | None = None
    scopes: list[str] | None = None
    skip_consent: bool | None = None
    is_active: bool | None = None


@strawberry.type
class OAuthClientPayload:
    client: OAuthClientNode | None
    client_secret: str | None = strawberry.field(description="Shown once, when created or rotated; store it safely.")
    user_errors: list[UserError]


@strawberry.input
class PortalAccountInviteInput:
    person: relay.GlobalID = strawberry.field(description="The person's global id.")
    company: relay.GlobalID | None = strawberry.field(
        default=None, description="The company's global id; default: the person's first employer."
    )
    email: str | None = strawberry.field(default=None, description="Default: the person's primary e-mail address.")
    rights: list[str] = strawberry.field(default_factory=lambda: ["browse"])
    is_admin: bool = False
    kind: str = "client"


@strawberry.input
class PortalAccountUpdateInput:
    rights: list[str] | None = None
    is_admin: bool | None = None
    is_active: bool | None = None


@strawberry.type
class PortalAccountPayload:
    account: PortalAccountNode | None
    user_errors: list[UserError]


@strawberry.type
class UserLockPayload:
    user: UserNode | None
    user_errors: list[UserError]


@strawberry.type
class IdentityQuery:
    @field(permission=clients.CLIENT_MANAGE, description="Registered OAuth clients, oldest first.")
    async def oauth_clients(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> relay.Connection[OAuthClientNode]:
        return await paginate_by_id(
            _client_query().output(load_json=True),
            OAuthClient.id,
            first=first,
            after=after,
            maximum=maximum(info),
            to_node=_client_node,
        )

    @field(permission=accounts.PORTAL_ACCOUNT_MANAGE, description="Portal accounts, oldest first.")
    async def portal_accounts(
        self, info: strawberry.Info, first: int | None = None, after: str | None = None
    ) -> relay.Connection[PortalAccountNode]:
        query = PortalAccount.select(
            *PortalAccount.all_columns(exclude=[PortalAccount.password_hash, PortalAccount.totp_secret])
        ).output(load_json=True)
        return await paginate_by_id(
            query, PortalAccount.id, first=first, after=after, maximum=maximum(info), to_node=PortalAccountNode.from_row
        )


async def _client(info: strawberry.Info, client_row_id: int | None) -> OAuthClientNode | None:
    if client_row_id is None:
        return None
    row = await _client_query().where(OAuthClient.id == client_row_id).output(load_json=True).first()
    return _client_node(row) if row else None


@strawberry.type
class TotpPayload:
    enabled: bool
    user_errors: list[UserError]


async def _totp(
    info: strawberry.Info, secret: str | None, code: str = "", user_id: int | None = None, current_code: str = ""
) -> TotpPayload:
    _, errors = await attempt(
        accounts.set_totp(info.context.runtime, info.context.actor, secret, code, user_id, current_code)
    )
    return TotpPayload(enabled=secret is not None and not errors, user_errors=errors)


@strawberry.type(description="One-time codes (TOTP) for the signed-in person's own account.")
class TotpMutation:
    @mutation(
        permission=AUTHENTICATED,
        description="Require a one-time code at sign-in: send a new base32 secret and a code it generates now.",
    )
    async def viewer_totp_enable(
        self, info: strawberry.Info, secret: str, code: str, current_code: str = ""
    ) -> TotpPayload:
        return await _totp(info, secret, code, current_code=current_code)

    @mutation(
        permission=AUTHENTICATED,
        description="Stop asking for a one-time code at sign-in; needs a code from the current secret.",
    )
    async def viewer_totp_disable(self, info: strawberry.Info, current_code: str) -> TotpPayload:
        return await _totp(info, None, current_code=current_code)


@strawberry.type
class IdentityMutation(TotpMutation):
    @mutation(permission=clients.CLIENT_MANAGE, description="Register an OAuth client; its secret is shown once.")
    async def oauth_client_create(self, info: strawberry.Info, input: OAuthClientCreateInput) -> OAuthClientPayload:
        ctx = info.context
        created, errors = await attempt(
            clients.create_client(
                ctx.runtime,
                ctx.actor,
                name=input.name,
                audience=input.audience,
                confidential=input.confidential,
                redirect_uris=input.redirect_uris,
                grant_types=input.grant_types,
                scopes=input.scopes,
                skip_consent=input.skip_consent,
            )
        )
        row_id, _client_id, secret = created if created else (None, None, None)
        return OAuthClientPayload(client=await _client(info, row_id), client_secret=secret, user_errors=errors)

    @mutation(
        permission=clients.CLIENT_MANAGE, description="Change a client's redirect URIs, grants, scopes or status."
    )
    async def oauth_client_update(
        self, info: strawberry.Info, id: relay.GlobalID, input: OAuthClientUpdateInput
    ) -> OAuthClientPayload:
        ctx = info.context

        async def update() -> int:
            row_id = decode_id(id, "OAuthClientNode", ["id"])
            await clients.update_client(
                ctx.runtime,
                ctx.actor,
                row_id,
                name=input.name,
                redirect_uris=input.redirect_uris,
                grant_types=input.grant_types,
                scopes=input.scopes,
                skip_consent=input.skip_consent,
                is_active=input.is_active,
            )
            return row_id

        row_id, errors = await attempt(update())
        return OAuthClientPayload(client=await _client(info, row_id), client_secret=None, user_errors=errors)

    @mutation(
        permission=clients.CLIENT_MANAGE, description="Give a confidential client a new secret; the old one stops."
    )
    async def oauth_client_rotate_secret(self, info: strawberry.Info, id: relay.GlobalID) -> OAuthClientPayload:
        ctx = info.context

        async def rotate() -> tuple[int, str]:
            row_id = decode_id(id, "OAuthClientNode", ["id"])
            return row_id, await clients.rotate_client_secret(ctx.runtime, ctx.actor, row_id)

        rotated, errors = await attempt(rotate())
        row_id, secret = rotated if rotated else (None, None)
        return OAuthClientPayload(client=await _client(info, row_id), client_secret=secret, user_errors=errors)

    @mutation(
        permission=accounts.PORTAL_ACCOUNT_MANAGE,
        description="Give a person of the CRM a portal account and e-mail them an invitation.",
    )
    async def portal_account_invite(
        self, info: strawberry.Info, input: PortalAccountInviteInput
    ) -> PortalAccountPayload:
        return await _invite(info, input)

    @mutation(permission=accounts.PORTAL_ACCOUNT_MANAGE, description="Change a portal account's rights or status.")
    async def portal_account_update(
        self, info: strawberry.Info, id: relay.GlobalID, input: PortalAccountUpdateInput
    ) -> PortalAccountPayload:
        ctx = info.context

        async def update() -> int:
            account_id = decode_id(id, "PortalAccountNode", ["id"])
            await accounts.update_portal_account(
                ctx.runtime,
                ctx.actor,
                account_id,
                rights=input.rights,
                is_admin=input.is_admin,
                is_active=input.is_active,
            )
            return account_id

        account_id, errors = await attempt(update())
        return PortalAccountPayload(account=await _node(PortalAccountNode, info, account_id), user_errors=errors)

    @mutation(
        permission=accounts.PORTAL_ACCOUNT_MANAGE,
        description="Lock a portal account: it cannot sign in and its tokens stop at once.",
    )
    async def portal_account_lock(self, info: strawberry.Info, id: relay.GlobalID) -> PortalAccountPayload:
        return await _portal_lock(info, id, True)

    @mutation(permission=accounts.PORTAL_ACCOUNT_MANAGE, description="Unlock a portal account.")
    async def portal_account_unlock(self, info: strawberry.Info, id: relay.GlobalID) -> PortalAccountPayload:
        return await _portal_lock(info, id, False)

    @mutation(permission=USER_MANAGE, description="Lock a staff user: no sign-in, and their tokens stop at once.")
    async def user_lock(self, info: strawberry.Info, id: relay.GlobalID) -> UserLockPayload:
        return await _user_lock(info, id, True)

    @mutation(permission=USER_MANAGE, description="Turn off a staff user's one-time codes (a lost phone).")
    async def user_totp_reset(self, info: strawberry.Info, id: relay.GlobalID) -> TotpPayload:
        try:
            user_id = decode_id(id, "UserNode", ["id"])
        except DomainError as error:
            return TotpPayload(enabled=False, user_errors=[UserError.from_domain(error)])
        return await _totp(info, None, user_id=user_id)

    @mutation(permission=USER_MANAGE, description="Unlock a staff user (also forgets their failed sign-ins).")
    async def user_unlock(self, info: strawberry.Info, id: relay.GlobalID) -> UserLockPayload:
        return await _user_lock(info, id, False)


async def _invite(info: strawberry.Info, input: PortalAccountInviteInput) -> PortalAccountPayload:
    ctx = info.context

    async def invite() -> Any:
        return await accounts.invite_portal_person(
            ctx.runtime,
            ctx.actor,
            person_id=decode_id(input.person, "Person", ["input", "person"]),
            company_id=None if input.company is None else decode_id(input.company, "Company", ["input", "company"]),
            email=input.email,
            rights=input.rights,
            is_admin=input.is_admin,
            kind=input.kind,
            locale=ctx.locale,
        )

    invitation, errors = await attempt(invite())
    account_id = invitation.account_id if invitation else None
    account = (await PortalAccountNode.resolve_nodes(info=info, node_ids=[account_id]))[0] if account_id else None
    return PortalAccountPayload(account=account, user_errors=errors)


async def _portal_lock(info: strawberry.Info, id: relay.GlobalID, locked: bool) -> PortalAccountPayload:
    ctx = info.context

    async def change() -> int:
        account_id = decode_id(id, "PortalAccountNode", ["id"])
        await accounts.set_lock(ctx.runtime, ctx.actor, "portal", account_id, locked)
        return account_id

    account_id, errors = await attempt(change())
    return PortalAccountPayload(account=await _node(PortalAccountNode, info, account_id), user_errors=errors)


async def _user_lock(info: strawberry.Info, id: relay.GlobalID, locked: bool) -> UserLockPayload:
    ctx = info.context

    async def change() -> int:
        user_id = decode_id(id, "UserNode", ["id"])
        await accounts.set_lock(ctx.runtime, ctx.actor, "staff", user_id, locked)
        return user_id

    user_id, errors = await attempt(change())
    return UserLockPayload(user=await _node(UserNode, info, user_id), user_errors=errors)


@strawberry.type(description="Invitations by a client's own portal administrator.")
class PortalIdentityMutation(TotpMutation):
    @mutation(
        permission=identity.PORTAL_ADMIN,
        description="Invite a colleague of your company to the portal, with no more rights than yours.",
    )
    async def portal_account_invite(
        self, info: strawberry.Info, input: PortalAccountInviteInput
    ) -> PortalAccountPayload:
        return await _invite(info, input)
