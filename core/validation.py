"""Normalising and validating what people type: e-mail, phone, NIP, REGON.

Each function returns the canonical form stored in the database, or raises a DomainError with
the input field's path.
"""

from __future__ import annotations

from collections.abc import Sequence

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.pl import nip, regon

from core.errors import DomainError
from core.i18n import _

DEFAULT_PHONE_REGION = "PL"


def normalise_email(value: str, field: Sequence[str]) -> str:
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise DomainError("INVALID_EMAIL", _("This is not a valid e-mail address."), field) from None


def normalise_phone(value: str, field: Sequence[str], region: str = DEFAULT_PHONE_REGION) -> str:
    """E.164 (``+48601234567``); numbers without a country code are read as Polish."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise DomainError("INVALID_PHONE", _("This is not a valid phone number."), field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_search_key(value: str, region: str = DEFAULT_PHONE_REGION) -> str | None:
    """The E.164 form of a number typed into a search box, or None when it is not a number."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    return (
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if phonenumbers.is_possible_number(number)
        else None
    )


def normalise_nip(value: str, field: Sequence[str]) -> str:
    """Ten digits; accepts ``PL 526-025-02-74`` and the like; checks the checksum."""
    try:
        return nip.validate(value)
    except StdnumError:
        raise DomainError("INVALID_NIP", _("This is not a valid NIP (tax identification number)."), field) from None


def normalise_regon(value: str, field: Sequence[str]) -> str:
    """Nine or fourteen digits with a valid checksum."""
    try:
        return regon.validate(value)
    except StdnumError:
        raise DomainError("INVALID_REGON", _("This is not a valid REGON number."), field) from None
