"""Guards every schema carries: depth, tokens, aliases, cost, a deadline, caches, error hygiene."""

from __future__ import annotations

import asyncio
import re
from functools import lru_cache
from typing import Any

import strawberry
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    NoSchemaIntrospectionCustomRule,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    parse,
    validate,
    value_from_ast_untyped,
)
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)
from strawberry.types import ExecutionResult

from core.graphql.errors import ClientError, sanitise_errors, translate_errors
from core.graphql.pagination import DEFAULT_PAGE_SIZE
from core.i18n import _
from core.settings import Settings

COST_LIMIT = "COST_LIMIT_EXCEEDED"
DEADLINE = "DEADLINE_EXCEEDED"


@lru_cache(maxsize=512)
def _parse(query: str, max_tokens: int) -> DocumentNode:
    # The token limit applies here too: a huge document must not block the loop while it is parsed.
    return parse(query, max_tokens=max_tokens)


def query_cost(
    schema: GraphQLSchema, document: DocumentNode, variables: dict[str, Any] | None, operation_name: str | None
) -> int:
    """Each field costs 1; a paginated field multiplies the cost of what it selects by its page size."""
    variables = variables or {}
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if not operations:
        return 0
    operation = operations[0]
    # A variable left out takes its default, which must cost what the same literal would.
    defaults = {
        definition.variable.name.value: value_from_ast_untyped(definition.default_value)
        for definition in operation.variable_definitions or ()
        if definition.default_value is not None
    }
    variables = {**defaults, **variables}
    root = schema.get_root_type(operation.operation)
    return _selection_cost(schema, root, operation.selection_set, fragments, variables, set())


def _selection_cost(
    schema, parent: GraphQLNamedType | None, selection_set: SelectionSetNode | None, fragments, variables, seen
) -> int:
    if selection_set is None:
        return 0
    total = 0
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            total += _field_cost(schema, parent, selection, fragments, variables, seen)
        elif isinstance(selection, InlineFragmentNode):
            target = schema.get_type(selection.type_condition.name.value) if selection.type_condition else parent
            total += _selection_cost(schema, target, selection.selection_set, fragments, variables, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is None or name in seen:  # validation reports unknown or cyclic fragments
                continue
            target = schema.get_type(fragment.type_condition.name.value)
            total += _selection_cost(schema, target, fragment.selection_set, fragments, variables, seen | {name})
    return total


def _field_cost(schema, parent, node: FieldNode, fragments, variables, seen) -> int:
    definition = parent.fields.get(node.name.value) if isinstance(parent, GraphQLObjectType) else None
    child_type = get_named_type(definition.type) if definition else None
    multiplier = 1
    if definition is not None and "first" in definition.args:
        multiplier = DEFAULT_PAGE_SIZE
        for argument in node.arguments or ():
            if argument.name.value != "first":
                continue
            if isinstance(argument.value, IntValueNode):
                multiplier = int(argument.value.value)
            elif isinstance(argument.value, VariableNode):
                value = variables.get(argument.value.name.value)
                multiplier = value if isinstance(value, int) else DEFAULT_PAGE_SIZE
    children = _selection_cost(schema, child_type, node.selection_set, fragments, variables, seen)
    return 1 + max(multiplier, 1) * children


class GuardedSchema(strawberry.Schema):
    """A schema that refuses over-expensive operations and stops at a wall-clock deadline."""

    max_cost: int = 10_000
    max_tokens: int = 2_000
    deadline: float = 10.0
    suggestions: bool = True  # "Did you mean …" in error messages; off in production
    public_introspection: bool = True  # off in production: anonymous callers get no __schema/__type

    async def execute(
        self, query: str | None, variable_values: dict[str, Any] | None = None, *args: Any, **kwargs: Any
    ) -> ExecutionResult:
        if _has_nul(variable_values) or (query and _NUL_IN_QUERY.search(query)):
            # PostgreSQL text cannot hold U+0000, and no field of a CRM has a use for it.
            error = ClientError("BAD_USER_INPUT", _("Text must not contain the NUL character (U+0000)."))
            return self._finish(ExecutionResult(data=None, errors=[error]), kwargs)
        if query:
            try:
                document = _parse(query, self.max_tokens)
            except GraphQLError:
                document = None  # the normal pipeline reports the syntax error
            context = kwargs.get("context_value") or (args[0] if args else None)
            anonymous = not getattr(getattr(context, "actor", None), "is_authenticated", False)
            hidden = document is not None and anonymous and not self.public_introspection
            if hidden and _introspects(self._schema, document):
                error = ClientError("FORBIDDEN", _("The schema is described only to signed-in callers; sign in first."))
                return self._finish(ExecutionResult(data=None, errors=[error]), kwargs)
            if document is not None:
                operation_name = kwargs.get("operation_name") or (args[2] if len(args) > 2 else None)
                cost = query_cost(self._schema, document, variable_values, operation_name)
                if cost > self.max_cost:
                    error = ClientError(
                        COST_LIMIT,
                        _(
                            "This query would cost {cost}, more than the limit of {limit}; "
                            "ask for smaller pages or fewer fields."
                        ),
                        extensions={"cost": cost, "limit": self.max_cost},
                        cost=cost,
                        limit=self.max_cost,
                    )
                    return self._finish(ExecutionResult(data=None, errors=[error]), kwargs)
        try:
            async with asyncio.timeout(self.deadline):
                result = await super().execute(query, variable_values, *args, **kwargs)
        except TimeoutError:
            error = ClientError(
                DEADLINE,
                _("The request did not finish within {seconds} s and was stopped."),
                seconds=f"{self.deadline:g}",
            )
            result = ExecutionResult(data=None, errors=[error])
        return self._finish(result, kwargs)

    def _finish(self, result: ExecutionResult, kwargs: dict[str, Any]) -> ExecutionResult:
        if result.errors:
            result.errors = sanitise_errors(result.errors, suggestions=self.suggestions)
            translate_errors(result.errors, kwargs.get("context_value"))
        return result

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        """Strawberry logs every error with its traceback here; ``_finish`` logs them instead,
        a client error as one line and an unexpected one with its traceback and error id."""


_NUL_IN_QUERY = re.compile(r"\x00|\\u0000|\\u\{0+\}", re.IGNORECASE)


def _introspects(schema: GraphQLSchema, document: DocumentNode) -> bool:
    """Whether the document asks for ``__schema`` or ``__type`` (``__typename`` is not introspection)."""
    return bool(validate(schema, document, [NoSchemaIntrospectionCustomRule]))


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


VALIDATION_CACHE_SIZE = 512


def default_extensions(settings: Settings) -> list[Any]:
    # The depth and alias limits are validation rules; ValidationCache keys on the rule classes,
    # so they are made once per schema — a limiter built per request would never hit the cache.
    rules = [
        *QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=settings.max_query_aliases).validation_rules,
    ]
    extensions: list[Any] = [
        lambda: AddValidationRules(rules),
        lambda: MaxTokensLimiter(max_token_count=settings.max_query_tokens),
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=VALIDATION_CACHE_SIZE),
    ]
    return extensions
