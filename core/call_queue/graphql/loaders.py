"""Per-request dataloaders of the call queue."""

from typing import Any

from core.crm.graphql.timeline.types import TimelineEntryType
from core.crm.scoping import subjects_visible
from core.crm.tables import TimelineEntry


async def load_timeline_entries(keys: list[int], context: Any) -> list[TimelineEntryType | None]:
    """Timeline entries by id, as far as the actor's record scope reaches (others are None)."""
    rows = (
        await TimelineEntry.select()
        .where(TimelineEntry.id.is_in(sorted(set(keys))) & subjects_visible(TimelineEntry, context.actor))
        .output(load_json=True)
    )
    found = {row["id"]: TimelineEntryType.from_row(row) for row in rows}
    return [found.get(key) for key in keys]
