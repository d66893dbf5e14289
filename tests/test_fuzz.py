"""A bounded, seeded fuzz run over every query and mutation of both GraphQL surfaces.

Each root field is called a few times with generated arguments (valid-looking values, ids the API
handed out earlier in the run, and hostile ones: wrong types, odd Unicode, malformed ids, deep
JSON) by an administrator, by a portal person and anonymously. No answer may be a 5xx, every error
must carry a code, and none may be an unexpected (INTERNAL) one or show Python's own text.
``KARTOTEKA_FUZZ_SEED`` and ``KARTOTEKA_FUZZ_ROUNDS`` change the run.
"""

from __future__ import annotations

import base64
import json
import os
import random
import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
    is_leaf_type,
)

from core.api import NoConfig, Plugin, PluginInfo, hookimpl
from core.auth import SYSTEM
from core.crm import services as crm
from core.db.migrate import migrate
from core.identity import accounts
from core.identity.services import portal_actor
from core.runtime import Runtime
from tests.conftest import make_user, serve_app, write_plugins

SEED = int(os.environ.get("KARTOTEKA_FUZZ_SEED", "20261203"))
ROUNDS = int(os.environ.get("KARTOTEKA_FUZZ_ROUNDS", "8"))
PLUGINS = "[plugins.sales]\nenabled = true\n[plugins.marketing]\nenabled = true\n"
PORTAL_HEADER = "x-fuzz-portal-account"
# Python's own wording, which must never reach a client.
PYTHON_TEXT = re.compile(
    r"Traceback|invalid literal|unhashable|object has no attribute|NoneType|__init__\(\)|"
    r"takes \d+ positional|KeyError|IndexError|codec can't|not subscriptable|object is not|"
    r"unexpected keyword|asyncpg|sqlite3|piccolo|with base 10|isoformat|ISO string|decimal\.|InvalidOperation"
)
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
STRINGS = ["", " ", "a", "Łódź", "²", "x" * 300, "<b>'\"%_\\", "\x00", "😀", "2026-01-01", "pl", "email", "*"]
INTS = [0, 1, -1, 2, 7, 100, 101, 2**31 - 1, -(2**31)]


def _global_id(type_name: str, node_id: str) -> str:
    return base64.b64encode(f"{type_name}:{node_id}".encode()).decode()


class PortalFromHeader(Plugin):
    """Signs in the portal account named by a header, as the OAuth server's token would."""

    info = PluginInfo(description="fuzz: portal actor from a header")

    @hookimpl
    def kartoteka_actor_from_request(self, request, runtime):
        # Not async: a coroutine would be a first result for every request, bearer tokens too.
        account = request.headers.get(PORTAL_HEADER)
        return portal_actor(int(account)) if account else None


