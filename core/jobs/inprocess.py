"""Jobs inside the app process (embedded shape): an in-memory broker, a dramatiq worker whose
async actors run on the app's own event loop, and the relay/sweeper/scheduler loop."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import dramatiq

from core.jobs.relay import run_background

if TYPE_CHECKING:
    from core.runtime import Runtime


class InProcessJobs:
    def __init__(self, runtime: Runtime):
        self.runtime = runtime
        self.worker: dramatiq.Worker | None = None
        self.task: asyncio.Task | None = None
        self.stopping = asyncio.Event()

    async def start(self) -> None:
        self.runtime.dispatcher.host_loop = asyncio.get_running_loop()
        self.worker = dramatiq.Worker(
            self.runtime.dispatcher.broker, worker_threads=self.runtime.settings.worker_threads, worker_timeout=100
        )
        self.worker.start()
        # The in-memory broker starts empty: every pending delivery's message was lost with
        # the previous process, so the first sweep re-sends them all.
        self.task = asyncio.create_task(run_background(self.runtime, self.stopping, sweep_first=True))

    async def stop(self) -> None:
        self.stopping.set()
        if self.task is not None:
            await self.task
        if self.worker is not None:
            # Worker.stop joins threads that may be waiting on this loop; keep it running.
            await asyncio.to_thread(self.worker.stop)
