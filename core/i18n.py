"""Polish and English for every message a user reads.

Code writes messages in English as ``_("Text of {name}.")`` templates; the English text is the
message id. Translations live in gettext ``.po`` files — the core's in ``core/locale``, a
plugin's in ``locale/`` beside its plugin module — and are applied when the response is built,
in the language the request asked for (``Accept-Language``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.messages.pofile import read_po

LOCALES = ("en", "pl")
DEFAULT_LOCALE = "en"


def _(message: str) -> str:
    """Marks a message for translation; returns it unchanged (it is the message id)."""
    return message


def negotiate(accept_language: str | None) -> str:
    """The best of our locales for an ``Accept-Language`` header (``pl-PL,pl;q=0.9,en;q=0.5``)."""
    if not accept_language:
        return DEFAULT_LOCALE
    ranked = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _sep, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            continue
        if tag and weight > 0:
            ranked.append((-weight, position, tag.strip()))
    preferred = [tag for *_, tag in sorted(ranked)]
    try:
        best = Locale.negotiate(preferred, LOCALES, sep="-")
    except (ValueError, UnknownLocaleError):
        best = None
    return str(best.language) if best else DEFAULT_LOCALE


class Translator:
    def __init__(self, catalogs: Mapping[str, Mapping[str, str]]):
        self.catalogs = catalogs

    def text(self, locale: str, message: str, params: Mapping[str, Any] | None = None) -> str:
        translated = self.catalogs.get(locale, {}).get(message) or message
        return translated.format(**params) if params else translated

    @classmethod
    def load(cls, folders: Iterable[Path]) -> Translator:
        catalogs: dict[str, dict[str, str]] = {locale: {} for locale in LOCALES}
        for folder in folders:
            for locale in LOCALES:
                path = folder / f"{locale}.po"
                if not path.exists():
                    continue
                with path.open("rb") as po_file:
                    catalog = read_po(po_file, locale=locale)
                catalogs[locale].update(
                    {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy and isinstance(m.id, str)}
                )
        return cls(catalogs)
