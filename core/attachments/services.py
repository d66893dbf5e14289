"""Files on client records (MISSION F8), kept on disk by default, with versions and followers.

Bytes are written to the store before the row commits, under a name derived from their
SHA-256, so a failed transaction leaves at most an unreferenced file and never a row without
its bytes. The content type is checked against an allow-list and against what the bytes are.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from core.crm.scoping import require_reachable
from core.crm.tables import Attachment, Company, Follower, Person
from core.errors import DomainError
from core.events.base import Event
from core.i18n import _

if TYPE_CHECKING:
    from core.auth import Actor
    from core.runtime import Runtime

ALLOWED_TYPES = {
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "text/plain",
    "text/csv",
    "application/zip",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/msword",
    "application/vnd.ms-excel",
    "message/rfc822",
}
# The first bytes of formats whose type a browser might misreport; a mismatch is refused.
SIGNATURES = {
    "application/pdf": (b"%PDF",),
    "image/png": (b"\x89PNG",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF8",),
    "application/zip": (b"PK\x03\x04", b"PK\x05\x06"),
}


class AttachmentChanged(Event, frozen=True):
    """A file was added, replaced or removed; ``follower_ids`` are the users to tell."""

    name: ClassVar[str] = "core.attachment_changed"
    attachment_id: int
    change: str  # added | replaced | removed
    company_id: int | None
    person_id: int | None
    follower_ids: list[int]


@dataclass(frozen=True)
class Subject:
    kind: str  # company | person
    record_id: int

    @property
    def table(self) -> Any:
        return Company if self.kind == "company" else Person

    @property
    def columns(self) -> dict[str, int | None]:
        return {
            "company": self.record_id if self.kind == "company" else None,
            "person": self.record_id if self.kind == "person" else None,
        }


def store_path(runtime: Runtime) -> Path:
    return runtime.settings.attachments_dir


def _write(runtime: Runtime, content: bytes) -> tuple[str, str]:
    digest = hashlib.sha256(content).hexdigest()
    key = f"{digest[:2]}/{digest}"
    target = store_path(runtime) / key
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename: a reader never sees half a file.
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as handle:
            handle.write(content)
        os.replace(handle.name, target)
    return digest, key


def read(runtime: Runtime, storage_key: str) -> bytes:
    return (store_path(runtime) / storage_key).read_bytes()


def _check(runtime: Runtime, file_name: str, content_type: str, content: bytes) -> tuple[str, str]:
    name = Path(file_name.replace("\\", "/")).name.strip()[:255]
    if not name:
        raise DomainError("BLANK", _("This field must not be blank."), ["fileName"])
    content_type = (content_type or mimetypes.guess_type(name)[0] or "").split(";")[0].strip().lower()
    if content_type not in ALLOWED_TYPES:
        raise DomainError(
            "TYPE_NOT_ALLOWED", _("Files of type {type} are not accepted."), ["file"], type=content_type or "?"
        )
    limit = runtime.settings.max_attachment_bytes
    if not content:
        raise DomainError("EMPTY_FILE", _("The file is empty."), ["file"])
    if len(content) > limit:
        raise DomainError("TOO_LARGE", _("The file is larger than {limit} bytes."), ["file"], limit=limit)
    signatures = SIGNATURES.get(content_type)
    if signatures and not content.startswith(signatures):
        raise DomainError("TYPE_MISMATCH", _("The file's content is not {type}."), ["file"], type=content_type)
    return name, content_type


async def _reachable(subject: Subject, actor: Actor, write: bool) -> None:
    permission = f"core.{subject.kind}.{'write' if write else 'read'}"
    table = subject.table
    await require_reachable(table, subject.record_id, actor, permission, ["subject"])


async def _followers(subject: Subject) -> list[int]:
    column = getattr(Follower, subject.kind)
    return [row["user"] for row in await Follower.select(Follower.user).where(column == subject.record_id)]


def _user_id(actor: Actor) -> int | None:
    return int(actor.id) if actor.kind == "staff" and actor.id and actor.id.isdecimal() else None


async def add(
    runtime: Runtime,
    actor: Actor,
    subject: Subject,
    file_name: str,
    content_type: str,
    content: bytes,
    replaces: int | None = None,
) -> int:
    """Store a file on a record, or a new version of one (``replaces``)."""
    name, content_type = _check(runtime, file_name, content_type, content)
    async with runtime.unit_of_work(actor) as uow:
        await _reachable(subject, actor, write=True)
        version = 1
        if replaces is not None:
            current = (
                await Attachment.select()
                .where(
                    (Attachment.id == replaces)
                    & Attachment.deleted_at.is_null()
                    & Attachment.replaced_by.is_null()
                    & (getattr(Attachment, subject.kind) == subject.record_id)
                )
                .first()
            )
            if current is None:
                raise DomainError("NOT_FOUND", _("No such current file on this record."), ["replaces"])
            version = current["version"] + 1
        digest, key = _write(runtime, content)
        [row] = await Attachment.insert(
            Attachment(
                **subject.columns,
                file_name=name,
                content_type=content_type,
                size=len(content),
                sha256=digest,
                storage_key=key,
                version=version,
                uploaded_by=_user_id(actor),
            )
        ).returning(Attachment.id)
        if replaces is not None:
            await Attachment.update({Attachment.replaced_by: row["id"]}).where(Attachment.id == replaces)
        await uow.publish(
            AttachmentChanged(
                attachment_id=row["id"],
                change="replaced" if replaces else "added",
                company_id=subject.columns["company"],
                person_id=subject.columns["person"],
                follower_ids=await _followers(subject),
            )
        )
    return row["id"]


async def remove(runtime: Runtime, actor: Actor, attachment_id: int) -> None:
    async with runtime.unit_of_work(actor) as uow:
        row = (
            await Attachment.select().where((Attachment.id == attachment_id) & Attachment.deleted_at.is_null()).first()
        )
        if row is None:
            raise DomainError("NOT_FOUND", _("No such file."), ["id"])
        subject = Subject("company", row["company"]) if row["company"] else Subject("person", row["person"])
        await _reachable(subject, actor, write=True)
        await Attachment.update({Attachment.deleted_at: datetime.now(UTC)}).where(Attachment.id == attachment_id)
        await uow.publish(
            AttachmentChanged(
                attachment_id=attachment_id,
                change="removed",
                company_id=row["company"],
                person_id=row["person"],
                follower_ids=await _followers(subject),
            )
        )


async def fetch(runtime: Runtime, actor: Actor, attachment_id: int) -> tuple[dict[str, Any], bytes]:
    """A file the actor may read (any version), with its bytes."""
    row = await Attachment.select().where((Attachment.id == attachment_id) & Attachment.deleted_at.is_null()).first()
    if row is None:
        raise DomainError("NOT_FOUND", _("No such file."), ["id"])
    subject = Subject("company", row["company"]) if row["company"] else Subject("person", row["person"])
    await _reachable(subject, actor, write=False)
    return row, read(runtime, row["storage_key"])


async def follow(runtime: Runtime, actor: Actor, subject: Subject, following: bool) -> None:
    user_id = _user_id(actor)
    if user_id is None:
        raise DomainError("FORBIDDEN", _("Only staff users have access tokens."))
    async with runtime.unit_of_work(actor):
        await _reachable(subject, actor, write=False)
        column = getattr(Follower, subject.kind)
        await Follower.delete().where((Follower.user == user_id) & (column == subject.record_id))
        if following:
            await Follower.insert(Follower(user=user_id, **subject.columns))


async def listing(actor: Actor, subject: Subject) -> list[dict[str, Any]]:
    """Current versions of the files on a record, newest first."""
    await _reachable(subject, actor, write=False)
    return (
        await Attachment.select()
        .where(
            (getattr(Attachment, subject.kind) == subject.record_id)
            & Attachment.deleted_at.is_null()
            & Attachment.replaced_by.is_null()
        )
        .order_by(Attachment.id, ascending=False)
    )
