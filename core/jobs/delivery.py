"""Running one delivery (an outbox message handed to one job or async subscriber).

The delivery row is locked and marked ``done`` in the same transaction as the target's own
writes, so a redelivered message (worker killed, broker restarted, sweeper) finds ``done`` and
does nothing, and a crash mid-way leaves ``pending`` for the next attempt: database effects
happen exactly once even though messages arrive at least once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from core.auth import SYSTEM
from core.db.engine import is_sqlite
from core.db.tables import Delivery, OutboxMessage
from core.errors import PermanentJobFailure
from core.events.bus import UnitOfWork
from core.jobs.context import JobContext
from core.plugins.specs import JobSpec, RetryPolicy, Subscriber, owner_of

if TYPE_CHECKING:
    from core.runtime import Runtime

log = logging.getLogger("kartoteka.jobs")
MAX_ERROR_LENGTH = 2_000


@dataclass(frozen=True)
class Target:
    """A job or async subscriber as the delivery machinery sees it."""

    name: str  # "job.<job name>" or "sub.<subscriber name>"
    queue: str
    retry: RetryPolicy
    job: JobSpec | None = None
    subscriber: Subscriber | None = None

    @property
    def owner(self) -> str:
        """The plugin that contributed the job or subscriber (its name's prefix)."""
        return owner_of(self.job.name if self.job is not None else self.subscriber.name)

    async def run(self, runtime: Runtime, message: dict[str, Any], context: JobContext) -> None:
        if self.job is not None:
            await self.job.fn(context, **message["payload"])
            return
        assert self.subscriber is not None
        event_type = runtime.registry.event_types[message["name"]]
        await self.subscriber.handler(event_type.from_payload(message["payload"]), context)


def job_target(job: JobSpec) -> Target:
    return Target(name=f"job.{job.name}", queue=job.queue, retry=job.retry, job=job)


def subscriber_target(subscriber: Subscriber) -> Target:
    return Target(name=f"sub.{subscriber.name}", queue=subscriber.queue, retry=subscriber.retry, subscriber=subscriber)


def locked(query: Any, runtime: Runtime) -> Any:
    """``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's immediate transaction already holds the lock."""
    return query if is_sqlite(runtime.engine) else query.lock_rows()


async def execute_delivery(runtime: Runtime, delivery_id: int) -> str:
    """Run the delivery once; returns ``done``, ``skipped`` (already handled) or ``dead``.

    Raises the target's exception while retries remain, so the broker retries with backoff.
    """
    try:
        async with UnitOfWork(runtime, SYSTEM) as uow:
            rows = await locked(Delivery.select().where(Delivery.id == delivery_id), runtime)
            if not rows or rows[0]["status"] != "pending":
                return "skipped"
            delivery = rows[0]
            target = runtime.dispatcher.targets.get(delivery["target"])
            if target is None:
                raise PermanentJobFailure(f"no job or subscriber {delivery['target']!r} is enabled")
            message = (
                await OutboxMessage.select()
                .where(OutboxMessage.id == delivery["outbox_id"])
                .output(load_json=True)
                .first()
            )
            if message is None:
                raise PermanentJobFailure(f"outbox message {delivery['outbox_id']} no longer exists")
            context = JobContext(
                runtime=runtime,
                uow=uow,
                actor=SYSTEM,
                message_id=message["id"],
                attempt=delivery["attempts"] + 1,
                occurred_at=message["created_at"],
                owner=target.owner,
            )
            await target.run(runtime, message, context)
            await Delivery.update(
                {
                    Delivery.status: "done",
                    Delivery.attempts: delivery["attempts"] + 1,
                    Delivery.finished_at: datetime.now(UTC),
                    Delivery.last_error: None,
                }
            ).where(Delivery.id == delivery_id)
        return "done"
    except Exception as exc:
        outcome = await record_failure(runtime, delivery_id, exc)
        if outcome == "retry":
            raise
        return outcome


async def record_failure(runtime: Runtime, delivery_id: int, exc: BaseException) -> str:
    """Count a failed attempt: ``retry``, ``dead`` (no retries left) or ``done`` (the error came
    after the commit, e.g. while returning the connection, so the work is in fact done)."""
    async with UnitOfWork(runtime, SYSTEM):
        rows = await locked(Delivery.select().where(Delivery.id == delivery_id), runtime)
        if not rows:
            return "dead"
        delivery = rows[0]
        if delivery["status"] != "pending":
            log.warning("delivery %s failed after it was recorded %s: %r", delivery_id, delivery["status"], exc)
            return delivery["status"]
        target = runtime.dispatcher.targets.get(delivery["target"])
        attempts = delivery["attempts"] + 1
        max_retries = target.retry.max_retries if target else 0
        dead = isinstance(exc, PermanentJobFailure) or attempts > max_retries
        error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH]
        if target is not None and target.job is not None and target.job.on_failure is not None:
            message = (
                await OutboxMessage.select(OutboxMessage.payload)
                .where(OutboxMessage.id == delivery["outbox_id"])
                .output(load_json=True)
                .first()
            )
            if message is not None:
                await target.job.on_failure(runtime, message["payload"], exc, dead)
        await Delivery.update(
            {
                Delivery.status: "dead" if dead else "pending",
                Delivery.attempts: attempts,
                Delivery.last_error: error,
                Delivery.finished_at: datetime.now(UTC) if dead else None,
            }
        ).where(Delivery.id == delivery_id)
    if dead:
        log.error("delivery %s (%s) is dead after %s attempts: %s", delivery_id, delivery["target"], attempts, error)
        return "dead"
    log.warning("delivery %s (%s) failed, attempt %s: %s", delivery_id, delivery["target"], attempts, error)
    return "retry"
