"""Business rules of the client file. No GraphQL here: the CLI, jobs and plugins call these too.

Every change runs in one unit of work: validation first, then the rows, then an event (which
the audit log and plugins subscribe to). A DomainError anywhere leaves nothing written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from core.access.tables import Territory, User
from core.auth import Actor
from core.crm import custom_fields
from core.crm.collation import person_sort_key, sort_key
from core.crm.events import (
    CompanyCreated,
    CompanyDeleted,
    CompanyUpdated,
    PersonCreated,
    PersonDeleted,
    PersonUpdated,
)
from core.crm.scoping import visible
from core.crm.tables import Address, Company, CompanyTag, ContactPoint, Employment, Person, PersonTag, Tag
from core.db.values import plain
from core.errors import DomainError, camel_case
from core.events.base import Event
from core.i18n import _
from core.validation import normalise_email, normalise_nip, normalise_phone, normalise_regon

if TYPE_CHECKING:
    from core.runtime import Runtime

COMPANY_READ, COMPANY_WRITE, COMPANY_DELETE = "core.company.read", "core.company.write", "core.company.delete"
PERSON_READ, PERSON_WRITE, PERSON_DELETE = "core.person.read", "core.person.write", "core.person.delete"
TIMELINE_WRITE = "core.timeline.write"
KINDS = ("b2b", "b2c", "partner", "supplier")
LIFECYCLES = ("lead", "qualified", "customer", "former")
LANGUAGES = ("pl", "en", "de", "uk", "cs", "sk", "lt", "fr", "es", "it")
MAX_CONTACT_POINTS = 20
MAX_TAGS = 50


@dataclass
class ContactInput:
    value: str
    label: str = ""
    is_primary: bool = False


@dataclass
class AddressInput:
    kind: str = "office"
    street: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = "PL"
    notes: str = ""


@dataclass
class EmploymentInput:
    company_id: int
    position: str = ""
    is_primary: bool = False


@dataclass
class Related:
    """Collections that replace what a record had when given (None = leave unchanged)."""

    emails: Sequence[ContactInput] | None = None
    phones: Sequence[ContactInput] | None = None
    addresses: Sequence[AddressInput] | None = None
    tags: Sequence[str] | None = None
    employments: Sequence[EmploymentInput] | None = field(default=None)


# --- checks --------------------------------------------------------------------------------------
def _choice(value: str, allowed: Sequence[str], path: list[str]) -> str:
    if value not in allowed:
        raise DomainError("INVALID_CHOICE", _("Allowed values: {allowed}."), path, allowed=", ".join(allowed))
    return value


def _text(value: str, path: list[str], *, required: bool = False, limit: int = 300) -> str:
    value = value.strip()
    if required and not value:
        raise DomainError("BLANK", _("This field must not be blank."), path)
    if len(value) > limit:
        raise DomainError("TOO_LONG", _("At most {limit} characters."), path, limit=limit)
    return value


async def _owner(owner_id: int | None, actor: Actor, path: list[str]) -> int | None:
    if owner_id is None:
        return None
    if not await User.exists().where((User.id == owner_id) & (User.is_active == True)):  # noqa: E712
        raise DomainError("UNKNOWN_USER", _("There is no active user with this id."), path)
    return owner_id


async def _territory(code: str | None, path: list[str]) -> int | None:
    if not code:
        return None
    row = await Territory.select(Territory.id).where(Territory.code == code).first()
    if row is None:
        raise DomainError(
            "UNKNOWN_TERRITORY", _("There is no territory with the code {territory}."), path, territory=code
        )
    return row["id"]


def _check_company_fields(values: dict[str, Any]) -> dict[str, Any]:
    checked: dict[str, Any] = {}
    for key, value in values.items():
        path = ["input", camel_case(key)]
        if key == "name":
            checked[key] = _text(value, path, required=True)
        elif key == "kind":
            checked[key] = _choice(value, KINDS, path)
        elif key == "lifecycle":
            checked[key] = _choice(value, LIFECYCLES, path)
        elif key == "preferred_language":
            checked[key] = _choice(value, LANGUAGES, path)
        elif key == "nip":
            checked[key] = normalise_nip(value, path) if value else None
        elif key == "regon":
            checked[key] = normalise_regon(value, path) if value else None
        elif key in ("status", "classification"):
            checked[key] = _text(value, path, limit=32)
        elif key == "website":
            checked[key] = _text(value, path)
        elif key == "qualification":
            if not isinstance(value, Mapping):
                raise DomainError("INVALID_JSON_OBJECT", _("A JSON object is expected."), path)
            checked[key] = dict(value)
        else:
            checked[key] = value
    return checked


def _check_person_fields(values: dict[str, Any]) -> dict[str, Any]:
    checked: dict[str, Any] = {}
    for key, value in values.items():
        path = ["input", camel_case(key)]
        if key == "last_name":
            checked[key] = _text(value, path, required=True, limit=150)
        elif key == "first_name":
            checked[key] = _text(value, path, limit=150)
        elif key == "birthday":
            if value is not None and value > date.today():
                raise DomainError("IN_THE_FUTURE", _("This date is in the future."), path)
            checked[key] = value
        elif key in ("kind", "lifecycle", "preferred_language", "qualification"):
            checked.update(_check_company_fields({key: value}))
        else:
            checked[key] = value
    return checked


def _contact_rows(related: Related, owner_field: str, owner_id: int) -> list[ContactPoint] | None:
    if related.emails is None and related.phones is None:
        return None
    rows = []
    for kind, items, normalise in (
        ("email", related.emails, normalise_email),
        ("phone", related.phones, normalise_phone),
    ):
        items = items or []
        if len(items) > MAX_CONTACT_POINTS:
            raise DomainError(
                "TOO_MANY", _("At most {limit} entries."), ["input", f"{kind}s"], limit=MAX_CONTACT_POINTS
            )
        seen = set()
        for index, item in enumerate(items):
            value = normalise(item.value, ["input", f"{kind}s", str(index), "value"])
            if value in seen:
                continue
            seen.add(value)
            rows.append(
                ContactPoint(
                    **{owner_field: owner_id},
                    kind=kind,
                    value=value,
                    label=_text(item.label, ["input", f"{kind}s", str(index), "label"], limit=50),
                    is_primary=item.is_primary,
                )
            )
    return rows


def _address_rows(related: Related, owner_field: str, owner_id: int) -> list[Address] | None:
    if related.addresses is None:
        return None
    rows = []
    for index, item in enumerate(related.addresses):
        path = ["input", "addresses", str(index)]
        country = item.country.strip().upper()
        if len(country) != 2 or not country.isalpha():
            raise DomainError("INVALID_COUNTRY", _("Use a two-letter country code (PL, DE…)."), [*path, "country"])
        rows.append(
            Address(
                **{owner_field: owner_id},
                kind=_choice(item.kind, ("office", "billing", "shipping", "home"), [*path, "kind"]),
                street=_text(item.street, [*path, "street"], limit=200),
                postal_code=_text(item.postal_code, [*path, "postalCode"], limit=16),
                city=_text(item.city, [*path, "city"], limit=120),
                country=country,
                notes=_text(item.notes, [*path, "notes"], limit=2000),
            )
        )
    return rows


async def _tag_ids(names: Sequence[str]) -> list[int]:
    names = list(dict.fromkeys(name.strip() for name in names if name.strip()))
    if len(names) > MAX_TAGS:
        raise DomainError("TOO_MANY", _("At most {limit} entries."), ["input", "tags"], limit=MAX_TAGS)
    for name in names:
        _text(name, ["input", "tags"], limit=100)
    if not names:
        return []
    existing = {row["name"]: row["id"] for row in await Tag.select(Tag.id, Tag.name).where(Tag.name.is_in(names))}
    missing = [name for name in names if name not in existing]
    if missing:
        for row in await Tag.insert(*(Tag(name=name) for name in missing)).returning(Tag.id, Tag.name):
            existing[row["name"]] = row["id"]
    return [existing[name] for name in names]


async def _replace_related(related: Related, kind: str, record_id: int, actor: Actor) -> None:
    owner_field = kind  # "company" | "person"
    contact_table, address_table = ContactPoint, Address
    contacts = _contact_rows(related, owner_field, record_id)
    if contacts is not None:
        await contact_table.delete().where(getattr(contact_table, owner_field) == record_id)
        if contacts:
            await contact_table.insert(*contacts)
    addresses = _address_rows(related, owner_field, record_id)
    if addresses is not None:
        await address_table.delete().where(getattr(address_table, owner_field) == record_id)
        if addresses:
            await address_table.insert(*addresses)
    if related.tags is not None:
        link = CompanyTag if kind == "company" else PersonTag
        tag_ids = await _tag_ids(related.tags)
        await link.delete().where(getattr(link, kind) == record_id)
        if tag_ids:
            await link.insert(*(link(**{kind: record_id, "tag": tag_id}) for tag_id in tag_ids))
    if kind == "person" and related.employments is not None:
        await _replace_employments(record_id, related.employments, actor)


async def _replace_employments(person_id: int, items: Sequence[EmploymentInput], actor: Actor) -> None:
    company_ids = [item.company_id for item in items]
    if company_ids:
        reachable = {
            row["id"]
            for row in await Company.select(Company.id).where(
                Company.id.is_in(company_ids) & visible(Company, actor, COMPANY_READ)
            )
        }
        for index, item in enumerate(items):
            if item.company_id not in reachable:
                raise DomainError("NOT_FOUND", _("No such company."), ["input", "employments", str(index), "company"])
    await Employment.delete().where(Employment.person == person_id)
    unique = {item.company_id: item for item in items}
    if unique:
        await Employment.insert(
            *(
                Employment(
                    company=item.company_id,
                    person=person_id,
                    position=_text(item.position, ["input", "employments", str(index), "position"], limit=200),
                    is_primary=item.is_primary,
                )
                for index, item in enumerate(unique.values())
            )
        )


def _diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    return {key: [plain(before.get(key)), plain(value)] for key, value in after.items() if before.get(key) != value}


# --- companies ---------------------------------------------------------------------------------------
async def _nip_free(nip: str | None, path: list[str], except_id: int | None = None) -> None:
    if not nip:
        return
    query = Company.select(Company.id).where((Company.nip == nip) & Company.deleted_at.is_null())
    if except_id is not None:
        query = query.where(Company.id != except_id)
    if await query.first():
        raise DomainError("NIP_TAKEN", _("A company with this NIP is already in the file."), path)


@dataclass(frozen=True)
class RecordKind:
    """What differs between companies and persons; the rules below are the same for both."""

    name: str  # "company" | "person"
    table: Any
    write: str
    delete: str
    check: Callable[[dict[str, Any]], dict[str, Any]]
    sort_key: Callable[[Mapping[str, Any]], str]  # from the record's values, for Polish order
    name_fields: tuple[str, ...]
    created: Callable[[int], Event]
    updated: Callable[[int, dict[str, list[Any]]], Event]
    deleted: Callable[[int], Event]


COMPANY = RecordKind(
    "company",
    Company,
    COMPANY_WRITE,
    COMPANY_DELETE,
    _check_company_fields,
    lambda values: sort_key(values["name"]),
    ("name",),
    lambda i: CompanyCreated(company_id=i),
    lambda i, c: CompanyUpdated(company_id=i, changes=c),
    lambda i: CompanyDeleted(company_id=i),
)
PERSON = RecordKind(
    "person",
    Person,
    PERSON_WRITE,
    PERSON_DELETE,
    _check_person_fields,
    lambda values: person_sort_key(values["last_name"], values.get("first_name") or ""),
    ("last_name", "first_name"),
    lambda i: PersonCreated(person_id=i),
    lambda i, c: PersonUpdated(person_id=i, changes=c),
    lambda i: PersonDeleted(person_id=i),
)


def _default_owner(actor: Actor) -> int | None:
    return int(actor.id) if actor.kind == "staff" and actor.id and actor.id.isdecimal() else None


async def _locked_visible(
    runtime: Runtime, table: Any, record_id: int, actor: Actor, permission: str
) -> dict[str, Any]:
    query = table.select().where((table.id == record_id) & visible(table, actor, permission)).output(load_json=True)
    if runtime.settings.is_postgres:
        # NO KEY UPDATE, not UPDATE: rows that only reference the record (timeline entries, mail
        # logs) take KEY SHARE on it, and must not wait behind an edit; a job holding a mail row
        # while it logs on the timeline would otherwise deadlock with an unsubscribe cancelling it.
        query = query.lock_rows("NO KEY UPDATE", of=(table,))
    row = await query.first()
    if row is None:
        raise DomainError("NOT_FOUND", _("No such record, or it is outside your area."), ["id"])
    return row


async def create_record(
    runtime: Runtime,
    actor: Actor,
    kind: RecordKind,
    values: dict[str, Any],
    related: Related | None = None,
    *,
    owner_id: int | None = None,
    territory: str | None = None,
    custom: Mapping[str, Any] | None = None,
) -> int:
    if not actor.can(kind.write):
        raise DomainError("FORBIDDEN", _("You do not have the permission {permission}."), permission=kind.write)
    checked = kind.check(values)
    async with runtime.unit_of_work(actor) as uow:
        if kind is COMPANY:
            await _nip_free(checked.get("nip"), ["input", "nip"])
        owner = await _owner(owner_id, actor, ["input", "owner"]) if owner_id else _default_owner(actor)
        custom_values = await custom_fields.apply_patch(kind.name, {}, custom, creating=True)
        [row] = await kind.table.insert(
            kind.table(
                **checked,
                sort_name=kind.sort_key(checked),
                custom=custom_values,
                owner=owner,
                territory=await _territory(territory, ["input", "territory"]),
            )
        ).returning(kind.table.id)
        await _replace_related(related or Related(), kind.name, row["id"], actor)
        await uow.publish(kind.created(row["id"]))
    return row["id"]


async def update_record(
    runtime: Runtime,
    actor: Actor,
    kind: RecordKind,
    record_id: int,
    values: dict[str, Any],
    related: Related | None = None,
    *,
    owner_id: int | None = None,
    territory: str | None = None,
    custom: Mapping[str, Any] | None = None,
    clear_owner: bool = False,
) -> None:
    """``owner_id`` None keeps the owner, ``clear_owner`` removes it; ``territory`` "" removes it."""
    checked = kind.check(values)
    async with runtime.unit_of_work(actor) as uow:
        before = await _locked_visible(runtime, kind.table, record_id, actor, kind.write)
        if custom:
            checked["custom"] = await custom_fields.apply_patch(kind.name, before["custom"], custom, creating=False)
        if kind is COMPANY and "nip" in checked:
            await _nip_free(checked["nip"], ["input", "nip"], except_id=record_id)
        if owner_id is not None:
            checked["owner"] = await _owner(owner_id, actor, ["input", "owner"])
        elif clear_owner:
            checked["owner"] = None
        if territory is not None:
            checked["territory"] = await _territory(territory, ["input", "territory"])
        changes = _diff(before, checked)
        if changes:
            if any(name in changes for name in kind.name_fields):
                checked["sort_name"] = kind.sort_key({**before, **checked})
            await kind.table.update({**checked, "updated_at": datetime.now(UTC)}).where(kind.table.id == record_id)
        await _replace_related(related or Related(), kind.name, record_id, actor)
        await uow.publish(kind.updated(record_id, changes))


async def delete_record(runtime: Runtime, actor: Actor, kind: RecordKind, record_id: int) -> None:
    """Soft delete: the record leaves every list but stays for the audit trail and invoices."""
    async with runtime.unit_of_work(actor) as uow:
        await _locked_visible(runtime, kind.table, record_id, actor, kind.delete)
        await kind.table.update({kind.table.deleted_at: datetime.now(UTC)}).where(kind.table.id == record_id)
        await uow.publish(kind.deleted(record_id))


async def create_company(
    runtime: Runtime, actor: Actor, values: dict[str, Any], related: Related | None = None, **options: Any
) -> int:
    return await create_record(runtime, actor, COMPANY, values, related, **options)


async def update_company(
    runtime: Runtime,
    actor: Actor,
    company_id: int,
    values: dict[str, Any],
    related: Related | None = None,
    **options: Any,
) -> None:
    await update_record(runtime, actor, COMPANY, company_id, values, related, **options)


async def delete_company(runtime: Runtime, actor: Actor, company_id: int) -> None:
    await delete_record(runtime, actor, COMPANY, company_id)


async def create_person(
    runtime: Runtime, actor: Actor, values: dict[str, Any], related: Related | None = None, **options: Any
) -> int:
    return await create_record(runtime, actor, PERSON, values, related, **options)


async def update_person(
    runtime: Runtime,
    actor: Actor,
    person_id: int,
    values: dict[str, Any],
    related: Related | None = None,
    **options: Any,
) -> None:
    await update_record(runtime, actor, PERSON, person_id, values, related, **options)


async def delete_person(runtime: Runtime, actor: Actor, person_id: int) -> None:
    await delete_record(runtime, actor, PERSON, person_id)


# --- call centre -----------------------------------------------------------------------------------------
async def find_by_phone(actor: Actor, e164: str, limit: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Companies and persons visible to ``actor`` with this exact phone number."""
    matches = await ContactPoint.select(ContactPoint.company, ContactPoint.person).where(
        (ContactPoint.kind == "phone") & (ContactPoint.value == e164)
    )
    found = []
    for table, column, permission in ((Company, "company", COMPANY_READ), (Person, "person", PERSON_READ)):
        ids = sorted({row[column] for row in matches if row[column] is not None})
        if not ids or actor.scope_for(permission) is None:
            found.append([])
            continue
        found.append(
            await table.select()
            .where(table.id.is_in(ids) & visible(table, actor, permission))
            .order_by(table.id)
            .limit(limit)
            .output(load_json=True)
        )
    return found[0], found[1]
