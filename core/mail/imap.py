"""Reading an IMAP mailbox with the standard library's ``imaplib`` (blocking: callers run these
functions in a thread). The mailbox is opened read-only and bodies are fetched with
``BODY.PEEK[]``, so polling never changes flags a person reading the same mailbox relies on."""

from __future__ import annotations

import contextlib
import imaplib
import re
import ssl
from dataclasses import dataclass

from core.settings import Mailbox

TIMEOUT = 60
FETCH_UID = re.compile(rb"UID (\d+)")
FETCH_SIZE = re.compile(rb"RFC822\.SIZE (\d+)")


class MailboxError(Exception):
    """The server refused or broke off; the message names the mailbox, never its password."""


@dataclass(frozen=True)
class Fetched:
    uid: int
    size: int
    raw: bytes


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Session:
    """One logged-in connection with the mailbox's folder selected read-only."""

    def __init__(self, mailbox: Mailbox):
        self.mailbox = mailbox
        try:
            if mailbox.tls:
                self.imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    mailbox.host, mailbox.port, ssl_context=ssl.create_default_context(), timeout=TIMEOUT
                )
            else:
                self.imap = imaplib.IMAP4(mailbox.host, mailbox.port, timeout=TIMEOUT)
                if "STARTTLS" in self.imap.capabilities:
                    self.imap.starttls(ssl.create_default_context())
            self.imap.login(mailbox.username, mailbox.password)
            status, data = self.imap.select(_quoted(mailbox.folder), readonly=True)
            if status != "OK":
                raise MailboxError(f"mailbox {mailbox.name}: cannot open folder {mailbox.folder!r}: {data!r}")
            [validity] = self.imap.response("UIDVALIDITY")[1]
            self.uidvalidity = int(validity)
        except (OSError, imaplib.IMAP4.error) as error:
            self.close()
            # imaplib's errors carry the server's words only; the password is not among them.
            raise MailboxError(f"mailbox {mailbox.name} at {mailbox.host}:{mailbox.port}: {error}") from None
        except BaseException:
            self.close()
            raise

    def uids_after(self, last_uid: int) -> list[int]:
        """UIDs above ``last_uid``, ascending (``n:*`` also yields the highest UID when it is below n)."""
        status, data = self.imap.uid("SEARCH", f"UID {last_uid + 1}:*")
        if status != "OK":
            raise MailboxError(f"mailbox {self.mailbox.name}: UID SEARCH failed: {data!r}")
        return sorted(uid for uid in (int(x) for x in (data[0] or b"").split()) if uid > last_uid)

    def fetch(self, uids: list[int]) -> list[Fetched]:
        if not uids:
            return []
        status, data = self.imap.uid("FETCH", ",".join(map(str, uids)), "(UID RFC822.SIZE BODY.PEEK[])")
        if status != "OK":
            raise MailboxError(f"mailbox {self.mailbox.name}: UID FETCH failed: {data!r}")
        found: list[Fetched] = []
        for item in data:
            if not isinstance(item, tuple):
                continue  # the closing ")" of each response
            header, raw = item
            uid, size = FETCH_UID.search(header), FETCH_SIZE.search(header)
            if uid:
                found.append(Fetched(int(uid.group(1)), int(size.group(1)) if size else len(raw), raw))
        return sorted(found, key=lambda f: f.uid)

    def close(self) -> None:
        imap = getattr(self, "imap", None)
        if imap is None:
            return
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            imap.logout()
