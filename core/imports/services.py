"""CSV import of companies and persons (MISSION F10): column mapping, dry run, a report per row,
deduplication (companies by NIP, e-mail and phone; persons by e-mail and phone), and all or nothing.

Every row goes through the same services as the API (same validation, events, audit, search
index). The whole file is one transaction with a savepoint per row, so a bad row is reported
and the rest still checked; if any row fails — or on a dry run — nothing is kept.

What differs between companies and persons is one :class:`Target` (fields, known headers, how a
duplicate is found, how a row becomes a record); reading, mapping and the run are shared.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from core.crm import services as crm
from core.crm.scoping import visible
from core.crm.tables import Company, ContactPoint
from core.errors import DomainError
from core.i18n import _
from core.validation import normalise_email, normalise_nip, phone_search_key

if TYPE_CHECKING:
    from core.auth import Actor
    from core.runtime import Runtime

TAG_SEPARATOR = "|"
Status = Literal["created", "skipped", "failed"]


@dataclass
class RowProblem:
    row: int  # 1 = the first data row (the header is row 0)
    field: list[str]  # [row number, *path of the field]
    code: str
    message: str  # in English, for the CLI and logs
    template: str = ""  # the message template and parameters, to translate for a request
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class RowOutcome:
    row: int
    status: Status  # created (or would be, on a dry run) / skipped as a duplicate / failed
    record_id: int | None  # the duplicate found, or the new record once committed


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    matched: list[tuple[int, int]] = field(default_factory=list)  # (row, existing record id)
    problems: list[RowProblem] = field(default_factory=list)
    outcomes: list[RowOutcome] = field(default_factory=list)
    committed: bool = False


@dataclass(frozen=True)
class Target:
    """What is imported: companies or persons."""

    kind: crm.RecordKind
    fields: tuple[str, ...]
    known_headers: Mapping[str, str]  # header folded to lower case → field
    required: str  # the field some column must map to
    required_message: str
    find: Callable[[Actor, Mapping[str, str]], Awaitable[int | None]]  # an existing duplicate
    create: Callable[[Runtime, Actor, Mapping[str, str]], Awaitable[int]]


# --- reading and mapping --------------------------------------------------------------------------
def decode(data: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes), else Windows-1250, which older Polish
    spreadsheets still save as "CSV"."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1250", errors="replace")


def read_csv(text: str) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows; the delimiter (``;`` from Polish spreadsheets, or ``,``) is detected."""
    sample = text[:4096]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    rows = [dict(row) for row in reader]
    return list(reader.fieldnames or []), rows


def guess_mapping(headers: Iterable[str], target: Target | None = None) -> dict[str, str]:
    known = (target or COMPANIES).known_headers
    return {header: known[header.strip().lower()] for header in headers if header.strip().lower() in known}


def check_mapping(mapping: Mapping[str, str], headers: Iterable[str], target: Target | None = None) -> None:
    target = target or COMPANIES
    headers = set(headers)
    for header, name in mapping.items():
        if header not in headers:
            raise DomainError(
                "UNKNOWN_COLUMN", _("The file has no column {column}."), ["mapping", header], column=header
            )
        if name not in target.fields:
            raise DomainError(
                "INVALID_CHOICE",
                _("Allowed values: {allowed}."),
                ["mapping", header],
                allowed=", ".join(target.fields),
            )
    if target.required not in mapping.values():
        raise DomainError(f"{target.required.upper()}_REQUIRED", target.required_message, ["mapping"])


def _mapped(row: Mapping[str, str], mapping: Mapping[str, str]) -> dict[str, str]:
    return {name: (row.get(header) or "").strip() for header, name in mapping.items()}


def _problem(runtime: Runtime, number: int, error: DomainError) -> RowProblem:
    path = error.field[1:] if error.field[:1] in (["input"], ["row"]) else error.field
    return RowProblem(
        row=number,
        field=[str(number), *path],
        code=error.code,
        message=runtime.translator.text("en", error.message, error.params),
        template=error.message,
        params=dict(error.params),
    )


