"""The booted state of one Kartoteka process: settings, plugins, registry, engine, job dispatcher.

Nothing here is an import-time global: every process (web, worker, CLI) and every test builds
its own :class:`Runtime` with :meth:`Runtime.boot`. Piccolo binds table classes to one engine,
so the runtime booted last is the one a process's tables use.
"""

from __future__ import annotations

import inspect
import logging
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from piccolo.apps.migrations.tables import Migration
from piccolo.conf.apps import AppRegistry
from piccolo.engine.base import Engine

from core.auth import Actor
from core.db import piccolo_conf
from core.db.engine import make_engine, release_without_reset
from core.errors import ConfigError, PluginError
from core.events.bus import UnitOfWork
from core.i18n import Translator
from core.jobs.dispatcher import Dispatcher
from core.plugins.host import PluginRuntime
from core.plugins.loader import LoadedPlugins, PluginsFile, build_plugin_manager, read_plugins_file
from core.plugins.registry import Registry, build_registry, namespace_of
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
        self.dispatcher = Dispatcher(self)  # the broker and the way jobs reach it
        self.pool_started = False
        self._plugin_runtimes: dict[str, PluginRuntime] = {}
        self.module_owners: dict[str, str] = {}  # module → the plugin whose package holds it

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
        runtime = cls(settings, role, loaded, build_registry(loaded.manager, with_api=role != "worker"))
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
        await self.dispatcher.close()
        if self.pool_started:
            await self.engine.close_connection_pool()
            self.pool_started = False

    async def call_hook(self, name: str, **kwargs: Any) -> list[Any]:
        """Call a runtime hook whose implementations may be sync or async (non-None results)."""
        results = []
        for impl in reversed(getattr(self.plugins.manager.hook, name).get_hookimpls()):  # pluggy's order
            result = impl.function(**self._hook_arguments(impl, kwargs))
            if result is not None:
                results.append(await result if inspect.isawaitable(result) else result)
        return results

    async def call_each(self, name: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call a runtime hook plugin by plugin, in registration order: ``[(plugin, result)]``."""
        manager = self.plugins.manager
        results = []
        for impl in getattr(manager.hook, name).get_hookimpls():
            result = impl.function(**self._hook_arguments(impl, kwargs))
            owner = namespace_of(manager.get_name(impl.plugin))
            results.append((owner, await result if inspect.isawaitable(result) else result))
        return results

    def _hook_arguments(self, impl: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
        """The arguments an implementation asks for; ``plugin_runtime`` is its own plugin's."""
        plugin = namespace_of(self.plugins.manager.get_name(impl.plugin))
        missing = [arg for arg in impl.argnames if arg != "plugin_runtime" and arg not in kwargs]
        if missing:
            # The spec has the argument (check_pending saw to that), so the caller forgot it.
            raise PluginError(
                f"hook {impl.function.__name__} was called without {', '.join(missing)}, "
                f"which plugin {plugin!r} asks for"
            )
        return {arg: self.for_plugin(plugin) if arg == "plugin_runtime" else kwargs[arg] for arg in impl.argnames}

    def for_plugin(self, name: str) -> PluginRuntime:
        """What plugin ``name`` gets from the core at run time (made once per plugin)."""
        made = self._plugin_runtimes.get(name)
        if made is None:
            made = self._plugin_runtimes[name] = PluginRuntime(self, name)
        return made

    def unit_of_work(self, actor: Actor | None = None) -> UnitOfWork:
        return UnitOfWork(self, actor)

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
