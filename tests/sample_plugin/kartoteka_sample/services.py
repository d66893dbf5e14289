"""Business rules of the sample plugin; no GraphQL here."""

import asyncio
import os
from pathlib import Path

from core.api import DomainError, JobContext, UnitOfWork, _, apply_custom_fields
from kartoteka_sample.events import NoteCreated
from kartoteka_sample.tables import SampleNote, SampleRun, SampleTick

MAX_TEXT = 500


NOTE_ENTITY = "sample.note"


async def create_note(uow: UnitOfWork, text: str, custom: dict | None = None) -> int:
    if not text.strip():
        raise DomainError("BLANK", _("Text must not be blank."), ["input", "text"])
    if len(text) > MAX_TEXT:
        raise DomainError("TOO_LONG", _("Text is longer than {limit} characters."), ["input", "text"], limit=MAX_TEXT)
    values = await apply_custom_fields(NOTE_ENTITY, {}, custom, creating=True)
    [row] = await SampleNote.insert(SampleNote(text=text, custom=values)).returning(SampleNote.id)
    await uow.publish(NoteCreated(note_id=row["id"], text=text))
    return row["id"]


async def veto_forbidden(event: NoteCreated, ctx: JobContext) -> None:
    """Synchronous subscriber: refuses notes that contain "forbidden" (rolls everything back)."""
    if "forbidden" in event.text:
        raise DomainError("VETOED", _("Notes may not contain the word 'forbidden'."), ["input", "text"])


def record_note_handler(config):
    async def record_note(event: NoteCreated, ctx: JobContext) -> None:
        """Asynchronous subscriber: records one run per event; misbehaves on request for tests."""
        if config.marker_dir:
            Path(config.marker_dir, f"started-{event.note_id}").write_text(str(os.getpid()))
        if "slow" in event.text:
            await asyncio.sleep(config.slow_seconds)
        if "fail" in event.text:
            raise RuntimeError(f"note {event.note_id} asked to fail")
        if "flaky" in event.text and ctx.attempt < 3:
            raise RuntimeError(f"flaky attempt {ctx.attempt}")
        await SampleRun.insert(SampleRun(note_id=event.note_id, message_id=ctx.message_id, worker_pid=os.getpid()))

    return record_note


async def touch_note(ctx: JobContext, note_id: int) -> None:
    await SampleNote.update({SampleNote.touched: True}).where(SampleNote.id == note_id)


async def tick(ctx: JobContext, schedule: str) -> None:
    await SampleTick.insert(SampleTick(schedule=schedule))


async def run_counts(note_ids: list[int]) -> list[int]:
    rows = await SampleRun.select(SampleRun.note_id).where(SampleRun.note_id.is_in(note_ids))
    counts = {note_id: 0 for note_id in note_ids}
    for row in rows:
        counts[row["note_id"]] += 1
    return [counts[note_id] for note_id in note_ids]
