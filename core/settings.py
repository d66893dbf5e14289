"""Typed settings read from the environment (prefix ``KARTOTEKA_``).

Every value is parsed once at start-up; a bad value raises :class:`ConfigError` naming the
environment variable, so the process stops before serving anything.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from core.errors import ConfigError

PREFIX = "KARTOTEKA_"
Profile = Literal["embedded", "production"]


def _url(value: str, key: str, schemes: tuple[str, ...]) -> str:
    scheme = urlsplit(value).scheme
    if scheme not in schemes:
        raise ConfigError(
            key, f"expected a URL starting with one of {', '.join(s + '://' for s in schemes)}; got {value!r}"
        )
    return value


def _int(low: int, high: int) -> Callable[[str, str], int]:
    def parse(value: str, key: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise ConfigError(key, f"expected an integer, got {value!r}") from None
        if not low <= number <= high:
            raise ConfigError(key, f"expected an integer from {low} to {high}, got {number}")
        return number

    return parse


def _float(low: float, high: float) -> Callable[[str, str], float]:
    def parse(value: str, key: str) -> float:
        try:
            number = float(value)
        except ValueError:
            raise ConfigError(key, f"expected a number, got {value!r}") from None
        if not low <= number <= high:
            raise ConfigError(key, f"expected a number from {low} to {high}, got {number}")
        return number

    return parse


def _bool(value: str, key: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(key, f"expected true or false, got {value!r}")


def _networks(value: str, key: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    networks = []
    for part in filter(None, (p.strip() for p in value.split(","))):
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ConfigError(key, f"expected networks such as 10.1.0.0/16, comma-separated; got {part!r}") from None
    return tuple(networks)


def _choice(*options: str) -> Callable[[str, str], str]:
    def parse(value: str, key: str) -> str:
        if value not in options:
            raise ConfigError(key, f"expected one of {', '.join(options)}; got {value!r}")
        return value

    return parse


def _zone(value: str, key: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ConfigError(key, f"expected an IANA time zone such as Europe/Warsaw, got {value!r}") from None
    return value


def _secret(value: str, key: str) -> str:
    if len(value) < 32:
        raise ConfigError(key, "must be at least 32 characters long")
    return value


MAILBOX_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


@dataclass(frozen=True)
class Mailbox:
    """One IMAP mailbox the poller reads. ``repr`` and ``str`` never show the password."""

    name: str
    host: str
    port: int
    tls: bool  # imaps: TLS from the first byte; imap: STARTTLS when the server offers it
    username: str
    password: str = field(repr=False)
    folder: str = "INBOX"
    address: str = ""  # the mailbox's own address: never matched against the client file

    def __str__(self) -> str:
        scheme = "imaps" if self.tls else "imap"
        return f"{self.name}={scheme}://{self.username}:***@{self.host}:{self.port}/{self.folder}"


def _mailboxes(value: str, key: str) -> tuple[Mailbox, ...]:
    """``name=imap://user:pass@host:port/Folder?address=…;other=imaps://…`` (percent-encode
    ``;``, ``@`` and ``:`` inside the user name and password)."""
    mailboxes: list[Mailbox] = []
    for number, item in enumerate(part.strip() for part in value.split(";")):
        if not item:
            continue
        name, sep, url = item.partition("=")
        name = name.strip()
        if not sep or not MAILBOX_NAME.match(name):
            raise ConfigError(key, f"mailbox {number + 1}: expected name=imap://user:password@host/folder")
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError:
            raise ConfigError(key, f"mailbox {name!r}: not a valid URL") from None
        # Messages name the mailbox, never the URL: it holds the password.
        if parts.scheme not in ("imap", "imaps"):
            raise ConfigError(key, f"mailbox {name!r}: expected a URL starting with imap:// or imaps://")
        if not parts.hostname or not parts.username or parts.password is None:
            raise ConfigError(key, f"mailbox {name!r}: the URL needs a user name, a password and a host")
        if name in {m.name for m in mailboxes}:
            raise ConfigError(key, f"mailbox {name!r} is named twice")
        query = parse_qs(parts.query)
        unknown = set(query) - {"address"}
        if unknown:
            raise ConfigError(key, f"mailbox {name!r}: unknown option {sorted(unknown)[0]!r} (known: address)")
        username = unquote(parts.username)
        address = (query.get("address") or [username if "@" in username else ""])[0].strip().lower()
        mailboxes.append(
            Mailbox(
                name=name,
                host=parts.hostname,
                port=port or (993 if parts.scheme == "imaps" else 143),
                tls=parts.scheme == "imaps",
                username=username,
                password=unquote(parts.password),
                folder=unquote(parts.path.lstrip("/")) or "INBOX",
                address=address,
            )
        )
    return tuple(mailboxes)


def zone_for(user_zone: str | None, deployment_zone: str) -> ZoneInfo:
    """A user's own zone (validated when they chose it), else the deployment's."""
    try:
        return ZoneInfo(user_zone) if user_zone else ZoneInfo(deployment_zone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # tzdata no longer has it: never fail a job for it
        return ZoneInfo(deployment_zone)


# The checkout's admin UI build: core/ sits beside admin_ui/ in the repository.
ADMIN_UI_BUILD = Path(__file__).resolve().parent.parent / "admin_ui" / "dist"


@dataclass(frozen=True)
class Settings:
    """Everything a Kartoteka process needs to know about its deployment."""

    profile: Profile = field(default="embedded", metadata={"parse": _choice("embedded", "production")})
    database_url: str = field(
        default="sqlite:///var/kartoteka.sqlite3",
        metadata={"parse": lambda v, k: _url(v, k, ("sqlite", "postgresql", "postgres"))},
    )
    broker_url: str = field(
        default="memory://", metadata={"parse": lambda v, k: _url(v, k, ("memory", "amqp", "amqps"))}
    )
    host: str = "127.0.0.1"
    port: int = field(default=8000, metadata={"parse": _int(1, 65535)})
    # Signs links (unsubscribe, clicks, invitations) and sessions. Required in production; the
    # embedded profile makes a random one on first start and keeps it in secret_key_file.
    secret_key: str = field(default="", repr=False, metadata={"parse": _secret, "secret": True})
    secret_key_file: Path = field(default=Path("var/secret_key"), metadata={"parse": lambda v, k: Path(v)})
    plugins_file: Path = field(default=Path("plugins.toml"), metadata={"parse": lambda v, k: Path(v)})
    debug: bool = field(default=False, metadata={"parse": _bool})
    # Wall-clock time of tasks: recurrence keeps 9:00 at 9:00 across DST, reminders show it.
    time_zone: str = field(default="Europe/Warsaw", metadata={"parse": _zone})
    # GraphQL guards
    max_page_size: int = field(default=100, metadata={"parse": _int(1, 10_000)})
    max_query_depth: int = field(default=10, metadata={"parse": _int(2, 50)})
    max_query_tokens: int = field(default=2_000, metadata={"parse": _int(50, 100_000)})
    max_query_aliases: int = field(default=15, metadata={"parse": _int(1, 1_000)})
    max_query_cost: int = field(default=10_000, metadata={"parse": _int(10, 10_000_000)})
    request_deadline: float = field(default=10.0, metadata={"parse": _float(0.01, 600)})
    # webhooks: in production a receiver must be on the public internet or in one of these networks
    webhook_allowed_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = field(
        default=(), metadata={"parse": _networks}
    )
    # jobs and events
    worker_threads: int = field(default=4, metadata={"parse": _int(1, 256)})
    relay_interval: float = field(default=0.5, metadata={"parse": _float(0.01, 60)})
    redelivery_after: float = field(default=300.0, metadata={"parse": _float(0.1, 86_400)})
    database_pool_size: int = field(default=10, metadata={"parse": _int(1, 200)})
    outbox_retention_days: int = field(default=14, metadata={"parse": _int(1, 3650)})
    # attachments
    attachments_dir: Path = field(default=Path("var/attachments"), metadata={"parse": lambda v, k: Path(v)})
    max_attachment_bytes: int = field(default=25 * 1024 * 1024, metadata={"parse": _int(1, 2**34)})
    # import and export
    import_max_bytes: int = field(default=5 * 1024 * 1024, metadata={"parse": _int(1, 2**30)})
    export_max_rows: int = field(default=100_000, metadata={"parse": _int(1, 10_000_000)})
    # identity (OAuth 2.1 / OpenID Connect): the issuer is the public address of this server
    public_url: str = field(default="", metadata={"parse": lambda v, k: _url(v, k, ("http", "https")).rstrip("/")})
    access_token_seconds: int = field(default=300, metadata={"parse": _int(10, 86_400)})
    refresh_token_days: int = field(default=30, metadata={"parse": _int(1, 365)})
    login_failures_per_account: int = field(default=5, metadata={"parse": _int(1, 1_000)})
    login_failures_per_ip: int = field(default=30, metadata={"parse": _int(1, 100_000)})
    login_throttle_minutes: int = field(default=15, metadata={"parse": _int(1, 1_440)})
    # outgoing mail (password resets, invitations): SMTP, or without it .eml files in mail_dir
    smtp_url: str = field(default="", metadata={"parse": lambda v, k: _url(v, k, ("smtp", "smtps"))})
    mail_from: str = "kartoteka@localhost"
    mail_dir: Path = field(default=Path("var/mail"), metadata={"parse": lambda v, k: Path(v)})
    # incoming mail: IMAP mailboxes polled every imap_poll_minutes, imap_batch_size messages a transaction
    imap_mailboxes: tuple[Mailbox, ...] = field(default=(), metadata={"parse": _mailboxes})
    imap_poll_minutes: int = field(default=1, metadata={"parse": _int(1, 1_440)})
    imap_batch_size: int = field(default=100, metadata={"parse": _int(1, 10_000)})
    # optional staff single sign-on through an external OpenID Connect provider (its issuer URL)
    sso_issuer: str = field(default="", metadata={"parse": lambda v, k: _url(v, k, ("http", "https")).rstrip("/")})
    sso_client_id: str = ""
    sso_client_secret: str = field(default="", repr=False, metadata={"secret": True})
    sso_name: str = "SSO"  # the provider's name on the sign-in button
    # the admin UI's build (`npm run build` in admin_ui/), served at /admin; an install that is not
    # a checkout points this at wherever its built files were copied
    admin_ui_dir: Path = field(default=ADMIN_UI_BUILD, metadata={"parse": lambda v, k: Path(v)})

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def is_postgres(self) -> bool:
        return not self.is_sqlite

    @property
    def broker_in_memory(self) -> bool:
        return self.broker_url.startswith("memory")

    @property
    def issuer(self) -> str:
        """The OpenID Connect issuer: the public URL, or this process's own address."""
        return self.public_url or f"http://{self.host}:{self.port}"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def zone_for(self, user_zone: str | None) -> ZoneInfo:
        """A user's own zone (validated when they chose it), else the deployment's."""
        return zone_for(user_zone, self.time_zone)

    @property
    def is_production(self) -> bool:
        return self.profile == "production"

    @property
    def sqlite_path(self) -> Path:
        """``sqlite:///var/db.sqlite3`` is relative to the working directory, ``sqlite:////srv/db`` absolute."""
        return Path(urlsplit(self.database_url).path[1:])

    def mailbox(self, name: str) -> Mailbox | None:
        return next((m for m in self.imap_mailboxes if m.name == name), None)

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    def safe_dict(self) -> dict[str, Any]:
        """The settings as a dict with secrets hidden, for logs and ``kartoteka doctor``."""
        return {f.name: ("***" if f.metadata.get("secret") else getattr(self, f.name)) for f in fields(self)}

    def validate(self) -> Settings:
        """Checks that hold between settings."""
        if self.is_production and not self.secret_key:
            raise ConfigError(f"{PREFIX}SECRET_KEY", "must be set in the production profile")
        if self.sso_issuer and not (self.sso_client_id and self.sso_client_secret):
            key = "CLIENT_ID" if not self.sso_client_id else "CLIENT_SECRET"
            raise ConfigError(f"{PREFIX}SSO_{key}", "must be set when KARTOTEKA_SSO_ISSUER is")
        if self.is_production and not self.public_url.startswith("https://"):
            # The OAuth issuer: tokens name it, and cookies of the sign-in pages need TLS.
            raise ConfigError(f"{PREFIX}PUBLIC_URL", "must be the https:// address of this server in production")
        return self


def ensure_secret_key(settings: Settings) -> Settings:
    """``settings`` with a secret key: the configured one, or (embedded profile) the install's own
    random key from ``secret_key_file``, made on first start. A key in the source code would let
    anyone forge links for every embedded install."""
    if settings.secret_key or settings.is_production:
        return settings
    path = settings.secret_key_file
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(draft, path)  # atomic, and never replaces a key another process wrote first
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < 32:
        raise ConfigError(f"{PREFIX}SECRET_KEY_FILE", f"{path} must hold a key of at least 32 characters")
    return settings.with_overrides(secret_key=key)


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Read settings from ``environ`` (default: the process environment)."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for f in fields(Settings):
        key = PREFIX + f.name.upper()
        raw = environ.get(key)
        if raw is None or raw == "":
            continue
        parse = f.metadata.get("parse", lambda v, k: v)
        values[f.name] = parse(raw, key)
    values.update(overrides)
    return Settings(**values).validate()
