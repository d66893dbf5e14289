"""Who may do what: users, teams, territories, roles (data an administrator edits), tokens."""

from piccolo.columns import JSONB, BigInt, Boolean, ForeignKey, LazyTableReference, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Team(Table, tablename="core_team"):
    name = Varchar(length=200, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())


class Territory(Table, tablename="core_territory"):
    """A sales region, e.g. a voivodeship; territories may nest (a region inside a country)."""

    code = Varchar(length=64, unique=True)
    name = Varchar(length=200)
    parent = ForeignKey(LazyTableReference("Territory", module_path=__name__), null=True, on_delete=OnDelete.restrict)


class User(Table, tablename="core_user"):
    email = Varchar(length=254, unique=True)
    display_name = Varchar(length=200)
    password_hash = Text(null=True, default=None, secret=True)
    is_active = Boolean(default=True)
    is_superuser = Boolean(default=False)
    locale = Varchar(length=8, default="pl")
    # The IANA zone the user's task times are in; "" is the deployment's KARTOTEKA_TIME_ZONE.
    time_zone = Varchar(length=64, default="")
    team = ForeignKey(Team, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    # How notifications reach the user: "in_app", or "in_app_and_email" (also by the mail queue).
    notification_delivery = Varchar(length=20, default="in_app_and_email")


class Role(Table, tablename="core_role"):
    """Permission codes plus the records they reach: own, team, territory or all."""

    name = Varchar(length=100, unique=True)
    description = Text(default="")
    permissions = JSONB(default=[])  # codes; "*" = every registered permission
    record_scope = Varchar(length=16, default="own")
    builtin = Boolean(default=False)
    # What the plugins' template granted at the last sync: a permission a plugin adds later is
    # granted then, while one an administrator took away is not given back.
    template_permissions = JSONB(default=[])


class UserRole(Table, tablename="core_user_role"):
    user = ForeignKey(User, on_delete=OnDelete.cascade)
    role = ForeignKey(Role, on_delete=OnDelete.restrict)


class UserTerritory(Table, tablename="core_user_territory"):
    user = ForeignKey(User, on_delete=OnDelete.cascade)
    territory = ForeignKey(Territory, on_delete=OnDelete.cascade)


class AccessToken(Table, tablename="core_access_token"):
    """A personal access token; only its SHA-256 is stored (the token itself is shown once)."""

    user = ForeignKey(User, on_delete=OnDelete.cascade)
    name = Varchar(length=200)
    token_hash = Varchar(length=64, unique=True)
    prefix = Varchar(length=16)
    scopes = JSONB(default=[])  # empty = every permission the user holds
    expires_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    last_used_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class CalendarFeed(Table, tablename="core_calendar_feed"):
    """A secret address for a user's task calendar (Thunderbird and Outlook cannot send headers)."""

    user = ForeignKey(User, on_delete=OnDelete.cascade)
    token_hash = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)


class Notification(Table, tablename="core_notification"):
    """One message in a staff user's in-app inbox (core.notifications.services); the text is stored in the
    recipient's language when it is created. (recipient, id) is indexed in migrations/core."""

    recipient = ForeignKey(User, on_delete=OnDelete.cascade)
    kind = Varchar(length=100)  # namespaced by its sender: "core.task_reminder", "sales.stuck_deal"
    title = Varchar(length=300)
    body = Text(default="")
    link_type = Varchar(length=64, default="")  # the GraphQL type of the record it is about…
    link_id = BigInt(null=True, default=None)  # …and its id: the API shows the pair as a global id
    mail = BigInt(null=True, default=None)  # the e-mail queued for it (core_mail), if any
    read_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
