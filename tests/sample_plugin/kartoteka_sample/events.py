from typing import ClassVar

from core.api import Event


class NoteCreated(Event, frozen=True):
    name: ClassVar[str] = "sample.note_created"
    note_id: int
    text: str
