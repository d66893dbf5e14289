"""The unit of work: one database transaction plus the events and jobs it gives rise to.

Synchronous subscribers run inside the transaction (a :class:`DomainError` from one rolls the
whole change back); every event and deferred job becomes an outbox row in the same
transaction, so it exists if and only if the change committed.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import msgspec
from piccolo.engine.sqlite import TransactionType

from core.auth import SYSTEM, Actor
from core.db.engine import is_sqlite
from core.db.tables import OutboxMessage
from core.errors import KartotekaError
from core.events.base import Event
from core.jobs.context import JobContext
from core.plugins.specs import owner_of

if TYPE_CHECKING:
    from core.runtime import Runtime


class UnitOfWork:
    def __init__(self, runtime: Runtime, actor: Actor | None = None):
        self.runtime = runtime
        self.actor = actor or SYSTEM
        self.outbox_ids: list[int] = []
        self._transaction: Any = None

    async def __aenter__(self) -> UnitOfWork:
        engine = self.runtime.engine
        if is_sqlite(engine):
            # Take the write lock up front: a read that later upgrades to a write can fail
            # with SQLITE_BUSY even with a busy timeout.
            self._transaction = engine.transaction(transaction_type=TransactionType.immediate)
        else:
            self._transaction = engine.transaction()
        await self._transaction.__aenter__()
        return self

    async def __aexit__(self, exc_type, exc, tb) -> bool | None:
        result = await self._transaction.__aexit__(exc_type, exc, tb)
        if exc_type is None and self.outbox_ids:
            self.runtime.dispatcher.outbox_written()
        return result

    @contextlib.asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """Undo only what happens inside the block when it raises (the outer transaction goes on)."""
        savepoint = await self._transaction.savepoint()
        outbox_ids = list(self.outbox_ids)
        try:
            yield
        except BaseException:
            await savepoint.rollback_to()
            self.outbox_ids = outbox_ids
            raise
        else:
            await savepoint.release()

    async def publish(self, event: Event) -> int:
        """Run synchronous subscribers now, then record the event for asynchronous ones."""
        registered = self.runtime.registry.event_types.get(event.name)
        if registered is not type(event):
            raise KartotekaError(f"event {type(event).__name__} ({event.name!r}) is not registered by any plugin")
        context = JobContext(runtime=self.runtime, uow=self, actor=self.actor, occurred_at=datetime.now(UTC))
        for subscriber in self.runtime.registry.sync_subscribers(event.name):
            await subscriber.handler(event, dataclasses.replace(context, owner=owner_of(subscriber.name)))
        return await self._write("event", event.name, event.to_payload())

    async def defer(self, job: str, **kwargs: Any) -> int:
        """Run job ``job`` with ``kwargs`` on a worker once this transaction commits."""
        if job not in self.runtime.registry.jobs:
            raise KartotekaError(f"unknown job {job!r}")
        return await self._write("job", job, msgspec.to_builtins(kwargs))

    async def _write(self, kind: str, name: str, payload: dict[str, Any]) -> int:
        rows = await OutboxMessage.insert(
            OutboxMessage(kind=kind, name=name, payload=payload, actor_id=self.actor.id)
        ).returning(OutboxMessage.id)
        outbox_id = rows[0]["id"]
        self.outbox_ids.append(outbox_id)
        return outbox_id
