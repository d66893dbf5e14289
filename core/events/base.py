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

    def subject(self) -> tuple[str, int] | None:
        """The record the event is about, for the audit log: the first ``<entity>_id`` field."""
        for field_name in self.__struct_fields__:
            value = getattr(self, field_name)
            if field_name.endswith("_id") and isinstance(value, int):
                return field_name.removesuffix("_id"), value
        return None

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Event:
        return msgspec.convert(payload, cls)
