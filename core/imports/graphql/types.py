"""CSV import over GraphQL: ``companiesImport`` and ``personsImport`` take the file as a multipart
upload (the GraphQL multipart request spec; the controller in core/app.py enables it) and run the
same import as ``kartoteka import`` (core/imports/services.py).

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
"""

import inspect
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.file_uploads import Upload

from core.access.graphql.types import attempt
from core.crm import services as crm
from core.crm.scoping import visible
from core.errors import DomainError
from core.graphql.errors import UserError
from core.graphql.permissions import mutation
from core.i18n import _
from core.imports import services as importer

READ_PERMISSION = {"company": crm.COMPANY_READ, "person": crm.PERSON_READ}


@strawberry.enum(description="What the import did with one row.")
class ImportRowStatus(Enum):
    CREATED = "created"
    SKIPPED = "skipped"
    FAILED = "failed"


@strawberry.input(description="Read a column of the file as a field (adds to the recognised headers).")
class ImportColumnInput:
    column: str = strawberry.field(description="The header of the column, as in the file.")
    field: str = strawberry.field(description="The field, e.g. name, nip, email, phone, last_name, company_nip.")


@strawberry.type(description="One row of the file (row 1 is the first row under the header).")
class ImportRow:
    row: int
    status: ImportRowStatus = strawberry.field(
        description="CREATED: a new record (on a dry run or a refused import: would be); SKIPPED: a duplicate "
        "of recordId, left as it is; FAILED: see errors."
    )
    record_id: relay.GlobalID | None = strawberry.field(
        description="The duplicate found or the record created; null until the import is kept, and for records "
        "outside your area."
    )
    errors: list[UserError] = strawberry.field(description="What is wrong with the row; field is its path.")


@strawberry.type(description="The outcome of an import: all rows kept, or none.")
class ImportPayload:
    committed: bool = strawberry.field(description="True when the rows were saved (no row failed, no dry run).")
    dry_run: bool
    created: int = strawberry.field(description="Rows that are new records (or would be, when nothing was kept).")
    skipped: int = strawberry.field(description="Rows that duplicate a record already in the file.")
    failed: int
    rows: list[ImportRow]
    user_errors: list[UserError] = strawberry.field(description="Problems with the file or the mapping as a whole.")


async def _content(file: Any, limit: int) -> bytes:
    if not hasattr(file, "read"):
        raise DomainError("FILE_REQUIRED", _("Send the CSV file as a multipart upload."), ["file"])
    data = file.read(limit + 1)
    data = await data if inspect.isawaitable(data) else data
    if len(data) > limit:
        raise DomainError(
            "FILE_TOO_LARGE",
            _("The file is larger than {limit} bytes (the KARTOTEKA_IMPORT_MAX_BYTES setting)."),
            ["file"],
            limit=limit,
        )
    if not data.strip():
        raise DomainError("EMPTY_FILE", _("The file is empty."), ["file"])
    return data


async def _visible_ids(actor: Any, kind: crm.RecordKind, ids: set[int]) -> set[int]:
    permission = READ_PERMISSION[kind.name]
    if not ids or actor.scope_for(permission) is None:
        return set()
    table = kind.table
    rows = await table.select(table.id).where(table.id.is_in(sorted(ids)) & visible(table, actor, permission))
    return {row["id"] for row in rows}


async def run_import(
    info: strawberry.Info,
    target: importer.Target,
    file: Any,
    mapping: list[ImportColumnInput] | None,
    dry_run: bool,
) -> ImportPayload:
    ctx = info.context

    async def run() -> importer.ImportReport:
        data = await _content(file, ctx.runtime.settings.import_max_bytes)
        headers, rows = importer.read_csv(importer.decode(data))
        columns = importer.guess_mapping(headers, target)
        for item in mapping or []:
            columns[item.column] = item.field
        importer.check_mapping(columns, headers, target)
        return await importer.import_rows(ctx.runtime, ctx.actor, target, rows, columns, dry_run=dry_run)

    report, errors = await attempt(run())
    if report is None:
        return ImportPayload(
            committed=False, dry_run=dry_run, created=0, skipped=0, failed=0, rows=[], user_errors=errors
        )
    shown = await _visible_ids(ctx.actor, target.kind, {o.record_id for o in report.outcomes if o.record_id})
    problems: dict[int, list[UserError]] = {}
    for problem in report.problems:
        problems.setdefault(problem.row, []).append(
            UserError(field=problem.field[1:], code=problem.code, template=problem.template, params=problem.params)
        )
    type_name = target.kind.name.capitalize()
    rows = [
        ImportRow(
            row=outcome.row,
            status=ImportRowStatus(outcome.status),
            record_id=relay.GlobalID(type_name, str(outcome.record_id)) if outcome.record_id in shown else None,
            errors=problems.get(outcome.row, []),
        )
        for outcome in report.outcomes
    ]
    counts = {status: sum(1 for o in report.outcomes if o.status == status.value) for status in ImportRowStatus}
    return ImportPayload(
        committed=report.committed,
        dry_run=dry_run,
        created=counts[ImportRowStatus.CREATED],
        skipped=counts[ImportRowStatus.SKIPPED],
        failed=counts[ImportRowStatus.FAILED],
        rows=rows,
        user_errors=[],
    )


Mapping = Annotated[
    list[ImportColumnInput] | None,
    strawberry.argument(description="Columns to read as fields, besides the recognised Polish and English headers."),
]
DryRun = Annotated[bool, strawberry.argument(description="Check every row and report, but keep nothing.")]


def _import_mutation(target: importer.Target, permission: str, description: str) -> Any:
    async def resolve(
        info: strawberry.Info, file: Upload, mapping: Mapping = None, dry_run: DryRun = False
    ) -> ImportPayload:
        return await run_import(info, target, file, mapping, dry_run)

    return mutation(resolve, permission=permission, description=description)


@strawberry.type
class ImportMutation:
    companies_import = _import_mutation(
        importer.COMPANIES,
        crm.COMPANY_WRITE,
        "Import companies from a CSV file (all rows or none; duplicates by NIP, e-mail, phone skipped).",
    )
    persons_import = _import_mutation(
        importer.PERSONS,
        crm.PERSON_WRITE,
        "Import persons from a CSV file (all rows or none; duplicates by e-mail, phone skipped; "
        "a company column links each person to an existing company by NIP or exact name).",
    )