class Generator:
    """Arguments and selections for the fields of one schema, from one seeded random source."""

    def __init__(self, schema: GraphQLSchema, rng: random.Random, ids: set[str]):
        self.schema = schema
        self.rng = rng
        self.ids = ids
        self.hostile = False  # per operation: wrong types and unknown enum values too

    def value(self, type_: GraphQLInputType, depth: int = 0) -> Any:
        if isinstance(type_, GraphQLNonNull):
            return self.present(type_.of_type, depth)
        return None if self.rng.random() < 0.08 else self.present(type_, depth)

    def present(self, type_: GraphQLInputType, depth: int) -> Any:
        rng = self.rng
        if isinstance(type_, GraphQLList):
            return [self.value(type_.of_type, depth + 1) for _ in range(rng.choice([0, 1, 1, 2, 3]))]
        if isinstance(type_, GraphQLEnumType):
            return rng.choice([*type_.values, *(["NOPE"] if self.hostile and rng.random() < 0.1 else [])])
        if isinstance(type_, GraphQLInputObjectType):
            if depth > 4:
                return {}
            return {
                name: self.value(f.type, depth + 1)
                for name, f in type_.fields.items()
                if isinstance(f.type, GraphQLNonNull) or rng.random() < 0.5
            }
        return self.scalar(type_.name, depth)

    def scalar(self, name: str, depth: int) -> Any:
        rng = self.rng
        if self.hostile and rng.random() < 0.1:  # the wrong type altogether
            return rng.choice(["zzz", 1.5, True, [], {}])
        if name == "Int":
            return rng.choice(INTS)
        if name == "Float":
            return rng.choice([0.0, 0.01, -1.5, 3.25, 1e10])
        if name == "Boolean":
            return rng.random() < 0.5
        if name == "ID":
            known = list(self.ids)
            odd = ["²", "", "x", "1", _global_id("Company", "²"), _global_id("Nope", "1"), "bm9wZQ=="]
            return rng.choice(known) if known and rng.random() < 0.7 else rng.choice(odd)
        if name == "JSON":
            return self.json(depth)
        if name in ("Date",):
            return rng.choice(["2026-01-01", "2026-02-30", "x", "1999-12-31"])
        if name in ("DateTime",):
            return rng.choice(["2026-01-01T10:00:00+00:00", "2026-01-01T10:00:00", "nope"])
        if name in ("Decimal",):
            return rng.choice(["1.50", "0", "-3", "1e400", "x"])
        return rng.choice(STRINGS)

    def json(self, depth: int) -> Any:
        rng = self.rng
        choice = rng.randrange(6) if depth < 3 else rng.randrange(3)
        if choice == 0:
            return rng.choice(STRINGS)
        if choice == 1:
            return rng.choice(INTS)
        if choice == 2:
            return None
        if choice == 3:
            return [self.json(depth + 1) for _ in range(rng.randrange(3))]
        keys = ["field", "op", "value", "all", "any", "not", "tag", "custom", "fact", "params", "has", "x"]
        return {rng.choice(keys): self.json(depth + 1) for _ in range(rng.randrange(1, 4))}

    def selection(self, type_: GraphQLOutputType, depth: int = 0) -> str:
        named = get_named_type(type_)
        if is_leaf_type(named):
            return ""
        if isinstance(named, GraphQLUnionType | GraphQLInterfaceType):
            possible = self.schema.get_possible_types(named)
            picked = self.rng.sample(list(possible), min(2, len(possible)))
            fragments = " ".join(f"... on {t.name} {self.selection(t, depth)}" for t in picked)
            return f"{{ __typename {fragments} }}"
        assert isinstance(named, GraphQLObjectType)
        parts = ["__typename"]
        for name, field in named.fields.items():
            if _required_args(field):
                continue
            if is_leaf_type(get_named_type(field.type)):
                parts.append(name)
            elif depth < 2 and self.rng.random() < 0.5:
                parts.append(name + " " + self.selection(field.type, depth + 1))
        return "{ " + " ".join(parts) + " }"

    def operation(self, kind: str, name: str, field: GraphQLField) -> tuple[str, dict[str, Any]] | None:
        declared, passed, variables = [], [], {}
        self.hostile = self.rng.random() < 0.25
        inline = self.rng.random() < 0.3  # literals in the document: validation, not variable coercion
        for index, (arg_name, arg) in enumerate(field.args.items()):
            if get_named_type(arg.type).name == "Upload":
                if isinstance(arg.type, GraphQLNonNull):
                    return None  # files go over multipart, which this run does not speak
                continue
            if not isinstance(arg.type, GraphQLNonNull) and self.rng.random() < 0.3:
                continue
            value = self.value(arg.type)
            if inline:
                passed.append(f"{arg_name}: {_literal(value, arg.type)}")
                continue
            declared.append(f"$a{index}: {arg.type}")
            passed.append(f"{arg_name}: $a{index}")
            variables[f"a{index}"] = value
        header = f"{kind}({', '.join(declared)})" if declared else kind
        arguments = f"({', '.join(passed)})" if passed else ""
        return f"{header} {{ {name}{arguments} {self.selection(field.type)} }}", variables


def _literal(value: Any, type_: Any) -> str:
    """``value`` written in the document (enum values bare, JSON objects as input objects)."""
    named = get_named_type(type_)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and isinstance(named, GraphQLEnumType) and re.fullmatch(r"[A-Za-z_]\w*", value):
        return value
    if isinstance(value, int | float | str):
        return json.dumps(value)
    item = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if isinstance(value, list):
        inner = item.of_type if isinstance(item, GraphQLList) else item
        return "[" + ", ".join(_literal(v, inner) for v in value) + "]"
    fields = named.fields if isinstance(named, GraphQLInputObjectType) else {}
    return (
        "{" + ", ".join(f"{k}: {_literal(v, fields[k].type if k in fields else named)}" for k, v in value.items()) + "}"
    )


def _required_args(field: GraphQLField) -> bool:
    return any(isinstance(a.type, GraphQLNonNull) and a.default_value is None for a in field.args.values())


def _collect_ids(data: Any, ids: set[str]) -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "id" and isinstance(value, str):
                ids.add(value)
            else:
                _collect_ids(value, ids)
    elif isinstance(data, list):
        for item in data:
            _collect_ids(item, ids)


