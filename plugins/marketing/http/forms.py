"""The public web-form endpoint and the web-activity endpoint (plain HTTP, JSON answers).

Forms are embedded on other sites, so the endpoint is built to be posted to cross-site:

* It reads no cookie, session or other ambient credential, and acts for nobody: a forged
  cross-site post can only do what any visitor can do anyway — send the form. That is why no
  CSRF token is needed (there is no victim's authority to ride on).
* CORS headers are sent only to the form's own sites (``allowedOrigins``), without credentials;
  a browser post carrying another site's Origin is refused, as an embedding we did not allow.
* A hidden honeypot field (``website``) that people leave empty: when filled, the post is
  answered like any other and dropped.
* Posts are throttled per IP address and per e-mail address (429 with Retry-After).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Request, post, route
from litestar.enums import HttpMethod
from litestar.response import Response

from core.api import DomainError, PluginRuntime, _, negotiate
from plugins.marketing.services import forms, tracking

FORM_BODY_LIMIT = 64 * 1024
TRACK_BODY_LIMIT = 1024 * 1024
NO_STORE = {"Cache-Control": "no-store"}


def _json(request: Request, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response:
    return Response(body, status_code=status, media_type="application/json", headers={**NO_STORE, **(headers or {})})


def _message(request: Request, runtime: PluginRuntime, message: str, params: dict[str, Any] | None = None) -> str:
    locale = negotiate(request.headers.get("accept-language"))
    return runtime.text(locale, message, params)


def _errors(request: Request, runtime: PluginRuntime, errors: list[DomainError]) -> list[dict[str, Any]]:
    return [
        {
            "field": list(error.field),
            "code": error.code,
            "message": _message(request, runtime, error.message, error.params),
        }
        for error in errors
    ]


def _cors(form: dict[str, Any] | None, origin: str | None) -> dict[str, str]:
    """CORS headers for an allowed site; none for anyone else (the browser then hides the answer)."""
    headers = {"Vary": "Origin"}
    if form is not None and origin and origin in form["allowed_origins"]:
        headers["Access-Control-Allow-Origin"] = origin
    return headers


def _text(value: Any) -> str:
    return str(value) if isinstance(value, str | int | float) and not isinstance(value, bool) else ""


async def _read_post(request: Request) -> forms.Posted:
    """A JSON object, or a form-encoded (or multipart) body as an HTML form sends it."""
    media_type = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if media_type == "application/json":
        data = await request.json()
        if not isinstance(data, dict):
            raise ValueError("not an object")
        survey = data.get("survey") if isinstance(data.get("survey"), dict) else {}
        consents = data.get("consents") if isinstance(data.get("consents"), list) else []
        return forms.Posted(
            values={name: _text(data.get(name)) for name in forms.FIELDS},
            answers={str(key): _text(value) for key, value in survey.items()},
            consents=[_text(purpose) for purpose in consents],
            honeypot=_text(data.get(forms.HONEYPOT)),
        )
    if media_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        data = await request.form()
        return forms.Posted(
            values={name: _text(data.get(name)) for name in forms.FIELDS},
            answers={key.removeprefix("survey."): _text(data.get(key)) for key in data if key.startswith("survey.")},
            consents=[_text(value) for value in data.getall("consent", [])],
            honeypot=_text(data.get(forms.HONEYPOT)),
        )
    raise LookupError(media_type)


@route("/forms/{key:str}", http_method=[HttpMethod.OPTIONS])
async def form_preflight(request: Request, key: str) -> Response:
    form = await forms.form_by_key(key)
    headers = _cors(form, request.headers.get("origin"))
    if "Access-Control-Allow-Origin" in headers:
        headers |= {
            "Access-Control-Allow-Methods": "POST",
            "Access-Control-Allow-Headers": "Content-Type, Accept-Language",
            "Access-Control-Max-Age": "600",
        }
    return Response(None, status_code=204, headers=headers)


@post("/forms/{key:str}", status_code=202, request_max_body_size=FORM_BODY_LIMIT)
async def form_submit(request: Request, key: str, plugin_runtime: PluginRuntime) -> Response:
    runtime = plugin_runtime
    form = await forms.form_by_key(key)
    origin = request.headers.get("origin")
    cors = _cors(form, origin)
    if form is None:
        return _json(
            request, 404, {"error": "NOT_FOUND", "message": _message(request, runtime, _("No such form."))}, cors
        )
    if origin and "Access-Control-Allow-Origin" not in cors:
        message = _message(request, runtime, _("This form may not be sent from this site."))
        return _json(request, 403, {"error": "ORIGIN_NOT_ALLOWED", "message": message}, cors)
    try:
        posted = await _read_post(request)
    except LookupError:
        message = _message(request, runtime, _("Send JSON or a form-encoded body."))
        return _json(request, 415, {"error": "UNSUPPORTED_MEDIA_TYPE", "message": message}, cors)
    except Exception:
        message = _message(request, runtime, _("The body could not be read."))
        return _json(request, 400, {"error": "BAD_REQUEST", "message": message}, cors)
    config = runtime.config
    limits = forms.Limits(
        window=timedelta(minutes=config.form_window_minutes),
        per_address=config.form_posts_per_ip,
        per_email=config.form_posts_per_email,
    )
    address = request.client.host if request.client else ""
    try:
        await forms.reserve_attempt(runtime, limits, address, posted.values.get("email", "").strip().lower())
    except forms.Throttled as throttled:
        message = _message(
            request,
            runtime,
            _("Too many submissions. Try again in {seconds} seconds."),
            {"seconds": throttled.retry_after},
        )
        return _json(
            request,
            429,
            {"error": "TOO_MANY_REQUESTS", "by": throttled.by, "retryAfter": throttled.retry_after, "message": message},
            {**cors, "Retry-After": str(throttled.retry_after)},
        )
    try:
        submission_id = await forms.receive(runtime, form, posted, address=address, origin=origin or "")
    except forms.InvalidSubmission as invalid:
        return _json(request, 400, {"error": "INVALID", "errors": _errors(request, runtime, invalid.errors)}, cors)
    if submission_id is not None:
        # Stored already; a failure here is recorded on the submission and retried by a job.
        await forms.process_or_keep(runtime, submission_id)
    return _json(
        request,
        202,
        {"status": "received", "message": _message(request, runtime, _("Thank you. We will be in touch."))},
        cors,
    )


def _bearer(request: Request) -> str:
    scheme, _sep, token = (request.headers.get("authorization") or "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


@post("/track", status_code=202, request_max_body_size=TRACK_BODY_LIMIT)
async def track_activity(request: Request, plugin_runtime: PluginRuntime) -> Response:
    """A site's batch of page views, from its server: ``Authorization: Bearer <key.secret>``."""
    runtime = plugin_runtime
    site = await tracking.site_for_token(_bearer(request))
    if site is None:
        message = _message(request, runtime, _("A valid site token is required."))
        return _json(request, 401, {"error": "UNAUTHORIZED", "message": message}, {"WWW-Authenticate": "Bearer"})
    try:
        data = await request.json()
    except Exception:
        data = None
    if not isinstance(data, dict):
        message = _message(request, runtime, _("The body could not be read."))
        return _json(request, 400, {"error": "BAD_REQUEST", "message": message})
    try:
        result = await tracking.track(
            runtime, site, data.get("events"), timedelta(minutes=runtime.config.visit_gap_minutes)
        )
    except DomainError as error:
        return _json(request, 400, {"error": "INVALID", "errors": _errors(request, runtime, [error])})
    return _json(
        request,
        202,
        {"accepted": result.accepted, "unknownVisitors": result.unknown, "visitsClosed": result.visits_closed},
    )


ROUTES = [form_preflight, form_submit, track_activity]
