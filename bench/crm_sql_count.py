"""How many SQL statements the app runs for the company list, as the page grows.

In process, against the data sets ``bench/crm_list.py`` built (``kartoteka_bench_crm`` and
``bench/results/crm_list/crm.sqlite3``): the app (``core.app:create_app`` with its lifespan)
behind ``httpx.ASGITransport``; the engine's ``run_querystring`` is wrapped, as in
``tests/test_crm.py::test_sql_statements_per_list_do_not_grow_with_the_page``, and the
statements of one request are counted — only those run in the request's own context (a context
variable set around the call), so the in-process relay, scheduler and jobs are left out — for
``companies(first: N)`` with N = 10, 50, 100, as the administrator and as a sales rep.

Usage: ``.venv/bin/python bench/crm_sql_count.py [--engines postgres,sqlite] [--show]``
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import logging
import sys
from pathlib import Path
from typing import Any

import httpx

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from crm_list import ADMIN, LIST_QUERY, REP, kartoteka_environ  # noqa: E402

SIZES = (10, 50, 100)
IN_REQUEST: contextvars.ContextVar[bool] = contextvars.ContextVar("in_request", default=False)


async def count(engine: str, args: argparse.Namespace) -> dict[str, dict[int, list[str]]]:
    from core.access import services as access
    from core.app import create_app
    from core.auth import SYSTEM
    from core.runtime import Runtime
    from core.settings import load_settings

    runtime = Runtime.boot(load_settings(environ=kartoteka_environ(engine, args)), role="web")
    app = create_app(runtime=runtime)
    statements: list[str] = []
    engine_class = type(runtime.engine)
    original = engine_class.run_querystring

    async def counting(self: Any, querystring: Any, *more: Any, **options: Any) -> Any:
        if IN_REQUEST.get():  # httpx.ASGITransport runs the app in the caller's task, with its context
            statements.append(" ".join(str(querystring).split()))
        return await original(self, querystring, *more, **options)

    found: dict[str, dict[int, list[str]]] = {}
    async with app.state.kartoteka_lifespan(app):
        for noisy in ("httpx", "dramatiq"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
        tokens = {}
        for who, email in (("admin", ADMIN), ("sales rep", REP)):
            user_id = await access.user_id_by_email(email)
            _, tokens[who] = await access.create_token(runtime, SYSTEM, user_id=user_id, name="bench/crm_sql_count.py")
        query = LIST_QUERY.replace("companies(first: 50)", "companies(first: $n)").replace("{", "query($n: Int) {", 1)
        engine_class.run_querystring = counting
        try:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
                for who, token in tokens.items():
                    found[who] = {}
                    for size in SIZES:
                        await ask(client, token, query, size)  # once to warm caches (the token, the schema)
                        statements.clear()
                        edges = await ask(client, token, query, size)
                        if len(edges) != size:
                            raise RuntimeError(f"{who}, first: {size}: {len(edges)} companies")
                        found[who][size] = list(statements)
        finally:
            engine_class.run_querystring = original
    return found


async def ask(client: httpx.AsyncClient, token: str, query: str, size: int) -> list[Any]:
    marker = IN_REQUEST.set(True)
    try:
        response = await client.post(
            "/graphql",
            json={"query": query, "variables": {"n": size}},
            headers={"authorization": f"Bearer {token}"},
        )
    finally:
        IN_REQUEST.reset(marker)
    answer = response.json()
    if response.status_code != 200 or answer.get("errors"):
        raise RuntimeError(f"HTTP {response.status_code}: {str(answer)[:300]}")
    return answer["data"]["companies"]["edges"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engines", default="postgres,sqlite", help="comma-separated: postgres, sqlite")
    parser.add_argument("--pg-dsn", default="postgresql://postgres@127.0.0.1:5432", help="PostgreSQL server")
    parser.add_argument("--pg-database", default="kartoteka_bench_crm", help="the database crm_list.py built")
    parser.add_argument("--show", action="store_true", help="print the statements (first 160 characters)")
    args = parser.parse_args(argv)
    print("| engine | actor | " + " | ".join(f"first: {size}" for size in SIZES) + " |")
    print("|---|---|" + "---:|" * len(SIZES))
    shown = []
    for engine in (e.strip() for e in args.engines.split(",") if e.strip()):
        for who, sizes in asyncio.run(count(engine, args)).items():
            print(f"| {engine} | {who} | " + " | ".join(str(len(sizes[size])) for size in SIZES) + " |")
            shown += [f"{engine}, {who}, first: {SIZES[-1]}:", *(f"  {s[:160]}" for s in sizes[SIZES[-1]])]
    if args.show:
        print("\n".join(shown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
