"""Every hook a Kartoteka plugin can implement.

Registration hooks (they return lists of specs) are called once when a process boots; the core
validates the results, namespaces them by plugin and raises on a duplicate. Runtime hooks take
keyword arguments; an implementation may accept any subset of them (pluggy matches by name), so
adding an argument later breaks no plugin. Every hook here is documented in
``docs/plugin-hooks.md`` and exercised by ``tests/test_hooks.py``; a test fails otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click

    from core.auth import Actor
    from core.crm.custom_fields import CustomFieldEntity
    from core.crm.timeline import TimelineKind
    from core.events.base import Event
    from core.plugins.host import PluginRuntime
    from core.plugins.specs import (
        JobSpec,
        LoaderSpec,
        Permission,
        RoleTemplate,
        ScheduleSpec,
        Subscriber,
        Surface,
        TemplateVariable,
        TypeExtension,
    )
    from core.runtime import Runtime

PROJECT = "kartoteka"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# --- lifecycle -------------------------------------------------------------------------------
@hookspec(historic=True)
def kartoteka_addhooks(plugin_manager: pluggy.PluginManager) -> None:
    """Publish hookspecs of your own (``plugin_manager.add_hookspecs(module)``) for other plugins.

    Names of such hooks start with the plugin's name (``marketing_person_facts``)."""


@hookspec
def kartoteka_startup(runtime: Runtime, plugin_runtime: PluginRuntime) -> Any:
    """A process starts (``plugin_runtime.role`` is ``web``, ``worker`` or ``cli``); may be async.

    ``runtime`` is the core's own; a plugin takes ``plugin_runtime``, the part meant for it."""


@hookspec
def kartoteka_shutdown(runtime: Runtime, plugin_runtime: PluginRuntime) -> Any:
    """A process stops; may be async."""


# --- data ------------------------------------------------------------------------------------
@hookspec
def kartoteka_piccolo_apps() -> list[str]:
    """Dotted paths of Piccolo app modules (``APP_CONFIG``): the plugin's tables and migrations."""


@hookspec
def kartoteka_demo_data(runtime: Runtime, plugin_runtime: PluginRuntime, scale: int, progress: Any) -> Any:
    """Load demonstration data into an empty database (``kartoteka demo``); may be async.

    ``scale`` is the number of companies asked for; ``progress(n)`` reports n more done.
    Return a line to show the operator, or None."""


# --- GraphQL ---------------------------------------------------------------------------------
@hookspec
def kartoteka_graphql_queries(surface: Surface) -> list[type]:
    """Strawberry types whose fields join the root ``Query`` of ``surface`` (staff or portal)."""


@hookspec
def kartoteka_graphql_mutations(surface: Surface) -> list[type]:
    """Strawberry types whose fields join the root ``Mutation`` of ``surface``."""


@hookspec
def kartoteka_graphql_types(surface: Surface) -> list[type]:
    """Types the schema must know that no root field reaches (interface implementations)."""


@hookspec
def kartoteka_graphql_type_extensions(surface: Surface) -> list[TypeExtension]:
    """Fields added to another owner's type: ``TypeExtension(target="Viewer", fields=Mixin)``."""


@hookspec
def kartoteka_dataloaders() -> list[LoaderSpec]:
    """Per-request DataLoaders, reached in resolvers as ``info.context.loaders["name"]``."""


# --- events and jobs -------------------------------------------------------------------------
@hookspec
def kartoteka_event_types() -> list[type[Event]]:
    """Event classes the plugin publishes; publishing an unregistered class is an error."""


@hookspec
def kartoteka_event_subscribers() -> list[Subscriber]:
    """Synchronous (in-transaction, may veto) and asynchronous (worker) event subscribers."""


@hookspec
def kartoteka_jobs() -> list[JobSpec]:
    """Background jobs; the core turns each into a dramatiq actor on the configured broker."""


@hookspec
def kartoteka_schedules() -> list[ScheduleSpec]:
    """Periodic runs of jobs."""


# --- access ----------------------------------------------------------------------------------
@hookspec
def kartoteka_timeline_kinds() -> list[TimelineKind]:
    """Kinds of client-timeline entries the plugin writes (``offers.invoice_issued``)."""


@hookspec
def kartoteka_custom_field_entities() -> list[CustomFieldEntity]:
    """Entities of the plugin that administrators may add custom fields to (``sales.opportunity``)."""


@hookspec
def kartoteka_person_export(runtime: Runtime, plugin_runtime: PluginRuntime, person_id: int) -> Any:
    """Your data about person ``person_id``, JSON-serialisable, for a GDPR export; may be async."""


@hookspec
def kartoteka_person_erase(runtime: Runtime, plugin_runtime: PluginRuntime, person_id: int, uow: Any) -> Any:
    """Erase or anonymise your data about the person in ``uow``'s transaction, keeping only
    what the law requires (invoices); may be async. Raising stops the whole erasure."""


@hookspec
def kartoteka_template_variables() -> list[TemplateVariable]:
    """Variables templates written for persons may use (``offers``: prices of the person's tier)."""


@hookspec
def kartoteka_permissions() -> list[Permission]:
    """Permission codes ``"<plugin>.<resource>.<action>"`` that fields and services check."""


@hookspec
def kartoteka_role_templates() -> list[RoleTemplate]:
    """Roles created on ``kartoteka migrate`` when missing (``sales_rep``, ``administrator``)."""


@hookspec(firstresult=True)
def kartoteka_actor_from_request(request: Any, runtime: Runtime) -> Actor | None:
    """Who sends this HTTP request; the first non-None answer wins (may be async)."""


# --- HTTP and CLI ----------------------------------------------------------------------------
@hookspec
def kartoteka_http_routes() -> list[Any]:
    """Litestar route handlers or routers, mounted under ``/plugins/<plugin>/``."""


@hookspec
def kartoteka_cli_commands() -> list[click.Command]:
    """Click commands added to ``kartoteka`` as ``kartoteka <command>``."""
