"""Segments, campaigns with their recipients and clicks, suppressed addresses, occasion mailings.

A campaign's audience is fixed when it starts (one recipient row per person of its segment);
consent and suppression are checked again for each recipient at the moment its message is
queued, and a queued message is cancelled when its person unsubscribes.
"""

from decimal import Decimal

from piccolo.columns import (
    JSONB,
    BigInt,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.api import Company, Person, Team, Territory, User


class Segment(Table, tablename="marketing_segment"):
    """A saved, dynamic list of persons: criteria evaluated in SQL whenever it is used."""

    name = Varchar(length=200, unique=True)
    description = Text(default="")
    criteria = JSONB(default={})
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    archived_at = Timestamptz(null=True, default=None)


class Campaign(Table, tablename="marketing_campaign"):
    name = Varchar(length=200)
    segment = ForeignKey(Segment, on_delete=OnDelete.restrict)
    purpose = Varchar(length=100, default="marketing")  # the consent a recipient must have given
    subject = Text()
    text_body = Text()
    html_body = Text(null=True, default=None)
    status = Varchar(length=16, default="draft")  # draft | scheduled | sending | paused | finished | cancelled
    scheduled_at = Timestamptz(null=True, default=None)
    rate_per_minute = Integer(default=600)
    cost = Numeric(digits=(16, 2), default=Decimal("0"))  # what it cost, for its return on investment
    audience_size = Integer(default=0)
    last_batch_at = Timestamptz(null=True, default=None)
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class Recipient(Table, tablename="marketing_recipient"):
    """One person of a started campaign and what became of their message."""

    campaign = ForeignKey(Campaign, on_delete=OnDelete.cascade)
    person = ForeignKey(Person, on_delete=OnDelete.cascade)
    status = Varchar(length=16, default="pending")  # pending | queued | skipped | cancelled
    skip_reason = Varchar(length=32, default="")  # no_consent | suppressed | no_address | erased
    email = Varchar(length=320, default="")
    mail_id = BigInt(null=True, default=None, index=True)  # the core's queued message
    queued_at = Timestamptz(null=True, default=None)
    clicks = Integer(default=0)
    first_click_at = Timestamptz(null=True, default=None)
    replied_at = Timestamptz(null=True, default=None)
    bounced_at = Timestamptz(null=True, default=None)
    unsubscribed_at = Timestamptz(null=True, default=None)


class Click(Table, tablename="marketing_click"):
    recipient = ForeignKey(Recipient, on_delete=OnDelete.cascade)
    url = Text()
    clicked_at = Timestamptz(default=TimestamptzNow())


class Suppression(Table, tablename="marketing_suppression"):
    """An address no marketing mail goes to (it bounced, complained, or was blocked by hand)."""

    email = Varchar(length=320, unique=True)
    reason = Varchar(length=32)  # bounced | complaint | manual
    created_at = Timestamptz(default=TimestamptzNow())


class Occasion(Table, tablename="marketing_occasion"):
    """A mailing sent on an occasion: each person's birthday, or a holiday of the Polish calendar."""

    name = Varchar(length=200, unique=True)
    kind = Varchar(length=16)  # birthday | holiday
    holiday = Varchar(length=32, default="")  # christmas, easter, new_year… (computed, never typed in)
    segment = ForeignKey(Segment, null=True, on_delete=OnDelete.set_null)  # none: everyone who consented
    purpose = Varchar(length=100, default="marketing")
    subject = Text()
    text_body = Text()
    html_body = Text(null=True, default=None)
    days_before = Integer(default=0)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class OccasionSend(Table, tablename="marketing_occasion_send"):
    """One person greeted on one occurrence of an occasion: never twice."""

    occasion = ForeignKey(Occasion, on_delete=OnDelete.cascade)
    person = ForeignKey(Person, on_delete=OnDelete.cascade)
    occurs_on = Date()
    mail_id = BigInt(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


# --- web forms, merge queue, web activity, lead routing ------------------------------------------------
class WebForm(Table, tablename="marketing_form"):
    """A contact form embedded on a website; ``key`` is public (it is in the page's HTML)."""

    key = Varchar(length=64, unique=True)
    name = Varchar(length=200)
    fields = JSONB(default=[])  # which of forms.FIELDS the form asks for
    required = JSONB(default=[])  # those of them a visitor must fill
    survey = JSONB(default=[])  # [{"key", "question", "choices": [...]}]: a short optional survey
    consents = JSONB(default=[])  # [{"purpose", "channel", "text"}]: what a visitor may agree to
    allowed_origins = JSONB(default=[])  # "https://www.example.pl": the sites allowed to post (CORS)
    territory = ForeignKey(Territory, null=True, on_delete=OnDelete.set_null)  # where its leads belong
    active = Boolean(default=True)
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class FormSubmission(Table, tablename="marketing_form_submission"):
    """What a visitor sent, kept as sent: processing (matching, the lead, consents) may fail and is
    retried, the submission itself is never lost."""

    form = ForeignKey(WebForm, on_delete=OnDelete.cascade)
    values = JSONB(default={})  # the form's fields, trimmed
    answers = JSONB(default={})  # survey answers by question key
    consents = JSONB(default=[])  # the purposes the visitor agreed to
    email = Varchar(length=320, default="", index=True)
    address = Varchar(length=64, default="")  # the sender's IP address
    origin = Varchar(length=300, default="")
    status = Varchar(length=16, default="received")  # received | processed | failed
    error = Text(default="")
    attempts = Integer(default=0)
    person = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    company = ForeignKey(Company, null=True, on_delete=OnDelete.set_null)
    matched = JSONB(default={})  # how the person and company were found: {"person": {"how", "score"}, …}
    received_at = Timestamptz(default=TimestamptzNow())
    processed_at = Timestamptz(null=True, default=None)


class FormAttempt(Table, tablename="marketing_form_attempt"):
    """One post to a form, counted for throttling per IP address and per e-mail address."""

    address = Varchar(length=64, index=True)
    email = Varchar(length=320, default="", index=True)
    attempted_at = Timestamptz(default=TimestamptzNow())


class MergeCandidate(Table, tablename="marketing_merge_candidate"):
    """A new record that may be the same as an existing one: a person decides."""

    kind = Varchar(length=16)  # person | company
    new_id = BigInt()  # the record the submission created
    existing_id = BigInt()  # the record it resembles
    score = Integer()  # 0 to 100
    reasons = JSONB(default=[])  # ["name 88", "company 100", "phone"]
    submission = ForeignKey(FormSubmission, null=True, on_delete=OnDelete.set_null)
    status = Varchar(length=16, default="open")  # open | merged | kept_apart
    resolved_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    resolved_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class TrackingSite(Table, tablename="marketing_tracking_site"):
    """A website allowed to report its visitors' activity; only the secret's SHA-256 is stored."""

    name = Varchar(length=200)
    key = Varchar(length=32, unique=True)
    secret_hash = Varchar(length=64)
    revoked_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class WebVisit(Table, tablename="marketing_web_visit"):
    """A person's visit to a site, summed up; it becomes one timeline entry when it ends (no page
    view for ``visit_gap_minutes``)."""

    site = ForeignKey(TrackingSite, on_delete=OnDelete.cascade)
    person = ForeignKey(Person, on_delete=OnDelete.cascade)
    started_at = Timestamptz()
    last_at = Timestamptz()
    views = Integer(default=0)
    seconds = Integer(default=0)
    pages = JSONB(default={})  # {page: {"views", "seconds"}}
    products = JSONB(default={})  # {product: {"views", "seconds"}}
    closed_at = Timestamptz(null=True, default=None)
    timeline_entry = BigInt(null=True, default=None)


class RoutingRule(Table, tablename="marketing_routing_rule"):
    """Where new leads go: the first active rule, by position, whose conditions all hold."""

    name = Varchar(length=200)
    position = Integer(default=0)
    territory = ForeignKey(Territory, null=True, on_delete=OnDelete.set_null)  # this one or inside it
    min_employees = Integer(null=True, default=None)
    max_employees = Integer(null=True, default=None)
    source = Varchar(length=100, default="")  # "", "form", "form:<key>", "import", "campaign", "other"
    assignee = ForeignKey(User, null=True, on_delete=OnDelete.set_null)  # a named salesperson…
    team = ForeignKey(Team, null=True, on_delete=OnDelete.set_null)  # …or round-robin within a team
    last_assigned = ForeignKey(User, null=True, on_delete=OnDelete.set_null)  # the round-robin pointer
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class LeadAssignment(Table, tablename="marketing_lead_assignment"):
    """A new lead and where routing sent it (no owner: no rule matched — listed for a manager)."""

    person = ForeignKey(Person, null=True, on_delete=OnDelete.cascade)
    company = ForeignKey(Company, null=True, on_delete=OnDelete.cascade)
    source = Varchar(length=100, default="")
    rule = ForeignKey(RoutingRule, null=True, on_delete=OnDelete.set_null)
    owner = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    task_id = BigInt(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
