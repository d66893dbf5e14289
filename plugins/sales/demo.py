"""Demo sales: two processes and opportunities for the demo companies, each with a stage history
over the past year (won, lost or still open), written in bulk like the core's demo.

``generate`` is also what ``bench/sales_reports.py`` builds its 200,000 opportunities with.
Bulk rows skip the services' side effects: no events, no timeline entries.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from core.api import SYSTEM, Company, PluginRuntime
from plugins.sales.services.processes import StageInput, create_process
from plugins.sales.services.values import Currencies
from plugins.sales.tables import Opportunity, SalesProcess, SalesStage, StageChange, StageEntry

PROCESSES = (
    (
        "Sprzedaż B2B",
        (
            ("Analiza potrzeb", 10, (), 21),
            ("Propozycja", 20, (), 14),
            ("Prezentacja", 35, (), 14),
            ("Oferta", 50, ("value",), 21),
            ("Negocjacje", 70, ("value", "expectedCloseDate"), 14),
            ("Zamówienie", 90, ("value", "company"), 7),
        ),
    ),
    (
        "Serwis i wdrożenia",
        (
            ("Zgłoszenie", 20, (), 7),
            ("Wycena", 50, ("value",), 10),
            ("Akceptacja", 80, ("value",), 10),
        ),
    ),
)
DEALS = (
    "Dostawa materiałów",
    "Wdrożenie systemu",
    "Umowa serwisowa",
    "Modernizacja linii",
    "Zakup floty",
    "Licencje na rok",
    "Szkolenia dla zespołu",
    "Rozbudowa magazynu",
)
COMPETITORS = ("Comarch", "Asseco", "Sage", "Enova", "Lokalny dystrybutor")
LOST_REASONS = ("cena", "wybrali konkurencję", "brak budżetu", "projekt wstrzymany")
BATCH = 500


@dataclass(frozen=True)
class Stage:
    id: int
    process: int
    position: int


async def create_processes(runtime: PluginRuntime) -> list[list[Stage]]:
    """The demo processes through the service (validated like an administrator's)."""
    made = []
    for name, stages in PROCESSES:
        process_id = await create_process(
            runtime,
            SYSTEM,
            name=name,
            stages=[StageInput(n, p, required, days) for n, p, required, days in stages],
        )
        rows = await SalesStage.select(SalesStage.id, SalesStage.position).where(SalesStage.process == process_id)
        made.append(sorted((Stage(r["id"], process_id, r["position"]) for r in rows), key=lambda s: s.position))
    return made


def _path(rng: random.Random, stages: list[Stage], extra_moves: int) -> list[Stage]:
    """The stages an opportunity went through: mostly forward, sometimes back a step."""
    furthest = min(len(stages) - 1, int(rng.expovariate(0.6)))
    path = [stages[0]]
    for index in range(1, furthest + 1):
        path.append(stages[index])
    for _move in range(extra_moves):  # back and forth: a renegotiation, a new demo
        at = path[-1].position - 1
        if at == 0:
            break
        path += [stages[at - 1], stages[at]]
    return path


async def generate(
    runtime: PluginRuntime,
    currencies: Currencies,
    processes: list[list[Stage]],
    count: int,
    *,
    owners: Sequence[int],
    companies: Sequence[tuple[int, int | None, int | None]] = (),
    extra_moves: int = 0,
    seed: int = 7,
    progress: Callable[[int], None] | None = None,
    now: datetime | None = None,
) -> tuple[int, int]:
    """``count`` opportunities with their histories; returns (opportunities, stage changes).

    ``companies`` are (id, owner, territory) rows to sell to; ``extra_moves`` adds back-and-forth
    moves to every path (the benchmark's ten changes per opportunity)."""
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    made = changes = 0
    while made < count:
        size = min(BATCH, count - made)
        rows, paths = [], []
        for _ in range(size):
            stages = processes[0] if rng.random() < 0.8 else processes[1]
            company = rng.choice(companies) if companies else None
            owner = company[1] if company and company[1] else rng.choice(owners)
            opened = now - timedelta(days=rng.uniform(1, 365), minutes=rng.randint(0, 600))
            path = _path(rng, stages, extra_moves)
            times = [opened]
            for _step in path[1:]:
                times.append(times[-1] + timedelta(days=rng.uniform(1, 12)))
            age = (now - times[-1]).days
            outcome = "open"
            if age > 20:
                outcome = "won" if rng.random() < 0.25 + 0.1 * path[-1].position else "lost"
            closed = times[-1] + timedelta(days=rng.uniform(1, 10)) if outcome != "open" else None
            if closed is not None and closed > now:
                closed, outcome = None, "open"
            currency = "EUR" if rng.random() < 0.1 and "EUR" in currencies.rates else currencies.reporting
            value = Decimal(rng.randrange(5_000, 500_000, 500))
            rows.append(
                Opportunity(
                    name=f"{rng.choice(DEALS)} {opened:%m/%Y}",
                    process=stages[0].process,
                    stage=path[-1].id,
                    status=outcome,
                    company=company[0] if company else None,
                    owner=owner,
                    territory=company[2] if company else None,
                    value=value,
                    currency=currency,
                    value_base=currencies.to_base(value, currency, []),
                    expected_close_date=(times[-1] + timedelta(days=rng.randint(7, 60))).date(),
                    competitors=[{"name": rng.choice(COMPETITORS), "strengths": "", "weaknesses": ""}]
                    if rng.random() < 0.3
                    else [],
                    lost_reason=rng.choice(LOST_REASONS) if outcome == "lost" else "",
                    source=rng.choice(("formularz", "polecenie", "targi", "telefon", "import")),
                    furthest_position=max(stage.position for stage in path),
                    stage_entered_at=times[-1],
                    last_contact_at=times[-1],
                    closed_at=closed,
                    created_at=opened,
                    updated_at=closed or times[-1],
                )
            )
            paths.append((path, times, outcome, closed, owner))
        inserted = await Opportunity.insert(*rows).returning(Opportunity.id)
        history: list[Any] = []
        for row, (path, times, outcome, closed, owner) in zip(inserted, paths, strict=True):
            previous = None
            for stage, moment in zip(path, times, strict=True):
                history.append(
                    StageChange(
                        opportunity=row["id"],
                        from_stage=previous,
                        to_stage=stage.id,
                        changed_at=moment,
                        changed_by=owner,
                    )
                )
                previous = stage.id
            if closed is not None:
                history.append(
                    StageChange(
                        opportunity=row["id"], from_stage=previous, outcome=outcome, changed_at=closed, changed_by=owner
                    )
                )
        entries: list[Any] = []
        for row, (path, times, _outcome, _closed, _owner) in zip(inserted, paths, strict=True):
            first: dict[int, datetime] = {}
            for stage, moment in zip(path, times, strict=True):
                first.setdefault(stage.id, moment)
            entries += [StageEntry(opportunity=row["id"], stage=stage, entered_at=at) for stage, at in first.items()]
        for start in range(0, len(history), BATCH):
            await StageChange.insert(*history[start : start + BATCH])
        for start in range(0, len(entries), BATCH):
            await StageEntry.insert(*entries[start : start + BATCH])
        made += size
        changes += len(history)
        if progress:
            progress(size)
    return made, changes


async def load_demo(runtime: PluginRuntime, currencies: Currencies, scale: int) -> str | None:
    if await SalesProcess.exists():
        return None
    async with runtime.unit_of_work(SYSTEM):
        processes = await create_processes(runtime)
        companies = [
            (row["id"], row["owner"], row["territory"])
            for row in await Company.select(Company.id, Company.owner, Company.territory)
            .where(Company.deleted_at.is_null() & Company.owner.is_not_null())
            .order_by(Company.id)
            .limit(max(scale, 1))
        ]
        if not companies:
            return None
        owners = sorted({owner for _id, owner, _territory in companies})
        made, changes = await generate(
            runtime, currencies, processes, max(1, scale * 6 // 10), owners=owners, companies=companies
        )
    return f"Sales: 2 processes, {made:,} opportunities, {changes:,} stage changes."
