"""A private Dovecot IMAP server on loopback for the tests and the benchmark.

Its own configuration, base_dir, logs and maildirs in a temporary directory, plaintext login over
loopback (no TLS), one passwd-file user. Messages are put in with IMAP APPEND like any client.
"""

from __future__ import annotations

import contextlib
import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

INSTALL_HINT = "Dovecot is not installed: run `apt-get install -y dovecot-imapd` (what `make test` does)."
USER = "crm@kartoteka.pl"
PASSWORD = "p@ss;word"  # characters that must be percent-encoded in the mailbox URL


@dataclass(frozen=True)
class Dovecot:
    port: int
    root: Path
    user: str = USER
    password: str = PASSWORD

    def url(self, folder: str = "INBOX", user: str | None = None) -> str:
        login = f"{quote(user or self.user, safe='')}:{quote(self.password, safe='')}"
        return f"imap://{login}@127.0.0.1:{self.port}/{folder}"

    def connect(self) -> imaplib.IMAP4:
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=30)
        imap.login(self.user, self.password)
        return imap

    def append(self, raw: bytes | list[bytes], folder: str = "INBOX") -> None:
        imap = self.connect()
        try:
            imap.create(folder)  # NO when it exists, which is fine
            for message in raw if isinstance(raw, list) else [raw]:
                status, data = imap.append(folder, None, None, message)
                assert status == "OK", data
        finally:
            imap.logout()

    def recreate(self, folder: str) -> None:
        """Delete and create a folder again: a new UIDVALIDITY, as after a server migration."""
        imap = self.connect()
        try:
            imap.delete(folder)
            status, data = imap.create(folder)
            assert status == "OK", data
        finally:
            imap.logout()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _mail_user() -> pwd.struct_passwd:
    # Dovecot never opens mail as root: as root, the maildirs belong to the package's own user.
    return pwd.getpwnam("dovecot") if os.getuid() == 0 else pwd.getpwuid(os.getuid())


def _config(root: Path, port: int) -> str:
    me = _mail_user()
    if os.getuid() == 0:
        login_user, internal_user = "dovenull", "dovecot"  # created by the Debian package
    else:
        login_user = internal_user = me.pw_name
    return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{root}/mail/%u
first_valid_uid = {me.pw_uid}
default_login_user = {login_user}
default_internal_user = {internal_user}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/users
  default_fields = uid={me.pw_uid} gid={me.pw_gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


@contextlib.contextmanager
def running_dovecot() -> Iterator[Dovecot]:
    binary = shutil.which("dovecot") or next(
        (p for p in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if Path(p).exists()), None
    )
    if binary is None:
        raise RuntimeError(INSTALL_HINT)
    # Not under pytest's 0700 temp folder: Dovecot's login processes run as another user.
    root = Path(tempfile.mkdtemp(prefix="kartoteka-dovecot-"))
    root.chmod(0o755)
    port = _free_port()
    (root / "mail").mkdir()
    os.chown(root / "mail", _mail_user().pw_uid, _mail_user().pw_gid)
    (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n", encoding="utf-8")
    conf = root / "dovecot.conf"
    conf.write_text(_config(root, port), encoding="utf-8")
    process = subprocess.Popen([binary, "-F", "-c", str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode(errors="replace") if process.stdout else ""
                log = (root / "dovecot.log").read_text(errors="replace") if (root / "dovecot.log").exists() else ""
                raise RuntimeError(f"Dovecot stopped at start-up: {output}\n{log}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                    if sock.recv(100).startswith(b"* OK"):
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("Dovecot did not start listening within 20 s")
            time.sleep(0.05)
        yield Dovecot(port=port, root=root)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if not os.environ.get("KARTOTEKA_KEEP_DOVECOT"):
            shutil.rmtree(root, ignore_errors=True)