def _problems(response: httpx.Response) -> list[str]:
    if response.status_code >= 500:
        return [f"HTTP {response.status_code}: {response.text[:300]}"]
    try:
        body = response.json()
    except ValueError:
        return [] if response.status_code < 500 else ["not JSON"]
    problems = []
    for error in body.get("errors") or [] if isinstance(body, dict) else []:
        code = (error.get("extensions") or {}).get("code")
        message = error.get("message", "")
        if not code:
            problems.append(f"no code: {message}")
        elif code == "INTERNAL":
            problems.append(f"INTERNAL at {error.get('path')}")
        if PYTHON_TEXT.search(message) or PLACEHOLDER.search(message):
            problems.append(f"{code}: {message}")
    return problems


@pytest.fixture
def plugins_file(tmp_path: Path) -> Path:
    return write_plugins(tmp_path / "plugins.toml", PLUGINS)


@pytest.fixture
async def runtime(settings) -> Runtime:
    fuzzing = settings.with_overrides(request_deadline=2.0)
    runtime = Runtime.boot(fuzzing, role="web", extra_plugins={"fuzz": PortalFromHeader("fuzz", NoConfig())})
    await migrate(runtime)
    return runtime


async def _seed(runtime: Runtime) -> tuple[str, str]:
    """A little of everything to point ids at; returns the admin's token and a portal account id."""
    company = await crm.create_company(runtime, SYSTEM, {"name": "Fuzz sp. z o.o.", "nip": "5260250274"})
    person = await crm.create_person(
        runtime,
        SYSTEM,
        {"first_name": "Ala", "last_name": "Fuzz"},
        crm.Related(emails=[crm.ContactInput("ala@fuzz.pl")], employments=[crm.EmploymentInput(company)]),
    )
    invitation = await accounts.invite_portal_person(
        runtime, SYSTEM, person_id=person, company_id=company, rights=tuple(accounts.RIGHTS["client"]), is_admin=True
    )
    _, token = await make_user(runtime, "admin@fuzz.pl", superuser=True)
    return token, str(invitation.account_id)


async def test_fuzz_both_surfaces_never_fail_unexpectedly(runtime, engine_kind, caplog):
    rng = random.Random(SEED)
    token, account = await _seed(runtime)
    problems: dict[str, list[str]] = {}
    calls = answered = 0
    async with serve_app(runtime) as client:
        surfaces = {
            "/graphql": {"admin": {"authorization": f"Bearer {token}"}, "anonymous": {}},
            "/portal/graphql": {
                "portal person": {PORTAL_HEADER: account},
                "anonymous": {},
                "staff admin": {"authorization": f"Bearer {token}"},  # refused with a 401, never a 5xx
            },
        }
        for path, actors in surfaces.items():
            schema = runtime.schemas["portal" if path.startswith("/portal") else "staff"]._schema
            ids: set[str] = set()
            generator = Generator(schema, rng, ids)
            roots = [("query", schema.query_type), ("mutation", schema.mutation_type)]
            for _ in range(ROUNDS):
                for kind, root in roots:
                    for name, field in (root.fields if root else {}).items():
                        for actor, headers in actors.items():
                            built = generator.operation(kind, name, field)
                            if built is None:
                                continue
                            query, variables = built
                            response = await client.post(
                                path, json={"query": query, "variables": variables}, headers=headers
                            )
                            calls += 1
                            if response.status_code == 401 and actor == "admin":  # the staff surface
                                # A fuzzed mutation revoked the token or disabled the user: a new admin.
                                _, fresh = await make_user(runtime, f"admin{calls}@fuzz.pl", superuser=True)
                                headers["authorization"] = f"Bearer {fresh}"
                            found = _problems(response)
                            if found:
                                problems.setdefault(f"{path} {name} as {actor}", []).append(
                                    f"{found} ← {query} {variables}"
                                )
                            elif response.status_code == 200:
                                body = response.json()
                                answered += not body.get("errors")
                                _collect_ids(body.get("data"), ids)
    print(f"fuzz: {calls} operations, {answered} answered without errors")
    assert calls > 200
    # Client errors are one log line each: no request of the run logged a traceback.
    tracebacks = [
        r.getMessage()[:200]
        for r in caplog.records
        if r.exc_info and r.name.startswith(("kartoteka", "strawberry", "litestar"))
    ]
    assert not tracebacks, tracebacks[:5]
    assert answered > calls // 10, "the generator should mostly make operations that run"
    report = "\n".join(f"{where}: {found[0]}"[:600] for where, found in sorted(problems.items()))
    assert not problems, f"{len(problems)} fields failed:\n{report}"
