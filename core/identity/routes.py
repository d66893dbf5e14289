"""The HTTP side of the identity server: OAuth/OIDC endpoints and the server-rendered pages.

Pages are Jinja2 templates in a sandboxed, autoescaping environment, in Polish or English
(``Accept-Language``, or ``?lang=``). Every form carries a CSRF token that must match a cookie
(double submit), and cookies are HttpOnly and SameSite=Lax.
"""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import anyio.to_thread
from authlib.oauth2 import OAuth2Error
from jinja2 import FileSystemLoader
from jinja2.sandbox import SandboxedEnvironment
from litestar import Request, Response, get, post, route
from litestar.datastructures import Cookie

from core.errors import DomainError
from core.i18n import LOCALES, _, negotiate
from core.identity import accounts, clients, keys, services, sso
from core.identity.server import EndpointRequest, KartotekaServer

if TYPE_CHECKING:
    from core.runtime import Runtime

SESSION_COOKIE = "kartoteka_session"
CSRF_COOKIE = "kartoteka_csrf"
SSO_COOKIE = "kartoteka_sso"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
# Pages must not be framed by another site (clickjacking of the consent button).
PAGE_HEADERS = {**NO_STORE, "X-Frame-Options": "DENY", "Content-Security-Policy": "frame-ancestors 'none'"}

TEXTS = {
    "title_sign_in": _("Sign in"),
    "email": _("E-mail address"),
    "password": _("Password"),
    "sign_in": _("Sign in"),
    "forgot": _("Forgot your password?"),
    "wrong_password": _("Wrong e-mail address or password."),
    "throttled": _("Too many failed attempts. Try again in a few minutes."),
    "locked": _("This account is locked. Ask an administrator to unlock it."),
    "totp_title": _("One-time code"),
    "totp_prompt": _("Enter the six-digit code from your authenticator app."),
    "wrong_code": _("The one-time code does not match."),
    "confirm": _("Confirm"),
    "consent_title": _("Allow access?"),
    "consent_intro": _("{client} asks to act on your behalf with these scopes:"),
    "allow": _("Allow"),
    "deny": _("Deny"),
    "signed_in_as": _("Signed in as {name}."),
    "sign_out": _("Sign out"),
    "signed_out": _("You are signed out."),
    "account_title": _("Your account"),
    "not_signed_in": _("You are not signed in."),
    "error_title": _("The request cannot be completed"),
    "reset_title": _("Reset your password"),
    "reset_intro": _("Enter your e-mail address; we will send you a link to choose a new password."),
    "send_link": _("Send the link"),
    "reset_sent": _("If the address belongs to an account, a link is on its way."),
    "new_password": _("New password"),
    "repeat_password": _("Repeat the password"),
    "set_password": _("Save the password"),
    "passwords_differ": _("The passwords differ."),
    "password_saved": _("Your password is saved. You can sign in now."),
    "invitation_title": _("Welcome to the portal"),
    "form_expired": _("This form has expired; please try again."),
    "sso_button": _("Sign in with {name}"),
    "sso_refused": _("Single sign-on did not succeed; sign in with your password or ask an administrator."),
    "other_language": _("Polski"),  # the link to the other language; "English" in the Polish catalogue
}

_templates = SandboxedEnvironment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True, auto_reload=False
)


def _address(request: Request) -> str:
    return request.client.host if request.client else ""


def _locale(request: Request) -> str:
    chosen = request.query_params.get("lang")
    return chosen if chosen in LOCALES else negotiate(request.headers.get("accept-language"))


