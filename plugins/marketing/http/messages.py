"""Public HTTP routes of the links in campaign messages: unsubscribe (RFC 8058 one-click) and
tracked clicks.

No login: the signed link is the authority. The unsubscribe page (GET) only asks; the change is
a POST — what mail clients send for one-click unsubscribe, and what the page's button sends —
so a link scanner that follows every URL in a mail unsubscribes nobody.
"""

from __future__ import annotations

import html
from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Response

from core.api import PluginRuntime, _, negotiate
from plugins.marketing.services import links
from plugins.marketing.services.responses import UNSUBSCRIBE_VALID_DAYS, click, unsubscribe

PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
    "Referrer-Policy": "no-referrer",
}
PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>{title}</title></head>
<body style="font-family: sans-serif; max-width: 32rem; margin: 3rem auto"><h1>{title}</h1><p>{message}</p>{form}</body>
</html>"""


def _page(
    request: Request, runtime: PluginRuntime, status: int, title: str, message: str, form: str = "", **params: Any
) -> Response:
    locale = negotiate(request.headers.get("accept-language"))
    text = runtime.text
    body = PAGE.format(
        lang=locale,
        title=html.escape(text(locale, title)),
        message=html.escape(text(locale, message, params or None)),
        form=form,
    )
    return Response(body, status_code=status, media_type="text/html", headers=PAGE_HEADERS)


def _bad_link(request: Request, runtime: PluginRuntime, error: links.BadLink) -> Response:
    if error.expired:
        message = _(
            "This link has expired. Nothing was changed. To unsubscribe, use the link in a newer message, "
            "or write to {address} and ask to be removed."
        )
        return _page(request, runtime, 400, _("Unsubscribe"), message, address=runtime.settings.mail_from)
    return _page(request, runtime, 400, _("Unsubscribe"), _("This link is not valid. Nothing was changed."))


@get("/unsubscribe/{token:str}", sync_to_thread=False)
def unsubscribe_page(request: Request, token: str, plugin_runtime: PluginRuntime) -> Response:
    runtime = plugin_runtime
    try:
        # The page asks only if the button would work: an expired link says so and how else to go.
        links.read_token(runtime.signing_key("links"), token, valid_days=UNSUBSCRIBE_VALID_DAYS)
    except links.BadLink as error:
        return _bad_link(request, runtime, error)
    locale = negotiate(request.headers.get("accept-language"))
    button = html.escape(runtime.text(locale, _("Unsubscribe")))
    form = (
        f'<form method="post"><button type="submit" name="List-Unsubscribe" value="One-Click">{button}</button></form>'
    )
    return _page(request, runtime, 200, _("Unsubscribe"), _("Stop receiving these messages?"), form)


@post("/unsubscribe/{token:str}", status_code=200)
async def unsubscribe_now(request: Request, token: str, plugin_runtime: PluginRuntime) -> Response:
    runtime = plugin_runtime
    try:
        result = await unsubscribe(runtime, token)
    except links.BadLink as error:
        return _bad_link(request, runtime, error)
    message = (
        _("You had already unsubscribed from {purpose} messages.")
        if result.already
        else _("You will receive no more {purpose} messages.")
    )
    return _page(request, runtime, 200, _("Unsubscribed"), message, purpose=result.purpose)


@get("/click/{token:str}")
async def follow_click(request: Request, token: str, plugin_runtime: PluginRuntime) -> Response | Redirect:
    runtime = plugin_runtime
    try:
        target = await click(runtime, token)
    except links.BadLink:
        return _page(request, runtime, 404, _("Link"), _("This link is not valid. Nothing was changed."))
    return Redirect(
        path=target, status_code=302, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
    )


ROUTES = [unsubscribe_page, unsubscribe_now, follow_click]
