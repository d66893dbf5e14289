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

from core.api import Person, User


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
