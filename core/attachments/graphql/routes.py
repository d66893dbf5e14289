"""HTTP routes of attachments, contributed through ``kartoteka_http_routes``."""

from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.exceptions import ValidationException
from litestar.params import Body
from strawberry import relay

from core.attachments import services as attachments
from core.attachments.graphql.types import DOWNLOAD_PATH, _actor, _http_error, file_response, subject_of
from core.errors import DomainError
from core.graphql.ids import decode_id, global_id


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
