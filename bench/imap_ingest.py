"""IMAP ingestion rate: a 10,000-message mailbox read into the client file (issue 4, "Prove it").

1. **Mailbox.** A private Dovecot on loopback (``tests/dovecot.py``), filled once by IMAP APPEND
   with realistic mail: Polish subjects and bodies, 40 % from known persons (matched by address),
   25 % from unknown people at known companies (matched by domain), 25 % from strangers
   (unmatched, queued), 10 % HTML-only; 10 % carry a 20-60 kB attachment; a third are replies
   in threads (In-Reply-To and References); a few are bounces of our own outgoing mail.
2. **Client file.** Per engine a fresh database with every migration and 300 companies with
   3 persons each (created through the services, not timed).
3. **Ingestion**, timed: the poller reads the whole mailbox batch by batch, each batch in one
   transaction (parse, match, thread, store attachments, timeline entries, events), exactly as
   ``kartoteka mail poll`` and the ``core.poll_mailbox`` job do.
4. **The limit:** the same mailbox fetched over IMAP in the same batches with nothing stored.

Usage: ``.venv/bin/python bench/imap_ingest.py [--messages N] [--batch N] [--engines sqlite,postgres]``
Needs Dovecot (``apt-get install -y dovecot-imapd``) and PostgreSQL on 127.0.0.1:5432.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402

from core.auth import SYSTEM  # noqa: E402
from core.crm import services as crm  # noqa: E402
from core.db.migrate import migrate  # noqa: E402
from core.db.tables import IncomingMail, IncomingMailAttachment, OutgoingMail  # noqa: E402
from core.mail.imap import Session  # noqa: E402
from core.mail.inbox import poll_batch  # noqa: E402
from core.runtime import Runtime  # noqa: E402
from core.settings import load_settings  # noqa: E402
from tests.dovecot import running_dovecot  # noqa: E402

SENT = [(f"<sent{n}@kartoteka.pl>", f"osoba0@firma{n % 300}.pl") for n in range(100)]  # our mail that bounces
POSTGRES = os.environ.get("KARTOTEKA_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
OUR = "crm@kartoteka.pl"
COMPANIES = 300
PERSONS = 3
SUBJECTS = [
    "Zapytanie ofertowe",
    "Zamówienie nr {n}",
    "Reklamacja dostawy",
    "Faktura {n}/2026",
    "Spotkanie w przyszłym tygodniu",
    "Cennik na nowy rok",
    "Prośba o kontakt",
    "Potwierdzenie płatności",
]
PARAGRAPHS = [
    "Dzień dobry,\n\nuprzejmie prosimy o przesłanie aktualnej oferty na szkło hartowane.",
    "W nawiązaniu do rozmowy telefonicznej przesyłam szczegóły zamówienia.",
    "Proszę o informację, kiedy możemy spodziewać się dostawy do magazynu w Krakowie.",
    "Faktura w załączniku. Termin płatności: 14 dni.",
    "Czy możemy umówić się na spotkanie w środę o 10:00?",
    "Z poważaniem,\nJan Kowalski\nDział zakupów",
]


def _message(rng: random.Random, n: int, known: list[tuple[str, str]], sent: list[str], previous: list[str]) -> bytes:
    kind = rng.random()
    message = EmailMessage()
    if kind < 0.40:
        name, address = rng.choice(known)
    elif kind < 0.65:
        name, address = "Nowa Osoba", f"nowy{n}@firma{rng.randrange(COMPANIES)}.pl"
    else:
        name, address = "Ktoś", f"klient{n}@{rng.choice(['gmail.com', 'wp.pl', 'nieznana-firma.pl'])}"
    message["From"] = f"{name} <{address}>"
    message["To"] = OUR
    subject = rng.choice(SUBJECTS).format(n=n)
    message["Date"] = format_datetime(datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=n))
    message["Message-ID"] = make_msgid(idstring=str(n), domain=address.rpartition("@")[2])
    if rng.random() < 0.33 and (previous or sent):
        parent = rng.choice(sent) if sent and rng.random() < 0.3 else rng.choice(previous or sent)
        subject = "Re: " + subject
        message["In-Reply-To"] = parent
        message["References"] = parent
    message["Subject"] = subject
    body = "\n\n".join(rng.sample(PARAGRAPHS, 3))
    if rng.random() < 0.10:
        html = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
        message.set_content(f"<html><body>{html}</body></html>", "html")
    else:
        message.set_content(body)
    if rng.random() < 0.10:
        content = b"%PDF-1.7\n" + rng.randbytes(rng.randrange(20_000, 60_000))
        message.add_attachment(content, maintype="application", subtype="pdf", filename=f"dokument-{n}.pdf")
    previous.append(str(message["Message-ID"]))
    return message.as_bytes()


def _bounce(n: int, message_id: str, recipient: str) -> bytes:
    text = (
        f"From: MAILER-DAEMON@mx.kartoteka.pl\nTo: {OUR}\nSubject: Undelivered Mail Returned to Sender\n"
        f"Message-ID: <bounce{n}@mx.kartoteka.pl>\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
        "--B\nContent-Type: text/plain\n\nDelivery failed.\n"
        "--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.kartoteka.pl\n\n"
        f"Final-Recipient: rfc822; {recipient}\nAction: failed\nStatus: 5.1.1\n\n"
        f"--B\nContent-Type: text/rfc822-headers\n\nFrom: {OUR}\nTo: {recipient}\nMessage-ID: {message_id}\n\n--B--\n"
    )
    return text.replace("\n", "\r\n").encode()


def build_mailbox(count: int, sent: list[tuple[str, str]]) -> list[bytes]:
    rng = random.Random(2026)
    known = [(f"Osoba {k} z firmy {c}", f"osoba{k}@firma{c}.pl") for c in range(COMPANIES) for k in range(PERSONS)]
    previous: list[str] = []
    sent_ids = [message_id for message_id, _to in sent]
    messages = []
    bounces = iter(sent)
    for n in range(count):
        if n % 200 == 199:  # 0.5 %: a bounce of one of our messages
            message_id, recipient = next(bounces)
            messages.append(_bounce(n, message_id, recipient))
        else:
            messages.append(_message(rng, n, known, sent_ids, previous))
    return messages


def fill(dovecot, folder: str, messages: list[bytes]) -> float:
    started = time.perf_counter()
    imap = dovecot.connect()
    try:
        imap.create(folder)
        for raw in messages:
            status, data = imap.append(folder, None, None, raw)
            assert status == "OK", data
    finally:
        imap.logout()
    return time.perf_counter() - started


def fetch_only(mailbox, batch: int) -> tuple[float, int]:
    started = time.perf_counter()
    session = Session(mailbox)
    try:
        uids = session.uids_after(0)
        total = 0
        for start in range(0, len(uids), batch):
            total += len(session.fetch(uids[start : start + batch]))
    finally:
        session.close()
    return time.perf_counter() - started, total


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(POSTGRES)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def prepare_file(runtime: Runtime) -> None:
    """The client file: companies with their domains and persons, and the mail we sent that the
    mailbox's bounces report on."""
    for c in range(COMPANIES):
        emails = [crm.ContactInput(f"biuro@firma{c}.pl")]
        company = await crm.create_company(
            runtime, SYSTEM, {"name": f"Firma {c} sp. z o.o."}, crm.Related(emails=emails)
        )
        for k in range(PERSONS):
            related = crm.Related(
                emails=[crm.ContactInput(f"osoba{k}@firma{c}.pl")], employments=[crm.EmploymentInput(company)]
            )
            await crm.create_person(runtime, SYSTEM, {"first_name": f"Osoba{k}", "last_name": f"Firma{c}"}, related)
    async with runtime.unit_of_work(SYSTEM):
        for n, (message_id, to) in enumerate(SENT):
            await OutgoingMail.insert(
                OutgoingMail(
                    idempotency_key=f"bench:{n}", to_address=to, subject="Oferta", message_id=message_id, status="sent"
                )
            )


