"""Where a GraphQL request's time goes, measured in one process (no HTTP server, no wrk).

Drives the real app through ``httpx.ASGITransport`` on a fresh SQLite file with 100 notes and
prints the wall time per request of the two queries of ``graphql_throughput.py``, with the garbage
collector on and off, plus the Piccolo read alone. ``--rules-once`` builds the depth and alias
validation rules once instead of per request, so that strawberry's ``ValidationCache`` can hit
(an experiment only: it patches ``default_extensions`` in this process). Since commit ``0ca60c5``
``core/graphql/guards.py`` does this itself, so the flag no longer changes anything.
``profile_request.py`` measures with less harness overhead (raw ASGI calls instead of httpx).

Usage: ``.venv/bin/python bench/inprocess_cost.py [--rules-once] [--requests N]``
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import statistics
import tempfile
import time
from pathlib import Path

import httpx

HEADERS = {"x-sample-actor": "staff:sample.note.read,sample.note.write", "content-type": "application/json"}
QUERIES = {
    "graphql viewer": "{ viewer { kind } }",
    "graphql 100 rows": "{ sampleNotes(first: 100) { edges { node { id text touched } } } }",
}
PLUGINS_TOML = "[plugins.sample]\nenabled = true\n[plugins.sample.config]\ntrust_test_header = true\n"


def build_rules_once() -> None:
    from strawberry.extensions import (
        AddValidationRules,
        MaxAliasesLimiter,
        MaxTokensLimiter,
        ParserCache,
        QueryDepthLimiter,
        ValidationCache,
    )

    import core.graphql.compose

    def default_extensions(settings):
        depth = QueryDepthLimiter(max_depth=settings.max_query_depth).validation_rules
        aliases = MaxAliasesLimiter(max_alias_count=settings.max_query_aliases).validation_rules
        return [
            lambda: AddValidationRules(depth),
            lambda: MaxTokensLimiter(max_token_count=settings.max_query_tokens),
            lambda: AddValidationRules(aliases),
            lambda: ParserCache(maxsize=512),
            lambda: ValidationCache(maxsize=512),
        ]

    core.graphql.compose.default_extensions = default_extensions


async def per_request_ms(call, requests: int, batches: int = 3) -> float:
    """Median over ``batches`` of the mean wall time of ``requests`` calls."""
    results = []
    for _ in range(batches):
        started = time.perf_counter()
        for _ in range(requests):
            await call()
        results.append((time.perf_counter() - started) / requests * 1000)
    return statistics.median(results)


async def run(workdir: Path, requests: int) -> None:
    from core.app import create_app
    from core.db.migrate import migrate
    from core.runtime import Runtime
    from core.settings import load_settings
    from kartoteka_sample.tables import SampleNote

    (workdir / "plugins.toml").write_text(PLUGINS_TOML)
    settings = load_settings(
        environ={
            "KARTOTEKA_DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
            "KARTOTEKA_PLUGINS_FILE": str(workdir / "plugins.toml"),
        }
    )
    runtime = Runtime.boot(settings, role="web")
    await migrate(runtime)
    await SampleNote.insert(*[SampleNote(text=f"Note {i:03d}: call the customer back") for i in range(1, 101)])
    app = create_app(runtime=runtime, run_jobs=False)
    async with (
        app.state.kartoteka_lifespan(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client,
    ):
        for name, query in QUERIES.items():
            body = json.dumps({"query": query})

            async def call(body: str = body) -> None:
                response = await client.post("/graphql", content=body, headers=HEADERS)
                if response.status_code != 200 or "errors" in response.json():
                    raise RuntimeError(response.text[:300])

            for _ in range(50):  # warm-up
                await call()
            with_gc = await per_request_ms(call, requests)
            gc.disable()
            try:
                without_gc = await per_request_ms(call, requests)
            finally:
                gc.enable()
            print(f"{name:<17} {with_gc:6.2f} ms/request   (gc disabled: {without_gc:6.2f} ms)")

        async def read() -> None:
            await (
                SampleNote.select(SampleNote.id, SampleNote.text, SampleNote.touched).order_by(SampleNote.id).limit(100)
            )

        print(f"{'piccolo read':<17} {await per_request_ms(read, requests):6.2f} ms/request   (the 100 rows alone)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rules-once", action="store_true", help="build the validation rules once (experiment)")
    parser.add_argument("--requests", type=int, default=200, help="requests per batch (default 200)")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if args.rules_once:
        build_rules_once()
    with tempfile.TemporaryDirectory(prefix="kartoteka-inprocess-") as tmp:
        asyncio.run(run(Path(tmp), args.requests))


if __name__ == "__main__":
    main()
