"""The public API for plugins. Import from here only; everything else in ``core`` may change.

A plugin is a :class:`Plugin` subclass named by an entry point in group ``kartoteka.plugins``;
its hook implementations are methods marked with :data:`hookimpl`.

Besides the plugin machinery it offers what a business plugin builds on: the client file's
tables (to reference and read; change them through the services), record scoping as SQL
(:func:`visible`), the services that create and change companies and persons, the timeline,
tasks, notifications to staff users (:func:`notify`), the call queue (:func:`enqueue_calls`), and
the GraphQL helpers the core's own types use (batched fields, keyset pages).
"""

from core.access.services import actor_for_user
from core.access.services import require as require_permission
from core.access.tables import Team, Territory, User
from core.auth import ANONYMOUS, SYSTEM, Actor
from core.crm.call_queue import CallRequest, Enqueued, cancel_call, enqueue_call, enqueue_calls
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
from core.crm.tasks import create_task
from core.crm.timeline import TimelineKind
from core.crm.timeline import record as record_timeline
from core.db.values import as_utc, escape_like
from core.errors import DomainError, PermanentJobFailure
from core.events.base import Event
from core.events.bus import UnitOfWork
from core.graphql.access_types import TeamNode, UserNode, attempt
from core.graphql.batching import batched_field, each, load_each, nodes_by_loader, reload
from core.graphql.compose import Extensible, composed_class, composed_type, extensible
from core.graphql.crm_types import DeletePayload, visible_custom_values
from core.graphql.errors import ClientError, UserError
from core.graphql.ids import decode_id, global_id, id_of
from core.graphql.keyset import encode_key, paginate_by_key
from core.graphql.pagination import make_connection, page_size, paginate_by_id
from core.graphql.permissions import AUTHENTICATED, PUBLIC, field, mutation
from core.i18n import _, negotiate
from core.inbox import EmailReceived
from core.jobs.context import JobContext
from core.mail import cancel_mail, queue_mail
from core.notifications import notify
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
from core.templates import TemplateRenderError, check_template, render_template, sample_context
from core.validation import normalise_email, normalise_nip, normalise_phone

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
    "cancel_call",
    "cancel_mail",
    "check_template",
    "composed_class",
    "composed_type",
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
