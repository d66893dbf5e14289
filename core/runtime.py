"""The booted state of one Kartoteka process: settings, plugins, registry, engine, broker.

Nothing here is an import-time global: every process (web, worker, CLI) and every test builds
its own :class:`Runtime` with :meth:`Runtime.boot`. Piccolo binds table classes to one engine,
so the runtime booted last is the one a process's tables use.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import dramatiq
from piccolo.apps.migrations.tables import Migration
from piccolo.conf.apps import AppRegistry
from piccolo.engine.base import Engine

from core.auth import Actor
from core.db import piccolo_conf
from core.db.engine import make_engine, release_without_reset
from core.errors import ConfigError
from core.events.bus import UnitOfWork
from core.i18n import Translator
from core.jobs.delivery import Target, execute_delivery, job_target, subscriber_target
from core.plugins.loader import LoadedPlugins, PluginsFile, build_plugin_manager, read_plugins_file
from core.plugins.registry import Registry, build_registry
from core.plugins.specs import Plugin
from core.settings import Settings, ensure_secret_key, load_settings

log = logging.getLogger("kartoteka")
SQLITE_KEPT_CONNECTIONS = 4  # readers at once; SQLite has a single writer whatever the number
Role = Literal["web", "worker", "cli"]


def locale_folders(loaded: LoadedPlugins) -> list[Path]:
    """``locale/`` beside each plugin's module; the built-ins share ``core/locale``."""
    folders = []
    for name in loaded.order:
        if name == "core":  # stands for every built-in plugin
            folders.append(Path(__file__).parent / "locale")
            continue
        module = sys.modules[type(loaded.manager.get_plugin(name)).__module__]
        folders.append(Path(module.__file__).parent / "locale")
    return folders


class Runtime:
    def __init__(self, settings: Settings, role: Role, loaded: LoadedPlugins, registry: Registry):
        self.settings = settings
        self.role = role
        self.plugins = loaded
        self.registry = registry
        self.engine: Engine = make_engine(settings)
        self.translator = Translator.load(locale_folders(loaded))
        self.schemas: dict[str, Any] = {}  # the GraphQL schema of each surface, once built
        self.targets: dict[str, Target] = {
            **{f"job.{name}": job_target(job) for name, job in registry.jobs.items()},
            **{f"sub.{s.name}": subscriber_target(s) for s in registry.subscribers.values() if s.mode == "async"},
        }
        self._broker: dramatiq.Broker | None = None
        self._actors: dict[str, dramatiq.Actor] = {}
        self._wakeup: tuple[asyncio.AbstractEventLoop, asyncio.Event] | None = None
        self._broker_lock = threading.Lock()
        self.pool_started = False
        self.host_loop: asyncio.AbstractEventLoop | None = None

    # --- boot -------------------------------------------------------------------------------
    @classmethod
    def boot(
        cls,
        settings: Settings | None = None,
        role: Role = "cli",
        extra_plugins: Mapping[str, Plugin] | None = None,
        plugins_file: PluginsFile | None = None,
    ) -> Runtime:
        settings = ensure_secret_key(settings or load_settings())
        plugins_file = plugins_file or read_plugins_file(settings.plugins_file)
        loaded = build_plugin_manager(plugins_file, extra=extra_plugins)
        runtime = cls(settings, role, loaded, build_registry(loaded.manager))
        runtime.activate()
        return runtime

    def activate(self) -> None:
        """Point Piccolo (tables, migrations) at this runtime's engine and apps."""
        os.environ["PICCOLO_CONF"] = "core.db.piccolo_conf"
        piccolo_conf.DB = self.engine
        registry = AppRegistry(apps=list(self.registry.piccolo_apps))
        piccolo_conf.APP_REGISTRY = registry
        Migration._meta.db = self.engine
        for app in registry.app_configs.values():
            for table in app.table_classes:
                table._meta.db = self.engine

    @property
    def plugin_names(self) -> list[str]:
        return list(self.plugins.order)

    # --- lifecycle ----------------------------------------------------------------------------
    async def start(self, *, pool: bool = True) -> None:
        """Open the connection pool on the running loop and run startup hooks."""
        if pool and not self.pool_started:
            if self.settings.is_postgres:
                await self.engine.start_connection_pool(
                    max_size=self.settings.database_pool_size, reset=release_without_reset
                )
            else:
                await self.engine.start_connection_pool(max_size=SQLITE_KEPT_CONNECTIONS)
            self.pool_started = True
        await self.call_hook("kartoteka_startup", runtime=self)

    async def stop(self) -> None:
        await self.call_hook("kartoteka_shutdown", runtime=self)
        if self._broker is not None:
            await asyncio.to_thread(self._broker.close)
            self._broker = None
        if self.pool_started:
            await self.engine.close_connection_pool()
            self.pool_started = False

    async def call_hook(self, name: str, **kwargs: Any) -> list[Any]:
        """Call a runtime hook whose implementations may be sync or async."""
        results = []
        for result in getattr(self.plugins.manager.hook, name)(**kwargs):
            results.append(await result if inspect.isawaitable(result) else result)
        return results

    async def call_each(self, name: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call a runtime hook plugin by plugin, in registration order: ``[(plugin, result)]``."""
        manager = self.plugins.manager
        results = []
        for impl in getattr(manager.hook, name).get_hookimpls():
            result = impl.function(**{arg: kwargs[arg] for arg in impl.argnames})
            results.append((manager.get_name(impl.plugin), await result if inspect.isawaitable(result) else result))
        return results

    def unit_of_work(self, actor: Actor | None = None) -> UnitOfWork:
        return UnitOfWork(self, actor)

    # --- jobs ---------------------------------------------------------------------------------
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

    async def run_delivery(self, delivery_id: int) -> str:
        return await execute_delivery(self, delivery_id)

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

    def check_process_shape(self, *, web_processes: int = 1, external_worker: bool = False) -> None:
        """Refuse deployments that would lose or duplicate work."""
        if web_processes > 1 and self.settings.is_sqlite:
            raise ConfigError(
                "KARTOTEKA_DATABASE_URL",
                "SQLite serves one app process only; use PostgreSQL for several (--workers)",
            )
        if web_processes > 1 and self.settings.broker_in_memory:
            raise ConfigError(
                "KARTOTEKA_BROKER_URL",
                "the in-memory broker runs jobs inside one app process; use RabbitMQ for several (--workers)",
            )
        if external_worker and self.settings.broker_in_memory:
            raise ConfigError(
                "KARTOTEKA_BROKER_URL",
                "separate worker processes need RabbitMQ (amqp://); "
                "the in-memory broker runs jobs inside `kartoteka serve`",
            )
