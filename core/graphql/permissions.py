"""Every root field and every field a plugin adds to another type declares its permission.

``field(permission=...)`` / ``mutation(permission=...)`` wrap ``strawberry.field`` /
``strawberry.mutation``: the code is stored in the field's metadata (the composer refuses fields
without one) and printed into the SDL description, and a field extension checks it on every
call. Fields of ordinary object types inherit the permission of the field that reached them.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.types.field import StrawberryField

from core.graphql.errors import ClientError
from core.i18n import _

PUBLIC = "public"  # anyone, signed in or not
AUTHENTICATED = "authenticated"  # any signed-in actor
SPECIAL_PERMISSIONS = {PUBLIC, AUTHENTICATED}
FORBIDDEN = "FORBIDDEN"


def permission_error(code: str) -> ClientError:
    return ClientError(
        FORBIDDEN, _("You do not have the permission {permission}."), extensions={"permission": code}, permission=code
    )


def allowed(actor: Any, code: str) -> bool:
    if code == PUBLIC:
        return True
    if code == AUTHENTICATED:
        return actor.is_authenticated
    return actor.can(code)


def permission_text(code: str) -> str:
    if code == PUBLIC:
        return "Public."
    if code == AUTHENTICATED:
        return "Requires a signed-in actor."
    return f"Requires permission `{code}`."


class RequirePermission(FieldExtension):
    def __init__(self, code: str):
        self.code = code

    def apply(self, field: StrawberryField) -> None:
        text = permission_text(self.code)
        # Module-level root types are composed again for every schema (surfaces, tests): add once.
        if not field.description:
            field.description = text
        elif not field.description.endswith(text):
            field.description = f"{field.description} {text}"

    def resolve(self, next_: Callable[..., Any], source: Any, info: Any, **kwargs: Any) -> Any:
        if not allowed(info.context.actor, self.code):
            raise permission_error(self.code)
        return next_(source, info, **kwargs)

    async def resolve_async(self, next_: Callable[..., Any], source: Any, info: Any, **kwargs: Any) -> Any:
        if not allowed(info.context.actor, self.code):
            raise permission_error(self.code)
        result = next_(source, info, **kwargs)
        return await result if inspect.isawaitable(result) else result


class HideWithout(FieldExtension):
    """Field-level hiding: the field is null for an actor without the permission, and the rest
    of the object (a list row, say) is still shown — a sensitive column, not a forbidden record."""

    def __init__(self, code: str):
        self.code = code

    def apply(self, field: StrawberryField) -> None:
        text = f"Sensitive: null without permission `{self.code}`."
        if not (field.description or "").endswith(text):
            field.description = f"{field.description} {text}" if field.description else text

    def resolve(self, next_: Callable[..., Any], source: Any, info: Any, **kwargs: Any) -> Any:
        return next_(source, info, **kwargs) if allowed(info.context.actor, self.code) else None

    async def resolve_async(self, next_: Callable[..., Any], source: Any, info: Any, **kwargs: Any) -> Any:
        if not allowed(info.context.actor, self.code):
            return None
        result = next_(source, info, **kwargs)
        return await result if inspect.isawaitable(result) else result


def sensitive(resolver: Callable[..., Any] | None = None, *, permission: str, **kwargs: Any) -> Any:
    """A field of an object type that only actors with ``permission`` see (null for the others)."""
    made = strawberry.field(extensions=[HideWithout(permission)], metadata={"hidden_without": permission}, **kwargs)
    return made(resolver) if resolver is not None else made


def _extensions(permission: str, extra: list[Any] | None) -> list[Any]:
    # Public fields still get the extension: it documents the decision in the SDL.
    return [RequirePermission(permission), *(extra or [])]


def field(
    resolver: Callable[..., Any] | None = None,
    *,
    permission: str,
    extensions: list[Any] | None = None,
    batch: Callable[..., Any] | None = None,
    **kwargs: Any,
) -> Any:
    """``strawberry.field`` that must name its permission code (or PUBLIC / AUTHENTICATED).

    ``batch`` is the resolver's form for a whole list of sources (core.graphql.batching)."""
    metadata: dict[str, Any] = {"permission": permission}
    if batch is not None:
        metadata["batch"] = batch
    made = strawberry.field(extensions=_extensions(permission, extensions), metadata=metadata, **kwargs)
    return made(resolver) if resolver is not None else made


def mutation(
    resolver: Callable[..., Any] | None = None, *, permission: str, extensions: list[Any] | None = None, **kwargs: Any
) -> Any:
    """``strawberry.mutation`` that must name its permission code."""
    made = strawberry.mutation(
        extensions=_extensions(permission, extensions), metadata={"permission": permission}, **kwargs
    )
    return made(resolver) if resolver is not None else made


def declared_permission(strawberry_field: StrawberryField) -> str | None:
    return (strawberry_field.metadata or {}).get("permission")
