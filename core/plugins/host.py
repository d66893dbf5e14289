"""What a plugin gets from the core at run time: :class:`PluginRuntime`.

The core's :class:`~core.runtime.Runtime` holds everything a process needs (engine, broker,
secret key, the plugin manager); a plugin gets a narrow view of it instead, made for that plugin:
units of work, the settings a plugin may read, its own validated config, the translator, calling
hooks, and keys derived for its own signatures. Hooks hand it as ``plugin_runtime``, jobs and
subscribers as ``ctx.plugin``, resolvers as ``info.context.plugin(info)``.

The services of ``core.api`` that take a ``runtime`` accept a :class:`PluginRuntime` too.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from core.settings import Settings, zone_for

if TYPE_CHECKING:
    from core.auth import Actor
    from core.events.bus import UnitOfWork
    from core.i18n import Translator
    from core.plugins.registry import Registry
    from core.runtime import Runtime


@dataclass(frozen=True)
class PluginSettings:
    """The deployment settings a plugin may read; no secret, database or broker address."""

    issuer: str  # the public address of this server: links in mails and pages start with it
    time_zone: str  # the deployment's zone; a user's own comes from their row (zone_for)
    mail_from: str
    max_page_size: int
    is_postgres: bool
    debug: bool

    @classmethod
    def of(cls, settings: Settings) -> PluginSettings:
        return cls(
            issuer=settings.issuer,
            time_zone=settings.time_zone,
            mail_from=settings.mail_from,
            max_page_size=settings.max_page_size,
            is_postgres=settings.is_postgres,
            debug=settings.debug,
        )

    @property
    def is_sqlite(self) -> bool:
        return not self.is_postgres

    def zone_for(self, user_zone: str | None) -> ZoneInfo:
        """A user's own zone (validated when they chose it), else the deployment's."""
        return zone_for(user_zone, self.time_zone)


class PluginRuntime:
    """The runtime as plugin ``name`` sees it (one per plugin and process: ``runtime.for_plugin``)."""

    def __init__(self, runtime: Runtime, name: str):
        self._runtime = runtime
        self.name = name
        self.settings = PluginSettings.of(runtime.settings)

    def __repr__(self) -> str:
        return f"<PluginRuntime {self.name} ({self.role})>"

    @property
    def role(self) -> str:
        """``web``, ``worker`` or ``cli``."""
        return self._runtime.role

    @property
    def config(self) -> Any:
        """This plugin's validated ``Config`` from plugins.toml."""
        return self._runtime.plugins.plugin(self.name).config

    @property
    def translator(self) -> Translator:
        return self._runtime.translator

    def text(self, locale: str, message: str, params: dict[str, Any] | None = None) -> str:
        """``message`` (marked with ``_``) in ``locale``, with ``params`` filled in."""
        return self._runtime.translator.text(locale, message, params)

    @property
    def registry(self) -> Registry:
        """The enabled plugins' contributions (permissions, jobs, timeline kinds); read only."""
        return self._runtime.registry

    def unit_of_work(self, actor: Actor | None = None) -> UnitOfWork:
        return self._runtime.unit_of_work(actor)

    async def call_hook(self, name: str, **kwargs: Any) -> list[Any]:
        """Call a hook (yours, published through ``kartoteka_addhooks``, or the core's)."""
        return await self._runtime.call_hook(name, **kwargs)

    async def call_each(self, name: str, **kwargs: Any) -> list[tuple[str, Any]]:
        """Call a hook plugin by plugin: ``[(plugin, result)]``."""
        return await self._runtime.call_each(name, **kwargs)

    def plugin_enabled(self, name: str) -> bool:
        return name in self._runtime.plugins.order

    def signing_key(self, purpose: str) -> str:
        """A secret of this plugin for ``purpose`` (links, visitor ids), derived from the
        deployment's secret key: stable across restarts, different per plugin and purpose."""
        message = f"kartoteka.plugin:{self.name}:{purpose}".encode()
        return hmac.new(self._runtime.settings.secret_key.encode(), message, hashlib.sha256).hexdigest()


def plugin_of_module(runtime: Runtime, module: str) -> str:
    """The enabled plugin whose package holds ``module`` (the deepest one when packages nest).
    Asked on every plugin resolver call, so each module's answer is kept on the runtime."""
    known = runtime.module_owners.get(module)
    if known is None:
        known = runtime.module_owners[module] = _find_plugin_of_module(runtime, module)
    return known


def _find_plugin_of_module(runtime: Runtime, module: str) -> str:
    best = ""
    for name in runtime.plugins.order:
        # `core` stands for every built-in plugin: it holds the whole core package.
        package = "core" if name == "core" else type(runtime.plugins.plugin(name)).__module__.rpartition(".")[0]
        if (module == package or module.startswith(package + ".")) and len(package) > len(best):
            best, owner = package, name
    if not best:
        raise LookupError(f"no enabled plugin holds module {module!r}")
    return owner
