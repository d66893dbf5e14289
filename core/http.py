"""Who sent an HTTP request: shared by the app and by the routes features contribute."""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from core.auth import ANONYMOUS, Actor

if TYPE_CHECKING:
    from core.runtime import Runtime

# What every HTML page of this server sends: no framing by another site, no content sniffing, no
# address of ours in another site's logs.
BROWSER_PAGE_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


async def resolve_actor(request: Any, runtime: Runtime) -> Actor:
    """The actor of the first plugin that recognises the request's credentials, else nobody."""
    found = runtime.plugins.manager.hook.kartoteka_actor_from_request(request=request, runtime=runtime)
    if inspect.isawaitable(found):
        found = await found
    return found or ANONYMOUS
