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

from core.crm import services as crm
from core.crm.scoping import visible
from core.errors import DomainError
from core.graphql.errors import UserError
from core.i18n import _

READ_PERMISSION = {"company": crm.COMPANY_READ, "person": crm.PERSON_READ}


@strawberry.enum(description="What the import did with one row.")
class ImportRowStatus(Enum):
    CREATED = "created"
    SKIPPED = "skipped"
    FAILED = "failed"


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


DryRun = Annotated[bool, strawberry.argument(description="Check every row and report, but keep nothing.")]
