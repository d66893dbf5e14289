"""Polish alphabetical order as a stored sort key, the same on PostgreSQL and SQLite.

Lists are ordered by a key column compared byte by byte (``COLLATE "C"`` on PostgreSQL, SQLite's
default), so keyset pagination and its index work alike on both engines and do not depend on the
database's locale. The key follows the Polish alphabet: the letters with diacritics are letters of
their own after their base letter (``az`` < ``ąb``, ``lz`` < ``ła``), case does not matter,
punctuation is ignored (``"Alfa" Sp. z o.o.`` files under A) and a space sorts before any letter.
Foreign diacritics fold to their base letter (``é`` → ``e``), as Polish dictionaries file them.
"""

from __future__ import annotations

import unicodedata

ALPHABET = "aąbcćdeęfghijklłmnńoópqrsśtuvwxyzźż"
_LETTERS = {letter: chr(0x41 + index) for index, letter in enumerate(ALPHABET)}
_WORD_GAP = " "


def _fold_foreign(char: str) -> str:
    base = unicodedata.normalize("NFD", char)[0]
    return _LETTERS.get(base, char)


def sort_key(text: str) -> str:
    """The key under which ``text`` sorts in Polish order (compare keys as plain code points)."""
    out: list[str] = []
    for char in unicodedata.normalize("NFC", text).casefold():
        if char in _LETTERS:
            out.append(_LETTERS[char])
        elif char.isdigit():
            out.append(char if char.isascii() else str(unicodedata.digit(char, 0)))
        elif char.isspace():
            if out and out[-1] != _WORD_GAP:
                out.append(_WORD_GAP)
        elif unicodedata.category(char)[0] in "PS":
            continue  # punctuation and symbols do not change where a name is filed
        else:
            out.append(_fold_foreign(char))
    return "".join(out).strip()


def person_sort_key(last_name: str, first_name: str) -> str:
    """Persons are filed by last name, then first name."""
    return sort_key(f"{last_name} {first_name}")