# --- the run ------------------------------------------------------------------------------------------
async def import_rows(
    runtime: Runtime,
    actor: Actor,
    target: Target,
    rows: list[dict[str, str]],
    mapping: Mapping[str, str],
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    report = ImportReport(rows=len(rows))

    class Rollback(Exception):
        pass

    try:
        async with runtime.unit_of_work(actor) as uow:
            for number, raw in enumerate(rows, start=1):
                values = _mapped(raw, mapping)
                try:
                    async with uow.savepoint():
                        existing = await target.find(actor, values)
                        if existing is not None:
                            report.matched.append((number, existing))
                            report.outcomes.append(RowOutcome(number, "skipped", existing))
                        else:
                            created = await target.create(runtime, actor, values)
                            report.created += 1
                            report.outcomes.append(RowOutcome(number, "created", created))
                except DomainError as error:
                    report.problems.append(_problem(runtime, number, error))
                    report.outcomes.append(RowOutcome(number, "failed", None))
                if progress:
                    progress(1)
            if report.problems or dry_run:
                raise Rollback
            report.committed = True
    except Rollback:
        report.created = 0 if report.problems else report.created
        for outcome in report.outcomes:  # the new records were rolled back: their ids mean nothing
            if outcome.status == "created":
                outcome.record_id = None
    return report


async def import_companies(
    runtime: Runtime, actor: Actor, rows: list[dict[str, str]], mapping: Mapping[str, str], **options: Any
) -> ImportReport:
    return await import_rows(runtime, actor, COMPANIES, rows, mapping, **options)


async def import_persons(
    runtime: Runtime, actor: Actor, rows: list[dict[str, str]], mapping: Mapping[str, str], **options: Any
) -> ImportReport:
    return await import_rows(runtime, actor, PERSONS, rows, mapping, **options)


# --- duplicates -----------------------------------------------------------------------------------------
async def _by_contact(owner: str, values: Mapping[str, str]) -> int | None:
    """A live company or person (``owner``) with the row's e-mail, else its phone."""
    for kind, value in (("email", values.get("email")), ("phone", values.get("phone"))):
        if not value:
            continue
        normalised = normalise_email(value, ["input", kind]) if kind == "email" else phone_search_key(value)
        if normalised is None:
            continue
        column = getattr(ContactPoint, owner)
        found = (
            await ContactPoint.select(column)
            .where(
                (ContactPoint.kind == kind)
                & (ContactPoint.value == normalised)
                & column.is_not_null()
                & column.deleted_at.is_null()
            )
            .first()
        )
        if found:
            return found[owner]
    return None


async def _company_by_nip(nip: str, path: list[str]) -> int | None:
    found = (
        await Company.select(Company.id)
        .where((Company.nip == normalise_nip(nip, path)) & Company.deleted_at.is_null())
        .first()
    )
    return found["id"] if found else None


async def _existing_company(actor: Actor, values: Mapping[str, str]) -> int | None:
    """An existing live company with the row's NIP, e-mail or phone (in that order of trust)."""
    if values.get("nip"):
        found = await _company_by_nip(values["nip"], ["input", "nip"])
        if found:
            return found
    return await _by_contact("company", values)


async def _existing_person(actor: Actor, values: Mapping[str, str]) -> int | None:
    return await _by_contact("person", values)


# --- rows to records ------------------------------------------------------------------------------------
def _contacts(values: Mapping[str, str]) -> dict[str, Any]:
    return {
        "emails": [crm.ContactInput(value=values["email"], is_primary=True)] if values.get("email") else None,
        "phones": [crm.ContactInput(value=values["phone"], is_primary=True)] if values.get("phone") else None,
        "tags": [tag.strip() for tag in values["tags"].split(TAG_SEPARATOR)] if values.get("tags") else None,
    }


async def _create_company(runtime: Runtime, actor: Actor, values: Mapping[str, str]) -> int:
    columns: dict[str, Any] = {
        key: values[key] for key in ("name", "nip", "regon", "website", "classification") if values.get(key)
    }
    for key in ("kind", "lifecycle"):
        if values.get(key):
            columns[key] = values[key].lower()
    related = crm.Related(
        **_contacts(values),
        addresses=[
            crm.AddressInput(
                street=values.get("street", ""),
                postal_code=values.get("postal_code", ""),
                city=values.get("city", ""),
                country=values.get("country") or "PL",
            )
        ]
        if any(values.get(key) for key in ("street", "postal_code", "city"))
        else None,
    )
    return await crm.create_record(runtime, actor, crm.COMPANY, columns, related, territory=values.get("territory"))


async def _employer(actor: Actor, values: Mapping[str, str]) -> int | None:
    """The company a person works for: by NIP if the row has one, else by exact name; only among
    the companies the importing user may see."""
    nip, name = values.get("company_nip"), values.get("company")
    if not nip and not name:
        return None
    query = Company.select(Company.id).where(visible(Company, actor, crm.COMPANY_READ))
    if nip:
        path = ["input", "companyNip"]
        query = query.where(Company.nip == normalise_nip(nip, path))
    else:
        path = ["input", "company"]
        query = query.where(Company.name == name)
    found = await query.limit(2)
    if not found:
        raise DomainError(
            "UNKNOWN_COMPANY", _("There is no company {company} in your area."), path, company=nip or name
        )
    if len(found) > 1:
        raise DomainError(
            "AMBIGUOUS_COMPANY",
            _("More than one company is called {company}; give its NIP instead."),
            path,
            company=name,
        )
    return found[0]["id"]


async def _create_person(runtime: Runtime, actor: Actor, values: Mapping[str, str]) -> int:
    columns = {key: values[key] for key in ("first_name", "last_name") if key in values}
    employer = await _employer(actor, values)
    related = crm.Related(
        **_contacts(values),
        employments=[crm.EmploymentInput(company_id=employer, position=values.get("position", ""), is_primary=True)]
        if employer is not None
        else None,
    )
    return await crm.create_record(runtime, actor, crm.PERSON, columns, related, territory=values.get("territory"))


# Headers people actually use, Polish and English, folded to lower case.
COMMON_HEADERS = {
    "e-mail": "email",
    "email": "email",
    "telefon": "phone",
    "phone": "phone",
    "tagi": "tags",
    "tags": "tags",
    "region": "territory",
    "teren": "territory",
    "territory": "territory",
}
COMPANIES = Target(
    kind=crm.COMPANY,
    fields=(
        "name",
        "nip",
        "regon",
        "kind",
        "lifecycle",
        "website",
        "email",
        "phone",
        "street",
        "postal_code",
        "city",
        "country",
        "tags",
        "territory",
        "classification",
    ),
    known_headers={
        **COMMON_HEADERS,
        "nazwa": "name",
        "firma": "name",
        "name": "name",
        "company": "name",
        "nip": "nip",
        "vat id": "nip",
        "regon": "regon",
        "rodzaj": "kind",
        "kind": "kind",
        "etap": "lifecycle",
        "lifecycle": "lifecycle",
        "www": "website",
        "strona": "website",
        "website": "website",
        "ulica": "street",
        "adres": "street",
        "street": "street",
        "kod pocztowy": "postal_code",
        "kod": "postal_code",
        "postal code": "postal_code",
        "miasto": "city",
        "miejscowość": "city",
        "city": "city",
        "kraj": "country",
        "country": "country",
        "segmenty": "tags",
        "klasyfikacja": "classification",
        "classification": "classification",
    },
    required="name",
    required_message=_("Map one column to the company name."),
    find=_existing_company,
    create=_create_company,
)
PERSONS = Target(
    kind=crm.PERSON,
    fields=("first_name", "last_name", "email", "phone", "position", "company", "company_nip", "tags", "territory"),
    known_headers={
        **COMMON_HEADERS,
        "imię": "first_name",
        "imie": "first_name",
        "first name": "first_name",
        "firstname": "first_name",
        "given name": "first_name",
        "nazwisko": "last_name",
        "last name": "last_name",
        "lastname": "last_name",
        "surname": "last_name",
        "family name": "last_name",
        "adres e-mail": "email",
        "tel.": "phone",
        "komórka": "phone",
        "mobile": "phone",
        "stanowisko": "position",
        "position": "position",
        "job title": "position",
        "firma": "company",
        "nazwa firmy": "company",
        "pracodawca": "company",
        "company": "company",
        "employer": "company",
        "nip": "company_nip",
        "nip firmy": "company_nip",
        "company nip": "company_nip",
        "vat id": "company_nip",
    },
    required="last_name",
    required_message=_("Map one column to the last name."),
    find=_existing_person,
    create=_create_person,
)
TARGETS = {"companies": COMPANIES, "persons": PERSONS}
