"""What people type, normalised or refused with the field named."""

import pytest

from core.errors import DomainError
from core.validation import normalise_email, normalise_nip, normalise_phone, normalise_regon, phone_search_key

FIELD = ["input", "x"]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("5260250274", "5260250274"),
        ("526-025-02-74", "5260250274"),
        ("PL 526 025 02 74", "5260250274"),
        ("PL5260250274", "5260250274"),
    ],
)
def test_nip_is_normalised(typed, stored):
    assert normalise_nip(typed, FIELD) == stored


@pytest.mark.parametrize("typed", ["5260250275", "1234567890", "526025027", "abcdefghij", ""])
def test_invalid_nip_is_refused(typed):
    with pytest.raises(DomainError) as error:
        normalise_nip(typed, FIELD)
    assert (error.value.code, error.value.field) == ("INVALID_NIP", FIELD)


@pytest.mark.parametrize(("typed", "stored"), [("012100784", "012100784"), ("01-21-00784", "012100784")])
def test_regon_is_normalised(typed, stored):
    assert normalise_regon(typed, FIELD) == stored


@pytest.mark.parametrize("typed", ["012100785", "12345", "0121007840000"])
def test_invalid_regon_is_refused(typed):
    with pytest.raises(DomainError, match="INVALID_REGON"):
        normalise_regon(typed, FIELD)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("601 234 567", "+48601234567"),
        ("+48 601-234-567", "+48601234567"),
        ("0048601234567", "+48601234567"),
        ("(12) 345 67 89", "+48123456789"),
        ("+49 30 901820", "+4930901820"),
    ],
)
def test_phone_is_stored_as_e164(typed, stored):
    assert normalise_phone(typed, FIELD) == stored


@pytest.mark.parametrize("typed", ["123", "not a phone", "+48 000 000 000", ""])
def test_invalid_phone_is_refused(typed):
    with pytest.raises(DomainError) as error:
        normalise_phone(typed, FIELD)
    assert (error.value.code, error.value.field) == ("INVALID_PHONE", FIELD)


def test_phone_search_key_accepts_partial_formatting():
    assert phone_search_key("601234567") == "+48601234567"
    assert phone_search_key("Kowalski") is None


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("Jan.Kowalski@Example.PL", "jan.kowalski@example.pl"), ("  biuro@firma.pl ", "biuro@firma.pl")],
)
def test_email_is_normalised(typed, stored):
    assert normalise_email(typed, FIELD) == stored


@pytest.mark.parametrize("typed", ["jan@", "@firma.pl", "jan kowalski@firma.pl", "jan@@firma.pl", ""])
def test_invalid_email_is_refused(typed):
    with pytest.raises(DomainError, match="INVALID_EMAIL"):
        normalise_email(typed, FIELD)
