"""``userErrors`` of mutation payloads: a field path, a stable code and a readable message."""

from __future__ import annotations

import strawberry

from core.errors import DomainError


@strawberry.type(description="Why a mutation did not do what was asked; nothing was written.")
class UserError:
    field: list[str] = strawberry.field(description="Path to the input field at fault (empty for the whole input).")
    code: str = strawberry.field(description="Stable, machine-readable error code.")
    message: str = strawberry.field(description="Human-readable explanation.")

    @classmethod
    def from_domain(cls, error: DomainError) -> UserError:
        return cls(field=list(error.field), code=error.code, message=error.message)
