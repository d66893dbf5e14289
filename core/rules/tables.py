"""Rules, their runs, and outbound webhooks with the log of every delivery attempt."""

from piccolo.columns import JSONB, BigInt, Boolean, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table


class Rule(Table, tablename="core_rule"):
    """When ``event_type`` happens and ``conditions`` hold for its payload, run ``actions`` in order."""

    name = Varchar(length=200)
    event_type = Varchar(length=200, index=True, index_method=IndexMethod.btree)
    conditions = JSONB(default={})  # {"all": [{"field", "op", "value"} | group, …]} or {"any": […]}
    actions = JSONB(default=[])  # [{"type": "email" | "task" | "set_field" | "webhook", …}, …]
    enabled = Boolean(default=True)
    # Events that happened before this moment never run the rule (it was off or did not exist).
    active_since = Timestamptz(default=TimestamptzNow())
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class RuleRun(Table, tablename="core_rule_run"):
    """One rule run for one event (outbox message): what it did or why it failed."""

    rule = ForeignKey(Rule, on_delete=OnDelete.cascade)
    outbox_id = BigInt(index=True)  # the event's message: one run per (rule, message)
    event_type = Varchar(length=200)
    status = Varchar(length=16, default="running")  # succeeded | retrying | failed
    attempts = Integer(default=0)
    error = Text(default="")
    notes = JSONB(default=[])  # per action: what it did, or why it was skipped
    created_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)


class WebhookEndpoint(Table, tablename="core_webhook_endpoint"):
    """Where a rule's webhook action posts; ``secret`` signs every request (Standard Webhooks)."""

    name = Varchar(length=200)
    url = Varchar(length=2000)
    # The signing key's bytes, base64: it must sign, so it cannot be hashed. Never shown again.
    secret = Varchar(length=200, secret=True)
    is_active = Boolean(default=True)
    secret_rotated_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class WebhookDelivery(Table, tablename="core_webhook_delivery"):
    """One message to one endpoint; every attempt to deliver it is a WebhookAttempt row."""

    endpoint = ForeignKey(WebhookEndpoint, on_delete=OnDelete.cascade)
    rule = ForeignKey(Rule, null=True, on_delete=OnDelete.set_null)
    message_id = Varchar(length=100, unique=True)  # the webhook-id header, the same on every attempt
    event_type = Varchar(length=200)
    body = Text()  # fixed when created, so every attempt sends (and signs) the same bytes
    status = Varchar(length=16, default="pending")  # pending | succeeded | failed
    attempts = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)


class WebhookAttempt(Table, tablename="core_webhook_attempt"):
    delivery = ForeignKey(WebhookDelivery, on_delete=OnDelete.cascade, index=True)
    attempt = Integer()
    status_code = Integer(null=True, default=None)  # null: no response (refused, timeout…)
    duration_ms = Integer(default=0)
    error = Text(default="")
    response_body = Text(default="")  # truncated
    attempted_at = Timestamptz(default=TimestamptzNow())


TABLES = [Rule, RuleRun, WebhookEndpoint, WebhookDelivery, WebhookAttempt]
