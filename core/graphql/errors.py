"""Errors a client reads: ``userErrors`` of mutation payloads and GraphQL errors with a code.

Both carry an English message template and its parameters; the text is translated into the
request's language when the response is built.
"""

from __future__ import annotations

import logging
import re
import uuid
from typing import Any

import strawberry
from asyncpg.exceptions import StringDataRightTruncationError
from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.exceptions import StrawberryInputCoercionError
from strawberry.relay.types import GlobalIDValueError

from core.errors import DomainError
from core.i18n import _

INTERNAL = "INTERNAL"
INVALID_ID = "INVALID_ID"
BAD_USER_INPUT = "BAD_USER_INPUT"
PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
log = logging.getLogger("kartoteka.graphql")
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")
_VARIABLE = re.compile(r"^Variable '\$(\w+)'")
# graphql-core's wording for an input value a scalar refused (variables and literals).
_INPUT_ERROR = re.compile(r"^(Variable '\$\w+'|Expected value of type )")
# Strawberry's scalars (DateTime, Date, Decimal…) append Python's exception text to their sentence.
_SCALAR_REFUSAL = re.compile(r'(Value cannot represent an? \w+: (?:"(?:[^"\\]|\\.)*"|\S+?)\.) .*', re.DOTALL)


class ClientError(GraphQLError):
    """A GraphQL error meant for the client: a stable code, a translatable message."""

    def __init__(self, code: str, message: str, *, extensions: dict[str, Any] | None = None, **params: Any):
        self.template = message
        self.params = params
        super().__init__(
            message.format(**params) if params else message, extensions={"code": code, **(extensions or {})}
        )


def _located(error: ClientError, like: GraphQLError) -> ClientError:
    """``error`` at the place in the document and the response that ``like`` points to."""
    error.nodes, error.source, error.positions = like.nodes, like.source, like.positions
    error.locations, error.path = like.locations, like.path
    return error


def _request_error(error: GraphQLError, original: BaseException | None) -> GraphQLError:
    """A syntax, validation or variable error found before any resolver ran: the client's."""
    if original is not None and not isinstance(original, GraphQLError):
        # A scalar's parser raised a plain exception, whose text is Python's, not ours.
        variable = _VARIABLE.match(error.message)
        replacement = (
            ClientError(BAD_USER_INPUT, _("Variable ${name} has a value that does not fit its type."), name=variable[1])
            if variable
            else ClientError(BAD_USER_INPUT, _("A value in this request does not fit its type."))
        )
        return _located(replacement, error)
    if not (error.extensions or {}).get("code"):
        if isinstance(error, GraphQLSyntaxError):
            code = PARSE_FAILED
        elif _VARIABLE.match(error.message):
            code = BAD_USER_INPUT
        else:
            code = VALIDATION_FAILED
        error.extensions = {**(error.extensions or {}), "code": code}
    error.message = _SCALAR_REFUSAL.sub(r"\1", error.message)
    return error


def _internal(error: GraphQLError, original: BaseException | None) -> ClientError:
    error_id = uuid.uuid4().hex[:12]
    log.error(
        "internal error %s at %s: %s",
        error_id,
        ".".join(map(str, error.path or [])) or "-",
        error.message,
        exc_info=(type(original), original, original.__traceback__) if original is not None else None,
    )
    masked = ClientError(
        INTERNAL,
        _("Something went wrong on our side; the operators can find it under error id {error_id}."),
        extensions={"errorId": error_id},
        error_id=error_id,
    )
    return _located(masked, error)


def sanitise_errors(errors: list[GraphQLError], *, suggestions: bool) -> list[GraphQLError]:
    """Every error with a code; unexpected ones masked as INTERNAL and logged with a traceback
    under the error id the client gets; client errors logged as one line."""
    finished = []
    for error in errors:
        original = error.original_error
        if isinstance(error, ClientError):
            pass
        elif isinstance(original, ClientError):
            error.extensions = {**original.extensions, **(error.extensions or {})}
        elif isinstance(original, DomainError):
            # A service refused a query's arguments; queries have no userErrors to carry it.
            refused = ClientError(
                original.code, original.message, extensions={"field": original.field}, **original.params
            )
            error = _located(refused, error)
        elif isinstance(original, StringDataRightTruncationError):
            # asyncpg's: a text longer than its column that no service checked (SQLite keeps it).
            error = _located(
                ClientError("TOO_LONG", _("A text in this request is longer than its field allows.")), error
            )
        elif isinstance(original, GlobalIDValueError):
            error = _located(ClientError(INVALID_ID, _("This is not an id that the API handed out.")), error)
        elif isinstance(original, StrawberryInputCoercionError):
            error = _located(ClientError(BAD_USER_INPUT, _("A value in this request does not fit its type.")), error)
        elif error.path is None and (
            original is None or isinstance(original, GraphQLError) or _INPUT_ERROR.match(error.message)
        ):
            error = _request_error(error, original)
        else:
            error = _internal(error, original)
        if not suggestions and "Did you mean" in error.message:
            error.message = _SUGGESTION.sub("", error.message)
        code = (error.extensions or {}).get("code")
        if code != INTERNAL:
            where = ".".join(map(str, error.path or [])) or "-"
            log.info("client error %s at %s: %s", code, where, error.message)
        finished.append(error)
    return finished


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
