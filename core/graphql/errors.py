"""Errors a client reads: ``userErrors`` of mutation payloads and GraphQL errors with a code.

Both carry an English message template and its parameters; the text is translated into the
request's language when the response is built.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError

from core.errors import DomainError


class ClientError(GraphQLError):
    """A GraphQL error meant for the client: a stable code, a translatable message."""

    def __init__(self, code: str, message: str, *, extensions: dict[str, Any] | None = None, **params: Any):
        self.template = message
        self.params = params
        super().__init__(
            message.format(**params) if params else message, extensions={"code": code, **(extensions or {})}
        )


def translate_errors(errors: list[GraphQLError] | None, context: Any) -> None:
    """Put each client error's message into the language of the request."""
    translator = getattr(getattr(context, "runtime", None), "translator", None)
    locale = getattr(context, "locale", None)
    if not errors or translator is None or locale is None:
        return
    for error in errors:
        original = error if isinstance(error, ClientError) else error.original_error
        if isinstance(original, ClientError):
            error.message = translator.text(locale, original.template, original.params)


@strawberry.type(description="Why a mutation did not do what was asked; nothing was written.")
class UserError:
    field: list[str] = strawberry.field(description="Path to the input field at fault (empty for the whole input).")
    code: str = strawberry.field(description="Stable, machine-readable error code.")
    template: strawberry.Private[str]
    params: strawberry.Private[dict[str, Any]]

    @strawberry.field(description="Explanation in the language of the request (Accept-Language: pl or en).")
    def message(self, info: strawberry.Info) -> str:
        return info.context.runtime.translator.text(info.context.locale, self.template, self.params)

    @classmethod
    def from_domain(cls, error: DomainError) -> UserError:
        return cls(field=list(error.field), code=error.code, template=error.message, params=dict(error.params))
