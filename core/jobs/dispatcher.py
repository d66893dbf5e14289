"""Job dispatch of one process: the broker, one actor per target, and the way work reaches them.

The relay asks the dispatcher which targets an outbox row has and sends each delivery; the
broker's actors hand the delivery back to :func:`execute_delivery`. The runtime owns one
dispatcher (``runtime.dispatcher``); the broker is created on first use, once the process has
said which event loop its async actors share (``host_loop``).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING

import dramatiq

from core.jobs.delivery import Target, execute_delivery, job_target, subscriber_target

if TYPE_CHECKING:
    from core.runtime import Runtime


class Dispatcher:
    def __init__(self, runtime: Runtime):
        self.runtime = runtime
        self.settings = runtime.settings
        self.registry = runtime.registry
        registry = runtime.registry
        self.targets: dict[str, Target] = {
            **{f"job.{name}": job_target(job) for name, job in registry.jobs.items()},
            **{f"sub.{s.name}": subscriber_target(s) for s in registry.subscribers.values() if s.mode == "async"},
        }
        self.host_loop: asyncio.AbstractEventLoop | None = None
        self._broker: dramatiq.Broker | None = None
        self._actors: dict[str, dramatiq.Actor] = {}
        self._wakeup: tuple[asyncio.AbstractEventLoop, asyncio.Event] | None = None
        self._broker_lock = threading.Lock()

    @property
    def broker(self) -> dramatiq.Broker:
        """The broker with the core's actors declared; created on first use."""
        with self._broker_lock:
            if self._broker is None:
                from core.jobs.broker import declare_actors, make_broker

                broker = make_broker(self.settings, self.host_loop)
                self._actors = declare_actors(broker, self.targets, self.run_delivery)
                self._broker = broker
            return self._broker

    def actor(self, target: str) -> dramatiq.Actor:
        """The dramatiq actor of a job or subscriber (declared with the broker on first use)."""
        _ = self.broker
        return self._actors[target]

    async def close(self) -> None:
        if self._broker is not None:
            await asyncio.to_thread(self._broker.close)
            self._broker = None

    async def run_delivery(self, delivery_id: int) -> str:
        return await execute_delivery(self.runtime, delivery_id)

    async def send(self, target: str, delivery_id: int) -> None:
        actor = self.actor(target)
        if self.settings.broker_in_memory:
            actor.send(delivery_id)
        else:
            # pika blocks while it waits for the publisher confirm; keep the loop free.
            await asyncio.to_thread(actor.send, delivery_id)

    def targets_for(self, kind: str, name: str, wanted: Mapping[str, set[str]] | None = None) -> list[str]:
        """Targets of an outbox row; ``wanted`` holds, for subscribers with ``wants``, the event
        names they asked for (see :meth:`wanted_events`) — without it they get every event."""
        if kind == "job":
            target = f"job.{name}"
            return [target] if target in self.targets else []
        return [
            f"sub.{s.name}"
            for s in self.registry.async_subscribers(name)
            if s.wants is None or wanted is None or name in wanted.get(s.name, set())
        ]

    async def wanted_events(self, names: set[str]) -> dict[str, set[str]]:
        """For each async subscriber with ``wants``, which of ``names`` it wants delivered."""
        return {s.name: await s.wants(names) for s in self.registry.subscribers.values() if s.wants is not None}

    def attach_wakeup(self) -> asyncio.Event:
        """An event set whenever this process commits outbox rows (wakes the relay at once)."""
        event = asyncio.Event()
        self._wakeup = (asyncio.get_running_loop(), event)
        return event

    def outbox_written(self) -> None:
        if self._wakeup is not None:
            loop, event = self._wakeup
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # the relay's loop has closed
                self._wakeup = None
