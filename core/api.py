"""The public API for plugins. Import from here only; everything else in ``core`` may change.

A plugin is a :class:`Plugin` subclass named by an entry point in group ``kartoteka.plugins``;
its hook implementations are methods marked with :data:`hookimpl`.

Besides the plugin machinery it offers what a business plugin builds on: the client file's
tables (to reference and read; change them through the services), record scoping as SQL
(:func:`visible`), the services that create and change companies and persons, the timeline,
tasks, notifications to staff users (:func:`notify`), the call queue (:func:`enqueue_calls`), and
the GraphQL helpers the core's own types use (batched fields, keyset pages).
"""

from typing import TYPE_CHECKING

from core.access.services import actor_for_user
from core.access.services import require as require_permission
from core.access.tables import Team, Territory, User
from core.auth import ANONYMOUS, SYSTEM, Actor
from core.call_queue.services import CallRequest, Enqueued, cancel_call, enqueue_call, enqueue_calls
from core.commands import boot_plugin
from core.crm.collation import sort_key as name_key
from core.crm.custom_fields import CustomFieldEntity
from core.crm.custom_fields import apply_patch as apply_custom_fields
from core.crm.custom_fields import definitions as custom_field_definitions
from core.crm.custom_fields import filter_clause as custom_field_clause
from core.crm.gdpr import give_consent, has_consent, withdraw_consent
from core.crm.merge import merge as merge_records
from core.crm.merge_fields import (
    PERSON_VARIABLES,
    declared_variables,
    person_variables,
    recipient_contexts,
    user_variables,
)
from core.crm.scoping import require_reachable, visible
from core.crm.services import (
    ContactInput,
    EmploymentInput,
    Related,
    create_company,
    create_person,
    update_company,
    update_person,
)
from core.crm.tables import Company, Consent, ContactPoint, Employment, Person, TimelineEntry
from core.crm.timeline import TimelineKind
from core.crm.timeline import record as record_timeline
from core.db.engine import contains_text
from core.db.values import as_utc, escape_like
from core.errors import DomainError, PermanentJobFailure, PluginError
from core.events.base import Event
from core.events.bus import UnitOfWork
from core.i18n import _, negotiate
from core.jobs.context import JobContext
from core.mail.inbox import EmailReceived
from core.mail.outgoing import cancel_mail, queue_mail
from core.notifications.services import notify
from core.plugins.hookspecs import hookimpl, hookspec
from core.plugins.host import PluginRuntime, PluginSettings
from core.plugins.specs import (
    JobSpec,
    LoaderSpec,
    NoConfig,
    Permission,
    Plugin,
    PluginInfo,
    RetryPolicy,
    RoleTemplate,
    ScheduleSpec,
    Subscriber,
    Surface,
    TemplateVariable,
    TypeExtension,
)
from core.tasks.services import create_task
from core.templates import TemplateRenderError, check_template, render_template, sample_context
from core.validation import normalise_email, normalise_nip, normalise_phone

# The GraphQL helpers are imported on first use, so that a worker, which serves no GraphQL,
# loads neither strawberry nor the core's GraphQL types by importing this module.
_GRAPHQL_HELPERS = {
    "TeamNode": "core.access.graphql.types",
    "UserNode": "core.access.graphql.types",
    "attempt": "core.access.graphql.types",
    "DeletePayload": "core.crm.graphql.mutations",
    "visible_custom_values": "core.crm.graphql.types",
    "batched_field": "core.graphql.batching",
    "each": "core.graphql.batching",
    "load_each": "core.graphql.batching",
    "nodes_by_loader": "core.graphql.batching",
    "reload": "core.graphql.batching",
    "Extensible": "core.graphql.compose",
    "composed_class": "core.graphql.compose",
    "composed_type": "core.graphql.compose",
    "extensible": "core.graphql.compose",
    "ClientError": "core.graphql.errors",
    "UserError": "core.graphql.errors",
    "decode_id": "core.graphql.ids",
    "global_id": "core.graphql.ids",
    "id_of": "core.graphql.ids",
    "encode_key": "core.graphql.keyset",
    "paginate_by_key": "core.graphql.keyset",
    "make_connection": "core.graphql.pagination",
    "page_size": "core.graphql.pagination",
    "paginate_by_id": "core.graphql.pagination",
    "AUTHENTICATED": "core.graphql.permissions",
    "PUBLIC": "core.graphql.permissions",
    "field": "core.graphql.permissions",
    "mutation": "core.graphql.permissions",
}

