"""Companies and persons. Leads are companies and persons in the ``lead`` lifecycle stage, not a
table of their own, so marketing creates them and sales converts them in place."""

from decimal import Decimal

from piccolo.columns import (
    JSONB,
    BigInt,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    LazyTableReference,
    Numeric,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.access.tables import Territory, User


class Company(Table, tablename="core_company"):
    name = Varchar(length=300)
    sort_name = Text(default="")  # core.crm.collation.sort_key(name): lists in Polish order
    kind = Varchar(length=16, default="b2b")  # b2b | b2c | partner | supplier
    lifecycle = Varchar(length=16, default="lead")  # lead | qualified | customer | former
    status = Varchar(length=32, default="active")
    classification = Varchar(length=32, default="")
    nip = Varchar(length=10, null=True, default=None, index=True)
    regon = Varchar(length=14, null=True, default=None)
    website = Varchar(length=300, default="")
    preferred_language = Varchar(length=8, default="pl")
    qualification = JSONB(default={})  # what a lead's qualification found (need, budget, timing…)
    custom = JSONB(default={})  # custom field values, validated against their definitions
    owner = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    territory = ForeignKey(Territory, null=True, on_delete=OnDelete.set_null)
    merged_into = ForeignKey(
        LazyTableReference("Company", module_path=__name__), null=True, on_delete=OnDelete.set_null
    )
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    deleted_at = Timestamptz(null=True, default=None)


class Person(Table, tablename="core_person"):
    first_name = Varchar(length=150, default="")
    last_name = Varchar(length=150)
    sort_name = Text(default="")  # core.crm.collation.person_sort_key(last_name, first_name)
    kind = Varchar(length=16, default="b2b")
    lifecycle = Varchar(length=16, default="lead")
    birthday = Date(null=True, default=None)
    preferred_language = Varchar(length=8, default="pl")
    qualification = JSONB(default={})
    custom = JSONB(default={})
    owner = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    territory = ForeignKey(Territory, null=True, on_delete=OnDelete.set_null)
    merged_into = ForeignKey(LazyTableReference("Person", module_path=__name__), null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    deleted_at = Timestamptz(null=True, default=None)


class Employment(Table, tablename="core_employment"):
    """A person working at (or for) a company, in a role."""

    company = ForeignKey(Company, on_delete=OnDelete.cascade)
    person = ForeignKey(Person, on_delete=OnDelete.cascade)
    position = Varchar(length=200, default="")
    is_primary = Boolean(default=False)


class ContactPoint(Table, tablename="core_contact_point"):
    """An e-mail address or phone number of a company or a person, stored normalised."""

    company = ForeignKey(Company, null=True, on_delete=OnDelete.cascade)
    person = ForeignKey(Person, null=True, on_delete=OnDelete.cascade)
    kind = Varchar(length=8)  # email | phone
    value = Varchar(length=320, index=True)  # lower-case e-mail or E.164 phone
    label = Varchar(length=50, default="")
    is_primary = Boolean(default=False)


class Address(Table, tablename="core_address"):
    company = ForeignKey(Company, null=True, on_delete=OnDelete.cascade)
    person = ForeignKey(Person, null=True, on_delete=OnDelete.cascade)
    kind = Varchar(length=16, default="office")  # office | billing | shipping | home
    street = Varchar(length=200, default="")
    postal_code = Varchar(length=16, default="")
    city = Varchar(length=120, default="")
    country = Varchar(length=2, default="PL")
    notes = Text(default="")


class Tag(Table, tablename="core_tag"):
    """A segment label (``VIP``, ``hurt``); companies and persons carry any number of them."""

    name = Varchar(length=100, unique=True)


class CompanyTag(Table, tablename="core_company_tag"):
    company = ForeignKey(Company, on_delete=OnDelete.cascade)
    tag = ForeignKey(Tag, on_delete=OnDelete.cascade)


class PersonTag(Table, tablename="core_person_tag"):
    person = ForeignKey(Person, on_delete=OnDelete.cascade)
    tag = ForeignKey(Tag, on_delete=OnDelete.cascade)


class TimelineEntry(Table, tablename="core_timeline_entry"):
    """One contact with a client: on a company's timeline, a person's, or both."""

    kind = Varchar(length=64)  # "core.call", "offers.invoice_issued"…
    occurred_at = Timestamptz(default=TimestamptzNow())
    company = ForeignKey(Company, null=True, on_delete=OnDelete.cascade)
    person = ForeignKey(Person, null=True, on_delete=OnDelete.cascade)
    subject = Varchar(length=300, default="")
    body = Text(default="")
    duration_minutes = Integer(default=0)
    cost = Numeric(digits=(12, 2), default=Decimal("0"))
    author = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    source = Varchar(length=200, default="")  # "<plugin>.<record>:<id>" of the entry's origin
    data = JSONB(default={})
    created_at = Timestamptz(default=TimestamptzNow())


class CustomField(Table, tablename="core_custom_field"):
    """A field an administrator added to an entity at runtime; values live in ``custom`` JSON."""

    entity = Varchar(length=64)  # "company" | "person"
    key = Varchar(length=63)
    label_pl = Varchar(length=200)
    label_en = Varchar(length=200)
    kind = Varchar(length=16)
    options = JSONB(default={})  # choices, min/max, referenced entity
    required = Boolean(default=False)
    sensitive = Boolean(default=False)  # values hidden from actors without core.personal_data.read
    position = Integer(default=0)
    archived_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class SearchDocument(Table, tablename="core_search"):
    """What a company or person can be found by (names, NIP, e-mails, phones), folded to
    lower-case ASCII. Indexed by trigrams: pg_trgm on PostgreSQL, an FTS5 trigram table on SQLite."""

    entity = Varchar(length=16)
    entity_id = BigInt()
    document = Text(default="")


class Consent(Table, tablename="core_consent"):
    """A person's consent to be contacted for a purpose over a channel. Rows are never changed
    except to record the withdrawal, so the history of what was allowed when stays provable."""

    person = ForeignKey(Person, on_delete=OnDelete.cascade)
    purpose = Varchar(length=100)  # "marketing", "newsletter", "surveys"…
    channel = Varchar(length=16)  # email | phone | sms | post | any
    source = Varchar(length=100, default="")  # "web form", "phone call", "import 2026-11"…
    given_at = Timestamptz(default=TimestamptzNow())
    withdrawn_at = Timestamptz(null=True, default=None)
    recorded_by = Varchar(length=64, null=True, default=None)


class Task(Table, tablename="core_task"):
    """Something to do, for someone, by a time — about a client or not (MISSION F5)."""

    title = Varchar(length=300)
    description = Text(default="")
    assignee = ForeignKey(User, on_delete=OnDelete.cascade)
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    company = ForeignKey(Company, null=True, on_delete=OnDelete.cascade)
    person = ForeignKey(Person, null=True, on_delete=OnDelete.cascade)
    due_at = Timestamptz()
    duration_minutes = Integer(default=30)
    remind_at = Timestamptz(null=True, default=None)
    reminded_at = Timestamptz(null=True, default=None)
    recurrence = Varchar(length=200, default="")  # an iCalendar RRULE, e.g. "FREQ=WEEKLY;BYDAY=MO"
    series_start = Timestamptz(null=True, default=None)  # DTSTART of the series: the first task's due time
    occurrence = Integer(default=1)  # which occurrence of its series this task is (1-based)
    status = Varchar(length=16, default="open")  # open | done | cancelled
    completed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Attachment(Table, tablename="core_attachment"):
    """A file on a company's or person's record; a new version replaces the current one."""

    company = ForeignKey(Company, null=True, on_delete=OnDelete.cascade)
    person = ForeignKey(Person, null=True, on_delete=OnDelete.cascade)
    file_name = Varchar(length=255)
    content_type = Varchar(length=120)
    size = BigInt()
    sha256 = Varchar(length=64)
    storage_key = Varchar(length=200)  # where the bytes are, relative to the attachment store
    version = Integer(default=1)
    replaced_by = BigInt(null=True, default=None)  # the next version's id
    uploaded_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    deleted_at = Timestamptz(null=True, default=None)


class Follower(Table, tablename="core_follower"):
    """A user who wants to hear when a record's files change."""

    user = ForeignKey(User, on_delete=OnDelete.cascade)
    company = ForeignKey(Company, null=True, on_delete=OnDelete.cascade)
    person = ForeignKey(Person, null=True, on_delete=OnDelete.cascade)
