"""HTTP routes of incoming mail, contributed through ``kartoteka_http_routes``."""

from litestar import Request, Response, get

from core.attachments.graphql.types import _actor, _http_error, file_response
from core.errors import DomainError
from core.mail import inbox


@get("/mail/attachments/{attachment_id:int}")
async def download_mail_attachment(request: Request, attachment_id: int) -> Response:
    runtime = request.app.state.runtime
    actor = await _actor(request)
    try:
        row, content = await inbox.attachment_content(runtime, actor, attachment_id)
    except DomainError as error:
        raise _http_error(error, runtime) from None
    # Never the sender's content type: mail attachments come from strangers.
    return file_response(content, row["file_name"], "application/octet-stream")