if TYPE_CHECKING:
    from core.access.graphql.types import TeamNode, UserNode, attempt
    from core.crm.graphql.mutations import DeletePayload
    from core.crm.graphql.types import visible_custom_values
    from core.graphql.batching import batched_field, each, load_each, nodes_by_loader, reload
    from core.graphql.compose import Extensible, composed_class, composed_type, extensible
    from core.graphql.errors import ClientError, UserError
    from core.graphql.ids import decode_id, global_id, id_of
    from core.graphql.keyset import encode_key, paginate_by_key
    from core.graphql.pagination import make_connection, page_size, paginate_by_id
    from core.graphql.permissions import AUTHENTICATED, PUBLIC, field, mutation


def __getattr__(name: str):
    module = _GRAPHQL_HELPERS.get(name)
    if module is None:
        raise AttributeError(f"module 'core.api' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


API_VERSION = 1

__all__ = [
    "ANONYMOUS",
    "API_VERSION",
    "AUTHENTICATED",
    "PERSON_VARIABLES",
    "PUBLIC",
    "SYSTEM",
    "Actor",
    "CallRequest",
    "ClientError",
    "Company",
    "Consent",
    "ContactInput",
    "ContactPoint",
    "CustomFieldEntity",
    "DeletePayload",
    "DomainError",
    "EmailReceived",
    "Employment",
    "EmploymentInput",
    "Enqueued",
    "Event",
    "Extensible",
    "JobContext",
    "JobSpec",
    "LoaderSpec",
    "NoConfig",
    "PermanentJobFailure",
    "Permission",
    "Person",
    "Plugin",
    "PluginError",
    "PluginInfo",
    "PluginRuntime",
    "PluginSettings",
    "Related",
    "RetryPolicy",
    "RoleTemplate",
    "ScheduleSpec",
    "Subscriber",
    "Surface",
    "Team",
    "TeamNode",
    "TemplateRenderError",
    "TemplateVariable",
    "Territory",
    "TimelineEntry",
    "TimelineKind",
    "TypeExtension",
    "UnitOfWork",
    "User",
    "UserError",
    "UserNode",
    "_",
    "actor_for_user",
    "apply_custom_fields",
    "as_utc",
    "attempt",
    "batched_field",
    "boot_plugin",
    "cancel_call",
    "cancel_mail",
    "check_template",
    "composed_class",
    "composed_type",
    "contains_text",
    "create_company",
    "create_person",
    "create_task",
    "custom_field_clause",
    "custom_field_definitions",
    "declared_variables",
    "decode_id",
    "each",
    "encode_key",
    "enqueue_call",
    "enqueue_calls",
    "escape_like",
    "extensible",
    "field",
    "give_consent",
    "global_id",
    "has_consent",
    "hookimpl",
    "hookspec",
    "id_of",
    "load_each",
    "make_connection",
    "merge_records",
    "mutation",
    "name_key",
    "negotiate",
    "nodes_by_loader",
    "normalise_email",
    "normalise_nip",
    "normalise_phone",
    "notify",
    "page_size",
    "paginate_by_id",
    "paginate_by_key",
    "person_variables",
    "queue_mail",
    "recipient_contexts",
    "record_timeline",
    "reload",
    "render_template",
    "require_permission",
    "require_reachable",
    "sample_context",
    "update_company",
    "update_person",
    "user_variables",
    "visible",
    "visible_custom_values",
    "withdraw_consent",
]
