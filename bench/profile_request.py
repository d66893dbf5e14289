"""Where one GraphQL request's time goes: raw ASGI calls in one process, timed or profiled.

Unlike ``inprocess_cost.py`` (httpx + ASGITransport), this calls the Litestar app directly with a
hand-made ASGI scope, so almost all the measured time is the app's own. It boots the real app on a
fresh SQLite file with 100 notes (or a fresh PostgreSQL database with ``--pg-dsn``), and for each
query prints the mean wall time per request (median and minimum over 7 batches) and the CPU time,
with the garbage collector on and off. ``--plain`` adds the ``bench/plain_app.py`` endpoints under
the same harness.

``--profile`` runs the requests under cProfile, writes ``bench/results/profile_<case>.pstats`` and
prints the top functions. ``--loop`` only runs the requests, for a sampling profiler; ``layers.py``
turns py-spy's output into a table by layer (py-spy is not a dependency: install it into the venv
with ``.venv/bin/python -m pip install py-spy``):

    .venv/bin/py-spy record -r 250 -f raw -o bench/results/spy_rows.txt -- \
        .venv/bin/python bench/profile_request.py --case rows --loop --requests 5000
    .venv/bin/python bench/layers.py bench/results/spy_rows.txt

Usage: ``.venv/bin/python bench/profile_request.py [--case viewer|rows] [--requests N] [--plain]
[--profile | --loop] [--pg-dsn postgresql://postgres@127.0.0.1:5432]``
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results"
ACTOR = b"staff:sample.note.read,sample.note.write"
QUERIES = {
    "viewer": "{ viewer { kind } }",
    "rows": "{ sampleNotes(first: 100) { edges { node { id text touched } } } }",
}
PLAIN = {"viewer": "/viewer", "rows": "/notes"}
PLUGINS_TOML = "[plugins.sample]\nenabled = true\n[plugins.sample.config]\ntrust_test_header = true\n"
PG_DATABASE = "kartoteka_profile"


class AsgiCaller:
    """Calls an ASGI app the way uvicorn would, and checks the answer."""

    def __init__(self, app: Any, method: str, path: str, body: bytes, expect: bytes, accept_language: str = ""):
        self.app = app
        self.body = body
        self.expect = expect
        headers = [(b"host", b"bench"), (b"x-sample-actor", ACTOR)]
        if accept_language:
            headers.append((b"accept-language", accept_language.encode()))
        if body:
            headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        self.scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": headers,
            "server": ("127.0.0.1", 8000),
            "client": ("127.0.0.1", 50000),
            "state": {},
        }

    async def __call__(self) -> None:
        sent = False
        status = 0
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.sleep(3600)
            sent = True
            return {"type": "http.request", "body": self.body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(dict(self.scope, headers=list(self.scope["headers"]), state={}), receive, send)
        body = b"".join(chunks)
        if status != 200 or self.expect not in body:
            raise RuntimeError(f"HTTP {status}: {body[:300]!r}")


async def mean_ms(call: Any, requests: int, batches: int = 7) -> tuple[float, float, float]:
    """The mean wall time of ``requests`` calls (median and minimum over ``batches``), and the
    mean CPU time of all threads (median). The minimum is the least disturbed by other processes."""
    wall, cpu = [], []
    for _ in range(batches):
        started, started_cpu = time.perf_counter(), time.process_time()
        for _ in range(requests):
            await call()
        wall.append((time.perf_counter() - started) / requests * 1000)
        cpu.append((time.process_time() - started_cpu) / requests * 1000)
    return statistics.median(wall), min(wall), statistics.median(cpu)


async def profile(call: Any, requests: int, name: str) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(requests):
        await call()
    profiler.disable()
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"profile_{name}.pstats"
    profiler.dump_stats(path)
    stats = pstats.Stats(str(path))
    print(f"--- {name}: {requests} requests, written to {path}")
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(30)


async def gc_stats(call: Any, requests: int, name: str) -> None:
    """How often each generation is collected, and how long that takes, per request."""
    counts = [0, 0, 0]
    seconds = [0.0, 0.0, 0.0]
    started: list[float] = []

    def callback(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started.append(time.perf_counter())
        else:
            seconds[info["generation"]] += time.perf_counter() - started.pop()
            counts[info["generation"]] += 1

    gc.callbacks.append(callback)
    try:
        begin = time.perf_counter()
        for _ in range(requests):
            await call()
        elapsed = time.perf_counter() - begin
    finally:
        gc.callbacks.remove(callback)
    per = ", ".join(f"gen{g}: {counts[g] / requests:.3f} runs {seconds[g] / requests * 1000:.4f} ms" for g in range(3))
    total = sum(seconds)
    print(
        f"{name:<16} per request: {per}; collector {total / requests * 1000:.4f} ms "
        f"of {elapsed / requests * 1000:.3f} ms ({total / elapsed:.1%}); tracked objects {len(gc.get_objects())}"
    )


async def cyclic_garbage(call: Any, name: str, requests: int = 100) -> None:
    """What a request leaves for the collector: objects only a collection can free (cycles)."""
    from collections import Counter

    gc.collect()
    gc.disable()
    try:
        for _ in range(requests):
            await call()
        gc.set_debug(gc.DEBUG_SAVEALL)
        found = gc.collect()
        kinds = Counter(type(o).__qualname__ for o in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    top = ", ".join(
        f"{kind} {count / requests:g}" for kind, count in kinds.most_common(int(os.environ.get("GARBAGE_KINDS", "12")))
    )
    print(f"{name:<16} cyclic garbage per request: {found / requests:g} objects ({top})")


async def run(workdir: Path, args: argparse.Namespace, database_url: str) -> None:
    from core.app import create_app
    from core.db.migrate import migrate
    from core.runtime import Runtime
    from core.settings import load_settings
    from kartoteka_sample.tables import SampleNote

    (workdir / "plugins.toml").write_text(PLUGINS_TOML)
    environ = {"KARTOTEKA_DATABASE_URL": database_url, "KARTOTEKA_PLUGINS_FILE": str(workdir / "plugins.toml")}
    settings = load_settings(environ=environ)
    runtime = Runtime.boot(settings, role="web")
    await migrate(runtime)
    await SampleNote.insert(*[SampleNote(text=f"Note {i:03d}: call the customer back") for i in range(1, 101)])
    app = create_app(runtime=runtime, run_jobs=False)
    plain = None
    if args.plain:
        os.environ.update(environ)
        sys.path.insert(0, str(BENCH_DIR))
        from plain_app import create_app as create_plain_app

        plain = create_plain_app()
    async with contextlib.AsyncExitStack() as stack:
        await stack.enter_async_context(app.state.kartoteka_lifespan(app))
        if plain is not None:
            # The plain app boots its own Runtime, which points the tables at its engine: open
            # that engine's pool too, or every query of both apps would open a connection.
            await stack.enter_async_context(plain.lifespan())
        calls = {}
        for name in args.case:
            body = json.dumps({"query": QUERIES[name]}).encode()
            calls[f"graphql {name}"] = AsgiCaller(
                app, "POST", "/graphql", body, b'"data":{', accept_language=args.accept_language
            )
            if plain is not None:
                calls[f"plain {name}"] = AsgiCaller(plain, "GET", PLAIN[name], b"", b"")
        for name, call in calls.items():
            for _ in range(100):  # warm-up
                await call()
            if args.freeze:
                gc.collect()
                gc.freeze()
            if args.profile:
                await profile(call, args.requests, name.replace(" ", "_"))
                continue
            if args.loop:
                for _ in range(args.requests):
                    await call()
                continue
            if args.gc_stats:
                await gc_stats(call, args.requests, name)
                await cyclic_garbage(call, name)
                continue
            with_gc = await mean_ms(call, args.requests)
            gc.disable()
            try:
                without_gc = await mean_ms(call, args.requests)
            finally:
                gc.enable()
            print(
                f"{name:<16} {with_gc[0]:6.3f} ms (min {with_gc[1]:6.3f}, cpu {with_gc[2]:6.3f})   "
                f"gc disabled: {without_gc[0]:6.3f} ms (min {without_gc[1]:6.3f}, cpu {without_gc[2]:6.3f})"
            )


async def _pg_admin(dsn: str, *statements: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(f"{dsn}/postgres", timeout=10)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=500, help="requests per batch or profile (default 500)")
    parser.add_argument("--profile", action="store_true", help="run --requests requests under cProfile")
    parser.add_argument("--accept-language", default="", help="send this Accept-Language header (wrk sends none)")
    parser.add_argument("--freeze", action="store_true", help="gc.freeze() after the warm-up (experiment)")
    parser.add_argument(
        "--gc-stats",
        action="store_true",
        help="count collections by generation, and what only a collection frees (GARBAGE_KINDS=N: show N types)",
    )
    parser.add_argument("--loop", action="store_true", help="only run --requests requests (for py-spy)")
    parser.add_argument("--case", action="append", choices=list(QUERIES), help="default: both")
    parser.add_argument("--plain", action="store_true", help="also time the plain baseline endpoints")
    parser.add_argument("--pg-dsn", help="use a fresh PostgreSQL database on this server instead of SQLite")
    args = parser.parse_args()
    args.case = args.case or list(QUERIES)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="kartoteka-profile-") as tmp:
        if not args.pg_dsn:
            asyncio.run(run(Path(tmp), args, f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"))
            return
        drop = f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)'
        asyncio.run(_pg_admin(args.pg_dsn, drop, f'CREATE DATABASE "{PG_DATABASE}"'))
        try:
            asyncio.run(run(Path(tmp), args, f"{args.pg_dsn}/{PG_DATABASE}"))
        finally:
            asyncio.run(_pg_admin(args.pg_dsn, drop))


if __name__ == "__main__":
    main()
