"""Values every part of sales checks or reads: texts, amounts of money in the configured currencies,
moments in the past, the plugin's settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from core.api import DomainError, PluginRuntime, _

ENTITY = "sales.opportunity"  # custom fields of opportunities
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("99999999999999.99")


def currencies_of(runtime: PluginRuntime) -> Currencies:
    return runtime.config.currencies()


# --- small checks -------------------------------------------------------------------------------
def checked_text(value: str, path: list[str], *, limit: int = 300, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise DomainError("BLANK", _("This field must not be blank."), path)
    if len(value) > limit:
        raise DomainError("TOO_LONG", _("At most {limit} characters."), path, limit=limit)
    return value


def amount(value: Any) -> Decimal:
    """An amount read from the database with two decimal places whatever the engine returned
    (SQLite gives 510000 for 510000.00, sums as floats)."""
    return Decimal(str(value or 0)).quantize(CENT)


def money(value: Any, path: list[str]) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError):
        raise DomainError("INVALID_AMOUNT", _("Not an amount of money."), path) from None
    if amount < 0:
        raise DomainError("NEGATIVE", _("This must not be negative."), path)
    if amount > MAX_AMOUNT:
        raise DomainError("OUT_OF_RANGE", _("The amount is too large."), path)
    return amount


@dataclass(frozen=True)
class Currencies:
    """The reporting currency and the others accepted, with how much one unit is worth in it."""

    reporting: str
    rates: Mapping[str, Decimal]

    def rate(self, code: str, path: list[str]) -> Decimal:
        code = (code or "").strip().upper()
        if code == self.reporting:
            return Decimal(1)
        if code not in self.rates:
            raise DomainError(
                "CURRENCY_NOT_CONFIGURED",
                _("The currency {currency} is not configured (configured: {configured})."),
                path,
                currency=code,
                configured=", ".join([self.reporting, *sorted(self.rates)]),
            )
        return self.rates[code]

    def to_base(self, value: Decimal, code: str, path: list[str]) -> Decimal:
        return (value * self.rate(code, path)).quantize(CENT)


def checked_moment(value: datetime | None, path: list[str], *, not_before: datetime | None = None) -> datetime:
    """When something happened: now, or a moment in the past given by the user (entering what
    happened yesterday, or importing history), never in the future nor before what preceded it."""
    now = datetime.now(UTC)
    if value is None:
        return now if not_before is None else max(now, not_before)
    moment = value if value.tzinfo else value.replace(tzinfo=UTC)
    if moment > now + timedelta(minutes=5):
        raise DomainError("IN_THE_FUTURE", _("This date is in the future."), path)
    if not_before is not None and moment < not_before:
        raise DomainError("BEFORE_PREVIOUS", _("This is earlier than the previous change of the opportunity."), path)
    return moment
