"""The mutations of the CSV import, with their inputs and payloads."""

from typing import Annotated, Any

import strawberry
from strawberry import relay
from strawberry.file_uploads import Upload

from core.access.graphql.types import attempt
from core.crm import services as crm
from core.graphql.errors import UserError
from core.graphql.permissions import mutation
from core.imports import services as importer
from core.imports.graphql.types import DryRun, ImportRow, ImportRowStatus, _content, _visible_ids


@strawberry.input(description="Read a column of the file as a field (adds to the recognised headers).")
class ImportColumnInput:
    column: str = strawberry.field(description="The header of the column, as in the file.")
    field: str = strawberry.field(description="The field, e.g. name, nip, email, phone, last_name, company_nip.")


@strawberry.type(description="The outcome of an import: all rows kept, or none.")
class ImportPayload:
    committed: bool = strawberry.field(description="True when the rows were saved (no row failed, no dry run).")
    dry_run: bool
    created: int = strawberry.field(description="Rows that are new records (or would be, when nothing was kept).")
    skipped: int = strawberry.field(description="Rows that duplicate a record already in the file.")
    failed: int
    rows: list[ImportRow]
    user_errors: list[UserError] = strawberry.field(description="Problems with the file or the mapping as a whole.")


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
