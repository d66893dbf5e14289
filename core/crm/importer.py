"""CSV import of companies (MISSION F10): column mapping, dry run, a report per row,
deduplication by NIP, e-mail and phone, and all or nothing.

Every row goes through the same services as the API (same validation, events, audit, search
index). The whole file is one transaction with a savepoint per row, so a bad row is reported
and the rest still checked; if any row fails — or on a dry run — nothing is kept.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.crm import services as crm
from core.crm.tables import Company, ContactPoint
from core.errors import DomainError
from core.i18n import _
from core.validation import normalise_email, normalise_nip, phone_search_key

if TYPE_CHECKING:
    from core.auth import Actor
    from core.runtime import Runtime

FIELDS = (
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
)
# Headers people actually use, Polish and English, folded to lower case.
KNOWN_HEADERS = {
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
    "e-mail": "email",
    "email": "email",
    "telefon": "phone",
    "phone": "phone",
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
    "tagi": "tags",
    "tags": "tags",
    "segmenty": "tags",
    "region": "territory",
    "teren": "territory",
    "territory": "territory",
    "klasyfikacja": "classification",
    "classification": "classification",
}
TAG_SEPARATOR = "|"


@dataclass
class RowProblem:
    row: int  # 1 = the first data row (the header is row 0)
    field: list[str]
    code: str
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    matched: list[tuple[int, int]] = field(default_factory=list)  # (row, existing company id)
    problems: list[RowProblem] = field(default_factory=list)
    committed: bool = False


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


def guess_mapping(headers: Iterable[str]) -> dict[str, str]:
    return {
        header: KNOWN_HEADERS[header.strip().lower()] for header in headers if header.strip().lower() in KNOWN_HEADERS
    }


def check_mapping(mapping: Mapping[str, str], headers: Iterable[str]) -> None:
    headers = set(headers)
    for header, target in mapping.items():
        if header not in headers:
            raise DomainError(
                "UNKNOWN_COLUMN", _("The file has no column {column}."), ["mapping", header], column=header
            )
        if target not in FIELDS:
            raise DomainError(
                "INVALID_CHOICE", _("Allowed values: {allowed}."), ["mapping", header], allowed=", ".join(FIELDS)
            )
    if "name" not in mapping.values():
        raise DomainError("NAME_REQUIRED", _("Map one column to the company name."), ["mapping"])


def _mapped(row: Mapping[str, str], mapping: Mapping[str, str]) -> dict[str, str]:
    return {target: (row.get(header) or "").strip() for header, target in mapping.items()}


async def _existing(values: Mapping[str, str]) -> int | None:
    """An existing live company with the row's NIP, e-mail or phone (in that order of trust)."""
    path = ["input"]
    if values.get("nip"):
        found = (
            await Company.select(Company.id)
            .where((Company.nip == normalise_nip(values["nip"], [*path, "nip"])) & Company.deleted_at.is_null())
            .first()
        )
        if found:
            return found["id"]
    for kind, value in (("email", values.get("email")), ("phone", values.get("phone"))):
        if not value:
            continue
        normalised = normalise_email(value, [*path, kind]) if kind == "email" else phone_search_key(value)
        if normalised is None:
            continue
        found = (
            await ContactPoint.select(ContactPoint.company)
            .where(
                (ContactPoint.kind == kind)
                & (ContactPoint.value == normalised)
                & ContactPoint.company.is_not_null()
                & ContactPoint.company.deleted_at.is_null()
            )
            .first()
        )
        if found:
            return found["company"]
    return None


async def import_companies(
    runtime: Runtime,
    actor: Actor,
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
                        existing = await _existing(values)
                        if existing is not None:
                            report.matched.append((number, existing))
                        else:
                            await _create(runtime, actor, values)
                            report.created += 1
                except DomainError as error:
                    field_path = (
                        [str(number), *error.field[1:]]
                        if error.field[:1] in (["input"], ["row"])
                        else [str(number), *error.field]
                    )
                    report.problems.append(
                        RowProblem(
                            row=number,
                            field=field_path,
                            code=error.code,
                            message=runtime.translator.text("en", error.message, error.params),
                        )
                    )
                if progress:
                    progress(1)
            if report.problems or dry_run:
                raise Rollback
            report.committed = True
    except Rollback:
        report.created = 0 if report.problems else report.created
    return report


async def _create(runtime: Runtime, actor: Actor, values: Mapping[str, str]) -> int:
    columns: dict[str, Any] = {
        key: values[key] for key in ("name", "nip", "regon", "website", "classification") if values.get(key)
    }
    for key in ("kind", "lifecycle"):
        if values.get(key):
            columns[key] = values[key].lower()
    related = crm.Related(
        emails=[crm.ContactInput(value=values["email"], is_primary=True)] if values.get("email") else None,
        phones=[crm.ContactInput(value=values["phone"], is_primary=True)] if values.get("phone") else None,
        tags=[tag.strip() for tag in values["tags"].split(TAG_SEPARATOR)] if values.get("tags") else None,
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
    return await crm.create_company(runtime, actor, columns, related, territory=values.get("territory") or None)
