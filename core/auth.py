"""Who is acting: staff users, portal persons, services, the system itself, or nobody."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ActorKind = Literal["anonymous", "staff", "portal", "service", "system"]


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    id: str | None = None
    permissions: frozenset[str] = field(default_factory=frozenset)
    superuser: bool = False
    display_name: str = ""

    def can(self, code: str) -> bool:
        """Deny unless granted; a superuser holds every staff right but never portal scope."""
        if code in self.permissions:
            return True
        return self.superuser and self.kind in ("staff", "system")

    @property
    def is_authenticated(self) -> bool:
        return self.kind != "anonymous"


ANONYMOUS = Actor(kind="anonymous")
SYSTEM = Actor(kind="system", id="system", superuser=True, display_name="Kartoteka")
