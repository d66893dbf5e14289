"""Column values to and from JSON (cursors, backups, exports, change records)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from piccolo.columns import BigInt, Date, Integer, Numeric, Serial, Timestamp, Timestamptz


def escape_like(text: str) -> str:
    """``text`` matched literally inside a LIKE pattern (with backslash as the escape character)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def as_utc(value: datetime | str) -> datetime:
    """A timestamp read back as an aware UTC datetime: SQLite gives naive ones (or text from raw SQL)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def plain(value: Any) -> Any:
    """A JSON-friendly copy: datetimes and dates as ISO text, decimals as exact text."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def typed(column: Any, value: Any) -> Any:
    """The JSON ``value`` as the Python type ``column`` holds (the drivers want real datetimes)."""
    if value is None:
        return None
    if isinstance(column, Timestamptz | Timestamp):
        return datetime.fromisoformat(value)
    if isinstance(column, Date):
        return date.fromisoformat(value)
    if isinstance(column, Numeric):
        return Decimal(value)
    if isinstance(column, Integer | BigInt | Serial):
        return int(value)
    return value
