"""The admin UI at ``/admin``: the built single-page app of ``admin_ui/`` (``npm run build``).

Every file name under ``assets/`` carries a hash of its content, so those are cached for a year;
``index.html`` names them and is revalidated on every visit. Any other path under ``/admin`` is a
screen of the app's router and gets ``index.html``.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path, PurePosixPath

from litestar import Request, Response, get
from litestar.response import Redirect

from core.http import BROWSER_PAGE_HEADERS
from core.settings import Settings

ADMIN_UI_PATH = "/admin"
BUILD_COMMAND = "make run (or: cd admin_ui && npm ci && npm run build)"
# The app loads only its own scripts and talks only to this server (GraphQL, OAuth); React sets
# inline styles, and images may be data: URLs (icons bundled by Vite).
ADMIN_UI_HEADERS = {
    **BROWSER_PAGE_HEADERS,
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    ),
}
REVALIDATE = {"Cache-Control": "no-cache"}
IMMUTABLE = {"Cache-Control": "public, max-age=31536000, immutable"}
# The types a build holds, independent of the machine's /etc/mime.types.
CONTENT_TYPES = {
    ".html": "text/html",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".txt": "text/plain",
    ".wasm": "application/wasm",
}


def _content_type(path: Path) -> str:
    return CONTENT_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def _inside(root: Path, relative: str) -> Path | None:
    """The file ``relative`` names inside ``root``, or None for anything that would leave it: ``..``,
    backslashes, NUL, or a symbolic link pointing out."""
    if "\\" in relative or "\x00" in relative:
        return None
    parts = PurePosixPath(relative.lstrip("/")).parts
    if ".." in parts:
        return None
    candidate = root.joinpath(*parts).resolve()
    return candidate if candidate.is_relative_to(root) else None


def _response(content: bytes | str, status: int, media_type: str, caching: dict[str, str]) -> Response:
    return Response(content, status_code=status, media_type=media_type, headers={**ADMIN_UI_HEADERS, **caching})


def _not_found() -> Response:
    return _response("Not found.", 404, "text/plain", REVALIDATE)


def serve_admin_ui(build: Path, relative: str) -> Response:
    """The response for ``/admin/<relative>`` from the build folder ``build``."""
    root = build.resolve()
    index = root / "index.html"
    if not index.is_file():
        message = f"The admin UI is not built. Build it with: {BUILD_COMMAND}. (Looked in {root}.)"
        return _response(message, 503, "text/plain", REVALIDATE)
    target = _inside(root, relative)
    if target is None:
        return _not_found()
    if target.is_file() and target != index:
        hashed = target.relative_to(root).parts[0] == "assets"
        return _response(target.read_bytes(), 200, _content_type(target), IMMUTABLE if hashed else REVALIDATE)
    if relative.lstrip("/").startswith("assets/"):
        return _not_found()  # a missing script must not turn into the page (nor be cached as it)
    return _response(index.read_bytes(), 200, CONTENT_TYPES[".html"], REVALIDATE)


def admin_ui_routes(settings: Settings) -> list:
    build = settings.admin_ui_dir

    @get(ADMIN_UI_PATH, include_in_schema=False, sync_to_thread=True)
    def admin_root(request: Request) -> Response:
        # Litestar routes /admin and /admin/ alike; the app's relative URLs need the slash.
        if not (request.scope.get("raw_path") or request.url.path.encode()).endswith(b"/"):
            return Redirect(f"{ADMIN_UI_PATH}/", status_code=308, headers=ADMIN_UI_HEADERS)
        return serve_admin_ui(build, "")

    @get(f"{ADMIN_UI_PATH}/{{relative:path}}", include_in_schema=False, sync_to_thread=True)
    def admin_page(relative: str) -> Response:
        return serve_admin_ui(build, relative)

    return [admin_root, admin_page]
