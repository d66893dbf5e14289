"""Typed events: a plugin subclasses :class:`Event` and registers the class."""

from __future__ import annotations

from typing import Any, ClassVar

import msgspec


class Event(msgspec.Struct, frozen=True, kw_only=True):
    """Base of every event. Subclasses set ``name = "<plugin>.<noun>_<verb>"`` and typed fields.

    Keep payloads small (ids and changed values); subscribers load what else they need, so an
    event delivered later never carries stale copies of whole records.
    """

    name: ClassVar[str] = ""

    def to_payload(self) -> dict[str, Any]:
        return msgspec.to_builtins(self)

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Event:
        return msgspec.convert(payload, cls)
