"""Who is acting: staff users, portal persons, services, the system itself, or nobody."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

ActorKind = Literal["anonymous", "staff", "portal", "partner", "service", "system"]
RecordScope = Literal["own", "team", "territory", "all"]
RECORD_SCOPES: tuple[RecordScope, ...] = ("own", "team", "territory", "all")  # narrowest first


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    id: str | None = None
    permissions: frozenset[str] = field(default_factory=frozenset)
    superuser: bool = False
    display_name: str = ""
    # For each permission, which records it reaches (the widest scope of the roles granting it).
    record_scopes: Mapping[str, RecordScope] = field(default_factory=dict)
    team_id: int | None = None
    territory_ids: frozenset[int] = field(default_factory=frozenset)
    # Portal and partner actors: the company they act for and their portal account.
    company_id: int | None = None
    account_id: int | None = None

    def can(self, code: str) -> bool:
        """Deny unless granted; a superuser holds every staff right but never portal scope."""
        if code in self.permissions:
            return True
        return self.superuser and self.kind in ("staff", "system")

    def scope_for(self, code: str) -> RecordScope | None:
        """How far ``code`` reaches for this actor; None when it is not held at all."""
        if self.superuser and self.kind in ("staff", "system"):
            return "all"
        if code not in self.permissions:
            return None
        return self.record_scopes.get(code, "own")

    @property
    def user_id(self) -> int | None:
        """The staff user acting (the author, the owner by default); None for anyone else."""
        return int(self.id) if self.kind == "staff" and self.id and str(self.id).isdecimal() else None

    @property
    def is_authenticated(self) -> bool:
        return self.kind != "anonymous"


def widest(first: RecordScope | None, second: RecordScope) -> RecordScope:
    if first is None:
        return second
    return max(first, second, key=RECORD_SCOPES.index)


ANONYMOUS = Actor(kind="anonymous")
SYSTEM = Actor(kind="system", id="system", superuser=True, display_name="Kartoteka")
