"""Every query and mutation, run as every built-in role: allowed exactly when the role holds the
field's permission. Arguments are made up from the schema, so new fields are covered by
themselves."""

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    get_named_type,
)
from graphql.pyutils import Undefined

from core.errors import camel_case
from core.graphql.compose import build_schema
from core.graphql.permissions import AUTHENTICATED, PUBLIC, declared_permission
from tests.conftest import as_user, make_user

pytestmark = pytest.mark.parametrize("engine_kind", ["sqlite"])
SCALARS = {
    "ID": '"Q29tcGFueTox"',
    "String": '"x"',
    "Int": "1",
    "Float": "1.0",
    "Boolean": "true",
    "DateTime": '"2026-12-01T09:00:00+00:00"',
    "Date": '"2026-12-01"',
    "Decimal": '"1.00"',
    "JSON": "{}",
    "Upload": '"x"',  # a real file only comes in a multipart request; the permission is checked first
}


def literal(graphql_type) -> str:
    if isinstance(graphql_type, GraphQLNonNull):
        return literal(graphql_type.of_type)
    if isinstance(graphql_type, GraphQLList):
        return f"[{literal(graphql_type.of_type)}]"
    if isinstance(graphql_type, GraphQLEnumType):
        return next(iter(graphql_type.values))
    if isinstance(graphql_type, GraphQLInputObjectType):
        required = [f"{name}: {literal(f.type)}" for name, f in graphql_type.fields.items() if _required(f)]
        return "{" + ", ".join(required) + "}"
    if isinstance(graphql_type, GraphQLScalarType):
        return SCALARS[graphql_type.name]
    raise AssertionError(graphql_type)


def _required(argument) -> bool:
    return isinstance(argument.type, GraphQLNonNull) and argument.default_value is Undefined


def selection(graphql_type) -> str:
    named = get_named_type(graphql_type)
    return "" if isinstance(named, GraphQLScalarType | GraphQLEnumType) else " { __typename }"


def operations(schema) -> list[tuple[str, str, str]]:
    """(operation type, field name, document) for every root field."""
    found = []
    for root_name, keyword in (("Query", "query"), ("Mutation", "mutation")):
        root = schema._schema.get_type(root_name)
        if root is None:
            continue
        for name, definition in root.fields.items():
            args = [f"{arg}: {literal(a.type)}" for arg, a in definition.args.items() if _required(a)]
            arguments = f"({', '.join(args)})" if args else ""
            found.append((keyword, name, f"{keyword} {{ {name}{arguments}{selection(definition.type)} }}"))
    return found


async def test_every_operation_allows_exactly_the_roles_holding_its_permission(client, runtime):
    schema = build_schema(runtime, "staff")
    permission_of = {}
    for root_name in ("Query", "Mutation"):
        for strawberry_field in schema.get_type_by_name(root_name).fields:
            name = strawberry_field.graphql_name or camel_case(strawberry_field.name)
            permission_of[name] = declared_permission(strawberry_field)
    checked = 0
    for role_name, template in runtime.registry.role_templates.items():
        _, token = await make_user(runtime, f"{role_name}@firma.pl", roles=[role_name])
        granted = set(runtime.registry.permissions) if "*" in template.permissions else set(template.permissions)
        for _keyword, name, document in operations(schema):
            code = permission_of[name]
            allowed = code in (PUBLIC, AUTHENTICATED) or code in granted
            result = await as_user(client, token, document)
            forbidden = [
                e
                for e in result.get("errors", [])
                if (e.get("extensions") or {}).get("code") == "FORBIDDEN" and e.get("path", [None])[0] == name
            ]
            assert bool(forbidden) is not allowed, f"{role_name} {document}: {result}"
            checked += 1
    assert checked > 100
