"""Per-request dataloaders of incoming mail."""

from typing import Any

from core.db.tables import IncomingMailAttachment
from core.graphql.ids import global_id
from core.mail.graphql.types import IncomingMailAttachmentType


async def load_attachments(keys: list[int], context: Any) -> list[list[IncomingMailAttachmentType]]:
    """The files of a page of messages in one query."""
    found: dict[int, list[IncomingMailAttachmentType]] = {key: [] for key in keys}
    rows = (
        await IncomingMailAttachment.select()
        .where(IncomingMailAttachment.mail.is_in(keys))
        .order_by(IncomingMailAttachment.id)
    )
    for r in rows:
        found[r["mail"]].append(
            IncomingMailAttachmentType(
                id=global_id("IncomingMailAttachment", r["id"]),
                file_name=r["file_name"],
                content_type=r["content_type"],
                size=r["size"],
                sha256=r["sha256"],
            )
        )
    return [found[key] for key in keys]
