"""Attachments: listed and managed through GraphQL, uploaded and downloaded over plain HTTP
(``POST``/``GET /plugins/core/attachments``) so browsers and scripts stream files directly.

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
"""

from datetime import datetime
from typing import Any

import strawberry
from litestar import Request, Response
from litestar.exceptions import NotAuthorizedException, NotFoundException, ValidationException
from strawberry import relay

from core.access.graphql.types import UserNode
from core.attachments import services as attachments
from core.errors import DomainError
from core.graphql.ids import decode_one_of, global_id
from core.http import resolve_actor

DOWNLOAD_PATH = "/plugins/core/attachments/{id}"


def subject_of(global_id: relay.GlobalID, path: list[str]) -> attachments.Subject:
    kind, record_id = decode_one_of(global_id, {"Company": "company", "Person": "person"}, path)
    return attachments.Subject(kind, record_id)


@strawberry.type(
    description=(
        "A file on a record (the current version). Files are uploaded with POST /plugins/core/attachments"
        " (multipart: subject, file, and replaces = this id for a new version); see the README, HTTP endpoints."
    )
)
class AttachmentType:
    id: relay.GlobalID
    file_name: str
    content_type: str
    size: int
    sha256: str
    version: int
    created_at: datetime
    uploaded_by_id: strawberry.Private[int | None]

    @strawberry.field(description="Download address (send your token as with the API).")
    def url(self) -> str:
        return DOWNLOAD_PATH.format(id=self.id.node_id)

    @strawberry.field
    async def uploaded_by(self, info: strawberry.Info) -> UserNode | None:
        return (
            None if self.uploaded_by_id is None else await info.context.loaders["core.user"].load(self.uploaded_by_id)
        )

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> "AttachmentType":
        return cls(
            id=global_id("AttachmentType", row["id"]),
            file_name=row["file_name"],
            content_type=row["content_type"],
            size=row["size"],
            sha256=row["sha256"],
            version=row["version"],
            created_at=row["created_at"],
            uploaded_by_id=row["uploaded_by"],
        )


async def _actor(request: Request) -> Any:
    actor = await resolve_actor(request, request.app.state.runtime)
    if not actor.is_authenticated:
        raise NotAuthorizedException(headers={"WWW-Authenticate": "Bearer"})
    return actor


def _http_error(error: DomainError, runtime: Any) -> Exception:
    message = runtime.translator.text("en", error.message, error.params)
    if error.code == "NOT_FOUND":
        return NotFoundException(detail=message)
    return ValidationException(detail=message, extra={"code": error.code, "field": error.field})


def file_response(content: bytes, file_name: str, media_type: str) -> Response:
    """A download: saved under its name, never sniffed into something the browser runs."""
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{_quote(file_name)}",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private",
        },
    )


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")
