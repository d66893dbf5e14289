"""Delta sync for field reps (MISSION F11): what changed since a cursor, among the records the
caller may see, in order and resumable. Built on the audit log, which records every change made
through the services with its record.

A first sync (no cursor) cannot rely on the log: the demo data, imports and restores write rows
in bulk, without an event per row. It starts with a snapshot of every visible record as it is
now, paged by id, and then continues with the log after the position it had when the snapshot
began, so anything changed meanwhile arrives again as a change.

The log is read in commit order, without gaps. On PostgreSQL an audit id is taken when the row
is inserted, not when it commits, so a reader that went past id N could later miss a slower
transaction's row below N. So the feed is ordered by (writing transaction id, audit id) and only
returns rows of transactions older than every transaction still running (the snapshot's xmin):
those are all committed or gone, and whatever commits later has a greater transaction id, so it
sorts after the cursor. A long transaction holds the feed back until it ends. SQLite has a single
writer: ids are in commit order and the transaction id is 0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from piccolo.columns.combination import WhereRaw

from core.crm.scoping import visible
from core.crm.tables import Company, Person
from core.db.engine import is_sqlite
from core.db.tables import AuditEntry

if TYPE_CHECKING:
    from core.auth import Actor

ENTITIES = {"company": (Company, "core.company.read"), "person": (Person, "core.person.read")}
OPERATIONS = {
    "created": "CREATED",
    "updated": "UPDATED",
    "deleted": "DELETED",
    "merged": "MERGED",
}
MERGED_EVENTS = {"company": "core.company_merged", "person": "core.person_merged"}


def operation(event: str) -> str:
    return OPERATIONS.get(event.rsplit("_", 1)[-1], "UPDATED")


Position = tuple[int, int]  # (writing transaction id, audit id) of the last entry read
# Transactions below it have all ended: their entries are all visible (PostgreSQL only).
FINISHED = "pg_snapshot_xmin(pg_current_snapshot())::text::bigint"


def _postgres() -> bool:
    return not is_sqlite(AuditEntry._meta.db)


async def log_position() -> Position:
    """Where the feed continues after a snapshot taken now: after every entry already committed."""
    if _postgres():
        rows = await AuditEntry.raw(f"SELECT {FINISHED} AS xmin")
        return rows[0]["xmin"], 0  # what running transactions write comes after: (xmin, any id)
    rows = await AuditEntry.select(AuditEntry.id).order_by(AuditEntry.id, ascending=False).limit(1)
    return 0, rows[0]["id"] if rows else 0


async def snapshot(
    actor: Actor, entities: list[str], after: tuple[str, int] | None, limit: int
) -> list[dict[str, Any]]:
    """Visible live records of ``entities`` (in that order, each by id) after ``(entity, id)``."""
    rows: list[dict[str, Any]] = []
    started = after is None
    for entity in entities:
        if not started and after is not None and entity != after[0]:
            continue
        table, permission = ENTITIES[entity]
        last_id = after[1] if not started and after is not None else 0
        started = True
        if actor.scope_for(permission) is None:
            continue
        found = await (
            table.select(table.id, table.updated_at)
            .where(visible(table, actor, permission) & (table.id > last_id))
            .order_by(table.id)
            .limit(limit - len(rows))
        )
        rows += [{"entity_type": entity, "entity_id": row["id"], "occurred_at": row["updated_at"]} for row in found]
        if len(rows) >= limit:
            break
    return rows


async def changes(
    actor: Actor, since: Position, entities: list[str], limit: int
) -> tuple[list[dict[str, Any]], Position, bool]:
    """Audit entries after ``since`` about visible records of ``entities``, oldest first, with
    the position of the last entry examined (the next cursor) and whether more may follow.

    Several entries about one record stay separate: a client applying them in order ends in
    the same state, and a cursor in the middle loses nothing. A merge is reported with the
    loser's id (``loser_id``) to whoever could see the winner or the loser, so a laptop that
    holds the loser drops it.
    """
    conditions = []
    for entity in entities:
        table, permission = ENTITIES[entity]
        if actor.scope_for(permission) is None:
            continue
        reachable = table.select(table.id).where(visible(table, actor, permission, include_deleted=True))
        # Merges are rare: take them all here, and keep those whose winner or loser is visible below.
        about = AuditEntry.entity_id.is_in(reachable) | (AuditEntry.event == MERGED_EVENTS[entity])
        conditions.append((AuditEntry.entity_type == entity) & about)
    if not conditions:
        return [], since, False
    where = conditions[0]
    for condition in conditions[1:]:
        where = where | condition
    txid, last_id = since
    where = where & ((AuditEntry.txid > txid) | ((AuditEntry.txid == txid) & (AuditEntry.id > last_id)))
    if _postgres():
        where = where & WhereRaw(f"txid < {FINISHED}")
    rows = await (
        AuditEntry.select(
            AuditEntry.id,
            AuditEntry.txid,
            AuditEntry.event,
            AuditEntry.entity_type,
            AuditEntry.entity_id,
            AuditEntry.occurred_at,
            AuditEntry.payload,
        )
        .where(where)
        .order_by(AuditEntry.txid, AuditEntry.id)
        .limit(limit + 1)
        .output(load_json=True)
    )
    more = len(rows) > limit
    rows = rows[:limit]
    last = (rows[-1]["txid"], rows[-1]["id"]) if rows else since
    return await _visible_merges(actor, rows), last, more


async def _visible_merges(actor: Actor, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    kept = []
    for row in rows:
        if row["event"] == MERGED_EVENTS.get(row["entity_type"]):
            row["loser_id"] = (row["payload"] or {}).get("loser_id")
        kept.append(row)
    for entity, (table, permission) in ENTITIES.items():
        merges = [row for row in kept if row.get("loser_id") is not None and row["entity_type"] == entity]
        if not merges:
            continue
        ids = {row["entity_id"] for row in merges} | {row["loser_id"] for row in merges}
        seen = {
            row["id"]
            for row in await table.select(table.id).where(
                table.id.is_in(sorted(ids)) & visible(table, actor, permission, include_deleted=True)
            )
        }
        hidden = {row["id"] for row in merges if not {row["entity_id"], row["loser_id"]} & seen}
        kept = [row for row in kept if row["id"] not in hidden]
    return kept
