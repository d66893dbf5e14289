"""A page of 50 companies on 100,000: Kartoteka against PostGraphile 4 and a plain handler.

The benchmark of issue 3 (and of ``shared/design/perf-anchor.md``), on Kartoteka's own data:

1. **Data.** A PostgreSQL database ``kartoteka_bench_crm`` and a SQLite file
   (``bench/results/crm_list/crm.sqlite3``), each with all migrations (``kartoteka migrate``)
   and the demo organisation (``kartoteka demo --companies 100000``: about 300,000 persons and
   1,000,000 timeline entries). Built once and timed; ``--reuse`` keeps the built ones.
2. **Tokens.** ``kartoteka token create`` for the administrator and for a territory-restricted
   sales rep (``handlowiec.malopolskie@demo.kartoteka.pl``).
3. **Servers**, each its own process on loopback: the Kartoteka app (``core.app:create_app``,
   uvicorn, one worker, uvloop, httptools, no access log); on PostgreSQL also PostGraphile 4
   (``bench/postgraphile``, Node) and the plain handler (``bench/plain_crm.py``: Litestar,
   asyncpg, one SQL statement with LATERAL joins, orjson).
4. **Checks.** Every case answers 200 without errors; the three servers return the same 50
   companies in the same order with the same owner, tags, custom fields and last activity.
5. **Load.** ``wrk -t2 -c32 --latency`` after a warm-up, the cases interleaved, ``--rounds``
   rounds; medians of req/s, p50 and p99, and the ratios Kartoteka / PostGraphile and
   Kartoteka / plain for the list.

``--sql-count`` instead counts the SQL statements the app runs for the list at first: 10, 50, 100
(see ``bench/crm_sql_count.py``).

Every server is stopped by its PID on the way out (errors, Ctrl-C and SIGTERM too). Needs wrk
(``apt-get install -y wrk``) and, for PostGraphile, ``npm install`` in ``bench/postgraphile``.

Usage: ``.venv/bin/python bench/crm_list.py [--reuse] [--seconds N] [--rounds N] [--engines postgres,sqlite]``
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from graphql_throughput import (  # noqa: E402  (a sibling script, not a package)
    HOST,
    ROOT,
    Load,
    Measurement,
    Watchdog,
    _pg_admin,
    database_version,
    free_port,
    median,
    run_wrk,
    stop_process,
    tail,
    versions,
)

DATA_DIR = BENCH_DIR / "results" / "crm_list"
SQLITE_FILE = DATA_DIR / "crm.sqlite3"
PLUGINS_TOML = "# bench/crm_list.py: the core only, as `make run` with the default plugins.toml\n"
ADMIN = "admin@demo.kartoteka.pl"
REP = "handlowiec.malopolskie@demo.kartoteka.pl"
KARTOTEKA = str(ROOT / ".venv" / "bin" / "kartoteka")
POSTGRAPHILE_DIR = BENCH_DIR / "postgraphile"
STARTUP_SECONDS = 120  # PostGraphile introspects the whole database first


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- data set --------------------------------------------------------------------------------------
def database_url(engine: str, args: argparse.Namespace) -> str:
    return f"sqlite:///{SQLITE_FILE}" if engine == "sqlite" else f"{args.pg_dsn}/{args.pg_database}"


def kartoteka_environ(engine: str, args: argparse.Namespace) -> dict[str, str]:
    plugins = DATA_DIR / "plugins.toml"
    plugins.write_text(PLUGINS_TOML)
    return {
        **os.environ,
        "KARTOTEKA_DATABASE_URL": database_url(engine, args),
        "KARTOTEKA_PLUGINS_FILE": str(plugins),
        "KARTOTEKA_PROFILE": "embedded",
        "PYTHONUNBUFFERED": "1",
    }


def build(engine: str, args: argparse.Namespace) -> dict[str, Any]:
    """A fresh database with every migration and the demo; returns how long each step took."""
    if engine == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
    else:
        drop = f'DROP DATABASE IF EXISTS "{args.pg_database}" WITH (FORCE)'
        asyncio.run(_pg_admin(args.pg_dsn, drop, f'CREATE DATABASE "{args.pg_database}"'))
    environ = kartoteka_environ(engine, args)
    times: dict[str, Any] = {"engine": engine, "companies": args.companies}
    for step, command in (
        ("migrate_seconds", [KARTOTEKA, "migrate"]),
        ("demo_seconds", [KARTOTEKA, "demo", "--companies", str(args.companies)]),
    ):
        log(f"[{engine}] {' '.join(command[1:])}")
        started = time.monotonic()
        subprocess.run(command, cwd=ROOT, env=environ, check=True, stdout=sys.stderr)  # the progress bar shows
        times[step] = round(time.monotonic() - started, 1)
        log(f"[{engine}] {command[1]}: {times[step]} s")
    if engine == "postgres":  # what autovacuum would do after a while: fresh statistics for the planner
        started = time.monotonic()
        asyncio.run(_pg_admin_in(database_url(engine, args), "VACUUM ANALYZE"))
        times["vacuum_analyze_seconds"] = round(time.monotonic() - started, 1)
    times["counts"] = asyncio.run(count_rows(environ))
    (DATA_DIR / f"build-{engine}.json").write_text(json.dumps(times, indent=2) + "\n")
    return times


async def _pg_admin_in(url: str, statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(url, timeout=10)
    try:
        await connection.execute(statement, timeout=1800)
    finally:
        await connection.close()


async def count_rows(environ: dict[str, str]) -> dict[str, int]:
    from core.crm.tables import Company, Person, TimelineEntry
    from core.runtime import Runtime
    from core.settings import load_settings

    runtime = Runtime.boot(load_settings(environ=environ), role="cli")
    await runtime.start()
    try:
        return {
            "companies": await Company.count(),
            "persons": await Person.count(),
            "timeline_entries": await TimelineEntry.count(),
        }
    finally:
        await runtime.stop()


# --- cases -----------------------------------------------------------------------------------------
LIST_QUERY = (
    "{ companies(first: 50) { edges { node { id name nip customFields owner { id displayName } tags"
    " lastActivity { kind title occurredAt } } } } }"
)
TIMELINE_QUERY = (
    "query($subject: ID!) { timeline(subject: $subject, first: 50) { edges { node { id kind title occurredAt"
    " durationMinutes cost author { displayName } } } pageInfo { hasNextPage endCursor } } }"
)
SEARCH_QUERY = (
    "query($q: String!) { search(query: $q, first: 20) {"
    " companies { id name nip } persons { id firstName lastName } } }"
)
PHONE_QUERY = (
    "query($phone: String!) { findByPhone(phone: $phone) { companies { id name } persons { id firstName lastName } } }"
)
POSTGRAPHILE_QUERY = (
    "{ allCoreCompanies(first: 50, orderBy: [SORT_NAME_ASC, ID_ASC], condition: {deletedAt: null}) { nodes {"
    " id name nip custom coreUserByOwner { id displayName }"
    " coreCompanyTagsByCompany { nodes { coreTagByTag { name } } }"
    " lastActivity { kind subject occurredAt } } } }"
)
LIST_CASE = "list (admin)"


@dataclass(frozen=True)
class Case:
    name: str
    server: str  # kartoteka | postgraphile | plain
    method: str
    path: str
    body: str | None = None
    token: str | None = None


def graphql_body(query: str, variables: dict[str, Any] | None = None) -> str:
    return json.dumps({"query": query, **({"variables": variables} if variables else {})})


def lua_script(case: Case) -> str:
    lines = [f'wrk.method = "{case.method}"']
    if case.token:
        lines.append(f'wrk.headers["Authorization"] = "Bearer {case.token}"')
    if case.body is not None:
        lines += ['wrk.headers["Content-Type"] = "application/json"', f"wrk.body = [==[{case.body}]==]"]
    return "\n".join(lines) + "\n"


async def pick_subjects(environ: dict[str, str]) -> dict[str, Any]:
    """What the timeline, search and phone cases ask about, read from the data set: the company
    with the longest timeline, the surname most persons share, and the first company's phone."""
    from core.crm.tables import Company, ContactPoint, Person, TimelineEntry
    from core.runtime import Runtime
    from core.settings import load_settings

    runtime = Runtime.boot(load_settings(environ=environ), role="cli")
    await runtime.start()
    try:
        [busiest] = await TimelineEntry.raw(
            "SELECT company, COUNT(*) AS n FROM core_timeline_entry WHERE company IS NOT NULL"
            " GROUP BY company ORDER BY n DESC, company LIMIT 1"
        )
        [surname] = await Person.raw(
            "SELECT last_name, COUNT(*) AS n FROM core_person GROUP BY last_name ORDER BY n DESC, last_name LIMIT 1"
        )
        first = await Company.select(Company.id).order_by(Company.sort_name).order_by(Company.id).first()
        phone = (
            await ContactPoint.select(ContactPoint.value)
            .where((ContactPoint.company == first["id"]) & (ContactPoint.kind == "phone"))
            .first()
        )
        return {
            "timeline_company": busiest["company"],
            "timeline_entries": busiest["n"],
            "surname": surname["last_name"],
            "surname_persons": surname["n"],
            "phone": phone["value"],
        }
    finally:
        await runtime.stop()


