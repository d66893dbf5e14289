"""Polish alphabetical order: the rules of the sort key, case by case."""

import pytest

from core.crm.collation import person_sort_key, sort_key


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("az", "ąb"),  # Ą is a letter of its own after A, not an accented A
        ("cz", "ća"),
        ("ez", "ęa"),
        ("lz", "ła"),
        ("nz", "ńa"),
        ("oz", "óa"),
        ("sz", "śa"),
        ("zz", "źa"),
        ("źz", "ża"),
        ("Zenon", "Żaneta"),
        ("abc", "ABD"),  # case does not matter
        ("Al Fa", "Alfa"),  # a space files before any letter
        ("10 Bit", "Alfa"),  # digits before letters
        ('"Alfa" Sp. z o.o.', "Beta"),  # punctuation is ignored
        ("Eclair", "Éclairs"),  # foreign diacritics fold to the base letter
        ("Éclair", "Eclairs"),
    ],
)
def test_order(before, after):
    assert sort_key(before) < sort_key(after)


@pytest.mark.parametrize(
    ("one", "other"),
    [("ALFA", "alfa"), ("«Alfa»", "Alfa"), ("Alfa  Beta", "Alfa Beta"), (" Alfa ", "Alfa"), ("Müller", "Muller")],
)
def test_same_place(one, other):
    assert sort_key(one) == sort_key(other)


def test_persons_by_last_then_first_name():
    names = [("Łęcki", "Jan"), ("Lenart", "Ewa"), ("Lenart", "Ada"), ("Lenartowicz", "Adam")]
    ordered = sorted(names, key=lambda n: person_sort_key(*n))
    assert ordered == [("Lenart", "Ada"), ("Lenart", "Ewa"), ("Lenartowicz", "Adam"), ("Łęcki", "Jan")]
