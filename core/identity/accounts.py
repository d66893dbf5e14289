"""Account administration: locks, one-time codes, portal invitations and rights, and the
e-mailed links that set a password (invitations and resets)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from core.access.services import USER_MANAGE, hash_password, hash_token, require
from core.access.tables import User
from core.auth import ANONYMOUS, Actor
from core.crm.tables import Company, ContactPoint, Employment
from core.errors import DomainError
from core.i18n import _
from core.identity.events import AccountLockChanged, PasswordChanged, PortalAccountChanged
from core.identity.services import (
    PORTAL_ADMIN,
    RIGHTS,
    Audience,
    account_by_email,
    account_by_id,
    account_ids,
    attempt_key,
    aware,
    bounded_hashing,
    new_secret,
    revoke_grant,
    totp_matches,
    utc_now,
)
from core.identity.tables import AccountLink, LoginAttempt, LoginSession, OAuthGrant, PortalAccount, StaffSecurity
from core.mail.outgoing import send_mail
from core.validation import normalise_email

if TYPE_CHECKING:
    from core.runtime import Runtime

PORTAL_ACCOUNT_MANAGE = "core.portal_account.manage"
ACCOUNT_KINDS = tuple(RIGHTS)
LINK_LIFETIME = {"invitation": timedelta(days=7), "reset": timedelta(hours=1)}
MIN_PASSWORD = 12


async def _security_row(user_id: int) -> None:
    if not await StaffSecurity.exists().where(StaffSecurity.user == user_id):
        await StaffSecurity.insert(StaffSecurity(user=user_id))


async def revoke_account_grants(runtime: Runtime, audience: Audience, account_id: int, reason: str) -> None:
    column = OAuthGrant.user if audience == "staff" else OAuthGrant.portal_account
    rows = await OAuthGrant.select(OAuthGrant.id).where((column == account_id) & OAuthGrant.revoked_at.is_null())
    for row in rows:
        await revoke_grant(runtime, row["id"], reason)
    session_column = LoginSession.user if audience == "staff" else LoginSession.portal_account
    await LoginSession.update({LoginSession.ended_at: utc_now()}).where(
        (session_column == account_id) & LoginSession.ended_at.is_null()
    )


async def set_lock(runtime: Runtime, actor: Actor, audience: Audience, account_id: int, locked: bool) -> None:
    """Lock (no sign-in; sessions and grants end at once) or unlock a staff user or portal account."""
    require(actor, USER_MANAGE if audience == "staff" else PORTAL_ACCOUNT_MANAGE)
    if locked and audience == "staff" and actor.kind == "staff" and str(account_id) == actor.id:
        raise DomainError("SELF_LOCK", _("You cannot lock your own account."), ["id"])
    table = User if audience == "staff" else PortalAccount
    async with runtime.unit_of_work(actor) as uow:
        if not await table.exists().where(table.id == account_id):
            message = _("No such user.") if audience == "staff" else _("No such portal account.")
            raise DomainError("NOT_FOUND", message, ["id"])
        locked_at = utc_now() if locked else None
        if audience == "staff":
            await _security_row(account_id)
            await StaffSecurity.update({StaffSecurity.locked_at: locked_at}).where(StaffSecurity.user == account_id)
        else:
            await PortalAccount.update({PortalAccount.locked_at: locked_at}).where(PortalAccount.id == account_id)
        if not locked:
            await _forget_failures(audience, account_id)
        await uow.publish(AccountLockChanged(locked=locked, **account_ids(audience, account_id)))
    if locked:
        await revoke_account_grants(runtime, audience, account_id, "account_locked")


async def _forget_failures(audience: Audience, account_id: int) -> None:
    row = await account_by_id(audience, account_id)
    if row is not None:
        await LoginAttempt.delete().where(LoginAttempt.account == attempt_key(audience, row["email"]))


async def _current_totp(actor: Actor) -> str | None:
    if actor.kind == "staff" and actor.id and actor.id.isdecimal():
        row = await StaffSecurity.select(StaffSecurity.totp_secret).where(StaffSecurity.user == int(actor.id)).first()
    elif actor.kind in ("portal", "partner") and actor.account_id is not None:
        row = await PortalAccount.select(PortalAccount.totp_secret).where(PortalAccount.id == actor.account_id).first()
    else:
        return None
    return row["totp_secret"] if row else None


async def set_totp(
    runtime: Runtime,
    actor: Actor,
    secret: str | None,
    code: str = "",
    user_id: int | None = None,
    current_code: str = "",
) -> None:
    """Turn TOTP on for the actor's own account (proved by a code from the new secret), or off;
    with ``user_id``, an administrator turns a staff user's TOTP off (a lost phone). An account
    that has TOTP already changes or drops it only with a code from the current secret: a token
    alone (a narrow app's, a stolen one) cannot remove the second factor or put in its own."""
    if user_id is not None:
        require(actor, USER_MANAGE)
        if secret is not None:
            raise DomainError("OWN_ACCOUNT_ONLY", _("Only the account holder can set up a one-time code."), ["id"])
    if user_id is None:
        current = await _current_totp(actor)
        if current and not totp_matches(current, current_code):
            raise DomainError("WRONG_CODE", _("The one-time code does not match."), ["currentCode"])
    if secret is not None:
        if len(secret) > 64:
            raise DomainError("TOO_LONG", _("At most {limit} characters."), ["input", "secret"], limit=64)
        try:
            valid = len(secret) >= 16 and totp_matches(secret, code)
        except ValueError:  # not base32
            valid = False
        if not valid:
            raise DomainError("WRONG_CODE", _("The one-time code does not match."), ["input", "code"])
    async with runtime.unit_of_work(actor):
        if user_id is not None or actor.kind == "staff":
            staff_id = user_id if user_id is not None else int(actor.id or 0)
            await _security_row(staff_id)
            await StaffSecurity.update({StaffSecurity.totp_secret: secret}).where(StaffSecurity.user == staff_id)
        elif actor.kind in ("portal", "partner") and actor.account_id is not None:
            await PortalAccount.update({PortalAccount.totp_secret: secret}).where(PortalAccount.id == actor.account_id)
        else:
            raise DomainError("FORBIDDEN", _("Only a signed-in person can set up a one-time code."))


def _check_rights(kind: str, rights: Sequence[str]) -> list[str]:
    if kind not in ACCOUNT_KINDS:
        raise DomainError("INVALID_KIND", _("A portal account is for a client or a partner."), ["input", "kind"])
    unknown = [right for right in rights if right not in RIGHTS[kind]]
    if unknown:
        raise DomainError(
            "UNKNOWN_RIGHT",
            _("Unknown right: {rights}; allowed: {allowed}."),
            ["input", "rights"],
            rights=", ".join(unknown),
            allowed=", ".join(RIGHTS[kind]),
        )
    return list(dict.fromkeys(rights))


@dataclass
class Invitation:
    account_id: int
    link: str = field(repr=False)


async def invite_portal_person(
    runtime: Runtime,
    actor: Actor,
    *,
    person_id: int,
    company_id: int | None = None,
    email: str | None = None,
    rights: Sequence[str] = ("browse",),
    is_admin: bool = False,
    kind: str = "client",
    locale: str = "pl",
) -> Invitation:
    """Give a person of the CRM a portal account and e-mail them an invitation link.

    Staff with ``core.portal_account.manage`` invite anyone employed at a company; a company's
    portal administrator invites colleagues of their own company, with no more rights than theirs.
    """
    if actor.kind in ("portal", "partner"):
        if not actor.can(PORTAL_ADMIN):
            raise DomainError("FORBIDDEN", _("You do not have the permission {permission}."), permission=PORTAL_ADMIN)
        company_id = actor.company_id
        kind = "partner" if actor.kind == "partner" else "client"
        held = {right for right, code in RIGHTS[kind].items() if actor.can(code)}
        if not set(rights) <= held:
            raise DomainError(
                "RIGHTS_EXCEED_YOURS", _("You cannot give rights you do not hold yourself."), ["input", "rights"]
            )
    else:
        require(actor, PORTAL_ACCOUNT_MANAGE)
    rights = _check_rights(kind, rights)
    async with runtime.unit_of_work(actor) as uow:
        employments = await Employment.select(Employment.company).where(
            (Employment.person == person_id)
            & Employment.person.deleted_at.is_null()
            & Employment.company.deleted_at.is_null()
        )
        companies = [row["company"] for row in employments]
        if not companies:
            raise DomainError("NOT_EMPLOYED", _("This person works at no company in the CRM."), ["input", "person"])
        if company_id is None:
            company_id = companies[0]
        if company_id not in companies:
            raise DomainError("NOT_EMPLOYED", _("This person does not work at that company."), ["input", "company"])
        if kind == "partner" and not await Company.exists().where(
            (Company.id == company_id) & (Company.kind == "partner")
        ):
            raise DomainError("NOT_A_PARTNER", _("Partner accounts belong to partner companies."), ["input", "kind"])
        if email is None:
            contact = (
                await ContactPoint.select(ContactPoint.value)
                .where((ContactPoint.person == person_id) & (ContactPoint.kind == "email"))
                .order_by(ContactPoint.is_primary, ascending=False)
                .first()
            )
            if contact is None:
                raise DomainError("NO_EMAIL", _("This person has no e-mail address."), ["input", "email"])
            email = contact["value"]
        email = normalise_email(email, ["input", "email"])
        if await PortalAccount.exists().where(PortalAccount.email == email):
            raise DomainError(
                "EMAIL_TAKEN", _("A portal account with this e-mail address already exists."), ["input", "email"]
            )
        if await PortalAccount.exists().where(PortalAccount.person == person_id):
            raise DomainError("ALREADY_INVITED", _("This person already has a portal account."), ["input", "person"])
        [row] = await PortalAccount.insert(
            PortalAccount(
                person=person_id,
                company=company_id,
                email=email,
                kind=kind,
                rights=rights,
                is_admin=is_admin and actor.kind not in ("portal", "partner"),
                invited_by_user=int(actor.id) if actor.kind == "staff" and (actor.id or "").isdecimal() else None,
                invited_by_account=actor.account_id,
            )
        ).returning(PortalAccount.id)
        link = await _create_link(runtime, "invitation", "portal", row["id"])
        await uow.publish(PortalAccountChanged(portal_account_id=row["id"], change="invited", rights=rights))
    await _mail_link(runtime, email, "invitation", link, locale)
    return Invitation(row["id"], link)


async def update_portal_account(
    runtime: Runtime,
    actor: Actor,
    account_id: int,
    *,
    rights: Sequence[str] | None = None,
    is_admin: bool | None = None,
    is_active: bool | None = None,
) -> None:
    require(actor, PORTAL_ACCOUNT_MANAGE)
    async with runtime.unit_of_work(actor) as uow:
        row = await PortalAccount.select().where(PortalAccount.id == account_id).output(load_json=True).first()
        if row is None:
            raise DomainError("NOT_FOUND", _("No such portal account."), ["id"])
        changes: dict[Any, Any] = {}
        if rights is not None:
            changes[PortalAccount.rights] = _check_rights(row["kind"], rights)
        if is_admin is not None:
            changes[PortalAccount.is_admin] = is_admin
        if is_active is not None:
            changes[PortalAccount.is_active] = is_active
        if changes:
            await PortalAccount.update(changes).where(PortalAccount.id == account_id)
        await uow.publish(
            PortalAccountChanged(
                portal_account_id=account_id,
                change="updated",
                rights=list(changes.get(PortalAccount.rights, row["rights"])),
            )
        )


# --- e-mailed links: invitations and password resets ------------------------------------------
async def _create_link(runtime: Runtime, purpose: str, audience: Audience, account_id: int) -> str:
    token = new_secret()
    await AccountLink.insert(
        AccountLink(
            token_hash=hash_token(token),
            purpose=purpose,
            expires_at=utc_now() + LINK_LIFETIME[purpose],
            **{"user" if audience == "staff" else "portal_account": account_id},
        )
    )
    page = "invitation" if purpose == "invitation" else "password/reset"
    return f"{runtime.settings.issuer}/oauth/{page}?token={token}"


MAIL_TEXT = {
    "invitation": (
        _("Your invitation to the Kartoteka portal"),
        _("You have been invited to the client portal. Choose your password here (the link works for 7 days):"),
    ),
    "reset": (
        _("Resetting your Kartoteka password"),
        _("Someone asked to reset your password. If it was you, choose a new one here (the link works for 1 hour):"),
    ),
}


async def _mail_link(runtime: Runtime, email: str, purpose: str, link: str, locale: str) -> None:
    subject, intro = (runtime.translator.text(locale, text) for text in MAIL_TEXT[purpose])
    await send_mail(runtime.settings, email, subject, f"{intro}\n\n{link}\n")


async def request_password_reset(runtime: Runtime, audience: Audience, email: str, locale: str) -> None:
    """E-mail a reset link if the address belongs to a usable account; silent otherwise."""
    try:
        email = normalise_email(email, ["email"])
    except DomainError:
        return
    row = await account_by_email(audience, email)
    if row is None or not row["usable"]:
        return
    async with runtime.unit_of_work(ANONYMOUS):
        link = await _create_link(runtime, "reset", audience, row["id"])
    await _mail_link(runtime, email, "reset", link, locale)


async def link_account(token: str, purpose: str) -> tuple[Audience, int] | None:
    row = (
        await AccountLink.select()
        .where((AccountLink.token_hash == hash_token(token)) & (AccountLink.purpose == purpose))
        .first()
    )
    if row is None or row["used_at"] is not None or aware(row["expires_at"]) <= utc_now():
        return None
    return ("staff", row["user"]) if row["user"] else ("portal", row["portal_account"])


async def set_password_by_link(runtime: Runtime, token: str, purpose: str, password: str) -> None:
    """Spend an e-mailed link to set the password; every earlier session and grant ends."""
    if len(password) < MIN_PASSWORD:
        raise DomainError("PASSWORD_TOO_SHORT", _("A password needs at least 12 characters."), ["password"])
    found = await link_account(token, purpose)
    if found is None:
        raise DomainError("LINK_INVALID", _("This link is invalid, used or expired."), ["token"])
    audience, account_id = found
    password_hash = await asyncio.to_thread(bounded_hashing, hash_password, password)
    async with runtime.unit_of_work(ANONYMOUS) as uow:
        spent = (
            await AccountLink.update({AccountLink.used_at: utc_now()})
            .where((AccountLink.token_hash == hash_token(token)) & AccountLink.used_at.is_null())
            .returning(AccountLink.id)
        )
        if not spent:
            raise DomainError("LINK_INVALID", _("This link is invalid, used or expired."), ["token"])
        if audience == "staff":
            await User.update({User.password_hash: password_hash}).where(User.id == account_id)
        else:
            changes: dict[Any, Any] = {PortalAccount.password_hash: password_hash}
            if purpose == "invitation":
                changes[PortalAccount.activated_at] = utc_now()
            await PortalAccount.update(changes).where(PortalAccount.id == account_id)
            if purpose == "invitation":
                await uow.publish(PortalAccountChanged(portal_account_id=account_id, change="activated", rights=[]))
        await uow.publish(PasswordChanged(via=purpose, **account_ids(audience, account_id)))
    await _forget_failures(audience, account_id)
    await revoke_account_grants(runtime, audience, account_id, "password_changed")
