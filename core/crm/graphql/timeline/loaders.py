"""Per-request dataloaders of the client timeline.

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
"""

from typing import Any

import msgspec

from core.crm import tables as db
from core.crm.graphql.loaders import _grouped
from core.crm.graphql.timeline.types import TimelineEntryType
from core.db.fetch import fetch


async def load_last_activity(keys: list[tuple[str, int]], context: Any) -> list[TimelineEntryType | None]:
    """The newest entry per company or person: one windowed statement per kind of subject."""
    found: dict[tuple[str, int], TimelineEntryType] = {}
    for kind, ids in _grouped(keys).items():
        if not ids:
            continue
        column = {"company": "company", "person": "person"}[kind]  # never a caller's string in SQL
        placeholders = ", ".join("{}" for _id in ids)
        # One index probe per subject (subject, occurred_at DESC, id DESC) rather than reading
        # and ranking every entry of every subject on the page.
        rows = await fetch(
            db.TimelineEntry,
            "SELECT * FROM core_timeline_entry WHERE id IN (SELECT (SELECT x.id FROM core_timeline_entry x"
            f" WHERE x.{column} = s.id ORDER BY x.occurred_at DESC, x.id DESC LIMIT 1)"
            f" FROM core_{column} s WHERE s.id IN ({placeholders}))",
            *ids,
        )
        for record in rows:
            row = dict(record)
            row["data"] = row["data"] if isinstance(row["data"], dict) else msgspec.json.decode(row["data"] or "{}")
            found[(kind, row[kind])] = TimelineEntryType.from_row(row)
    return [found.get(key) for key in keys]
