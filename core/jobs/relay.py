"""Background loop of a process that runs jobs: outbox relay, sweeper and scheduler.

The relay turns committed outbox rows into delivery rows (one per async subscriber or job) and
nudges the broker; the sweeper re-sends deliveries whose message was lost (broker restart,
in-memory broker of a restarted process, crash between commit and send); the scheduler fires
due schedules. All three are safe to run in several processes at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from core.db.engine import is_sqlite
from core.db.tables import Delivery, OutboxMessage, ScheduleState
from core.db.values import as_utc
from core.events.bus import UnitOfWork
from core.jobs.delivery import locked

if TYPE_CHECKING:
    from core.runtime import Runtime

log = logging.getLogger("kartoteka.relay")
RELAY_BATCH = 200
SWEEP_BATCH = 500
SWEEP_EVERY = timedelta(seconds=5)
SCHEDULE_EVERY = timedelta(seconds=1)


def utcnow() -> datetime:
    return datetime.now(UTC)


async def relay_once(runtime: Runtime) -> int:
    """Dispatch one batch of undispatched outbox rows; returns how many rows were taken."""
    created: list[tuple[int, str]] = []
    async with UnitOfWork(runtime):
        query = (
            OutboxMessage.select(OutboxMessage.id, OutboxMessage.kind, OutboxMessage.name)
            .where(OutboxMessage.dispatched_at.is_null())
            .order_by(OutboxMessage.id)
            .limit(RELAY_BATCH)
        )
        if not is_sqlite(runtime.engine):
            query = query.lock_rows(skip_locked=True)  # several relays never take the same rows
        rows = await query
        if not rows:
            return 0
        wanted = await runtime.dispatcher.wanted_events({row["name"] for row in rows if row["kind"] == "event"})
        deliveries = [
            Delivery(outbox_id=row["id"], target=target)
            for row in rows
            for target in runtime.dispatcher.targets_for(row["kind"], row["name"], wanted)
        ]
        if deliveries:
            inserted = await Delivery.insert(*deliveries).returning(Delivery.id, Delivery.target)
            created = [(r["id"], r["target"]) for r in inserted]
        await OutboxMessage.update({OutboxMessage.dispatched_at: utcnow()}).where(
            OutboxMessage.id.is_in([row["id"] for row in rows])
        )
    await send_all(runtime, created)
    return len(rows)


async def send_all(runtime: Runtime, deliveries: list[tuple[int, str]]) -> None:
    for delivery_id, target in deliveries:
        try:
            await runtime.dispatcher.send(target, delivery_id)
        except Exception as exc:  # the sweeper sends it again; the row is already committed
            log.warning("could not send delivery %s to the broker: %r", delivery_id, exc)
            return


async def sweep_once(runtime: Runtime, older_than: timedelta) -> int:
    """Send again pending deliveries last sent before ``older_than`` ago."""
    threshold = utcnow() - older_than
    async with UnitOfWork(runtime):
        rows = await (
            Delivery.select(Delivery.id, Delivery.target)
            .where((Delivery.status == "pending") & (Delivery.enqueued_at <= threshold))
            .order_by(Delivery.id)
            .limit(SWEEP_BATCH)
        )
        if rows:
            await Delivery.update({Delivery.enqueued_at: utcnow()}).where(
                Delivery.id.is_in([row["id"] for row in rows])
            )
    if rows:
        log.info("re-sending %s pending deliveries", len(rows))
    await send_all(runtime, [(row["id"], row["target"]) for row in rows])
    return len(rows)


async def schedule_once(runtime: Runtime) -> int:
    """Fire every due schedule once (a locked compare-and-set, so one process fires it)."""
    schedules = runtime.registry.schedules
    if not schedules:
        return 0
    now = utcnow()
    states = {row["name"]: as_utc(row["next_run_at"]) for row in await ScheduleState.select()}
    fired = 0
    for spec in schedules.values():
        due_at = states.get(spec.name)
        if due_at is not None and due_at > now:
            continue
        if due_at is None:
            # First sight: the first run comes one period from now, like any interval timer.
            with contextlib.suppress(Exception):  # another process inserted it first (unique name)
                await ScheduleState.insert(ScheduleState(name=spec.name, next_run_at=now + spec.every))
            continue
        async with UnitOfWork(runtime) as uow:
            rows = await locked(ScheduleState.select().where(ScheduleState.name == spec.name), runtime)
            if not rows or as_utc(rows[0]["next_run_at"]) > now:
                continue
            # Missed runs are not replayed in a burst: the next run is one period from now.
            await ScheduleState.update({ScheduleState.next_run_at: now + spec.every}).where(
                ScheduleState.name == spec.name
            )
            await uow.defer(spec.job, **spec.kwargs)
            fired += 1
    return fired


async def run_background(runtime: Runtime, stop: asyncio.Event, *, sweep_first: bool) -> None:
    """Relay, sweep and schedule until ``stop`` is set."""
    wakeup = runtime.dispatcher.attach_wakeup()
    last_sweep = last_schedule = datetime.min.replace(tzinfo=UTC)
    if sweep_first:  # an in-memory broker lost every message of the previous process
        await _guard(sweep_once(runtime, timedelta(0)))
    while not stop.is_set():
        while await _guard(relay_once(runtime)) == RELAY_BATCH:
            pass
        now = utcnow()
        if now - last_sweep >= SWEEP_EVERY:
            last_sweep = now
            await _guard(sweep_once(runtime, timedelta(seconds=runtime.settings.redelivery_after)))
        if now - last_schedule >= SCHEDULE_EVERY:
            last_schedule = now
            await _guard(schedule_once(runtime))
        wakeup.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wakeup.wait(), timeout=runtime.settings.relay_interval)


async def _guard(step) -> int:
    """One failing step (database restarting, broker down) must not end the loop."""
    try:
        return await step
    except Exception as exc:
        log.warning("background step failed: %r", exc)
        await asyncio.sleep(0.5)
        return 0


async def prune(runtime: Runtime, older_than: timedelta) -> int:
    """Delete outbox rows (and their done deliveries) finished longer than ``older_than`` ago.

    Dead letters and anything still pending stay: they are the record of work not yet done.
    """
    threshold = utcnow() - older_than
    async with UnitOfWork(runtime):
        unfinished = Delivery.select(Delivery.outbox_id).where(Delivery.status != "done")
        old = await (
            OutboxMessage.select(OutboxMessage.id)
            .where((OutboxMessage.dispatched_at <= threshold) & OutboxMessage.id.not_in(unfinished))
            .limit(5_000)
        )
        ids = [row["id"] for row in old]
        if ids:
            await Delivery.delete().where(Delivery.outbox_id.is_in(ids))
            await OutboxMessage.delete().where(OutboxMessage.id.is_in(ids))
    return len(ids)