def _relative(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


class Pages:
    """Renders pages and reads forms for one runtime (its translator, settings and server)."""

    def __init__(self, runtime: Runtime):
        self.runtime = runtime
        self.server = KartotekaServer(runtime)
        self.secure_cookies = runtime.settings.issuer.startswith("https://")

    # --- rendering ---------------------------------------------------------------------------
    def text(self, locale: str, key: str, **params: Any) -> str:
        return self.runtime.translator.text(locale, TEXTS[key], params or None)

    def render(
        self,
        request: Request,
        template: str,
        title: str,
        *,
        status: int = 200,
        message: str = "",
        is_error: bool = False,
        **context: Any,
    ) -> Response:
        locale = _locale(request)
        csrf = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
        query = {key: value for key, value in request.query_params.items() if key != "lang"}
        query["lang"] = "en" if locale == "pl" else "pl"
        texts = {key: self.text(locale, key) for key in TEXTS}
        html = _templates.get_template(template).render(
            locale=locale,
            t=texts,
            title=self.text(locale, title),
            message=self.text(locale, message) if message in TEXTS else self.runtime.translator.text(locale, message),
            is_error=is_error,
            csrf=csrf,
            other_language_query=urlencode(query),
            **context,
        )
        response = Response(html, status_code=status, media_type="text/html", headers=PAGE_HEADERS)
        if request.cookies.get(CSRF_COOKIE) != csrf:
            response.set_cookie(self._cookie(CSRF_COOKIE, csrf))
        return response

    def _cookie(self, key: str, value: str, max_age: int | None = None) -> Cookie:
        return Cookie(
            key=key, value=value, path="/", httponly=True, samesite="lax", secure=self.secure_cookies, max_age=max_age
        )

    @staticmethod
    async def form(request: Request) -> dict[str, str]:
        data = await request.form()
        return {key: value for key, value in data.items() if isinstance(value, str)}

    @staticmethod
    def csrf_ok(request: Request, form: dict[str, str]) -> bool:
        cookie = request.cookies.get(CSRF_COOKIE) or ""
        return bool(cookie) and hmac.compare_digest(cookie, form.get("csrf", ""))

    # --- authlib -------------------------------------------------------------------------------
    async def snapshot(self, request: Request) -> EndpointRequest:
        form = []
        if request.method == "POST":
            data = await request.form()
            form = [(key, value) for key, value in data.multi_items() if isinstance(value, str)]
        query = list(request.query_params.multi_items())
        uri = self.runtime.settings.issuer + request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return EndpointRequest(request.method, uri, request.headers, query, form)

    async def run(self, endpoint: str, request: Request, snapshot: EndpointRequest, call: Any, *args: Any) -> Any:
        """Run an authlib call in a worker thread; audit every refusal it produced."""
        result = await anyio.to_thread.run_sync(call, *args)
        for error in snapshot.rejections:
            await self.reject(endpoint, request, error, snapshot)
        return result

    async def reject(self, endpoint: str, request: Request, error: Any, snapshot: EndpointRequest | None) -> None:
        client_id = (snapshot.payload.client_id if snapshot else "") or ""
        await services.record_rejection(
            self.runtime, endpoint, error.error, error.description or "", client_id, _address(request)
        )

    @staticmethod
    def oauth_response(result: tuple[int, Any, list[tuple[str, str]]]) -> Response:
        status, body, headers = result
        merged = {**dict(headers), **NO_STORE}
        if status in (301, 302, 303):
            return Response(b"", status_code=302, headers=merged)
        if isinstance(body, str):
            return Response(body, status_code=status, headers=merged, media_type="application/json")
        return Response(body, status_code=status, headers=merged)


def identity_routes(runtime: Runtime) -> list[Any]:
    pages = Pages(runtime)
    issuer = runtime.settings.issuer

    async def _client_audience(request: Request) -> tuple[dict[str, Any] | None, services.Audience]:
        client = await clients.client_by_client_id(request.query_params.get("client_id") or "")
        return client, (client["audience"] if client else "staff")

    def _login_page(request: Request, audience: str, next_path: str, **options: Any) -> Response:
        sso_button = ""
        if audience == "staff" and runtime.settings.sso_issuer:
            sso_button = pages.text(_locale(request), "sso_button", name=runtime.settings.sso_name)
        return pages.render(
            request,
            "login.html",
            "title_sign_in",
            audience=audience,
            next=next_path,
            email="",
            sso=sso_button,
            **options,
        )

    async def _authorize(request: Request) -> Response:
        snapshot = await pages.snapshot(request)
        client, audience = await _client_audience(request)
        subject = await services.session_subject(request.cookies.get(SESSION_COOKIE), audience)
        try:
            grant = await anyio.to_thread.run_sync(pages.server.get_consent_grant, snapshot, subject)
        except OAuth2Error as error:
            await pages.reject("authorize", request, error, snapshot)
            if error.redirect_uri:  # validated against the client: safe to send the browser back
                return pages.oauth_response(pages.server.handle_response(*error()))
            return pages.render(
                request,
                "message.html",
                "error_title",
                status=400,
                message=f"{error.error}: {error.description}",
                is_error=True,
            )
        if subject is None:
            return _login_page(request, audience, _relative(request))
        if request.method == "GET" and not client["skip_consent"]:
            locale = _locale(request)
            return pages.render(
                request,
                "consent.html",
                "consent_title",
                intro=pages.text(locale, "consent_intro", client=client["name"]),
                # What will be granted, not what was asked: no scope asked means all of the client's.
                scopes=(grant.client.get_allowed_scope(snapshot.scope) or "").split(),
                action=_relative(request),
                signed_in_as=pages.text(locale, "signed_in_as", name=subject.display_name),
            )
        if request.method == "POST":
            form = await pages.form(request)
            if not pages.csrf_ok(request, form):
                return pages.render(
                    request, "message.html", "error_title", status=403, message="form_expired", is_error=True
                )
            allowed = form.get("decision") == "allow"
        else:
            allowed = True  # a first-party client registered to skip consent
        result = await pages.run(
            "authorize",
            request,
            snapshot,
            pages.server.create_authorization_response,
            snapshot,
            subject if allowed else None,
            grant,
        )
        return pages.oauth_response(result)

    @route("/oauth/authorize", http_method=["GET", "POST"], include_in_schema=False)
    async def authorize(request: Request) -> Response:
        return await _authorize(request)

    @get("/oauth/login", include_in_schema=False)
    async def login_form(request: Request) -> Response:
        audience = request.query_params.get("audience", "staff")
        return _login_page(
            request, audience if audience in services.AUDIENCES else "staff", request.query_params.get("next", "")
        )

    @post("/oauth/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        form = await pages.form(request)
        audience = form.get("audience") if form.get("audience") in services.AUDIENCES else "staff"
        raw_next = form.get("next", "")
        if not pages.csrf_ok(request, form):
            return _login_page(request, audience, raw_next, message="form_expired", is_error=True, status=403)
        next_path = services.safe_next(raw_next)
        if raw_next and next_path is None:
            await services.record_rejection(
                runtime, "login", "invalid_request", "next is not a path on this server", "", _address(request)
            )
        try:
            account = await services.check_password(
                runtime, audience, form.get("email", ""), form.get("password", ""), _address(request)
            )
        except services.SignInRefused as refused:
            status = 429 if refused.reason == "throttled" else 401
            return _login_page(request, audience, next_path or "", message=refused.reason, is_error=True, status=status)
        token, pending = await services.start_session(runtime, audience, account, _address(request))
        if pending:
            response = pages.render(request, "totp.html", "totp_title", next=next_path or "")
        else:
            response = Response(b"", status_code=303, headers={"Location": next_path or "/oauth/account", **NO_STORE})
        response.set_cookie(pages._cookie(SESSION_COOKIE, token, int(services.SESSION_LIFETIME.total_seconds())))
        return response

    @get("/oauth/sso", include_in_schema=False)
    async def sso_start(request: Request) -> Response:
        if not runtime.settings.sso_issuer:
            return pages.render(
                request, "message.html", "error_title", status=404, message="sso_refused", is_error=True
            )
        next_path = services.safe_next(request.query_params.get("next")) or "/oauth/account"
        location, flow = await sso.start(runtime, next_path)
        response = Response(b"", status_code=302, headers={"Location": location, **NO_STORE})
        response.set_cookie(pages._cookie(SSO_COOKIE, flow, sso.FLOW_SECONDS))
        return response

    @get("/oauth/sso/callback", include_in_schema=False)
    async def sso_callback(request: Request) -> Response:
        query = request.query_params
        try:
            if not runtime.settings.sso_issuer or query.get("error"):
                raise sso.SsoRefused(query.get("error") or "not configured")
            account = await sso.finish(
                runtime, request.cookies.get(SSO_COOKIE), query.get("state", ""), query.get("code", "")
            )
        except sso.SsoRefused as refused:
            await services.record_rejection(runtime, "sso", "access_denied", refused.reason, "", _address(request))
            response = pages.render(
                request, "message.html", "error_title", status=403, message="sso_refused", is_error=True
            )
        else:
            token, _pending = await services.start_session(runtime, "staff", account, _address(request), ("sso",))
            response = Response(b"", status_code=303, headers={"Location": account["next"], **NO_STORE})
            response.set_cookie(pages._cookie(SESSION_COOKIE, token, int(services.SESSION_LIFETIME.total_seconds())))
        response.delete_cookie(SSO_COOKIE, path="/")
        return response

    @post("/oauth/login/totp", include_in_schema=False)
    async def login_totp(request: Request) -> Response:
        form = await pages.form(request)
        next_path = services.safe_next(form.get("next")) or "/oauth/account"
        session = await services.session_row(request.cookies.get(SESSION_COOKIE))
        if not pages.csrf_ok(request, form) or session is None or not session["totp_pending"]:
            return pages.render(
                request, "message.html", "error_title", status=403, message="form_expired", is_error=True
            )
        if not await services.check_totp(runtime, session, form.get("code", ""), _address(request)):
            return pages.render(
                request, "totp.html", "totp_title", status=401, message="wrong_code", is_error=True, next=next_path
            )
        return Response(b"", status_code=303, headers={"Location": next_path, **NO_STORE})

    @get("/oauth/account", include_in_schema=False)
    async def account(request: Request) -> Response:
        token = request.cookies.get(SESSION_COOKIE)
        subject = await services.session_subject(token, "staff") or await services.session_subject(token, "portal")
        if subject is None:
            return pages.render(request, "message.html", "account_title", message="not_signed_in")
        text = pages.text(_locale(request), "signed_in_as", name=subject.display_name)
        return pages.render(request, "message.html", "account_title", message=text, signed_in=True)

    @post("/oauth/logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        form = await pages.form(request)
        if not pages.csrf_ok(request, form):
            return pages.render(
                request, "message.html", "error_title", status=403, message="form_expired", is_error=True
            )
        await services.end_session(request.cookies.get(SESSION_COOKIE))
        response = pages.render(request, "message.html", "signed_out")
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @route("/oauth/password/forgot", http_method=["GET", "POST"], include_in_schema=False)
    async def password_forgot(request: Request) -> Response:
        audience = request.query_params.get("audience", "staff")
        if request.method == "GET":
            return pages.render(request, "forgot.html", "reset_title", audience=audience)
        form = await pages.form(request)
        if not pages.csrf_ok(request, form):
            return pages.render(
                request,
                "forgot.html",
                "reset_title",
                audience=audience,
                message="form_expired",
                is_error=True,
                status=403,
            )
        audience = form.get("audience") if form.get("audience") in services.AUDIENCES else "staff"
        await accounts.request_password_reset(runtime, audience, form.get("email", ""), _locale(request))
        return pages.render(request, "message.html", "reset_title", message="reset_sent")

    def _password_page(purpose: str, path: str, title: str) -> Any:
        async def handler(request: Request) -> Response:
            if request.method == "GET":
                token = request.query_params.get("token", "")
                if await accounts.link_account(token, purpose) is None:
                    return pages.render(
                        request, "message.html", title, status=400, message=_LINK_INVALID, is_error=True
                    )
                return pages.render(request, "password.html", title, token=token, action=path)
            form = await pages.form(request)
            token = form.get("token", "")

            def refuse(message: str, status: int) -> Response:
                return pages.render(
                    request,
                    "password.html",
                    title,
                    token=token,
                    action=path,
                    message=message,
                    is_error=True,
                    status=status,
                )

            if not pages.csrf_ok(request, form):
                return refuse("form_expired", 403)
            if form.get("password") != form.get("repeat"):
                return refuse("passwords_differ", 400)
            try:
                await accounts.set_password_by_link(runtime, token, purpose, form.get("password", ""))
            except DomainError as error:
                return refuse(runtime.translator.text(_locale(request), error.message, error.params), 400)
            return pages.render(request, "message.html", title, message="password_saved")

        return route(path, http_method=["GET", "POST"], include_in_schema=False, name=f"identity.{purpose}")(handler)

    def _endpoint(name: str, path: str) -> Any:
        """The token endpoint, or another of authlib's endpoints (revocation, introspection)."""

        async def handler(request: Request) -> Response:
            snapshot = await pages.snapshot(request)
            if name == "token":
                result = await pages.run(name, request, snapshot, pages.server.create_token_response, snapshot)
            else:
                result = await pages.run(name, request, snapshot, pages.server.create_endpoint_response, name, snapshot)
            return pages.oauth_response(result)

        return post(path, include_in_schema=False, name=f"identity.{name}")(handler)

    @route("/oauth/userinfo", http_method=["GET", "POST"], include_in_schema=False)
    async def userinfo(request: Request) -> Response:
        header = request.headers.get("authorization", "")
        bearer = header[7:].strip() if header.lower().startswith("bearer ") else ""
        info = await services.userinfo_for_token(runtime, bearer) if bearer else None
        if info is None:
            await services.record_rejection(runtime, "userinfo", "invalid_token", "", "", _address(request))
            return Response(
                {"error": "invalid_token"},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"', **NO_STORE},
            )
        return Response(info, status_code=200, headers=NO_STORE)  # a GET+POST route would answer 201

    @get("/oauth/jwks", include_in_schema=False)
    async def jwks() -> dict[str, Any]:
        return (await keys.runtime_keys(runtime).ring()).jwks()

    @get("/.well-known/openid-configuration", include_in_schema=False)
    async def discovery() -> dict[str, Any]:
        return {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/oauth/authorize",
            "token_endpoint": f"{issuer}/oauth/token",
            "userinfo_endpoint": f"{issuer}/oauth/userinfo",
            "jwks_uri": f"{issuer}/oauth/jwks",
            "revocation_endpoint": f"{issuer}/oauth/revoke",
            "introspection_endpoint": f"{issuer}/oauth/introspect",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": list(services.GRANT_TYPES),
            "code_challenge_methods_supported": ["S256"],
            "authorization_response_iss_parameter_supported": True,
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [keys.ALGORITHM],
            "scopes_supported": [*services.OIDC_SCOPES, services.API_SCOPE, *runtime.registry.permissions],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
            "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "amr", "name", "email"],
        }

    return [
        authorize,
        login_form,
        login,
        login_totp,
        sso_start,
        sso_callback,
        account,
        logout,
        password_forgot,
        _password_page("reset", "/oauth/password/reset", "reset_title"),
        _password_page("invitation", "/oauth/invitation", "invitation_title"),
        _endpoint("token", "/oauth/token"),
        _endpoint("revocation", "/oauth/revoke"),
        _endpoint("introspection", "/oauth/introspect"),
        userinfo,
        jwks,
        discovery,
    ]


_LINK_INVALID = _("This link is invalid, used or expired.")
