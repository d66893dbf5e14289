"""GraphQL throughput through the whole stack, against a plain Litestar JSON baseline.

For each database engine (SQLite, PostgreSQL) the script

1. builds a fresh data set: a new SQLite file in a temporary directory, or a new PostgreSQL
   database (dropped at the end); all migrations of the core and the ``sample`` test plugin;
   100 ``SampleNote`` rows;
2. starts two servers, each one uvicorn process (one worker, uvloop, httptools, no access log):
   the real app (``core.app:create_app``) and the plain baseline (``bench/plain_app.py``), both
   configured by the same ``KARTOTEKA_*`` environment;
3. checks that every case answers 200 with the expected data, and that the GraphQL list and the
   plain list return the same 100 rows;
4. loads the cases in turn (A B C D A B C D ...) with ``wrk -t2 -c32 --latency`` after a warm-up
   whose figures are discarded, for ``--rounds`` rounds, and reports the median of the rounds.

Cases: ``{ viewer { kind } }`` and ``sampleNotes(first: 100) { edges { node { id text touched } } }``
POSTed to ``/graphql``; ``GET /notes`` (the same 100 rows read with the same Piccolo table) and
``GET /viewer`` (the same actor hook, no GraphQL) on the plain app.

Every server is stopped by its PID on the way out, also on errors, Ctrl-C and SIGTERM; a watchdog
alarm bounds the whole run. wrk must be installed (``apt-get install -y wrk``).

Usage: ``.venv/bin/python bench/graphql_throughput.py [--seconds N] [--rounds N] [--engines sqlite,postgres]``
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import importlib.metadata
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
HOST = "127.0.0.1"
ROWS = 100
ACTOR_HEADER = ("x-sample-actor", "staff:sample.note.read,sample.note.write")
PLUGINS_TOML = """\
[plugins.sample]
enabled = true
[plugins.sample.config]
trust_test_header = true
"""
VIEWER_QUERY = "{ viewer { kind } }"
LIST_QUERY = "{ sampleNotes(first: 100) { edges { node { id text touched } } } }"
STARTUP_SECONDS = 60
STOP_SECONDS = 10


# --- cases -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    name: str
    server: str  # "graphql" or "plain"
    method: str
    path: str
    query: str | None  # the GraphQL query POSTed as JSON; None for a GET
    twin: str | None = None  # the plain case that returns the same data without GraphQL

    @property
    def body(self) -> str | None:
        return None if self.query is None else json.dumps({"query": self.query})


CASES = [
    Case("graphql viewer", "graphql", "POST", "/graphql", VIEWER_QUERY, twin="plain viewer"),
    Case("graphql 100 rows", "graphql", "POST", "/graphql", LIST_QUERY, twin="plain 100 rows"),
    Case("plain 100 rows", "plain", "GET", "/notes", None),
    Case("plain viewer", "plain", "GET", "/viewer", None),
]
BASELINE = "plain 100 rows"
SERVERS = {
    "graphql": ("core.app:create_app", ROOT),
    "plain": ("plain_app:create_app", BENCH_DIR),
}


def lua_script(case: Case) -> str:
    lines = [f'wrk.method = "{case.method}"', f'wrk.headers["{ACTOR_HEADER[0]}"] = "{ACTOR_HEADER[1]}"']
    if case.body is not None:
        lines += ['wrk.headers["Content-Type"] = "application/json"', f"wrk.body = [==[{case.body}]==]"]
    return "\n".join(lines) + "\n"


def global_id_key(global_id: str) -> int:
    """``U2FtcGxlTm90ZU5vZGU6MQ==`` (``SampleNoteNode:1``) → 1."""
    return int(base64.b64decode(global_id).decode().split(":", 1)[1])


def check_responses(client: httpx.Client, urls: dict[str, str]) -> None:
    """Every case answers 200 with the expected data; GraphQL and plain return the same rows."""
    answers: dict[str, Any] = {}
    for case in CASES:
        headers = dict([ACTOR_HEADER]) | ({"content-type": "application/json"} if case.body else {})
        response = client.request(case.method, urls[case.server] + case.path, content=case.body, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"{case.name}: HTTP {response.status_code}: {response.text[:300]}")
        answers[case.name] = response.json()
    expected_viewer = {"data": {"viewer": {"kind": "staff"}}}
    for name in ("graphql viewer", "plain viewer"):
        if answers[name] != expected_viewer:
            raise RuntimeError(f"{name}: unexpected answer {answers[name]!r}")
    edges = ((answers["graphql 100 rows"].get("data") or {}).get("sampleNotes") or {}).get("edges")
    if not edges:
        raise RuntimeError(f"graphql 100 rows: unexpected answer {str(answers['graphql 100 rows'])[:300]}")
    graphql_rows = [(global_id_key(e["node"]["id"]), e["node"]["text"], e["node"]["touched"]) for e in edges]
    plain_rows = [(r["id"], r["text"], r["touched"]) for r in answers["plain 100 rows"]]
    if len(graphql_rows) != ROWS or graphql_rows != plain_rows:
        raise RuntimeError(
            f"the GraphQL list ({len(graphql_rows)} rows) differs from the plain one ({len(plain_rows)})"
        )


# --- data set -----------------------------------------------------------------------------------
async def prepare_data(environ: dict[str, str]) -> None:
    """Migrate a fresh database and insert the notes (the same code path as ``kartoteka migrate``)."""
    from core.db.migrate import migrate
    from core.runtime import Runtime
    from core.settings import load_settings
    from kartoteka_sample.tables import SampleNote

    runtime = Runtime.boot(load_settings(environ=environ), role="cli")
    await migrate(runtime)
    await SampleNote.insert(
        *[SampleNote(text=f"Note {i:03d}: call the customer back about the renewal") for i in range(1, ROWS + 1)]
    )
    count = await SampleNote.count()
    if count != ROWS:
        raise RuntimeError(f"expected {ROWS} notes, found {count}")


async def _pg_admin(dsn: str, *statements: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(f"{dsn}/postgres", timeout=10)
    try:
        for statement in statements:
            await connection.execute(statement, timeout=30)
    finally:
        await connection.close()


@contextlib.contextmanager
def database(engine: str, workdir: Path, pg_dsn: str, pg_database: str) -> Iterator[str]:
    """A fresh, empty database; yields its ``KARTOTEKA_DATABASE_URL``."""
    if engine == "sqlite":
        path = workdir / "bench.sqlite3"
        path.unlink(missing_ok=True)
        yield f"sqlite:///{path}"
        return
    drop = f'DROP DATABASE IF EXISTS "{pg_database}" WITH (FORCE)'
    asyncio.run(_pg_admin(pg_dsn, drop, f'CREATE DATABASE "{pg_database}"'))
    try:
        yield f"{pg_dsn}/{pg_database}"
    finally:
        asyncio.run(_pg_admin(pg_dsn, drop))


# --- servers -------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    url: str
    log: Path


class Servers:
    """Starts uvicorn processes; stops every one of them by PID when the ``with`` block ends."""

    def __init__(self, workdir: Path, environ: dict[str, str]):
        self.workdir = workdir
        self.environ = environ
        self.running: list[Server] = []

    def __enter__(self) -> Servers:
        return self

    def __exit__(self, *exc: object) -> None:
        for server in reversed(self.running):
            stop_process(server.process)
        self.running.clear()

    def start(self, name: str) -> Server:
        target, app_dir = SERVERS[name]
        port = free_port()
        log = self.workdir / f"{name}-{port}.log"
        command = [
            *(sys.executable, "-m", "uvicorn", target, "--factory", "--app-dir", str(app_dir)),
            *("--host", HOST, "--port", str(port), "--loop", "uvloop", "--http", "httptools"),
            *("--lifespan", "on", "--no-access-log", "--log-level", "warning"),
        ]
        with log.open("wb") as out:
            process = subprocess.Popen(
                command, cwd=ROOT, env=self.environ, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        server = Server(name, process, f"http://{HOST}:{port}", log)
        self.running.append(server)
        wait_ready(server)
        return server


def wait_ready(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} server exited ({server.process.returncode}):\n{tail(server.log)}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(server.url + "/healthz", timeout=2).status_code == 200:
                return
        time.sleep(0.1)
    raise RuntimeError(f"{server.name} server not ready after {STARTUP_SECONDS} s:\n{tail(server.log)}")


def stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(STOP_SECONDS)


def tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


# --- wrk -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Load:
    threads: int
    connections: int
    seconds: int
    warmup: int


@dataclass(frozen=True)
class Measurement:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # non-2xx responses plus socket errors


UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def parse_duration_ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * UNITS_MS[unit]


def parse_wrk(output: str) -> Measurement:
    def find(pattern: str) -> re.Match[str]:
        match = re.search(pattern, output, re.MULTILINE)
        if match is None:
            raise RuntimeError(f"wrk output without {pattern!r}:\n{output}")
        return match

    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        errors += sum(int(g) for g in match.groups())
    return Measurement(
        requests_per_second=float(find(r"^Requests/sec:\s+([\d.]+)").group(1)),
        p50_ms=parse_duration_ms(find(r"^\s+50%\s+(\S+)").group(1)),
        p99_ms=parse_duration_ms(find(r"^\s+99%\s+(\S+)").group(1)),
        requests=int(find(r"^\s+(\d+) requests in").group(1)),
        errors=errors,
    )


def run_wrk(url: str, script: Path, load: Load, seconds: int) -> Measurement:
    command = [
        *("wrk", f"-t{load.threads}", f"-c{load.connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"),
        *("-s", str(script), url),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse_wrk(done.stdout)


# --- one engine ----------------------------------------------------------------------------------
@dataclass
class EngineResult:
    engine: str
    database: str
    rounds: dict[str, list[Measurement]] = field(default_factory=dict)


def bench_engine(engine: str, args: argparse.Namespace, workdir: Path, log: Callable[[str], None]) -> EngineResult:
    load = Load(args.threads, args.connections, args.seconds, args.warmup)
    plugins_file = workdir / "plugins.toml"
    plugins_file.write_text(PLUGINS_TOML)
    scripts = {}
    for case in CASES:
        scripts[case.name] = workdir / f"{case.name.replace(' ', '_')}.lua"
        scripts[case.name].write_text(lua_script(case))

    with database(engine, workdir, args.pg_dsn, args.pg_database) as database_url:
        environ = {
            **os.environ,
            "KARTOTEKA_DATABASE_URL": database_url,
            "KARTOTEKA_PLUGINS_FILE": str(plugins_file),
            "KARTOTEKA_PROFILE": "embedded",
            "PYTHONUNBUFFERED": "1",
        }
        log(f"[{engine}] {database_url}: migrating, inserting {ROWS} notes")
        asyncio.run(prepare_data(environ))
        result = EngineResult(engine, database_version(engine, database_url), {c.name: [] for c in CASES})
        with Servers(workdir, environ) as servers:
            urls = {name: servers.start(name).url for name in SERVERS}
            log(f"[{engine}] servers: " + ", ".join(f"{s.name} pid {s.process.pid} {s.url}" for s in servers.running))
            with httpx.Client(timeout=10) as client:
                check_responses(client, urls)
            for round_number in range(1, args.rounds + 1):
                for case in CASES:
                    url = urls[case.server] + case.path
                    run_wrk(url, scripts[case.name], load, load.warmup)  # warm-up, discarded
                    measured = run_wrk(url, scripts[case.name], load, load.seconds)
                    result.rounds[case.name].append(measured)
                    log(
                        f"[{engine}] round {round_number} {case.name:<17} {measured.requests_per_second:>9.1f} req/s"
                        f"  p50 {measured.p50_ms:7.2f} ms  p99 {measured.p99_ms:7.2f} ms  errors {measured.errors}"
                    )
            for server in servers.running:
                if server.process.poll() is not None:
                    raise RuntimeError(f"{server.name} server died during the run:\n{tail(server.log)}")
    return result


def database_version(engine: str, database_url: str) -> str:
    if engine == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"

    async def version() -> str:
        import asyncpg

        connection = await asyncpg.connect(database_url, timeout=10)
        try:
            return "PostgreSQL " + await connection.fetchval("SHOW server_version")
        finally:
            await connection.close()

    return asyncio.run(version())


# --- report ----------------------------------------------------------------------------------------
def median(values: list[float]) -> float:
    return statistics.median(values)


def report(results: list[EngineResult]) -> str:
    """Medians over the rounds; the ratios divide a plain server's req/s by a GraphQL case's."""
    lines = [
        "| engine | case | req/s | req/s min-max | p50 ms | p99 ms | errors "
        "| plain 100 rows / this | plain twin / this |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        rps = {name: median([m.requests_per_second for m in ms]) for name, ms in result.rounds.items()}
        for case in CASES:
            runs = result.rounds[case.name]
            rates = [m.requests_per_second for m in runs]
            ratios = ["", ""]
            if case.twin:
                ratios = [f"{rps[BASELINE] / rps[case.name]:.2f}x", f"{rps[case.twin] / rps[case.name]:.1f}x"]
            lines.append(
                f"| {result.engine} | {case.name} | {rps[case.name]:,.0f} | {min(rates):,.0f}-{max(rates):,.0f} "
                f"| {median([m.p50_ms for m in runs]):.1f} | {median([m.p99_ms for m in runs]):.1f} "
                f"| {sum(m.errors for m in runs)} | {ratios[0]} | {ratios[1]} |"
            )
    return "\n".join(lines)


def versions() -> str:
    packages = ("strawberry-graphql", "graphql-core", "litestar", "piccolo", "uvicorn", "uvloop", "httptools")
    found = [f"{p} {importlib.metadata.version(p)}" for p in packages]
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True, check=False).stdout.split(" [")[0]
    return f"Python {platform.python_version()}, {', '.join(found)}, {wrk}, {os.cpu_count()} CPUs"


# --- main ------------------------------------------------------------------------------------------
class Watchdog(Exception):
    pass


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="measured seconds per case and round (default 10)")
    parser.add_argument("--warmup", type=int, default=3, help="discarded warm-up seconds before each (default 3)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the median is reported (default 3)")
    parser.add_argument("--engines", default="sqlite,postgres", help="comma-separated: sqlite, postgres")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (default 2)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument("--pg-dsn", default="postgresql://postgres@127.0.0.1:5432", help="PostgreSQL server")
    parser.add_argument("--pg-database", default="kartoteka_bench", help="database created and dropped (!)")
    parser.add_argument("--json", type=Path, help="also write every round's figures to this JSON file")
    args = parser.parse_args(argv)
    args.engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(args.engines) - {"sqlite", "postgres"}
    if unknown or not args.engines:
        parser.error(f"--engines: unknown {sorted(unknown)}; use sqlite and/or postgres")
    if min(args.seconds, args.warmup, args.rounds, args.threads, args.connections) < 1:
        parser.error("--seconds, --warmup, --rounds, --threads and --connections must be at least 1")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", args.pg_database):
        parser.error("--pg-database: use lower-case letters, digits and underscores")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get update && apt-get install -y wrk", file=sys.stderr)
        return 2

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    def on_signal(signum: int, frame: object) -> None:
        raise Watchdog("time budget exceeded") if signum == signal.SIGALRM else SystemExit(128 + signum)

    # Every step has its own timeout; the alarm is a last resort that still runs every cleanup.
    per_engine = 120 + args.rounds * len(CASES) * (args.seconds + args.warmup + 10)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGALRM, on_signal)
    signal.alarm(per_engine * len(args.engines))
    results = []
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix="kartoteka-bench-") as tmp:
            for engine in args.engines:
                results.append(bench_engine(engine, args, Path(tmp), log))
    finally:
        signal.alarm(0)

    print(f"\n{versions()}")
    print(", ".join(f"{r.engine}: {r.database}" for r in results))
    print(
        f"wrk -t{args.threads} -c{args.connections} -d{args.seconds}s --latency after a {args.warmup} s warm-up; "
        f"{args.rounds} rounds, median; {ROWS} rows; {time.monotonic() - started:.0f} s in all\n"
    )
    print(report(results))
    if args.json:
        raw = {
            "command": " ".join(sys.argv),
            "versions": versions(),
            "results": [
                {
                    "engine": r.engine,
                    "database": r.database,
                    "rounds": {k: [asdict(m) for m in v] for k, v in r.rounds.items()},
                }
                for r in results
            ],
        }
        args.json.write_text(json.dumps(raw, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
