"""GraphQL types of delta sync: changes and the cursor to ask for the next batch.

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
"""

import base64
import json
from datetime import datetime
from enum import Enum

import strawberry
from strawberry import relay

from core.crm import sync
from core.crm.graphql.types import CompanyRef, PersonRef
from core.graphql.keyset import encode_key
from core.graphql.pagination import bad_cursor


# --- delta sync ----------------------------------------------------------------------------------------
@strawberry.enum
class SyncEntity(Enum):
    COMPANY = "company"
    PERSON = "person"


@strawberry.enum
class ChangeOperation(Enum):
    CREATED = "CREATED"
    UPDATED = "UPDATED"
    DELETED = "DELETED"
    MERGED = strawberry.enum_value(
        "MERGED", description="`id` was merged into `mergedInto`: drop `id`; the survivor rides along."
    )
    SNAPSHOT = strawberry.enum_value(
        "SNAPSHOT", description="A first sync (`since: null`): the record as it is now, before the changes."
    )


def _sync_id(entity: str, record_id: int) -> relay.GlobalID:
    return relay.GlobalID("Company" if entity == "company" else "Person", str(record_id))


@strawberry.type(description="One change to a record the caller may see.")
class Change:
    operation: ChangeOperation
    entity: SyncEntity
    id: relay.GlobalID = strawberry.field(
        description="The record's global id; for MERGED the id merged away, which the client drops."
    )
    merged_into: relay.GlobalID | None = strawberry.field(
        description="For MERGED: the record that `id` became (its current state is in `company` / `person`)."
    )
    occurred_at: datetime
    entity_id: strawberry.Private[int]

    @strawberry.field(
        description="The company as it is now (for MERGED, the survivor); null when deleted or not a company."
    )
    async def company(self, info: strawberry.Info) -> CompanyRef | None:
        if self.entity != SyncEntity.COMPANY or self.operation == ChangeOperation.DELETED:
            return None
        return await info.context.loaders["core.company"].load(self.entity_id)

    @strawberry.field(
        description="The person as they are now (for MERGED, the survivor); null when deleted or not a person."
    )
    async def person(self, info: strawberry.Info) -> PersonRef | None:
        if self.entity != SyncEntity.PERSON or self.operation == ChangeOperation.DELETED:
            return None
        return await info.context.loaders["core.person"].load(self.entity_id)


@strawberry.type(description="A batch of changes and the cursor to ask for the next one.")
class ChangeSet:
    changes: list[Change]
    cursor: str = strawberry.field(description="Pass it as `since` next time (also when nothing changed).")
    has_more: bool


def _sync_cursor(since: str | None, entities: list[str]) -> tuple[sync.Position | None, tuple[str, int] | None]:
    """``(log position, snapshot position)``: a feed cursor has no snapshot position; a snapshot
    cursor names the entity and id it stopped after (``("", 0)``: not started). Cursors handed out
    before the log was read by transaction carry only the audit id: transaction 0, as those rows."""
    if since is None:
        return None, ("", 0)
    try:
        decoded = json.loads(base64.urlsafe_b64decode(since.encode()))
    except (ValueError, UnicodeDecodeError):
        raise bad_cursor() from None
    match decoded:
        case ["k", int(position)] if position >= 0:
            return (0, position), None
        case ["k", int(txid), int(position)] if txid >= 0 and position >= 0:
            return (txid, position), None
        case ["s", int(position), str(entity), int(last)] if position >= 0 and entity in ("", *entities):
            return (0, position), (entity, last)
        case ["s", [int(txid), int(position)], str(entity), int(last)] if (
            txid >= 0 and position >= 0 and entity in ("", *entities)
        ):
            return (txid, position), (entity, last)
    raise bad_cursor()


def _encode_sync_cursor(position: sync.Position, snapshot: tuple[str, int] | None) -> str:
    if snapshot is None:
        return encode_key(list(position))
    return base64.urlsafe_b64encode(json.dumps(["s", list(position), *snapshot]).encode()).decode()
