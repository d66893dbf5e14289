"""Attachments: listed and managed through GraphQL, uploaded and downloaded over plain HTTP
(``POST``/``GET /plugins/core/attachments``) so browsers and scripts stream files directly.

No ``from __future__ import annotations``: Strawberry resolves these annotations directly.
"""

from datetime import datetime
from typing import Annotated, Any

import strawberry
from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotAuthorizedException, NotFoundException, ValidationException
from litestar.params import Body
from strawberry import relay

from core.access.graphql.types import UserNode, attempt
from core.attachments import services as attachments
from core.errors import DomainError
from core.graphql.errors import UserError
from core.graphql.ids import decode_id, decode_one_of, global_id
from core.graphql.permissions import AUTHENTICATED, field, mutation
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


@strawberry.type
class AttachmentQuery:
    @field(permission=AUTHENTICATED, description="Files on a company or person, newest first.")
    async def attachments(self, info: strawberry.Info, subject: relay.GlobalID) -> list[AttachmentType]:
        try:
            rows = await attachments.listing(info.context.actor, subject_of(subject, ["subject"]))
        except DomainError:
            return []  # outside the caller's area: nothing to show, and nothing to give away
        return [AttachmentType.from_row(row) for row in rows]


@strawberry.type
class AttachmentDeletePayload:
    deleted_id: relay.GlobalID | None
    user_errors: list[UserError]


@strawberry.type
class FollowPayload:
    following: bool | None
    user_errors: list[UserError]


@strawberry.type
class AttachmentMutation:
    @mutation(permission=AUTHENTICATED, description="Remove a file from its record.")
    async def attachment_delete(self, info: strawberry.Info, id: relay.GlobalID) -> AttachmentDeletePayload:
        async def remove() -> relay.GlobalID:
            await attachments.remove(info.context.runtime, info.context.actor, decode_id(id, "AttachmentType", ["id"]))
            return id

        deleted, errors = await attempt(remove())
        return AttachmentDeletePayload(deleted_id=deleted, user_errors=errors)

    @mutation(permission=AUTHENTICATED, description="Hear (or stop hearing) when a record's files change.")
    async def record_follow(
        self, info: strawberry.Info, subject: relay.GlobalID, following: bool = True
    ) -> FollowPayload:
        async def change() -> bool:
            await attachments.follow(
                info.context.runtime, info.context.actor, subject_of(subject, ["subject"]), following
            )
            return following

        result, errors = await attempt(change())
        return FollowPayload(following=result, user_errors=errors)


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


@post("/attachments", status_code=201)
async def upload(
    request: Request,
    data: Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)],
) -> dict[str, Any]:
    """multipart/form-data: ``subject`` (a Company or Person id), ``file``, optionally ``replaces``."""
    runtime = request.app.state.runtime
    actor = await _actor(request)
    file = data.get("file")
    if not isinstance(file, UploadFile):
        raise ValidationException(detail="send the file in a multipart field called 'file'")
    try:
        subject = subject_of(relay.GlobalID.from_id(str(data.get("subject", ""))), ["subject"])
        replaces = data.get("replaces")
        replaced = (
            decode_id(relay.GlobalID.from_id(str(replaces)), "AttachmentType", ["replaces"]) if replaces else None
        )
        attachment_id = await attachments.add(
            runtime,
            actor,
            subject,
            file.filename or "",
            file.content_type or "",
            await file.read(),
            replaces=replaced,
        )
    except DomainError as error:
        raise _http_error(error, runtime) from None
    except ValueError:
        raise ValidationException(detail="subject and replaces must be ids this API gave out") from None
    return {"id": str(global_id("AttachmentType", attachment_id)), "url": DOWNLOAD_PATH.format(id=attachment_id)}


@get("/attachments/{attachment_id:int}")
async def download(request: Request, attachment_id: int) -> Response:
    runtime = request.app.state.runtime
    actor = await _actor(request)
    try:
        row, content = await attachments.fetch(runtime, actor, attachment_id)
    except DomainError as error:
        raise _http_error(error, runtime) from None
    return file_response(content, row["file_name"], row["content_type"])


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
