"""plugins.toml + entry points → a pluggy PluginManager with the enabled plugins, in order.

Installed plugins that plugins.toml does not enable are never imported.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
import pluggy

from core.errors import ConfigError, PluginError
from core.plugins import hookspecs
from core.plugins.specs import Plugin, PluginInfo

ENTRY_POINT_GROUP = "kartoteka.plugins"
CORE_PLUGIN = "core"
PLUGIN_KEYS = {"enabled", "config"}
# The core's own features, registered by name before every other plugin (as pytest's
# `default_plugins` and Datasette's DEFAULT_PLUGINS), so the plugin host imports none of them.
# The kernel's plugin carries the name `core`; a feature's is `core.<feature>`. The order is the
# order of the committed schema's root fields and of the synchronous subscribers.
BUILTIN_PLUGINS: tuple[tuple[str, str], ...] = (
    (CORE_PLUGIN, "core.system.plugin:SystemPlugin"),
    ("core.access", "core.access.plugin:AccessPlugin"),
    ("core.crm", "core.crm.plugin:CrmPlugin"),
    ("core.tasks", "core.tasks.plugin:TasksPlugin"),
    ("core.call_queue", "core.call_queue.plugin:CallQueuePlugin"),
    ("core.attachments", "core.attachments.plugin:AttachmentsPlugin"),
    ("core.imports", "core.imports.plugin:ImportsPlugin"),
    ("core.identity", "core.identity.plugin:IdentityPlugin"),
    ("core.rules", "core.rules.plugin:RulesPlugin"),
    ("core.mail", "core.mail.plugin:MailPlugin"),
    ("core.notifications", "core.notifications.plugin:NotificationsPlugin"),
)


def is_builtin(name: str) -> bool:
    """Names in the core's namespace: ``core`` and ``core.<feature>``."""
    return name == CORE_PLUGIN or name.startswith(CORE_PLUGIN + ".")


def builtin_instances() -> dict[str, Plugin]:
    instances: dict[str, Plugin] = {}
    for name, target in BUILTIN_PLUGINS:
        module_name, _, class_name = target.partition(":")
        cls = getattr(importlib.import_module(module_name), class_name)
        instances[name] = cls(name, cls.Config())
    return instances


@dataclass(frozen=True)
class PluginEntry:
    """One plugin as plugins.toml and the installed distributions describe it."""

    name: str
    enabled: bool
    distribution: str = ""
    version: str = ""
    entry_point: importlib.metadata.EntryPoint | None = None
    raw_config: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PluginsFile:
    path: Path
    plugins: Mapping[str, PluginEntry]


def installed_entry_points() -> dict[str, importlib.metadata.EntryPoint]:
    return {ep.name: ep for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP)}


def read_plugins_file(path: Path, installed: Mapping[str, importlib.metadata.EntryPoint] | None = None) -> PluginsFile:
    """Parse and check plugins.toml against the installed plugins, importing nothing."""
    installed = installed_entry_points() if installed is None else installed
    where = str(path)
    if not path.exists():
        raise ConfigError(where, "plugins file not found (set KARTOTEKA_PLUGINS_FILE or create it)")
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(where, f"not valid TOML: {exc}") from None
    unknown_top = set(document) - {"plugins"}
    if unknown_top:
        raise ConfigError(
            f"{where}: {sorted(unknown_top)[0]}", "unknown top-level key (expected [plugins.<name>] tables)"
        )
    tables = document.get("plugins", {})
    if not isinstance(tables, dict):
        raise ConfigError(f"{where}: plugins", "must be a table of [plugins.<name>] tables")
    entries: dict[str, PluginEntry] = {}
    for name, table in tables.items():
        key = f"{where}: plugins.{name}"
        if is_builtin(name):
            raise ConfigError(key, "the core is always enabled and cannot be configured here")
        if not isinstance(table, dict):
            raise ConfigError(key, "must be a table")
        for unknown in set(table) - PLUGIN_KEYS:
            raise ConfigError(f"{key}.{unknown}", "unknown key (allowed: enabled, config)")
        enabled = table.get("enabled", False)
        if not isinstance(enabled, bool):
            raise ConfigError(f"{key}.enabled", f"expected true or false, got {enabled!r}")
        config = table.get("config", {})
        if not isinstance(config, dict):
            raise ConfigError(f"{key}.config", "must be a table")
        ep = installed.get(name)
        if ep is None:
            available = ", ".join(sorted(installed)) or "none"
            raise ConfigError(key, f"no installed plugin is called {name!r} (installed: {available})")
        entries[name] = _entry(name, enabled, ep, config)
    for name, ep in installed.items():
        entries.setdefault(name, _entry(name, False, ep, {}))
    return PluginsFile(path=path, plugins=entries)


def _entry(name: str, enabled: bool, ep: importlib.metadata.EntryPoint, config: Mapping[str, Any]) -> PluginEntry:
    dist = ep.dist
    return PluginEntry(
        name=name,
        enabled=enabled,
        distribution=dist.name if dist else "",
        version=dist.version if dist else "",
        entry_point=ep,
        raw_config=config,
    )


