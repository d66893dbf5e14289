"""Runs every registration hook once and freezes the validated result.

Each contribution is attributed to the plugin that made it, names must carry the plugin's
prefix, and a duplicate raises an error naming both plugins — never a silent override.
"""

from __future__ import annotations

import dataclasses
import importlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import click
import pluggy
from piccolo.conf.apps import AppConfig

from core.errors import PluginError
from core.events.base import Event
from core.plugins.loader import CORE_PLUGIN, is_builtin
from core.plugins.specs import (
    DOTTED_NAME,
    SURFACES,
    GraphQLContribution,
    JobSpec,
    LoaderSpec,
    Permission,
    RoleTemplate,
    ScheduleSpec,
    Subscriber,
    Surface,
    TypeExtension,
    owner_of,
)


def contributions(manager: pluggy.PluginManager, hook_name: str, **kwargs: Any) -> Iterator[tuple[str, Any]]:
    """Call each implementation of a registration hook, yielding ``(plugin name, result)``.

    Calling implementations one by one (instead of ``pm.hook.x()``) is what lets the core say
    which plugin contributed what.
    """
    caller = getattr(manager.hook, hook_name)
    for impl in caller.get_hookimpls():  # registration order: core first, then by `requires`
        args = {name: kwargs[name] for name in impl.argnames}
        result = impl.function(**args)
        if result is None:
            continue
        yield namespace_of(manager.get_name(impl.plugin)), result


def namespace_of(plugin_name: str) -> str:
    """The namespace a plugin's names live in: every built-in (``core.crm`` …) shares ``core``."""
    return CORE_PLUGIN if is_builtin(plugin_name) else plugin_name


def _claim(seen: dict[str, str], kind: str, name: str, plugin: str) -> None:
    if name in seen:
        raise PluginError(f"{kind} {name!r} is contributed by both {seen[name]!r} and {plugin!r}")
    seen[name] = plugin


def _check_prefix(kind: str, name: str, plugin: str) -> None:
    if not DOTTED_NAME.match(name):
        raise PluginError(f"{kind} {name!r} of plugin {plugin!r} must be a dotted lower-case name")
    if owner_of(name) != plugin:
        raise PluginError(
            f"{kind} {name!r} of plugin {plugin!r} must start with '{plugin}.' "
            f"('{owner_of(name)}.' names belong to plugin {owner_of(name)!r})"
        )


@dataclass
class Registry:
    """The frozen contributions of all enabled plugins."""

    piccolo_apps: dict[str, AppConfig] = field(default_factory=dict)  # module path → config
    permissions: dict[str, Permission] = field(default_factory=dict)
    permission_owner: dict[str, str] = field(default_factory=dict)
    event_types: dict[str, type[Event]] = field(default_factory=dict)
    subscribers: dict[str, Subscriber] = field(default_factory=dict)
    jobs: dict[str, JobSpec] = field(default_factory=dict)
    schedules: dict[str, ScheduleSpec] = field(default_factory=dict)
    loaders: dict[str, LoaderSpec] = field(default_factory=dict)
    graphql: dict[Surface, list[GraphQLContribution]] = field(default_factory=dict)
    routes: list[tuple[str, list[Any]]] = field(default_factory=list)
    cli_commands: dict[str, tuple[str, click.Command]] = field(default_factory=dict)
    role_templates: dict[str, RoleTemplate] = field(default_factory=dict)
    timeline_kinds: dict[str, Any] = field(default_factory=dict)
    custom_field_entities: dict[str, Any] = field(default_factory=dict)

    def sync_subscribers(self, event_name: str) -> list[Subscriber]:
        return [s for s in self.subscribers.values() if s.mode == "sync" and s.event in (event_name, "*")]

    def async_subscribers(self, event_name: str) -> list[Subscriber]:
        return [s for s in self.subscribers.values() if s.mode == "async" and s.event in (event_name, "*")]