async def ingest(engine: str, url: str, dovecot, folder: str, batch: int, workdir: Path) -> dict:
    settings = load_settings(
        environ={"KARTOTEKA_IMAP_MAILBOXES": f"bench={dovecot.url(folder)}"},
        database_url=url,
        plugins_file=ROOT / "plugins.toml",
        mail_from=OUR,
        attachments_dir=workdir / f"files-{engine}",
        imap_batch_size=batch,
    )
    runtime = Runtime.boot(settings, role="cli")
    await migrate(runtime)
    await runtime.start()
    try:
        await prepare_file(runtime)
        started = time.perf_counter()
        batches = stored = 0
        while True:
            async with runtime.unit_of_work(SYSTEM) as uow:
                result = await poll_batch(runtime, uow, settings.imap_mailboxes[0])
            batches += 1
            stored += result.stored
            if not result.remaining:
                break
        seconds = time.perf_counter() - started
        statuses = {
            row["status"]: row["count"]
            for row in await IncomingMail.raw(
                "SELECT status, COUNT(*) AS count FROM core_incoming_mail GROUP BY status"
            )
        }
        bounced = await OutgoingMail.count().where(OutgoingMail.status == "bounced")
        files = await IncomingMailAttachment.count()
    finally:
        await runtime.stop()
    return {
        "engine": engine,
        "stored": stored,
        "seconds": seconds,
        "rate": stored / seconds,
        "batches": batches,
        "statuses": statuses,
        "bounced": bounced,
        "files": files,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--engines", default="sqlite,postgres")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="kartoteka-imap-bench-"))
    database = f"imapwt_bench_{os.getpid()}"
    results = []
    try:
        with running_dovecot() as dovecot:
            messages = build_mailbox(args.messages, SENT)
            size = sum(len(m) for m in messages)
            appended = fill(dovecot, "Bench", messages)
            print(f"mailbox: {len(messages)} messages, {size / 1e6:.1f} MB, appended in {appended:.1f} s")
            environ = {"KARTOTEKA_IMAP_MAILBOXES": f"bench={dovecot.url('Bench')}"}
            mailbox = load_settings(environ=environ).imap_mailboxes[0]
            seconds, fetched = fetch_only(mailbox, args.batch)
            print(f"IMAP fetch only (the limit): {fetched} in {seconds:.1f} s = {fetched / seconds:,.0f} messages/s")
            for engine in args.engines.split(","):
                if engine == "sqlite":
                    url = f"sqlite:///{workdir}/bench.sqlite3"
                else:
                    asyncio.run(_admin(f'CREATE DATABASE "{database}"'))
                    url = POSTGRES.rsplit("/", 1)[0] + "/" + database
                result = asyncio.run(ingest(engine, url, dovecot, "Bench", args.batch, workdir))
                results.append(result)
                print(
                    f"{engine}: {result['stored']} stored in {result['seconds']:.1f} s "
                    f"= {result['rate']:,.0f} messages/s "
                    f"({result['batches']} batches of {args.batch}; {result['statuses']}; "
                    f"{result['files']} attachments; {result['bounced']} outgoing marked bounced); "
                    f"{result['rate'] / (fetched / seconds):.0%} of the fetch-only rate"
                )
    finally:
        if "postgres" in args.engines:
            asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