def resolve_secrets(value: Any, key: str) -> Any:
    """``{ env = "NAME" }`` and ``{ file = "/path" }`` become the secret they point at."""
    if isinstance(value, dict):
        if set(value) == {"env"}:
            name = value["env"]
            if name not in os.environ:
                raise ConfigError(key, f"environment variable {name} is not set")
            return os.environ[name]
        if set(value) == {"file"}:
            try:
                return Path(value["file"]).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise ConfigError(key, f"cannot read secret file: {exc.strerror}") from None
        return {k: resolve_secrets(v, f"{key}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_secrets(v, f"{key}[{i}]") for i, v in enumerate(value)]
    return value


def validate_config(plugin_cls: type[Plugin], entry: PluginEntry, where: str) -> msgspec.Struct:
    key = f"{where}: plugins.{entry.name}.config"
    resolved = resolve_secrets(dict(entry.raw_config), key)
    try:
        return msgspec.convert(resolved, plugin_cls.Config, strict=True)
    except msgspec.ValidationError as exc:
        # msgspec says "… - at `$.key`"; name the key the operator has to fix.
        message, _, path = str(exc).partition(" - at `$")
        suffix = path.rstrip("`")
        raise ConfigError(key + suffix, message) from None


def load_plugin_class(entry: PluginEntry) -> type[Plugin]:
    assert entry.entry_point is not None
    try:
        loaded = entry.entry_point.load()
    except Exception as exc:  # a broken partner package must say which one it is
        raise PluginError(f"plugin {entry.name!r} ({entry.distribution}) failed to import: {exc!r}") from exc
    if not (isinstance(loaded, type) and issubclass(loaded, Plugin)):
        raise PluginError(
            f"plugin {entry.name!r}: entry point {entry.entry_point.value} is not a core.api.Plugin subclass"
        )
    if not isinstance(getattr(loaded, "info", None), PluginInfo):
        raise PluginError(f"plugin {entry.name!r}: class {loaded.__name__} has no `info = PluginInfo(...)`")
    return loaded


def order_by_requires(classes: Mapping[str, type[Plugin]]) -> list[str]:
    """Topological order (requirements first, ties by name) or an error naming the cycle."""
    for name, cls in classes.items():
        for required in cls.info.requires:
            if required not in classes:
                raise PluginError(f"plugin {name!r} requires plugin {required!r}, which is not enabled in plugins.toml")
    ordered: list[str] = []
    state: dict[str, str] = {}

    def visit(name: str, chain: list[str]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            raise PluginError("plugins require each other in a cycle: " + " → ".join([*chain, name]))
        state[name] = "visiting"
        for required in sorted(classes[name].info.requires):
            visit(required, [*chain, name])
        state[name] = "done"
        ordered.append(name)

    for name in sorted(classes):
        visit(name, [])
    return ordered


@dataclass
class LoadedPlugins:
    manager: pluggy.PluginManager
    order: list[str]  # `core` (standing for every built-in), then the enabled plugins
    plugins_file: PluginsFile
    builtins: list[str] = field(default_factory=list)  # each built-in plugin, in registration order

    def plugin(self, name: str) -> Any:
        return self.manager.get_plugin(name)


def build_plugin_manager(plugins_file: PluginsFile, extra: Mapping[str, Plugin] | None = None) -> LoadedPlugins:
    """Import the enabled plugins, validate their config, register them after the core.

    ``extra`` registers ready-made plugin instances (tests) as if plugins.toml had enabled them.
    """
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    where = str(plugins_file.path)
    enabled = {name: entry for name, entry in plugins_file.plugins.items() if entry.enabled}
    classes = {name: load_plugin_class(entry) for name, entry in enabled.items()}
    extra = dict(extra or {})
    for name, instance in extra.items():
        if name in classes:
            raise PluginError(f"plugin {name!r} is both enabled in {where} and registered by the caller")
        classes[name] = type(instance)
    order = order_by_requires(classes)
    instances = builtin_instances()
    builtins = list(instances)
    for name in order:
        instances[name] = extra.get(name) or classes[name](name, validate_config(classes[name], enabled[name], where))
    try:
        for name, instance in instances.items():
            manager.register(instance, name=name)
        # Plugin-published hookspecs must exist before unknown hooks are reported.
        manager.hook.kartoteka_addhooks.call_historic(kwargs={"plugin_manager": manager})
        manager.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin {manager.get_name(exc.plugin) or exc.plugin!r}: {exc}") from None
    return LoadedPlugins(manager=manager, order=[CORE_PLUGIN, *order], plugins_file=plugins_file, builtins=builtins)


FIRST_PARTY_DISTRIBUTION = "kartoteka"


def first_party_plugins_file() -> PluginsFile:
    """Every first-party plugin enabled with its default config: the profile the committed
    schema files describe, independent of the local plugins.toml."""
    installed = installed_entry_points()
    plugins = {
        name: _entry(name, True, ep, {})
        for name, ep in installed.items()
        if ep.dist is not None and ep.dist.name == FIRST_PARTY_DISTRIBUTION
    }
    return PluginsFile(path=Path("<first-party plugins>"), plugins=plugins)