def create_token(environ: dict[str, str], email: str) -> str:
    done = subprocess.run(
        [KARTOTEKA, "token", "create", email, "--name", "bench/crm_list.py"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def make_cases(engine: str, tokens: dict[str, str], subjects: dict[str, Any]) -> list[Case]:
    subject = base64.b64encode(f"Company:{subjects['timeline_company']}".encode()).decode()
    admin, rep = tokens["admin"], tokens["rep"]
    cases = [
        Case(LIST_CASE, "kartoteka", "POST", "/graphql", graphql_body(LIST_QUERY), admin),
        Case("list (sales rep)", "kartoteka", "POST", "/graphql", graphql_body(LIST_QUERY), rep),
        Case(
            "timeline page", "kartoteka", "POST", "/graphql", graphql_body(TIMELINE_QUERY, {"subject": subject}), admin
        ),
        Case("search", "kartoteka", "POST", "/graphql", graphql_body(SEARCH_QUERY, {"q": subjects["surname"]}), admin),
        Case(
            "findByPhone",
            "kartoteka",
            "POST",
            "/graphql",
            graphql_body(PHONE_QUERY, {"phone": subjects["phone"]}),
            admin,
        ),
    ]
    if engine == "postgres":
        cases += [
            Case("PostGraphile list", "postgraphile", "POST", "/graphql", graphql_body(POSTGRAPHILE_QUERY)),
            Case("plain list (limit)", "plain", "GET", "/companies"),
        ]
    return cases


# --- servers ---------------------------------------------------------------------------------------
@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    url: str
    log: Path


class Servers:
    """Starts the servers as processes of their own; stops each one by PID when the block ends."""

    def __init__(self, environ: dict[str, str]):
        self.environ = environ
        self.running: list[Server] = []

    def __enter__(self) -> Servers:
        return self

    def __exit__(self, *exc: object) -> None:
        for server in reversed(self.running):
            stop_process(server.process)
        self.running.clear()

    def start(self, name: str, engine: str, args: argparse.Namespace) -> Server:
        port = free_port()
        uvicorn = [
            *(sys.executable, "-m", "uvicorn", "--factory", "--host", HOST, "--port", str(port)),
            *(
                "--loop",
                "uvloop",
                "--http",
                "httptools",
                "--lifespan",
                "on",
                "--no-access-log",
                "--log-level",
                "warning",
            ),
        ]
        environ = self.environ
        if name == "kartoteka":
            command, ready = [*uvicorn, "--app-dir", str(ROOT), "core.app:create_app"], ("GET", "/healthz", None)
        elif name == "plain":
            command, ready = [*uvicorn, "--app-dir", str(BENCH_DIR), "plain_crm:create_app"], ("GET", "/healthz", None)
        else:
            command = [
                str(POSTGRAPHILE_DIR / "node_modules" / ".bin" / "postgraphile"),
                *("--connection", database_url(engine, args), "--schema", "public"),
                *("--host", HOST, "--port", str(port), "--dynamic-json", "--disable-graphiql"),
                *("--disable-query-log", "--disable-default-mutations", "--max-pool-size", "10"),
            ]
            environ = {**self.environ, "NODE_ENV": "production"}
            ready = ("POST", "/graphql", '{"query": "{ __typename }"}')
        log_file = DATA_DIR / f"{engine}-{name}.log"
        with log_file.open("wb") as out:
            process = subprocess.Popen(
                command, cwd=ROOT, env=environ, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        server = Server(name, process, f"http://{HOST}:{port}", log_file)
        self.running.append(server)
        wait_ready(server, *ready)
        return server


def wait_ready(server: Server, method: str, path: str, body: str | None) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    headers = {"content-type": "application/json"} if body else {}
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited ({server.process.returncode}):\n{tail(server.log)}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.request(method, server.url + path, content=body, headers=headers, timeout=5).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{server.name} not ready after {STARTUP_SECONDS} s:\n{tail(server.log)}")


@contextlib.contextmanager
def postgraphile_function(engine: str, args: argparse.Namespace) -> Iterator[None]:
    """``bench/postgraphile/last_activity.sql`` while the block runs; dropped afterwards."""
    import asyncpg

    if not (POSTGRAPHILE_DIR / "node_modules" / ".bin" / "postgraphile").exists():
        raise RuntimeError(f"PostGraphile is not installed: cd {POSTGRAPHILE_DIR} && npm install")

    async def execute(sql: str) -> None:
        connection = await asyncpg.connect(database_url(engine, args), timeout=10)
        try:
            await connection.execute(sql)
        finally:
            await connection.close()

    asyncio.run(execute((POSTGRAPHILE_DIR / "last_activity.sql").read_text()))
    try:
        yield
    finally:
        asyncio.run(execute("DROP FUNCTION IF EXISTS public.core_company_last_activity(public.core_company)"))


# --- checks ------------------------------------------------------------------------------------------
def ask(client: httpx.Client, url: str, case: Case) -> Any:
    headers = {"content-type": "application/json"} if case.body else {}
    if case.token:
        headers["authorization"] = f"Bearer {case.token}"
    response = client.request(case.method, url + case.path, content=case.body, headers=headers)
    if response.status_code != 200:
        raise RuntimeError(f"{case.name}: HTTP {response.status_code}: {response.text[:300]}")
    answer = response.json()
    if answer.get("errors"):
        raise RuntimeError(f"{case.name}: {answer['errors']}")
    return answer


def numbers_as_text(value: Any) -> Any:
    """JSON numbers compared by value: JavaScript's JSON makes ``4`` of ``4.0``."""
    if isinstance(value, dict):
        return {key: numbers_as_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [numbers_as_text(item) for item in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{Decimal(str(value)).normalize():f}"
    return value


def comparable(nodes: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """What must be equal between the servers: order, ids, values, related data."""
    return [
        (
            n["id"],
            n["name"],
            n["nip"],
            json.dumps(numbers_as_text(n["customFields"]), sort_keys=True),
            None if n["owner"] is None else (n["owner"]["id"], n["owner"]["displayName"]),
            tuple(sorted(n["tags"], key=str.casefold)),
            None
            if n["lastActivity"] is None
            else (
                n["lastActivity"]["kind"],
                n["lastActivity"]["title"],
                datetime.fromisoformat(n["lastActivity"]["occurredAt"]),
            ),
        )
        for n in nodes
    ]


def from_postgraphile(answer: Any) -> list[dict[str, Any]]:
    def gid(kind: str, key: int) -> str:
        return base64.b64encode(f"{kind}:{key}".encode()).decode()

    return [
        {
            "id": gid("Company", n["id"]),
            "name": n["name"],
            "nip": n["nip"],
            "customFields": n["custom"],
            "owner": None
            if n["coreUserByOwner"] is None
            else {
                "id": gid("UserNode", n["coreUserByOwner"]["id"]),
                "displayName": n["coreUserByOwner"]["displayName"],
            },
            "tags": [t["coreTagByTag"]["name"] for t in n["coreCompanyTagsByCompany"]["nodes"]],
            "lastActivity": None
            if n["lastActivity"] is None
            else {
                "kind": n["lastActivity"]["kind"],
                "title": n["lastActivity"]["subject"],
                "occurredAt": n["lastActivity"]["occurredAt"],
            },
        }
        for n in answer["data"]["allCoreCompanies"]["nodes"]
    ]


def check_answers(client: httpx.Client, urls: dict[str, str], cases: list[Case], subjects: dict[str, Any]) -> None:
    """Every case answers without errors; the three servers return the same page."""
    answers = {case.name: ask(client, urls[case.server], case) for case in cases}
    pages = {LIST_CASE: [e["node"] for e in answers[LIST_CASE]["data"]["companies"]["edges"]]}
    if "PostGraphile list" in answers:
        pages["PostGraphile list"] = from_postgraphile(answers["PostGraphile list"])
    if "plain list (limit)" in answers:
        pages["plain list (limit)"] = [e["node"] for e in answers["plain list (limit)"]["data"]["companies"]["edges"]]
    expected = comparable(pages[LIST_CASE])
    if len(expected) != 50 or not all(row[6] for row in expected):
        raise RuntimeError(f"{LIST_CASE}: expected 50 companies, each with a last activity; got {len(expected)}")
    for name, page in pages.items():
        if comparable(page) != expected:
            different = next(i for i, (a, b) in enumerate(zip(comparable(page), expected, strict=False)) if a != b)
            raise RuntimeError(f"{name} differs from {LIST_CASE} at row {different}: {comparable(page)[different]}")
    rep = answers["list (sales rep)"]["data"]["companies"]["edges"]
    if not rep or len(rep) > 50 or rep == answers[LIST_CASE]["data"]["companies"]["edges"]:
        raise RuntimeError("list (sales rep): expected a page of the rep's own area only")
    timeline = answers["timeline page"]["data"]["timeline"]["edges"]
    if len(timeline) != subjects["timeline_entries"]:
        raise RuntimeError(f"timeline page: {len(timeline)} entries, expected {subjects['timeline_entries']}")
    if not answers["search"]["data"]["search"]["persons"]:
        raise RuntimeError(f"search: nobody found for {subjects['surname']!r}")
    if not answers["findByPhone"]["data"]["findByPhone"]["companies"]:
        raise RuntimeError(f"findByPhone: no company found for {subjects['phone']}")


# --- one engine ------------------------------------------------------------------------------------
@dataclass
class EngineResult:
    engine: str
    database: str
    subjects: dict[str, Any]
    code: str = ""  # the commit, and changed files under core/, when the servers started
    rounds: dict[str, list[Measurement]] = field(default_factory=dict)


def bench_engine(engine: str, args: argparse.Namespace) -> EngineResult:
    load = Load(args.threads, args.connections, args.seconds, args.warmup)
    environ = kartoteka_environ(engine, args)
    if args.reuse:  # a reused data set gets the migrations added since it was built
        subprocess.run([KARTOTEKA, "migrate"], cwd=ROOT, env=environ, check=True, stdout=sys.stderr)
    tokens = {"admin": create_token(environ, ADMIN), "rep": create_token(environ, REP)}
    subjects = asyncio.run(pick_subjects(environ))
    log(f"[{engine}] subjects: {subjects}")
    cases = make_cases(engine, tokens, subjects)
    scripts = {}
    for case in cases:
        scripts[case.name] = DATA_DIR / f"{engine}-{re.sub(r'[^a-z]+', '_', case.name.lower())}.lua"
        scripts[case.name].write_text(lua_script(case))
    names = ["kartoteka"] + (["postgraphile", "plain"] if engine == "postgres" else [])
    result = EngineResult(engine, database_version(engine, database_url(engine, args)), subjects)
    result.rounds = {case.name: [] for case in cases}
    function = postgraphile_function(engine, args) if engine == "postgres" else contextlib.nullcontext()
    with function, Servers(environ) as servers:
        result.code = code_state()
        urls = {name: servers.start(name, engine, args).url for name in names}
        log(f"[{engine}] servers: " + ", ".join(f"{s.name} pid {s.process.pid} {s.url}" for s in servers.running))
        with httpx.Client(timeout=30) as client:
            check_answers(client, urls, cases, subjects)
        log(f"[{engine}] checks passed: the same 50 companies, in the same order, with the same related data")
        for round_number in range(1, args.rounds + 1):
            for case in cases:
                url = urls[case.server] + case.path
                run_wrk(url, scripts[case.name], load, load.warmup)  # warm-up, discarded
                measured = run_wrk(url, scripts[case.name], load, load.seconds)
                result.rounds[case.name].append(measured)
                log(
                    f"[{engine}] round {round_number} {case.name:<19} {measured.requests_per_second:>8.1f} req/s"
                    f"  p50 {measured.p50_ms:7.2f} ms  p99 {measured.p99_ms:7.2f} ms  errors {measured.errors}"
                )
        if args.spy:
            profile(engine, args, servers.running[0], scripts[LIST_CASE], load)
        for server in servers.running:
            if server.process.poll() is not None:
                raise RuntimeError(f"{server.name} died during the run:\n{tail(server.log)}")
    return result


def code_state() -> str:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False).stdout.strip()

    dirty = git("status", "--short", "--", "core").splitlines()
    return f"commit {git('log', '-1', '--format=%h')}" + (
        f" with uncommitted changes in {', '.join(line[3:] for line in dirty)}" if dirty else " (clean core/)"
    )


# --- where the time goes ---------------------------------------------------------------------------
EXTRA_LAYERS = [  # tried before bench/layers.py's rules, which were written for profile_request.py
    ("database: Piccolo and the driver", r"", r"^(piccolo|asyncpg|aiosqlite|sqlite3)/"),
    ("our GraphQL code: resolvers, loaders, batching", r"", r"core/graphql/(?!guards|errors|permissions)"),
    ("our services: access, scoping, custom fields", r"", r"core/(crm|access)/"),
    ("uvicorn and httptools", r"", r"^uvicorn/|httptools"),
]


def profile(engine: str, args: argparse.Namespace, server: Server, script: Path, load: Load) -> None:
    """py-spy attached to the Kartoteka server while wrk loads the admin list; time by layer."""
    spy = shutil.which("py-spy") or str(ROOT / ".venv" / "bin" / "py-spy")
    raw = DATA_DIR / f"spy-{engine}-list.txt"
    recorder = subprocess.Popen(
        [
            *(spy, "record", "--pid", str(server.process.pid), "-d", str(args.spy), "-r", "250"),
            *("-f", "raw", "--nonblocking", "-o", str(raw)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        measured = run_wrk(server.url + "/graphql", script, load, args.spy)
        recorder.wait(60)
    finally:
        stop_process(recorder)
    log(f"[{engine}] under py-spy: {measured.requests_per_second:.1f} req/s; raw samples in {raw}")
    print(f"\nWhere the time goes ({engine}, {LIST_CASE}, py-spy attached to the server, {args.spy} s):")
    print(layer_table(raw))


def layer_table(raw: Path) -> str:
    import layers

    extra = [(layer, name, path) for layer, name, path in EXTRA_LAYERS]
    layers.RULES[:0] = extra
    try:
        counts: dict[str, int] = {}
        for line in raw.read_text().splitlines():
            stack, _, samples = line.rpartition(" ")
            frames = stack.split(";")
            found = next((layer for f in reversed(frames) if (layer := layers.layer_of(f))), None)
            if found is None:
                found = "event loop and other (asyncio, stdlib)"
            counts[found] = counts.get(found, 0) + int(samples)
    finally:
        del layers.RULES[: len(extra)]
    total = sum(counts.values()) or 1
    rows = [f"| {layer} | {n} | {n / total:.1%} |" for layer, n in sorted(counts.items(), key=lambda i: -i[1])]
    return "\n".join(["| layer | samples | share |", "|---|---:|---:|", *rows])


# --- report ----------------------------------------------------------------------------------------
def report(results: list[EngineResult]) -> str:
    """Medians over the rounds; the ratios divide Kartoteka's list req/s by the other server's."""
    lines = [
        "| engine | case | req/s | req/s min-max | p50 ms | p99 ms | errors | Kartoteka / PostGraphile "
        "| Kartoteka / plain |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        rps = {name: median([m.requests_per_second for m in runs]) for name, runs in result.rounds.items()}
        for name, runs in result.rounds.items():
            rates = [m.requests_per_second for m in runs]
            ratios = ["", ""]
            if name == LIST_CASE and "PostGraphile list" in rps:
                ratios = [f"{rps[name] / rps['PostGraphile list']:.2f}", f"{rps[name] / rps['plain list (limit)']:.2f}"]
            lines.append(
                f"| {result.engine} | {name} | {rps[name]:,.0f} | {min(rates):,.0f}-{max(rates):,.0f} "
                f"| {median([m.p50_ms for m in runs]):.1f} | {median([m.p99_ms for m in runs]):.1f} "
                f"| {sum(m.errors for m in runs)} | {ratios[0]} | {ratios[1]} |"
            )
    return "\n".join(lines)


# --- main ------------------------------------------------------------------------------------------
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reuse", action="store_true", help="use the databases built before (skip the build)")
    parser.add_argument("--build-only", action="store_true", help="build the databases, measure nothing")
    parser.add_argument("--companies", type=int, default=100_000, help="demo size when building (default 100000)")
    parser.add_argument("--seconds", type=int, default=10, help="measured seconds per case and round (default 10)")
    parser.add_argument("--warmup", type=int, default=3, help="discarded warm-up seconds before each (default 3)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the median is reported (default 3)")
    parser.add_argument("--engines", default="postgres,sqlite", help="comma-separated: postgres, sqlite")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument("--pg-dsn", default="postgresql://postgres@127.0.0.1:5432", help="PostgreSQL server")
    parser.add_argument("--pg-database", default="kartoteka_bench_crm", help="database built (dropped first!)")
    parser.add_argument(
        "--sql-count", action="store_true", help="only count SQL statements per list request (built data sets)"
    )
    parser.add_argument("--spy", type=int, default=0, help="after the rounds, profile the admin list N s with py-spy")
    parser.add_argument("--json", type=Path, help="also write every round's figures to this JSON file")
    args = parser.parse_args(argv)
    args.engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(args.engines) - {"sqlite", "postgres"}
    if unknown or not args.engines:
        parser.error(f"--engines: unknown {sorted(unknown)}; use postgres and/or sqlite")
    if min(args.seconds, args.warmup, args.rounds, args.threads, args.connections, args.companies) < 1:
        parser.error("--seconds, --warmup, --rounds, --threads, --connections and --companies must be at least 1")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.pg_database):
        parser.error("--pg-database: use lower-case letters, digits and underscores")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    if not args.reuse and not args.sql_count:  # counting needs built data sets, never rebuilds them
        for engine in args.engines:
            build(engine, args)
    if args.build_only:
        return 0
    if args.sql_count:
        from crm_sql_count import main as count_main

        return count_main(
            [*("--engines", ",".join(args.engines), "--pg-dsn", args.pg_dsn, "--pg-database", args.pg_database)]
        )
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get update && apt-get install -y wrk", file=sys.stderr)
        return 2

    def on_signal(signum: int, frame: object) -> None:
        raise Watchdog("time budget exceeded") if signum == signal.SIGALRM else SystemExit(128 + signum)

    # Every step has its own timeout; the alarm is a last resort that still runs every cleanup.
    per_engine = 300 + args.rounds * 7 * (args.seconds + args.warmup + 10)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGALRM, on_signal)
    signal.alarm(per_engine * len(args.engines))
    started = time.monotonic()
    load_before = os.getloadavg()
    results = []
    try:
        for engine in args.engines:
            results.append(bench_engine(engine, args))
    finally:
        signal.alarm(0)

    builds = {e: json.loads(p.read_text()) for e in args.engines if (p := DATA_DIR / f"build-{e}.json").exists()}
    print(f"\n{versions()}")
    print(", ".join(f"{r.engine}: {r.database}" for r in results))
    for result in results:
        print(f"{result.engine} servers started on {result.code}")
    for engine, built in builds.items():
        print(f"{engine} data set: {built['counts']}; demo built in {built['demo_seconds']} s")
    print(
        f"wrk -t{args.threads} -c{args.connections} -d{args.seconds}s --latency after a {args.warmup} s warm-up; "
        f"{args.rounds} rounds, median; {time.monotonic() - started:.0f} s in all; load average (1, 5, 15 min) "
        f"before {' '.join(f'{x:.1f}' for x in load_before)}, after {' '.join(f'{x:.1f}' for x in os.getloadavg())}\n"
    )
    print(report(results))
    if args.json:
        raw = {
            "command": " ".join(sys.argv),
            "versions": versions(),
            "builds": builds,
            "results": [
                {
                    "engine": r.engine,
                    "database": r.database,
                    "subjects": r.subjects,
                    "code": r.code,
                    "rounds": {k: [asdict(m) for m in v] for k, v in r.rounds.items()},
                }
                for r in results
            ],
        }
        args.json.write_text(json.dumps(raw, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
