"""Sales reports over 200,000 opportunities and about 2,000,000 stage changes.

For each engine (PostgreSQL ``kartoteka_bench_sales``, SQLite ``bench/results/sales/sales.sqlite3``):

1. **Data** (skipped with ``--reuse`` when it exists): all migrations with the sales plugin
   enabled, the core demo organisation with ``--companies`` companies (owners, teams,
   territories), then ``--opportunities`` opportunities through ``plugins.sales.demo.generate``
   with back-and-forth moves, so each has about ten stage changes. Build times are printed.
2. **Timings**: each report called ``--rounds`` times through the service (the SQL the GraphQL
   field runs) and through a GraphQL request on the in-process app, as the administrator (every
   record) and as a territory-restricted rep; median and best in milliseconds:
   funnel (one process, the last 365 days), forecast (this quarter), pipeline flow by month
   (a year), rep scorecard (a year) and the Kanban board (20 per column).

Usage: ``.venv/bin/python bench/sales_reports.py [--reuse] [--engines postgres,sqlite]
[--opportunities 200000] [--companies 10000] [--rounds 5] [--json FILE]``
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import logging
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.access.services import actor_for_token, create_token, user_id_by_email  # noqa: E402
from core.access.tables import User  # noqa: E402
from core.app import create_app  # noqa: E402
from core.auth import SYSTEM  # noqa: E402
from core.crm.demo import load_demo as load_core_demo  # noqa: E402
from core.crm.tables import Company  # noqa: E402
from core.db.migrate import migrate  # noqa: E402
from core.runtime import Runtime  # noqa: E402
from core.settings import load_settings  # noqa: E402
from plugins.sales.demo import create_processes, generate  # noqa: E402
from plugins.sales.services import reports  # noqa: E402
from plugins.sales.services.values import currencies_of  # noqa: E402
from plugins.sales.tables import Opportunity, SalesProcess, SalesStage, StageChange  # noqa: E402

DATA_DIR = ROOT / "bench" / "results" / "sales"
SQLITE_FILE = DATA_DIR / "sales.sqlite3"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DATABASE = "kartoteka_bench_sales"
PLUGINS = '[plugins.sales]\nenabled = true\n[plugins.sales.config]\nrates = { EUR = "4.30" }\n'
REP = "handlowiec.malopolskie@demo.kartoteka.pl"
ADMIN = "admin@demo.kartoteka.pl"
EXTRA_MOVES = 7  # back-and-forth moves per opportunity: about ten stage changes each


def database_url(engine: str) -> str:
    if engine == "sqlite":
        return f"sqlite:///{SQLITE_FILE}"
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + PG_DATABASE


async def exists(engine: str) -> bool:
    if engine == "sqlite":
        return SQLITE_FILE.exists()
    connection = await asyncpg.connect(PG_ADMIN)
    try:
        return bool(await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", PG_DATABASE))
    finally:
        await connection.close()


async def recreate(engine: str) -> None:
    if engine == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
        return
    connection = await asyncpg.connect(PG_ADMIN)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{PG_DATABASE}"')
    finally:
        await connection.close()


def boot(engine: str) -> Runtime:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    plugins = DATA_DIR / "plugins.toml"
    plugins.write_text(PLUGINS, encoding="utf-8")
    return Runtime.boot(load_settings(environ={}, database_url=database_url(engine), plugins_file=plugins), role="web")


async def build(runtime: Runtime, engine: str, companies: int, opportunities: int) -> dict[str, float]:
    started = time.perf_counter()
    await migrate(runtime)
    await runtime.start()
    await load_core_demo(runtime, companies)
    core_done = time.perf_counter()
    async with runtime.unit_of_work(SYSTEM):
        processes = await create_processes(runtime)
    targets = [
        (row["id"], row["owner"], row["territory"])
        for row in await Company.select(Company.id, Company.owner, Company.territory).where(Company.owner.is_not_null())
    ]
    owners = sorted({owner for _id, owner, _t in targets})
    done = 0

    def progress(n: int) -> None:
        nonlocal done
        done += n
        if done % 20000 == 0:
            print(f"  {engine}: {done:,} opportunities", flush=True)

    made, changes = await generate(
        runtime,
        currencies_of(runtime),
        processes,
        opportunities,
        owners=owners,
        companies=targets,
        extra_moves=EXTRA_MOVES,
        progress=progress,
    )
    await Opportunity.raw("ANALYZE")  # fresh statistics, as autovacuum would give them in time
    finished = time.perf_counter()
    print(f"  {engine}: {made:,} opportunities, {changes:,} stage changes")
    return {"core_demo_s": round(core_done - started, 1), "sales_s": round(finished - core_done, 1)}


async def timed(call: Any, rounds: int) -> dict[str, float]:
    await call()  # warm-up: caches, prepared plans
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        await call()
        times.append((time.perf_counter() - started) * 1000)
    return {"median_ms": round(statistics.median(times), 1), "best_ms": round(min(times), 1)}


FUNNEL = """query($f: SalesReportFilter!) { funnel(filter: $f) { opened won lost winRate averageCycleDays
    stages { stage { name } openCount openValue weightedValue reached conversionToNext } } }"""
FORECAST = """query($f: SalesReportFilter!) { forecast(filter: $f) { actualValue expectedValue forecastValue
    stages { stage { name } winRate daysToWin expectedValue } owners { owner { email } expectedValue } } }"""
FLOW = """query($f: SalesReportFilter!) { pipelineFlow(filter: $f, interval: MONTH) { starts opened won lost } }"""
SCORECARD = """query($f: SalesReportFilter!) { repScorecard(filter: $f) { user { email } opened won lost
    stageAdvances newClients activities } }"""
BOARD = """query($p: ID!) { opportunityBoard(process: $p, first: 20) { stage { name } count totalValue
    opportunities { edges { node { name value owner { email } company { name } } } } } }"""


async def measure(runtime: Runtime, engine: str, rounds: int) -> dict[str, Any]:
    today = datetime.now(UTC).date()
    quarter_start = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    quarter_end = (quarter_start + timedelta(days=95)).replace(day=1) - timedelta(days=1)
    process = await SalesProcess.select(SalesProcess.id).order_by(SalesProcess.id).first()
    year = reports.ReportFilter(today - timedelta(days=365), today, process_id=process["id"])
    quarter = reports.ReportFilter(quarter_start, quarter_end)
    rep = await User.select(User.id).where(User.email == REP).first()
    admin_token = (await create_token(runtime, SYSTEM, user_id=await user_id_by_email(ADMIN), name="bench"))[1]
    rep_token = (await create_token(runtime, SYSTEM, user_id=rep["id"], name="bench"))[1]
    actors = {"admin": await actor_for_token(runtime, admin_token), "rep": await actor_for_token(runtime, rep_token)}
    tokens = {"admin": admin_token, "rep": rep_token}
    counts = {
        "opportunities": await Opportunity.count(),
        "stage_changes": await StageChange.count(),
        "stages": await SalesStage.count(),
    }
    results: dict[str, Any] = {"counts": counts, "service": {}, "graphql": {}}
    app = create_app(runtime=runtime)
    process_gid = base64.b64encode(f"SalesProcess:{process['id']}".encode()).decode()
    filters = {
        "funnel": {"periodStart": str(year.period_start), "periodEnd": str(year.period_end), "process": process_gid},
        "forecast": {"periodStart": str(quarter.period_start), "periodEnd": str(quarter.period_end)},
        "flow": {"periodStart": str(year.period_start), "periodEnd": str(year.period_end)},
    }
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        for who, actor in actors.items():
            service = {
                "funnel": lambda a=actor: reports.funnel(runtime, a, year),
                "forecast": lambda a=actor: reports.forecast(runtime, a, quarter),
                "pipeline_flow": lambda a=actor: reports.pipeline_flow(
                    runtime, a, reports.ReportFilter(year.period_start, year.period_end), "MONTH"
                ),
                "rep_scorecard": lambda a=actor: reports.rep_scorecard(
                    runtime, a, reports.ReportFilter(year.period_start, year.period_end)
                ),
            }
            for name, call in service.items():
                results["service"][f"{name}/{who}"] = await timed(call, rounds)
            documents = {
                "funnel": (FUNNEL, {"f": filters["funnel"]}),
                "forecast": (FORECAST, {"f": filters["forecast"]}),
                "pipeline_flow": (FLOW, {"f": filters["flow"]}),
                "rep_scorecard": (SCORECARD, {"f": filters["flow"]}),
                "board": (BOARD, {"p": process_gid}),
            }
            for name, (query, variables) in documents.items():

                async def request(q: str = query, v: dict = variables, t: str = tokens[who], n: str = name) -> None:
                    response = await client.post(
                        "/graphql", json={"query": q, "variables": v}, headers={"authorization": f"Bearer {t}"}
                    )
                    body = response.json()
                    if response.status_code != 200 or body.get("errors"):
                        raise SystemExit(f"{n}: {response.status_code} {body.get('errors')}")

                results["graphql"][f"{name}/{who}"] = await timed(request, rounds)
    return results


async def run_engine(engine: str, args: argparse.Namespace) -> dict[str, Any]:
    runtime = boot(engine)
    result: dict[str, Any] = {"engine": engine}
    try:
        if args.reuse and await exists(engine):
            await runtime.start()
            print(f"{engine}: reusing the built data")
        else:
            await recreate(engine)
            print(f"{engine}: building {args.opportunities:,} opportunities on {args.companies:,} companies")
            result["build"] = await build(runtime, engine, args.companies, args.opportunities)
        result.update(await measure(runtime, engine, args.rounds))
    finally:
        await runtime.stop()
    return result


def report(results: list[dict[str, Any]]) -> None:
    for result in results:
        counts = result["counts"]
        print(
            f"\n{result['engine']}: {counts['opportunities']:,} opportunities, "
            f"{counts['stage_changes']:,} stage changes"
            + (f", built in {result['build']}" if "build" in result else "")
        )
        print(f"  {'report / actor':<28} {'service median':>15} {'best':>8} {'GraphQL median':>15} {'best':>8}")
        for key in sorted({*result["service"], *result["graphql"]}):
            service = result["service"].get(key, {})
            graphql = result["graphql"].get(key, {})
            print(
                f"  {key:<28} {service.get('median_ms', ''):>15} {service.get('best_ms', ''):>8}"
                f" {graphql.get('median_ms', ''):>15} {graphql.get('best_ms', ''):>8}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--engines", default="postgres,sqlite")
    parser.add_argument("--opportunities", type=int, default=200_000)
    parser.add_argument("--companies", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    results = [asyncio.run(run_engine(engine, args)) for engine in args.engines.split(",")]
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
