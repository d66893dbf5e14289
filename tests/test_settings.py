"""Settings come from the environment; a bad value stops start-up naming the variable."""

from pathlib import Path

import pytest

from core.errors import ConfigError
from core.settings import ensure_secret_key, load_settings


def test_defaults_are_the_embedded_shape():
    settings = load_settings(environ={})
    assert settings.profile == "embedded"
    assert settings.is_sqlite and settings.sqlite_path == Path("var/kartoteka.sqlite3")
    assert settings.broker_in_memory
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.plugins_file == Path("plugins.toml")
    assert settings.time_zone == "Europe/Warsaw" and str(settings.zone) == "Europe/Warsaw"


def test_environment_overrides_are_parsed():
    settings = load_settings(
        environ={
            "KARTOTEKA_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/crm",
            "KARTOTEKA_BROKER_URL": "amqp://guest:guest@127.0.0.1:5672/%2F",
            "KARTOTEKA_PORT": "8080",
            "KARTOTEKA_DEBUG": "yes",
            "KARTOTEKA_PLUGINS_FILE": "/etc/kartoteka/plugins.toml",
            "KARTOTEKA_MAX_PAGE_SIZE": "50",
        }
    )
    assert settings.is_postgres and not settings.broker_in_memory
    assert settings.port == 8080 and settings.debug is True
    assert settings.plugins_file == Path("/etc/kartoteka/plugins.toml")
    assert settings.max_page_size == 50
    assert load_settings(environ={"KARTOTEKA_TIME_ZONE": "America/New_York"}).zone.key == "America/New_York"


def test_absolute_sqlite_path():
    assert load_settings(environ={"KARTOTEKA_DATABASE_URL": "sqlite:////srv/k.db"}).sqlite_path == Path("/srv/k.db")


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("KARTOTEKA_PORT", "eighty", "expected an integer"),
        ("KARTOTEKA_PORT", "70000", "from 1 to 65535"),
        ("KARTOTEKA_DATABASE_URL", "mysql://x/y", "sqlite://"),
        ("KARTOTEKA_BROKER_URL", "redis://127.0.0.1", "amqp://"),
        ("KARTOTEKA_PROFILE", "prod", "embedded, production"),
        ("KARTOTEKA_DEBUG", "maybe", "true or false"),
        ("KARTOTEKA_SECRET_KEY", "short", "at least 32 characters"),
        ("KARTOTEKA_REQUEST_DEADLINE", "soon", "expected a number"),
        ("KARTOTEKA_TIME_ZONE", "Europe/Warszawa", "IANA time zone"),
        ("KARTOTEKA_TIME_ZONE", "../etc/passwd", "IANA time zone"),
    ],
)
def test_invalid_value_names_the_variable(key, value, problem):
    with pytest.raises(ConfigError) as error:
        load_settings(environ={key: value})
    assert error.value.key == key
    assert problem in str(error.value)
    assert str(error.value).startswith(key)


def test_production_requires_a_real_secret_key():
    with pytest.raises(ConfigError, match="KARTOTEKA_SECRET_KEY"):
        load_settings(environ={"KARTOTEKA_PROFILE": "production"})
    settings = load_settings(
        environ={
            "KARTOTEKA_PROFILE": "production",
            "KARTOTEKA_SECRET_KEY": "x" * 40,
            "KARTOTEKA_PUBLIC_URL": "https://crm.example.com",
        }
    )
    assert settings.is_production


def test_secrets_are_hidden_from_the_printable_form():
    settings = load_settings(environ={"KARTOTEKA_SECRET_KEY": "s" * 40})
    assert settings.safe_dict()["secret_key"] == "***"
    assert "s" * 40 not in repr(settings)


def test_embedded_profile_makes_its_own_secret_key_once(tmp_path):
    """No key in the source: each embedded install signs links with its own random key, kept under var/."""
    key_file = tmp_path / "var" / "secret_key"
    first = ensure_secret_key(load_settings(environ={"KARTOTEKA_SECRET_KEY_FILE": str(key_file)}))
    assert len(first.secret_key) >= 32
    assert key_file.read_text().strip() == first.secret_key
    assert key_file.stat().st_mode & 0o777 == 0o600
    again = ensure_secret_key(load_settings(environ={"KARTOTEKA_SECRET_KEY_FILE": str(key_file)}))
    assert again.secret_key == first.secret_key  # links signed before a restart still work
    other = ensure_secret_key(load_settings(environ={}, secret_key_file=tmp_path / "other"))
    assert other.secret_key != first.secret_key
    given = ensure_secret_key(load_settings(environ={"KARTOTEKA_SECRET_KEY": "k" * 40}))
    assert given.secret_key == "k" * 40
    key_file.write_text("short")
    with pytest.raises(ConfigError, match="KARTOTEKA_SECRET_KEY_FILE"):
        ensure_secret_key(load_settings(environ={"KARTOTEKA_SECRET_KEY_FILE": str(key_file)}))