def build_registry(manager: pluggy.PluginManager, *, with_api: bool = True) -> Registry:
    """Collect and check every contribution. ``with_api=False`` (a worker) leaves out what only
    serves requests (GraphQL, dataloaders, HTTP routes, CLI commands), so a worker imports none of
    the plugins' GraphQL or route modules."""
    registry = Registry()
    apps: dict[str, str] = {}
    for plugin, result in contributions(manager, "kartoteka_piccolo_apps"):
        for module_path in result:
            app = importlib.import_module(module_path).APP_CONFIG
            _claim(apps, "Piccolo app", app.app_name, plugin)
            registry.piccolo_apps[module_path] = app

    for plugin, result in contributions(manager, "kartoteka_permissions"):
        for permission in result:
            _check_prefix("permission", permission.code, plugin)
            _claim(registry.permission_owner, "permission", permission.code, plugin)
            registry.permissions[permission.code] = permission

    role_owner: dict[str, str] = {}
    extensions: list[tuple[str, RoleTemplate]] = []
    for plugin, result in contributions(manager, "kartoteka_role_templates"):
        for template in result:
            unknown = [c for c in template.permissions if c != "*" and c not in registry.permissions]
            if unknown:
                raise PluginError(f"role template {template.name!r} of plugin {plugin!r} grants unknown {unknown}")
            if template.extends:
                extensions.append((plugin, template))
                continue
            _claim(role_owner, "role template", template.name, plugin)
            registry.role_templates[template.name] = template
    for plugin, extension in extensions:
        base = registry.role_templates.get(extension.name)
        if base is None:
            raise PluginError(f"plugin {plugin!r} extends role template {extension.name!r}, which no plugin ships")
        granted = base.permissions + tuple(c for c in extension.permissions if c not in base.permissions)
        registry.role_templates[extension.name] = dataclasses.replace(base, permissions=granted)

    kind_owner: dict[str, str] = {}
    for plugin, result in contributions(manager, "kartoteka_timeline_kinds"):
        for kind in result:
            _check_prefix("timeline kind", kind.name, plugin)
            _claim(kind_owner, "timeline kind", kind.name, plugin)
            registry.timeline_kinds[kind.name] = kind

    entity_owner: dict[str, str] = {}
    for plugin, result in contributions(manager, "kartoteka_custom_field_entities"):
        for entity in result:
            if plugin != "core":  # the core's own entities predate the rule: "company", "person"
                _check_prefix("custom field entity", entity.name, plugin)
            _claim(entity_owner, "custom field entity", entity.name, plugin)
            registry.custom_field_entities[entity.name] = entity

    event_owner: dict[str, str] = {}
    for plugin, result in contributions(manager, "kartoteka_event_types"):
        for event_type in result:
            if not (isinstance(event_type, type) and issubclass(event_type, Event)):
                raise PluginError(f"plugin {plugin!r} registered {event_type!r}, which is not an Event subclass")
            _check_prefix("event", event_type.name, plugin)
            _claim(event_owner, "event", event_type.name, plugin)
            registry.event_types[event_type.name] = event_type

    job_owner: dict[str, str] = {}
    for plugin, result in contributions(manager, "kartoteka_jobs"):
        for job in result:
            _check_prefix("job", job.name, plugin)
            _claim(job_owner, "job", job.name, plugin)
            registry.jobs[job.name] = job

    subscriber_owner: dict[str, str] = {}
    for plugin, result in contributions(manager, "kartoteka_event_subscribers"):
        for subscriber in result:
            _check_prefix("subscriber", subscriber.name, plugin)
            _claim(subscriber_owner, "subscriber", subscriber.name, plugin)
            if subscriber.event != "*" and subscriber.event not in registry.event_types:
                raise PluginError(
                    f"subscriber {subscriber.name!r} of plugin {plugin!r} listens to unknown event {subscriber.event!r}"
                )
            registry.subscribers[subscriber.name] = subscriber

    schedule_owner: dict[str, str] = {}
    for plugin, result in contributions(manager, "kartoteka_schedules"):
        for schedule in result:
            _check_prefix("schedule", schedule.name, plugin)
            _claim(schedule_owner, "schedule", schedule.name, plugin)
            if schedule.job not in registry.jobs:
                raise PluginError(f"schedule {schedule.name!r} of plugin {plugin!r} runs unknown job {schedule.job!r}")
            registry.schedules[schedule.name] = schedule

    if with_api:
        _collect_api(manager, registry)
    return registry


def _collect_api(manager: pluggy.PluginManager, registry: Registry) -> None:
    loader_owner: dict[str, str] = {}
    for plugin, result in contributions(manager, "kartoteka_dataloaders"):
        for loader in result:
            _check_prefix("dataloader", loader.name, plugin)
            _claim(loader_owner, "dataloader", loader.name, plugin)
            registry.loaders[loader.name] = loader

    for surface in SURFACES:
        merged: dict[str, dict[str, list]] = {}
        for hook, key in (
            ("kartoteka_graphql_queries", "queries"),
            ("kartoteka_graphql_mutations", "mutations"),
            ("kartoteka_graphql_types", "types"),
            ("kartoteka_graphql_type_extensions", "extensions"),
        ):
            for plugin, result in contributions(manager, hook, surface=surface):
                merged.setdefault(plugin, {}).setdefault(key, []).extend(result)
        registry.graphql[surface] = [
            GraphQLContribution(
                plugin=plugin,
                queries=tuple(parts.get("queries", ())),
                mutations=tuple(parts.get("mutations", ())),
                types=tuple(parts.get("types", ())),
                extensions=tuple(_check_extension(e, plugin) for e in parts.get("extensions", ())),
            )
            for plugin, parts in merged.items()
        ]

    for plugin, result in contributions(manager, "kartoteka_http_routes"):
        if registry.routes and registry.routes[-1][0] == plugin:  # the built-ins share /plugins/core
            registry.routes[-1][1].extend(result)
        else:
            registry.routes.append((plugin, list(result)))

    for plugin, result in contributions(manager, "kartoteka_cli_commands"):
        for command in result:
            if command.name in registry.cli_commands:
                other = registry.cli_commands[command.name][0]
                raise PluginError(f"CLI command {command.name!r} is contributed by both {other!r} and {plugin!r}")
            registry.cli_commands[command.name] = (plugin, command)


def _check_extension(extension: TypeExtension, plugin: str) -> TypeExtension:
    if not isinstance(extension, TypeExtension):
        raise PluginError(f"plugin {plugin!r} returned {extension!r} from kartoteka_graphql_type_extensions")
    return extension
