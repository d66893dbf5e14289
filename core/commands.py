"""What every ``kartoteka`` command shares, the core's and each plugin's: booting a runtime from
the environment, the consoles, and turning a refused service call into a CLI error.

Its own module, not ``core.cli``: ``python -m core.cli`` runs that module as ``__main__``, and a
command importing it would build the whole command tree a second time.
"""

from __future__ import annotations

import asyncio
from typing import Any

import click
from rich.console import Console

from core.settings import Settings, load_settings

console = Console()
err_console = Console(stderr=True)


def settings(**overrides: Any) -> Settings:
    return load_settings(**overrides)


def boot(role: str = "cli", **overrides: Any):
    from core.runtime import Runtime

    return Runtime.boot(settings(**overrides), role=role)


def boot_plugin(name: str, role: str = "cli") -> Any:
    """Plugin ``name``'s :class:`core.api.PluginRuntime` in a process booted from the deployment's
    settings: what a plugin's CLI command starts with (the database is ready once it returns)."""
    return boot(role).for_plugin(name)


def run_service(call) -> Any:
    """Run a service coroutine; a refused request becomes a CLI error naming the field."""
    from core.errors import DomainError

    try:
        return asyncio.run(call)
    except DomainError as error:
        where = ".".join(error.field[1:] if error.field[:1] == ["input"] else error.field)
        raise click.ClickException(f"{where + ': ' if where else ''}{error}") from None


async def actor_for_email(runtime, email: str | None):
    """The user ``email`` as an actor (their roles and record scope), or the system."""
    from core.access.services import actor_for_user, user_id_by_email
    from core.access.tables import User
    from core.auth import SYSTEM

    if not email:
        return SYSTEM
    user = await User.select().where(User.id == await user_id_by_email(email)).first()
    return await actor_for_user(runtime, user)
