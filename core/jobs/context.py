"""What a job or a subscriber receives besides its arguments.

``runtime`` is the core's own; a plugin's code uses ``plugin`` (see ``core.plugins.host``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.auth import Actor
    from core.events.bus import UnitOfWork
    from core.plugins.host import PluginRuntime
    from core.runtime import Runtime


@dataclass(frozen=True)
class JobContext:
    runtime: Runtime
    uow: UnitOfWork
    actor: Actor
    message_id: int | None = None  # the outbox row; stable across redeliveries, use it as idempotency key
    attempt: int = 1
    occurred_at: datetime | None = None
    owner: str = "core"  # the plugin whose job or subscriber runs

    @property
    def plugin(self) -> PluginRuntime:
        """What the owning plugin gets from the core: its config, settings it may read, hooks."""
        return self.runtime.for_plugin(self.owner)
