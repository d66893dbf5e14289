"""What marketing asks of other plugins: hooks it publishes through ``kartoteka_addhooks``, and the
plain data they return.

A plugin that answers implements a hook with ``@hookimpl(optionalhook=True)``, so that it loads
without marketing, and imports this module only inside the implementation (marketing is enabled
whenever the hook is called). Hooks take keyword arguments; an implementation may accept any
subset of them, and an argument the hook does not have fails start-up naming the plugin.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from core.api import hookspec

if TYPE_CHECKING:
    from core.api import PluginRuntime

PREFIX = "marketing_"  # every hook here; an unknown implementation with it fails start-up


@dataclass(frozen=True)
class PersonFact:
    """Something a plugin knows about persons that segments may select by ("bought product X").

    ``persons(params, sqlite)`` returns a ``piccolo.querystring.QueryString`` selecting the ids of
    the persons the fact holds for (one column); ``params`` maps each declared parameter to a
    value marketing has checked against ``parameters`` (name → "text" | "int" | "date").
    """

    name: str
    label_en: str
    label_pl: str
    persons: Callable[[Mapping[str, Any], bool], Any]
    parameters: Mapping[str, str] = field(default_factory=dict)


@hookspec
def marketing_person_facts() -> list[PersonFact]:
    """Facts about persons that segments select by (``sales.won_deal``: has won a deal)."""


@hookspec
def marketing_attributed_revenue(
    plugin_runtime: PluginRuntime, contacts: list[tuple[int, datetime]], window_days: int
) -> Any:
    """Deals won from persons after they were contacted: ``contacts`` holds (person id, when);
    count what was won within ``window_days`` after it. Return ``{"deals": int, "revenue":
    Decimal, "currency": str}`` or None; may be async. Campaign results sum the answers."""
