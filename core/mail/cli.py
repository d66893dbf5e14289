"""`kartoteka mail poll`: read the IMAP mailboxes now."""

from __future__ import annotations

import asyncio

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from core.commands import boot, console


@click.group()
def mail() -> None:
    """E-mail: read the IMAP mailboxes (KARTOTEKA_IMAP_MAILBOXES) now."""


@mail.command("poll")
@click.option("--mailbox", "names", multiple=True, help="Only this mailbox (repeatable); default: all.")
def mail_poll(names: tuple[str, ...]) -> None:
    """Read new mail from the IMAP mailboxes into the client file now, batch by batch."""
    from core.auth import SYSTEM
    from core.mail.imap import MailboxError
    from core.mail.inbox import poll_batch

    runtime = boot()
    configured = runtime.settings.imap_mailboxes
    unknown = [name for name in names if runtime.settings.mailbox(name) is None]
    if unknown:
        known = ", ".join(m.name for m in configured) or "none configured"
        raise click.ClickException(f"no mailbox {unknown[0]!r} in KARTOTEKA_IMAP_MAILBOXES ({known})")
    mailboxes = [m for m in configured if not names or m.name in names]
    if not mailboxes:
        raise click.ClickException("no mailboxes: set KARTOTEKA_IMAP_MAILBOXES")

    async def run() -> None:
        await runtime.start()
        try:
            await read_all()
        finally:
            await runtime.stop()

    async def read_all() -> None:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console) as bar:
            for mailbox in mailboxes:
                task = bar.add_task(f"Mailbox {mailbox.name}", total=None)
                stored = skipped = done = 0
                while True:
                    # One transaction per batch, as the job does: an interrupted run keeps what it stored.
                    async with runtime.unit_of_work(SYSTEM) as uow:
                        result = await poll_batch(runtime, uow, mailbox)
                    stored, skipped = stored + result.stored, skipped + result.skipped
                    done += result.stored + result.skipped
                    bar.update(task, total=done + result.remaining, completed=done)
                    if not result.remaining:
                        break
                bar.update(task, description=f"Mailbox {mailbox.name}: {stored} new, {skipped} known")

    try:
        asyncio.run(run())
    except MailboxError as error:
        raise click.ClickException(str(error)) from None
