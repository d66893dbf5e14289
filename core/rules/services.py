"""Defining rules and webhook endpoints: everything is checked when it is saved.

A rule names an event type, conditions on its payload (core.rules.conditions) and ordered
actions. Templates are checked with the variables the action will have, webhook endpoints must
exist, set-field actions must name a field the record has — so a saved rule fails at run time
only on data (an erased person, a deleted company), which the run log then records.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlsplit

from core.auth import Actor
from core.crm import custom_fields
from core.crm.merge_fields import PERSON_VARIABLES
from core.crm.services import LIFECYCLES
from core.errors import DomainError
from core.events.base import Event
from core.i18n import _
from core.jobs.delivery import locked
from core.rules.conditions import check_conditions, sample_payload
from core.rules.receivers import ReceiverRefused, check_host
from core.rules.tables import Rule, WebhookDelivery, WebhookEndpoint
from core.templates import check_template

if TYPE_CHECKING:
    from core.runtime import Runtime

RULE_READ = "core.rule.read"
RULE_MANAGE = "core.rule.manage"
DELIVER_WEBHOOK_JOB = "core.deliver_webhook"
SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
MAX_ACTIONS = 20
MAX_DUE_DAYS = 365

COMPANY_VARIABLES: dict[str, Any] = {
    "name": "Przykład sp. z o.o.",
    "nip": "5260250274",
    "website": "https://example.com",
    "lifecycle": "customer",
    "custom": {},
}
USER_VARIABLES: dict[str, Any] = {"name": "Jan Nowak", "email": "jan.nowak@example.com", "language": "pl"}
ACTION_TYPES = ("email", "task", "set_field", "webhook", "notify")
RECIPIENTS = ("client", "owner")
RECORDS = ("company", "person")
CUSTOM_PREFIX = "custom."


class RuleChanged(Event, frozen=True):
    """A rule was created, changed (``enabled`` and the rest) or deleted — for the audit log."""

    name: ClassVar[str] = "core.rule_changed"
    rule_id: int
    change: str  # created | updated | deleted


class WebhookEndpointChanged(Event, frozen=True):
    name: ClassVar[str] = "core.webhook_endpoint_changed"
    endpoint_id: int
    change: str  # created | secret_rotated


EVENT_TYPES = [RuleChanged, WebhookEndpointChanged]


def _require(actor: Actor, permission: str = RULE_MANAGE) -> None:
    if not actor.can(permission):
        raise DomainError("FORBIDDEN", _("You do not have the permission {permission}."), permission=permission)


def template_variables(event_type: type[Event], recipient: str | None = None) -> dict[str, Any]:
    """What a rule's templates may name: the event's payload, its company, person and owner."""
    variables = {
        "event": sample_payload(event_type),
        "company": COMPANY_VARIABLES,
        "person": PERSON_VARIABLES,
        "owner": USER_VARIABLES,
    }
    if recipient is not None:
        variables["recipient"] = PERSON_VARIABLES if recipient == "client" else USER_VARIABLES
    return variables


def _event_type(runtime: Runtime, name: Any, path: list[str]) -> type[Event]:
    event_type = runtime.registry.event_types.get(name) if isinstance(name, str) else None
    if event_type is None:
        raise DomainError("UNKNOWN_EVENT", _("No enabled plugin publishes the event {event}."), path, event=str(name))
    return event_type


def _has_field(event_type: type[Event], name: str) -> bool:
    return name in event_type.__struct_fields__


def _text(action: Mapping[str, Any], key: str, path: list[str], *, required: bool = True, limit: int = 100_000) -> str:
    value = action.get(key, "")
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise DomainError("BLANK", _("This field must not be blank."), [*path, key])
    if len(value) > limit:
        raise DomainError("TOO_LONG", _("At most {limit} characters."), [*path, key], limit=limit)
    return value


def _choice(action: Mapping[str, Any], key: str, allowed: Sequence[str], path: list[str]) -> str:
    value = action.get(key)
    if value not in allowed:
        raise DomainError("INVALID_CHOICE", _("Allowed values: {allowed}."), [*path, key], allowed=", ".join(allowed))
    return value


def _needs_subject(event_type: type[Event], path: list[str], *, fields: Sequence[str] = ("company_id", "person_id")):
    if not any(_has_field(event_type, name) for name in fields):
        raise DomainError(
            "NO_SUBJECT",
            _("The event {event} carries no {fields}, so this action has nobody to act on."),
            path,
            event=event_type.name,
            fields=" / ".join(fields),
        )


def _only_keys(action: Mapping[str, Any], allowed: set[str], path: list[str]) -> None:
    unknown = set(action) - allowed - {"type"}
    if unknown:
        raise DomainError("UNKNOWN_KEY", _("Unknown key {key}."), [*path, sorted(unknown)[0]], key=sorted(unknown)[0])


async def _check_email(action: Mapping[str, Any], event_type: type[Event], path: list[str]) -> dict[str, Any]:
    _only_keys(action, {"to", "subject", "text", "html"}, path)
    to = _choice(action, "to", RECIPIENTS, path)
    _needs_subject(event_type, [*path, "to"])
    variables = template_variables(event_type, to)
    subject = _text(action, "subject", path, limit=998)
    text = _text(action, "text", path)
    html = _text(action, "html", path, required=False) or None
    check_template(subject, variables, [*path, "subject"])
    check_template(text, variables, [*path, "text"])
    if html:
        check_template(html, variables, [*path, "html"], html=True)
    return {"type": "email", "to": to, "subject": subject, "text": text, "html": html}


async def _check_task(action: Mapping[str, Any], event_type: type[Event], path: list[str]) -> dict[str, Any]:
    from core.access.tables import User

    _only_keys(action, {"title", "description", "assignee", "due_in_days"}, path)
    variables = template_variables(event_type)
    title = _text(action, "title", path, limit=2_000)
    description = _text(action, "description", path, required=False)
    check_template(title, variables, [*path, "title"])
    if description:
        check_template(description, variables, [*path, "description"])
    assignee = action.get("assignee", "owner")
    if assignee == "owner":
        _needs_subject(event_type, [*path, "assignee"])
    elif (
        not isinstance(assignee, int)
        or isinstance(assignee, bool)
        or not await User.exists().where(
            (User.id == assignee) & (User.is_active == True)  # noqa: E712
        )
    ):
        raise DomainError("UNKNOWN_USER", _("There is no active user with this id."), [*path, "assignee"])
    days = action.get("due_in_days", 1)
    if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= MAX_DUE_DAYS:
        raise DomainError(
            "OUT_OF_RANGE", _("Between {min} and {max}."), [*path, "due_in_days"], min=0, max=MAX_DUE_DAYS
        )
    return {"type": "task", "title": title, "description": description, "assignee": assignee, "due_in_days": days}


async def _check_set_field(action: Mapping[str, Any], event_type: type[Event], path: list[str]) -> dict[str, Any]:
    _only_keys(action, {"record", "field", "value"}, path)
    record = _choice(action, "record", RECORDS, path)
    _needs_subject(event_type, [*path, "record"], fields=(f"{record}_id",))
    field = action.get("field")
    value = action.get("value")
    field_path, value_path = [*path, "field"], [*path, "value"]
    if field == "lifecycle":
        if value not in LIFECYCLES:
            raise DomainError(
                "INVALID_CHOICE", _("Allowed values: {allowed}."), value_path, allowed=", ".join(LIFECYCLES)
            )
    elif field == "tag":
        if not isinstance(value, str) or not value.strip() or len(value) > 100:
            raise DomainError("BLANK", _("This field must not be blank."), value_path)
        value = value.strip()
    elif isinstance(field, str) and field.startswith(CUSTOM_PREFIX):
        key = field.removeprefix(CUSTOM_PREFIX)
        definition = (await custom_fields.definitions(record)).get(key)
        if definition is None:
            raise DomainError("CUSTOM_FIELD_UNKNOWN", _("There is no custom field {key} here."), field_path, key=key)
        if value is not None:
            value = custom_fields.check_value(definition, value, value_path)
    else:
        raise DomainError(
            "UNKNOWN_FIELD",
            _("A rule can set lifecycle, tag or custom.<key>; not {name}."),
            field_path,
            name=str(field),
        )
    return {"type": "set_field", "record": record, "field": field, "value": value}


async def _check_webhook(action: Mapping[str, Any], event_type: type[Event], path: list[str]) -> dict[str, Any]:
    _only_keys(action, {"endpoint_id"}, path)
    endpoint_id = action.get("endpoint_id")
    if (
        not isinstance(endpoint_id, int)
        or isinstance(endpoint_id, bool)
        or not await WebhookEndpoint.exists().where(WebhookEndpoint.id == endpoint_id)
    ):
        raise DomainError("UNKNOWN_ENDPOINT", _("There is no webhook endpoint with this id."), [*path, "endpoint_id"])
    return {"type": "webhook", "endpoint_id": endpoint_id}


async def notify_recipient(value: Any, path: list[str]) -> tuple[str, int]:
    """("user" | "team", id) of a notify action's ``to`` (``{"user": id}`` or ``{"team": id}``;
    the API writes them as global ids); it must exist."""
    from core.access.tables import Team, User

    kind, target = next(iter(value.items())) if isinstance(value, Mapping) and len(value) == 1 else ("", None)
    if not isinstance(target, int) or isinstance(target, bool):
        kind = ""
    if kind == "user":
        if await User.exists().where((User.id == target) & (User.is_active == True)):  # noqa: E712
            return "user", target
        raise DomainError("UNKNOWN_USER", _("There is no active user with this id."), path)
    if kind == "team":
        if await Team.exists().where(Team.id == target):
            return "team", target
        raise DomainError("UNKNOWN_TEAM", _("There is no team with this id."), path)
    raise DomainError("INVALID_RECIPIENT", _("Use owner, or the id of a user or a team."), path)


async def _check_notify(action: Mapping[str, Any], event_type: type[Event], path: list[str]) -> dict[str, Any]:
    _only_keys(action, {"to", "title", "body"}, path)
    to = action.get("to", "owner")
    if to == "owner":
        _needs_subject(event_type, [*path, "to"])
    else:
        await notify_recipient(to, [*path, "to"])
    variables = template_variables(event_type)
    title = _text(action, "title", path, limit=2_000)
    body = _text(action, "body", path, required=False)
    check_template(title, variables, [*path, "title"])
    if body:
        check_template(body, variables, [*path, "body"])
    return {"type": "notify", "to": to, "title": title, "body": body}


CHECKS = {
    "email": _check_email,
    "task": _check_task,
    "set_field": _check_set_field,
    "webhook": _check_webhook,
    "notify": _check_notify,
}


async def check_actions(actions: Any, event_type: type[Event], path: list[str]) -> list[dict[str, Any]]:
    if not isinstance(actions, list) or not actions:
        raise DomainError("BLANK", _("This field must not be blank."), path)
    if len(actions) > MAX_ACTIONS:
        raise DomainError("TOO_MANY", _("At most {limit} entries."), path, limit=MAX_ACTIONS)
    checked = []
    for index, action in enumerate(actions):
        action_path = [*path, str(index)]
        if not isinstance(action, Mapping):
            raise DomainError("INVALID_JSON_OBJECT", _("A JSON object is expected."), action_path)
        kind = _choice(action, "type", ACTION_TYPES, action_path)
        checked.append(await CHECKS[kind](action, event_type, action_path))
    return checked


def _name(value: Any, path: list[str]) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DomainError("BLANK", _("This field must not be blank."), path)
    if len(value) > 200:
        raise DomainError("TOO_LONG", _("At most {limit} characters."), path, limit=200)
    return value.strip()


# --- rules ---------------------------------------------------------------------------------------
async def create_rule(
    runtime: Runtime,
    actor: Actor,
    *,
    name: str,
    event_type: str,
    conditions: Any,
    actions: Any,
    enabled: bool = True,
) -> int:
    _require(actor)
    event_class = _event_type(runtime, event_type, ["input", "eventType"])
    values = {
        "name": _name(name, ["input", "name"]),
        "event_type": event_type,
        "conditions": check_conditions(conditions, event_class, ["input", "conditions"]),
        "enabled": enabled,
    }
    async with runtime.unit_of_work(actor) as uow:
        values["actions"] = await check_actions(actions, event_class, ["input", "actions"])
        [row] = await Rule.insert(Rule(**values, active_since=datetime.now(UTC))).returning(Rule.id)
        await uow.publish(RuleChanged(rule_id=row["id"], change="created"))
    return row["id"]


async def update_rule(
    runtime: Runtime,
    actor: Actor,
    rule_id: int,
    *,
    name: str | None = None,
    event_type: str | None = None,
    conditions: Any = None,
    actions: Any = None,
    enabled: bool | None = None,
) -> None:
    """Change what is given; conditions and actions are checked again against the (new) event."""
    _require(actor)
    async with runtime.unit_of_work(actor) as uow:
        rows = await locked(Rule.select().where(Rule.id == rule_id).output(load_json=True), runtime)
        if not rows:
            raise DomainError("NOT_FOUND", _("No such rule."), ["id"])
        current = rows[0]
        event_name = event_type if event_type is not None else current["event_type"]
        event_class = _event_type(runtime, event_name, ["input", "eventType"])
        changes: dict[Any, Any] = {Rule.updated_at: datetime.now(UTC), Rule.event_type: event_name}
        if name is not None:
            changes[Rule.name] = _name(name, ["input", "name"])
        changes[Rule.conditions] = check_conditions(
            conditions if conditions is not None else current["conditions"], event_class, ["input", "conditions"]
        )
        changes[Rule.actions] = await check_actions(
            actions if actions is not None else current["actions"], event_class, ["input", "actions"]
        )
        if enabled is not None:
            changes[Rule.enabled] = enabled
            if enabled and not current["enabled"]:
                # Events that happened while the rule was off do not run it now.
                changes[Rule.active_since] = datetime.now(UTC)
        await Rule.update(changes).where(Rule.id == rule_id)
        await uow.publish(RuleChanged(rule_id=rule_id, change="updated"))


async def delete_rule(runtime: Runtime, actor: Actor, rule_id: int) -> None:
    _require(actor)
    async with runtime.unit_of_work(actor) as uow:
        if not await Rule.exists().where(Rule.id == rule_id):
            raise DomainError("NOT_FOUND", _("No such rule."), ["id"])
        await Rule.delete().where(Rule.id == rule_id)
        await uow.publish(RuleChanged(rule_id=rule_id, change="deleted"))


# --- webhook endpoints ---------------------------------------------------------------------------
def _check_url(runtime: Runtime, url: Any, path: list[str]) -> str:
    parts = urlsplit(url if isinstance(url, str) else "")
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 2000:
        raise DomainError("INVALID_URL", _("An http(s) address is expected."), path)
    if runtime.settings.is_production and parts.scheme != "https":
        raise DomainError("HTTPS_REQUIRED", _("Webhooks are sent only to https:// addresses in production."), path)
    try:
        check_host(parts.hostname, runtime.settings)
    except ReceiverRefused:
        raise DomainError(
            "ADDRESS_NOT_ALLOWED",
            _("Webhooks are not sent to this server's own or private network addresses."),
            path,
        ) from None
    return url


def new_secret() -> tuple[str, str]:
    """(what the receiver is shown: ``whsec_<base64>``, what is stored: the key's base64)."""
    key = base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()
    return SECRET_PREFIX + key, key


async def create_endpoint(runtime: Runtime, actor: Actor, *, name: str, url: str) -> tuple[int, str]:
    """Register an endpoint; returns its id and its secret, which is never shown again."""
    _require(actor)
    checked = {"name": _name(name, ["input", "name"]), "url": _check_url(runtime, url, ["input", "url"])}
    shown, stored = new_secret()
    async with runtime.unit_of_work(actor) as uow:
        [row] = await WebhookEndpoint.insert(WebhookEndpoint(**checked, secret=stored)).returning(WebhookEndpoint.id)
        await uow.publish(WebhookEndpointChanged(endpoint_id=row["id"], change="created"))
    return row["id"], shown


async def rotate_endpoint_secret(runtime: Runtime, actor: Actor, endpoint_id: int) -> str:
    """A new secret signs from now on (retries of earlier deliveries too); the old one stops."""
    _require(actor)
    shown, stored = new_secret()
    async with runtime.unit_of_work(actor) as uow:
        if not await WebhookEndpoint.exists().where(WebhookEndpoint.id == endpoint_id):
            raise DomainError("NOT_FOUND", _("There is no webhook endpoint with this id."), ["id"])
        await WebhookEndpoint.update(
            {WebhookEndpoint.secret: stored, WebhookEndpoint.secret_rotated_at: datetime.now(UTC)}
        ).where(WebhookEndpoint.id == endpoint_id)
        await uow.publish(WebhookEndpointChanged(endpoint_id=endpoint_id, change="secret_rotated"))
    return shown


async def retry_delivery(runtime: Runtime, actor: Actor, delivery_id: int) -> None:
    """Send a failed delivery again (same id and body), with a fresh budget of retries."""
    _require(actor)
    async with runtime.unit_of_work(actor) as uow:
        rows = await locked(WebhookDelivery.select().where(WebhookDelivery.id == delivery_id), runtime)
        if not rows:
            raise DomainError("NOT_FOUND", _("There is no webhook delivery with this id."), ["id"])
        if rows[0]["status"] != "failed":
            raise DomainError("NOT_FAILED", _("Only a failed delivery can be sent again."), ["id"])
        await WebhookDelivery.update({WebhookDelivery.status: "pending", WebhookDelivery.finished_at: None}).where(
            WebhookDelivery.id == delivery_id
        )
        await uow.defer(DELIVER_WEBHOOK_JOB, delivery_id=delivery_id)
