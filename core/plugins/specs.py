"""Plain data that plugins return from registration hooks; the core validates and wires it."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import msgspec

if TYPE_CHECKING:
    from core.events.base import Event
    from core.jobs.context import JobContext

Surface = Literal["staff", "portal"]
SURFACES: tuple[Surface, ...] = ("staff", "portal")

PERMISSION_CODE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
DOTTED_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


@dataclass(frozen=True)
class PluginInfo:
    """What a plugin says about itself (``info`` class attribute of the plugin class)."""

    description: str
    requires: tuple[str, ...] = ()
    label: str = ""


class NoConfig(msgspec.Struct, forbid_unknown_fields=True):
    """Config of a plugin that takes no settings."""


class Plugin:
    """Base class of every plugin (first-party and partner).

    The entry point in group ``kartoteka.plugins`` names the class; the entry point's name is the
    plugin's identity and its key in plugins.toml. The core instantiates the class with the
    validated ``Config`` and registers the instance with pluggy; hook implementations are methods
    decorated with ``core.api.hookimpl`` and accept only the arguments they need.
    """

    info: ClassVar[PluginInfo]
    Config: ClassVar[type[msgspec.Struct]] = NoConfig

    def __init__(self, name: str, config: msgspec.Struct):
        self.name = name
        self.config = config


@dataclass(frozen=True)
class Permission:
    """A right a role can hold: ``"<plugin>.<resource>.<action>"``."""

    code: str
    description: str

    def __post_init__(self) -> None:
        if not PERMISSION_CODE.match(self.code):
            raise ValueError(f"permission code {self.code!r} is not '<plugin>.<resource>.<action>'")


@dataclass(frozen=True)
class RoleTemplate:
    """A role every deployment starts with; administrators may edit it afterwards.

    ``permissions`` may hold ``"*"``: every permission of every enabled plugin. With
    ``extends=True`` the template adds its permissions to a template another plugin ships (the
    sales plugin gives the core's ``sales_rep`` its opportunity rights); description and scope
    then stay the owner's.
    """

    name: str
    description: str
    permissions: tuple[str, ...]
    record_scope: Literal["own", "team", "territory", "all"] = "own"
    extends: bool = False


JobFunction = Callable[..., Awaitable[Any]]
# (runtime, the job's kwargs, the error, final) — runs after the failed attempt was rolled back.
FailureRecorder = Callable[[Any, dict[str, Any], BaseException, bool], Awaitable[None]]
SubscriberHandler = Callable[["Event", "JobContext"], Awaitable[Any]]


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a failed job or async subscriber is retried."""

    max_retries: int = 5
    min_backoff: timedelta = timedelta(seconds=1)
    max_backoff: timedelta = timedelta(minutes=5)
    time_limit: timedelta = timedelta(minutes=10)


@dataclass(frozen=True)
class JobSpec:
    """A background job. ``fn(ctx, **kwargs)`` runs inside a unit of work on a worker.

    A failed attempt rolls back everything the job wrote; ``on_failure`` is how a job keeps a
    record of it anyway (a delivery log, a run status): it runs in the transaction that counts
    the failure, with ``final`` true when no retry follows.
    """

    name: str
    fn: JobFunction
    queue: str = "default"
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    description: str = ""
    on_failure: FailureRecorder | None = None


@dataclass(frozen=True)
class ScheduleSpec:
    """Run job ``job`` every ``every``; the scheduler fires each due run exactly once."""

    name: str
    job: str
    every: timedelta
    kwargs: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Subscriber:
    """Reacts to an event.

    ``sync`` subscribers run inside the publishing transaction and may veto it by raising
    :class:`core.errors.DomainError`; they must not do network I/O. ``async`` subscribers run on a
    worker after commit, each delivery at least once and its database effects exactly once.
    ``event`` is an event name or ``"*"`` for every event.

    ``wants`` narrows an async subscriber at relay time: given the event names of a batch of
    outbox rows, it returns those worth a delivery (one query per batch, e.g. "events some
    enabled rule listens to"), so a ``"*"`` subscriber costs nothing for events it ignores.
    """

    name: str
    event: str
    handler: SubscriberHandler
    mode: Literal["sync", "async"] = "async"
    queue: str = "default"
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    wants: Callable[[set[str]], Awaitable[set[str]]] | None = None


@dataclass(frozen=True)
class LoaderSpec:
    """A per-request DataLoader: ``batch(keys, context) -> list`` in the order of ``keys``."""

    name: str
    batch: Callable[[list[Any], Any], Awaitable[list[Any]]]
    max_batch_size: int = 500


@dataclass(frozen=True)
class TypeExtension:
    """Fields a plugin adds to another owner's GraphQL object type.

    ``fields`` is an undecorated class whose ``strawberry.field`` members are merged into the
    target type; every such field must declare its permission.
    """

    target: str
    fields: type


@dataclass(frozen=True)
class TemplateVariable:
    """A variable a plugin adds to templates written for persons (campaigns, rule e-mails).

    ``sample`` is what a preview shows and what a template is checked against (a mapping:
    its keys are the attributes a template may use); ``load(person_ids)`` returns each person's
    value (a mapping with the same keys), batched for a whole campaign.
    """

    name: str
    sample: Any
    load: Callable[[list[int]], Awaitable[Mapping[int, Any]]]


@dataclass(frozen=True)
class GraphQLContribution:
    """What one plugin contributes to one surface (used internally by the composer)."""

    plugin: str
    queries: tuple[type, ...] = ()
    mutations: tuple[type, ...] = ()
    types: tuple[type, ...] = ()
    extensions: tuple[TypeExtension, ...] = ()


def owner_of(name: str) -> str:
    """The plugin prefix of a namespaced name: ``sales.deal_won`` → ``sales``."""
    return name.split(".", 1)[0]
