"""HTTP routes of tasks and the calendar feed, contributed through ``kartoteka_http_routes``."""

from litestar import Response, get
from litestar.exceptions import NotFoundException

from core.tasks import services as tasks


@get("/calendar/{token:str}", include_in_schema=False)
async def calendar_feed(token: str) -> Response:
    document = await tasks.feed(token.removesuffix(".ics"))
    if document is None:
        raise NotFoundException()
    return Response(
        document, media_type="text/calendar; charset=utf-8", headers={"Cache-Control": "private, max-age=300"}
    )
