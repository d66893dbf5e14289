"""CSV export of any list query (``POST /graphql/export.csv`` and ``kartoteka export``).

The caller sends a GraphQL query whose result holds one Relay connection. It runs through the
staff schema itself — ``GuardedSchema.execute`` with the caller's own context — so the field
permissions, the guards (cost, deadline) and the record scoping are exactly those of
``/graphql``; this module only pages and flattens. It sets ``$after`` to ``pageInfo.endCursor``
until ``hasNextPage`` is false, and writes one row per ``edges.node``.

Columns come from the query, not the data, so a header never depends on which values happen to
be null: every leaf field under ``node`` is a column named by its path (``owner.displayName``);
values under lists are joined with ``"; "`` (``emails.value`` → ``a@x.pl; b@x.pl``).

The first page runs before the response starts: a bad query, a result without one connection or
a permission error is a 400 with the GraphQL errors. A failure on a later page, or more rows than
``KARTOTEKA_EXPORT_MAX_ROWS``, can no longer change the status: the stream is cut off without its
final chunk, so no client takes a partial file for a whole one (and the reason is logged).

The file starts with a UTF-8 byte order mark unless ``bom`` is false: Excel — what most users
open a CSV with — reads a CSV without it in the ANSI code page (Windows-1250 in Poland) and garbles
every Polish letter; programs that read CSV as UTF-8 (our own importer, pandas with
``utf-8-sig``) skip it. ``delimiter`` may be ``;`` for Excel with Polish regional settings.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
)
from litestar import Request, Response, post
from litestar.exceptions import SerializationException
from litestar.handlers import HTTPRouteHandler
from litestar.response import Stream
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from core.i18n import _, negotiate

logger = logging.getLogger(__name__)
EXPORT_PATH = "/graphql/export.csv"
BOM = "\ufeff"
LIST_SEPARATOR = "; "
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
DELIMITERS = (",", ";")
AFTER = "after"

Execute = Callable[[dict[str, Any]], Awaitable[ExecutionResult]]


class ExportError(Exception):
    """Why nothing (more) can be exported: GraphQL errors, or one of ours (a template to translate)."""

    def __init__(
        self,
        code: str = "",
        template: str = "",
        *,
        graphql_errors: list[dict[str, Any]] | None = None,
        **params: Any,
    ):
        self.code, self.template, self.params = code, template, params
        self.graphql_errors = graphql_errors
        super().__init__(template.format(**params) if params else template or json.dumps(graphql_errors))

    def errors(self, translate: Callable[[str, dict[str, Any]], str]) -> list[dict[str, Any]]:
        if self.graphql_errors is not None:
            return self.graphql_errors
        return [{"message": translate(self.template, self.params), "extensions": {"code": self.code}}]


@dataclass
class ExportRequest:
    query: str
    variables: dict[str, Any] = field(default_factory=dict)
    operation_name: str | None = None
    bom: bool = True
    delimiter: str = ","

    @classmethod
    def from_json(cls, body: Any) -> ExportRequest:
        if not isinstance(body, dict) or not isinstance(body.get("query"), str):
            raise ExportError("BAD_REQUEST", _("Send a JSON object with the GraphQL query in query."))
        variables = body.get("variables") or {}
        operation_name = body.get("operationName")
        delimiter = body.get("delimiter", ",")
        bom = body.get("bom", True)
        if (
            not isinstance(variables, dict)
            or not isinstance(operation_name, str | None)
            or delimiter not in DELIMITERS
            or not isinstance(bom, bool)
        ):
            raise ExportError(
                "BAD_REQUEST",
                _("variables must be an object, operationName a string, bom true or false, delimiter , or ;."),
            )
        return cls(body["query"], variables, operation_name, bom, delimiter)


# --- the query: which operation, and the columns under the connection's node -------------------------
def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name:
        operations = [o for o in operations if o.name and o.name.value == name]
    if len(operations) != 1 or operations[0].operation.value != OperationType.QUERY.value:
        raise ExportError("NOT_A_QUERY", _("Send exactly one query operation (or name it in operationName)."))
    return operations[0]


def _fields(sets: Iterable[SelectionSetNode | None], fragments: dict[str, FragmentDefinitionNode]) -> list[FieldNode]:
    """The fields of these selection sets in order, with fragments spread in (whatever their type
    condition: a column a node's type lacks stays empty)."""
    found: list[FieldNode] = []
    for selection_set in sets:
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                found.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                found += _fields([selection.selection_set], fragments)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value in fragments:
                found += _fields([fragments[selection.name.value].selection_set], fragments)
    return found


def _key(node: FieldNode) -> str:
    return node.alias.value if node.alias else node.name.value


def _children(sets: list[SelectionSetNode | None], key: str, fragments) -> list[SelectionSetNode | None]:
    return [node.selection_set for node in _fields(sets, fragments) if _key(node) == key]


def _columns(sets: list[SelectionSetNode | None], fragments, prefix: str = "") -> list[str]:
    grouped: dict[str, list[FieldNode]] = {}
    for node in _fields(sets, fragments):
        grouped.setdefault(_key(node), []).append(node)
    columns: list[str] = []
    for key, nodes in grouped.items():
        children = [node.selection_set for node in nodes if node.selection_set]
        columns += _columns(children, fragments, f"{prefix}{key}.") if children else [prefix + key]
    return columns


def node_columns(document: DocumentNode, operation: OperationDefinitionNode, path: list[str]) -> list[str]:
    """The column paths under ``<path>.edges.node`` of the operation."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    sets: list[SelectionSetNode | None] = [operation.selection_set]
    for key in [*path, "edges", "node"]:
        sets = _children(sets, key, fragments)
    return _columns(sets, fragments)


# --- the result: where the connection is, and one node as a row --------------------------------------
def find_connections(data: Any, path: tuple[str, ...] = ()) -> list[list[str]]:
    """Paths of the outermost connections (objects with a list of ``edges``), through objects only."""
    if not isinstance(data, dict):
        return []
    if isinstance(data.get("edges"), list):
        return [list(path)]
    return [found for key, value in data.items() for found in find_connections(value, (*path, key))]


def _leaves(value: Any, parts: list[str]) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item, parts)]
    if not parts:
        return [value]
    return _leaves(value.get(parts[0]), parts[1:]) if isinstance(value, dict) else []


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):  # a JSON scalar
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def flatten(node: Any, columns: list[str]) -> list[str]:
    return [_inert(LIST_SEPARATOR.join(_text(leaf) for leaf in _leaves(node, column.split(".")))) for column in columns]


def _inert(cell: str) -> str:
    """A cell a spreadsheet would run as a formula (CSV injection: a company named
    ``=HYPERLINK(…)``) gets a leading apostrophe, which makes it text; numbers, phone numbers in
    E.164 among them, stay as they are."""
    if cell.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


# --- paging ----------------------------------------------------------------------------------------------
def _connection(result: ExecutionResult, path: list[str] | None) -> tuple[list[str], dict[str, Any]]:
    if result.errors:
        raise ExportError(graphql_errors=[error.formatted for error in result.errors])
    if path is None:
        found = find_connections(result.data)
        if len(found) != 1:
            raise ExportError(
                "NO_CONNECTION",
                _("The result must hold exactly one connection (edges {{ node {{ … }} }}); it holds {count}."),
                count=len(found),
            )
        path = found[0]
    connection: Any = result.data
    for key in path:
        connection = connection[key]
    return path, connection


async def export_rows(execute: Execute, request: ExportRequest, max_rows: int) -> AsyncIterator[list[list[str]]]:
    """The header and the first page's rows, then one list of rows per further page."""
    try:
        document = parse(request.query)
    except GraphQLError as error:
        raise ExportError(graphql_errors=[error.formatted]) from None
    operation = _operation(document, request.operation_name)
    declares_after = any(v.variable.name.value == AFTER for v in operation.variable_definitions or ())
    variables = dict(request.variables)
    path: list[str] | None = None
    columns: list[str] = []
    written = 0
    while True:
        path, connection = _connection(await execute(variables), path)
        header = not columns
        if header:
            columns = node_columns(document, operation, path)
            if not columns:
                raise ExportError("NO_COLUMNS", _("Select the fields to export under edges { node { … } }."))
        page = [flatten((edge or {}).get("node"), columns) for edge in connection["edges"]]
        written += len(page)
        if written > max_rows:
            raise ExportError(
                "TOO_MANY_ROWS",
                _("The export would be longer than {limit} rows (the KARTOTEKA_EXPORT_MAX_ROWS setting)."),
                limit=max_rows,
            )
        info = connection.get("pageInfo")
        if not isinstance(info, dict) or "hasNextPage" not in info or "endCursor" not in info:
            raise ExportError("NO_PAGE_INFO", _("Select pageInfo { hasNextPage endCursor } on the connection."))
        more = bool(info["hasNextPage"])
        if more and not declares_after:
            raise ExportError(
                "NO_AFTER_VARIABLE",
                _("Declare $after: String in the query and pass it as the connection's after argument."),
            )
        if more and (not info["endCursor"] or info["endCursor"] == variables.get(AFTER)):
            raise ExportError("CURSOR_STUCK", _("The connection's endCursor does not move on; pass $after to it."))
        yield [columns, *page] if header else page
        if not more:
            return
        variables[AFTER] = info["endCursor"]


def executor(schema: Any, request: ExportRequest, context: Callable[[], Awaitable[Any]]) -> Execute:
    """Runs the query through the schema's own ``execute`` (guards included), queries only."""

    async def execute(variables: dict[str, Any]) -> ExecutionResult:
        return await schema.execute(
            request.query,
            variable_values=variables,
            context_value=await context(),
            operation_name=request.operation_name,
            allowed_operation_types={OperationType.QUERY},
        )

    return execute


def encode_rows(rows: list[list[str]], delimiter: str) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


async def export_csv(execute: Execute, request: ExportRequest, max_rows: int) -> AsyncIterator[bytes]:
    """The CSV file in chunks, one a page. The first page runs when the first chunk is asked for."""
    pages = export_rows(execute, request, max_rows)
    first = await anext(pages)
    return _chunks(first, pages, request)


async def _chunks(first: list[list[str]], pages: AsyncIterator[list[list[str]]], request: ExportRequest):
    yield (BOM.encode("utf-8") if request.bom else b"") + encode_rows(first, request.delimiter)
    try:
        async for page in pages:
            yield encode_rows(page, request.delimiter)
    except ExportError as error:
        logger.warning("CSV export cut off after the first page: %s", error)
        raise


# --- HTTP ------------------------------------------------------------------------------------------------
def export_route(schema: Any, context_getter: Callable[[Request, Any], Awaitable[Any]]) -> HTTPRouteHandler:
    """``POST /graphql/export.csv`` with ``{"query", "variables", "operationName", "bom", "delimiter"}``,
    authenticated like ``/graphql`` (each page is executed as its own request would be: the token
    is checked again, a fresh context and DataLoaders)."""

    @post(EXPORT_PATH, status_code=200)
    async def export(request: Request) -> Response:
        runtime = request.app.state.runtime
        locale = negotiate(request.headers.get("accept-language"))
        try:
            try:
                body = await request.json()
            except SerializationException:
                body = None
            wanted = ExportRequest.from_json(body)

            execute = executor(schema, wanted, lambda: context_getter(request, None))
            chunks = await export_csv(execute, wanted, runtime.settings.export_max_rows)
        except ExportError as error:
            translate = partial(runtime.translator.text, locale)
            return Response({"errors": error.errors(translate)}, status_code=400)
        return Stream(
            chunks,
            media_type="text/csv",  # Litestar adds "; charset=utf-8"
            headers={"Content-Disposition": 'attachment; filename="export.csv"', "Cache-Control": "private"},
        )

    return export
