"""The delta-sync root query: the changes to records the caller may see.

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
"""

import strawberry

from core.access.graphql.types import maximum
from core.crm import sync
from core.crm.graphql.sync.types import (
    Change,
    ChangeOperation,
    ChangeSet,
    SyncEntity,
    _encode_sync_cursor,
    _sync_cursor,
    _sync_id,
)
from core.graphql.pagination import page_size
from core.graphql.permissions import AUTHENTICATED, field


@strawberry.type
class SyncQuery:
    @field(
        permission=AUTHENTICATED,
        description=(
            "What changed since `since` among the records you may see, in order. Without `since` (a first"
            " sync) it starts with every record you may see as it is now (SNAPSHOT), then the changes."
        ),
    )
    async def changes(
        self,
        info: strawberry.Info,
        since: str | None = None,
        entities: list[SyncEntity] | None = None,
        first: int | None = None,
    ) -> ChangeSet:
        kinds = [e.value for e in (entities or list(SyncEntity))]
        position, snapshot = _sync_cursor(since, kinds)
        limit = page_size(first, maximum(info))
        actor = info.context.actor
        result: list[Change] = []
        if position is None:  # a first sync: the log position is taken before the first record is read
            position = await sync.log_position()
        if snapshot is not None:
            rows = await sync.snapshot(actor, kinds, snapshot if snapshot[0] else None, limit + 1)
            result = [
                Change(
                    operation=ChangeOperation.SNAPSHOT,
                    entity=SyncEntity(row["entity_type"]),
                    id=_sync_id(row["entity_type"], row["entity_id"]),
                    merged_into=None,
                    occurred_at=row["occurred_at"],
                    entity_id=row["entity_id"],
                )
                for row in rows[:limit]
            ]
            if len(rows) > limit:
                last = rows[limit - 1]
                cursor = _encode_sync_cursor(position, (last["entity_type"], last["entity_id"]))
                return ChangeSet(changes=result, cursor=cursor, has_more=True)
            limit -= len(result)
        more = False
        if limit > 0:
            rows, position, more = await sync.changes(actor, position, kinds, limit)
            result += [
                Change(
                    operation=ChangeOperation(sync.operation(row["event"])),
                    entity=SyncEntity(row["entity_type"]),
                    id=_sync_id(row["entity_type"], row.get("loser_id") or row["entity_id"]),
                    merged_into=_sync_id(row["entity_type"], row["entity_id"]) if row.get("loser_id") else None,
                    occurred_at=row["occurred_at"],
                    entity_id=row["entity_id"],
                )
                for row in rows
            ]
        else:
            more = True
        return ChangeSet(changes=result, cursor=_encode_sync_cursor(position, None), has_more=more)
