"""Sales processes, their stages, opportunities, the stage history and sales plans.

Amounts are kept twice: as entered (``value`` in ``currency``) and converted into the reporting
currency at the configured rate (``value_base``), so every report sums one column in SQL.
"""

from decimal import Decimal

from piccolo.columns import JSONB, Date, ForeignKey, Integer, Numeric, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from core.api import Company, Person, Team, Territory, User

MONEY = (16, 2)


class SalesProcess(Table, tablename="sales_process"):
    """A way of selling (per product line or team): an ordered list of stages."""

    name = Varchar(length=200, unique=True)
    description = Text(default="")
    team = ForeignKey(Team, null=True, on_delete=OnDelete.set_null)
    archived_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class SalesStage(Table, tablename="sales_stage"):
    """One step of a process; won and lost are outcomes of an opportunity, not stages."""

    process = ForeignKey(SalesProcess, on_delete=OnDelete.cascade)
    name = Varchar(length=200)
    position = Integer()  # 1, 2, 3… within the process
    probability = Integer(default=0)  # the default chance of winning from here, in percent
    required_fields = JSONB(default=[])  # what an opportunity must have before entering
    expected_days = Integer(null=True, default=None)  # longer than this here = stuck


class Opportunity(Table, tablename="sales_opportunity"):
    name = Varchar(length=300)
    process = ForeignKey(SalesProcess, on_delete=OnDelete.restrict)
    stage = ForeignKey(SalesStage, on_delete=OnDelete.restrict)
    status = Varchar(length=8, default="open")  # open | won | lost
    company = ForeignKey(Company, null=True, on_delete=OnDelete.set_null)
    person = ForeignKey(Person, null=True, on_delete=OnDelete.set_null)
    owner = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    territory = ForeignKey(Territory, null=True, on_delete=OnDelete.set_null)
    value = Numeric(digits=MONEY, default=Decimal(0))
    currency = Varchar(length=3)
    value_base = Numeric(digits=MONEY, default=Decimal(0))  # value in the reporting currency
    expected_close_date = Date(null=True, default=None)
    competitors = JSONB(default=[])  # [{"name", "strengths", "weaknesses", "price"}]
    source = Varchar(length=64, default="")  # where the lead came from: form, import, partner…
    lost_reason = Text(default="")
    custom = JSONB(default={})
    # The furthest stage (by position) the opportunity has entered: the funnel's "reached"
    # without reading the whole history. Recomputed from the history when stages are reordered.
    furthest_position = Integer(default=1)
    stage_entered_at = Timestamptz(default=TimestamptzNow())
    last_contact_at = Timestamptz(null=True, default=None)
    stuck_since = Timestamptz(null=True, default=None)  # set by the stuck-deal check, cleared by progress
    closed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    deleted_at = Timestamptz(null=True, default=None)


class StageChange(Table, tablename="sales_stage_change"):
    """The history of an opportunity: every stage entered, and how it closed."""

    opportunity = ForeignKey(Opportunity, on_delete=OnDelete.cascade)
    from_stage = ForeignKey(SalesStage, null=True, on_delete=OnDelete.set_null)
    to_stage = ForeignKey(SalesStage, null=True, on_delete=OnDelete.set_null)  # null when it closed
    outcome = Varchar(length=8, default="open")  # open (a move) | won | lost
    changed_at = Timestamptz(default=TimestamptzNow())
    changed_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)


class StageEntry(Table, tablename="sales_stage_entry"):
    """When an opportunity first entered a stage: the forecast's "days from here to a win"."""

    opportunity = ForeignKey(Opportunity, on_delete=OnDelete.cascade)
    stage = ForeignKey(SalesStage, on_delete=OnDelete.cascade)
    entered_at = Timestamptz()


class SalesPlan(Table, tablename="sales_plan"):
    """A target for a rep or a team over a period, in the reporting currency."""

    user = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    team = ForeignKey(Team, null=True, on_delete=OnDelete.set_null)
    period_start = Date()
    period_end = Date()  # inclusive
    target_value = Numeric(digits=MONEY, default=Decimal(0))
    target_deals = Integer(default=0)
    updated_at = Timestamptz(default=TimestamptzNow())
