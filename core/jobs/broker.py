"""The dramatiq broker chosen by settings, and the actors the core declares on it.

Plugins never use ``@dramatiq.actor``: it binds to whatever global broker exists at import time
(or silently creates a RabbitMQ one). The core declares one actor per job and per async
subscriber, on the broker of this process, once that broker is chosen.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

import dramatiq
from dramatiq.asyncio import EventLoopThread, set_event_loop_thread
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import AsyncIO, Middleware

from core.jobs.delivery import Target
from core.settings import Settings

# Retries are counted in the delivery row; the broker only needs headroom for backoff.
BROKER_RETRY_HEADROOM = 3


class HostLoop(EventLoopThread):
    """dramatiq's event-loop handle pointed at a loop the process already runs.

    Async actors then share that loop with the rest of the process (the web app in the embedded
    shape, the relay in a worker process) and with the database pool opened on it.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop):
        threading.Thread.__init__(self, daemon=True)
        self.logger = logging.getLogger("kartoteka.jobs")
        self.interrupt_check_ival = 0.1
        self.loop = loop

    def start(self, *, timeout: float | None = None) -> None:  # the loop already runs
        pass

    def stop(self) -> None:
        pass


class RunOnHostLoop(Middleware):
    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop

    def before_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        set_event_loop_thread(HostLoop(self.loop))

    def after_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        set_event_loop_thread(None)


def make_broker(settings: Settings, host_loop: asyncio.AbstractEventLoop | None = None) -> dramatiq.Broker:
    """The broker of this process; with ``host_loop`` async actors run on that loop, otherwise
    on dramatiq's own loop thread (a process that only sends messages never runs actors)."""
    if settings.broker_in_memory:
        broker: dramatiq.Broker = StubBroker()
    else:
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        # Publisher confirms: `send` returns only once RabbitMQ has the message.
        broker = RabbitmqBroker(url=settings.broker_url, confirm_delivery=True)
    broker.add_middleware(RunOnHostLoop(host_loop) if host_loop else AsyncIO())
    return broker


def declare_actors(
    broker: dramatiq.Broker, targets: Mapping[str, Target], run: Callable[[int], Any]
) -> dict[str, dramatiq.Actor]:
    """One dramatiq actor per target; every actor runs ``run(delivery_id)``."""
    actors = {}
    for name, target in targets.items():

        async def perform(delivery_id: int) -> None:
            await run(delivery_id)

        perform.__name__ = name.replace(".", "_")
        actors[name] = dramatiq.actor(
            perform,
            broker=broker,
            actor_name=name,
            queue_name=target.queue,
            max_retries=target.retry.max_retries + BROKER_RETRY_HEADROOM,
            min_backoff=int(target.retry.min_backoff.total_seconds() * 1000),
            max_backoff=int(target.retry.max_backoff.total_seconds() * 1000),
            time_limit=int(target.retry.time_limit.total_seconds() * 1000),
        )
    return actors
