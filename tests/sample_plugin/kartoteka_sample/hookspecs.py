"""Hooks the sample plugin publishes for other plugins (through kartoteka_addhooks)."""

from core.api import hookspec


@hookspec
def kartoteka_sample_decorate(text: str) -> str:
    """Return a decorated copy of a note's text."""
