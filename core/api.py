"""The public API for plugins. Import from here only; everything else in ``core`` may change.

A plugin is a :class:`Plugin` subclass named by an entry point in group ``kartoteka.plugins``;
its hook implementations are methods marked with :data:`hookimpl`.
"""

from core.auth import ANONYMOUS, SYSTEM, Actor
from core.crm.custom_fields import CustomFieldEntity
from core.crm.custom_fields import apply_patch as apply_custom_fields
from core.crm.timeline import TimelineKind
from core.errors import DomainError, PermanentJobFailure
from core.events.base import Event
from core.events.bus import UnitOfWork
from core.graphql.compose import Extensible, composed_type, extensible
from core.graphql.errors import UserError
from core.graphql.pagination import make_connection, paginate_by_id
from core.graphql.permissions import AUTHENTICATED, PUBLIC, field, mutation
from core.i18n import _
from core.jobs.context import JobContext
from core.plugins.hookspecs import hookimpl, hookspec
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
    TypeExtension,
)
from core.runtime import Runtime

API_VERSION = 1

__all__ = [
    "ANONYMOUS",
    "API_VERSION",
    "AUTHENTICATED",
    "PUBLIC",
    "SYSTEM",
    "Actor",
    "CustomFieldEntity",
    "DomainError",
    "Event",
    "Extensible",
    "JobContext",
    "JobSpec",
    "LoaderSpec",
    "NoConfig",
    "PermanentJobFailure",
    "Permission",
    "Plugin",
    "PluginInfo",
    "RetryPolicy",
    "RoleTemplate",
    "Runtime",
    "ScheduleSpec",
    "Subscriber",
    "Surface",
    "TimelineKind",
    "TypeExtension",
    "UnitOfWork",
    "UserError",
    "_",
    "apply_custom_fields",
    "composed_type",
    "extensible",
    "field",
    "hookimpl",
    "hookspec",
    "make_connection",
    "mutation",
    "paginate_by_id",
]
