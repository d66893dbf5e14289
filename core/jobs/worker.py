"""``kartoteka worker``: a supervisor that keeps N worker processes alive.

Each worker process boots the same plugins as the app, declares the actors on RabbitMQ, runs a
dramatiq worker whose async actors share one event loop (and one PostgreSQL pool opened on that
loop before the first message), and runs the relay/sweeper/scheduler loop there too. dramatiq's own CLI shuts down
when a child dies; this supervisor starts a replacement instead.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable

import dramatiq
from dramatiq.asyncio import EventLoopThread

log = logging.getLogger("kartoteka.worker")
RESTART_BACKOFF_MAX = 30.0


def run_worker_process(index: int, threads: int) -> None:
    """Body of one worker process (started with the ``spawn`` method)."""
    from core.jobs.relay import run_background
    from core.logging import configure_logging
    from core.runtime import Runtime

    configure_logging()
    runtime = Runtime.boot(role="worker")
    # One event loop for every async actor and the relay, with the pool opened on it before
    # the first message can arrive.
    loop_thread = EventLoopThread(log)
    loop_thread.start(timeout=10)
    runtime.dispatcher.host_loop = loop_thread.loop
    loop_thread.run_coroutine(runtime.start())
    worker = dramatiq.Worker(runtime.dispatcher.broker, worker_threads=threads, worker_timeout=500)
    worker.start()

    stop_requested = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop_requested.set())

    async def make_event() -> asyncio.Event:
        return asyncio.Event()

    stopping = loop_thread.run_coroutine(make_event())
    background = asyncio.run_coroutine_threadsafe(
        run_background(runtime, stopping, sweep_first=False), loop_thread.loop
    )
    queues = sorted(runtime.dispatcher.broker.get_declared_queues())
    log.info("worker %s (pid %s) ready: %s threads, queues %s", index, os.getpid(), threads, queues)
    stop_requested.wait()
    log.info("worker %s stopping", index)
    loop_thread.loop.call_soon_threadsafe(stopping.set)
    background.result(timeout=60)
    worker.stop()  # finishes the messages in progress; they still need the loop and the pool
    loop_thread.run_coroutine(runtime.stop())
    loop_thread.stop()


class Supervisor:
    def __init__(self, processes: int, threads: int, target: Callable[[int, int], None] = run_worker_process):
        self.processes = processes
        self.threads = threads
        self.target = target
        self.context = multiprocessing.get_context("spawn")
        self.children: dict[int, multiprocessing.process.BaseProcess] = {}
        self.started_at: dict[int, float] = {}
        self.failures: dict[int, int] = {}
        self.stopping = False

    def start_child(self, index: int) -> None:
        child = self.context.Process(target=self.target, args=(index, self.threads), name=f"kartoteka-worker-{index}")
        child.start()
        self.children[index] = child
        self.started_at[index] = time.monotonic()
        log.info("started worker %s (pid %s)", index, child.pid)

    def run(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._request_stop)
        for index in range(self.processes):
            self.start_child(index)
        while not self.stopping:
            time.sleep(0.2)
            for index, child in list(self.children.items()):
                if child.is_alive() or self.stopping:
                    continue
                lived = time.monotonic() - self.started_at[index]
                self.failures[index] = 0 if lived > RESTART_BACKOFF_MAX else self.failures.get(index, 0) + 1
                delay = min(2 ** self.failures[index] / 4, RESTART_BACKOFF_MAX) if self.failures[index] else 0
                log.error(
                    "worker %s (pid %s) exited with code %s; restarting in %.1fs",
                    index,
                    child.pid,
                    child.exitcode,
                    delay,
                )
                time.sleep(delay)
                if not self.stopping:
                    self.start_child(index)
        self._stop_children()

    def _request_stop(self, *_: object) -> None:
        self.stopping = True

    def _stop_children(self) -> None:
        for child in self.children.values():
            if child.is_alive():
                child.terminate()  # SIGTERM: finish the current messages, then exit
        deadline = time.monotonic() + 60
        for child in self.children.values():
            child.join(timeout=max(0.0, deadline - time.monotonic()))
            if child.is_alive():
                log.warning("worker pid %s did not stop in time; killing it", child.pid)
                child.kill()
                child.join()
