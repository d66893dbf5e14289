"""Incoming e-mail read from a real Dovecot on loopback: matched onto timelines, queued when
nobody matches, threaded with our outgoing mail, stored once whatever the re-runs, restarts and
UIDVALIDITY changes, and bounces reported back to the outgoing mail and to plugins."""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from strawberry import relay

from core.auth import SYSTEM
from core.crm import services as crm
from core.crm.tables import TimelineEntry
from core.db.tables import IncomingMail, IncomingMailAttachment, MailboxState, OutboxMessage, OutgoingMail
from core.errors import ConfigError
from core.jobs.context import JobContext
from core.mail.inbox import POLL_ALL_JOB, poll_batch, poll_due_mailboxes, poll_mailbox
from core.mail.outgoing import queue_mail
from core.runtime import Runtime
from core.settings import Settings, load_settings
from tests.conftest import as_user, make_user, wait_for
from tests.test_cli import kartoteka

OUR_ADDRESS = "crm@kartoteka.pl"
ORDER_HTML = "<html><head><style>p {}</style></head><p>Zamawiam <b>10 szt.</b></p><p>Pozdrawiam</p></html>"
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"
QUEUE = """query($status: IncomingMailStatus, $thread: String) {
  incomingMail(status: $status, threadKey: $thread, first: 50) {
    edges { node { id subject fromAddress status threadKey textBody htmlBody references
                   attachments { fileName contentType size sha256 url } } }
  }
}"""
ASSIGN = """mutation($id: ID!, $company: ID, $person: ID) {
  incomingMailAssign(id: $id, companyId: $company, personId: $person) {
    incomingMail { status } userErrors { field code message }
  }
}"""


@pytest.fixture
def folder(dovecot) -> str:
    return f"t{uuid.uuid4().hex[:10]}"  # each test reads its own folder of the shared server


@pytest.fixture
def settings(database_url: str, plugins_file: Path, dovecot, folder: str, tmp_path: Path) -> Settings:
    return load_settings(
        environ={"KARTOTEKA_IMAP_MAILBOXES": f"inbox={dovecot.url(folder)}"},
        database_url=database_url,
        plugins_file=plugins_file,
        relay_interval=0.05,
        mail_from=OUR_ADDRESS,
        mail_dir=tmp_path / "sent",
        attachments_dir=tmp_path / "files",
    )


def mail(
    sender: str,
    subject: str,
    *,
    to: str = OUR_ADDRESS,
    cc: str | None = None,
    body: str = "Dzień dobry",
    html: str | None = None,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    files: tuple[tuple[str, str, bytes], ...] = (),
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    if cc:
        message["Cc"] = cc
    message["Subject"] = subject
    message["Date"] = "Mon, 23 Nov 2026 10:00:00 +0100"
    message["Message-ID"] = message_id or make_msgid(domain="klient.test")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    if html is not None and not body:
        message.set_content(html, subtype="html")
    else:
        message.set_content(body)
        if html is not None:
            message.add_alternative(html, subtype="html")
    for name, content_type, content in files:
        maintype, subtype = content_type.split("/")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


async def poll_now(runtime: Runtime, batch_size: int | None = None) -> int:
    """Every batch, each in its own transaction, as `kartoteka mail poll` reads them."""
    stored = 0
    while True:
        async with runtime.unit_of_work(SYSTEM) as uow:
            result = await poll_batch(runtime, uow, runtime.settings.imap_mailboxes[0], batch_size)
        stored += result.stored
        if not result.remaining:
            return stored


async def huta(runtime: Runtime) -> tuple[int, int]:
    company = await crm.create_company(
        runtime, SYSTEM, {"name": "Huta Szkła"}, crm.Related(emails=[crm.ContactInput("biuro@hutaszkla.pl")])
    )
    person = await crm.create_person(
        runtime,
        SYSTEM,
        {"first_name": "Ewa", "last_name": "Szklarska"},
        crm.Related(emails=[crm.ContactInput("ewa@hutaszkla.pl")], employments=[crm.EmploymentInput(company)]),
    )
    return company, person


async def email_entries() -> list[tuple[int | None, int | None, str]]:
    rows = await TimelineEntry.select(TimelineEntry.company, TimelineEntry.person, TimelineEntry.subject).where(
        TimelineEntry.kind == "core.email"
    )
    return sorted(((r["company"], r["person"], r["subject"]) for r in rows), key=lambda e: (e[2], e[1] or 0))


async def received_events() -> list[dict]:
    rows = await OutboxMessage.select().where(OutboxMessage.name == "core.email_received").output(load_json=True)
    return [row["payload"] for row in sorted(rows, key=lambda r: r["id"])]


async def test_mail_is_matched_by_address_then_domain_and_the_rest_is_queued_for_assignment(
    client, runtime, dovecot, folder, engine_kind
):
    company, person = await huta(runtime)
    # We are in our own file too: our domain must not pull every message onto our own card.
    ourselves = await crm.create_company(
        runtime, SYSTEM, {"name": "Firma"}, crm.Related(emails=[crm.ContactInput("biuro@kartoteka.pl")])
    )
    dovecot.append(
        [
            mail(
                "Ewa Szklarska <Ewa@HutaSzkla.pl>",
                "Zamówienie",
                body="",
                html="<p>Zamawiam <b>10 szt.</b></p><p>Pozdrawiam</p>",
            ),
            mail("nowy@hutaszkla.pl", "Zapytanie", cc="handlowiec@kartoteka.pl"),
            mail("ktos@gmail.com", "Pytanie o cennik", to=f"{OUR_ADDRESS}, biuro@kartoteka.pl"),
        ],
        folder,
    )
    async with runtime.unit_of_work(SYSTEM) as uow:
        await uow.defer(POLL_ALL_JOB)  # what the schedule does every minute

    async def stored() -> int:
        return await IncomingMail.count() == 3

    await wait_for(stored)  # the in-process worker fanned out and polled the mailbox
    assert await email_entries() == [
        (company, person, "Zamówienie"),  # a known address: the person and their company
        (company, None, "Zapytanie"),  # someone new at a known client's domain
    ]  # the stranger writing to us: nobody's, not even our own company's
    assert ourselves not in {c for c, _p, _s in await email_entries()}
    entry = await TimelineEntry.select(TimelineEntry.data).where(TimelineEntry.person == person).output(load_json=True)
    assert entry[0]["data"]["direction"] == "in" and entry[0]["data"]["from"] == "ewa@hutaszkla.pl"

    _, manager = await make_user(runtime, "szef@kartoteka.pl", roles=["administrator"])
    _, rep = await make_user(runtime, "rep@kartoteka.pl", roles=["sales_rep"])
    forbidden = await as_user(client, rep, QUEUE, {"status": "UNMATCHED"})
    assert forbidden["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    logged = await as_user(client, manager, QUEUE, {"status": "LOGGED"})
    order = {e["node"]["subject"]: e["node"] for e in logged["data"]["incomingMail"]["edges"]}
    assert order["Zamówienie"]["textBody"] == "Zamawiam 10 szt.\n\nPozdrawiam"  # HTML only: converted, HTML kept
    assert "<b>10 szt.</b>" in order["Zamówienie"]["htmlBody"]
    queue = (await as_user(client, manager, QUEUE, {"status": "UNMATCHED"}))["data"]["incomingMail"]["edges"]
    assert [e["node"]["subject"] for e in queue] == ["Pytanie o cennik"]
    queued = queue[0]["node"]["id"]

    refused = await as_user(client, manager, ASSIGN, {"id": queued})
    assert refused["data"]["incomingMailAssign"]["userErrors"][0]["code"] == "NO_SUBJECT"
    wrong = await as_user(client, manager, ASSIGN, {"id": queued, "company": relay.to_base64("Person", person)})
    assert wrong["data"]["incomingMailAssign"]["userErrors"][0]["field"] == ["companyId"]
    done = await as_user(
        client,
        manager,
        ASSIGN,
        {"id": queued, "company": relay.to_base64("Company", company)},
        **{"accept-language": "pl"},
    )
    assert done["data"]["incomingMailAssign"] == {"incomingMail": {"status": "ASSIGNED"}, "userErrors": []}
    again = await as_user(
        client,
        manager,
        ASSIGN,
        {"id": queued, "company": relay.to_base64("Company", company)},
        **{"accept-language": "pl"},
    )
    error = again["data"]["incomingMailAssign"]["userErrors"][0]
    assert error["code"] == "NOT_IN_QUEUE" and error["message"] == "Ta wiadomość nie czeka w kolejce nieprzypisanych."
    assert (company, None, "Pytanie o cennik") in await email_entries()
    queue = (await as_user(client, manager, QUEUE, {"status": "UNMATCHED"}))["data"]["incomingMail"]["edges"]
    assert queue == []
    events = await received_events()
    assert [(e["status"], e["company_ids"], e["person_ids"]) for e in events] == [
        ("logged", [company], [person]),
        ("logged", [company], []),
        ("unmatched", [], []),
    ]

    # The minute schedule polls a mailbox only when KARTOTEKA_IMAP_POLL_MINUTES have passed.
    async def fan_out() -> int:
        async with runtime.unit_of_work(SYSTEM) as uow:
            await poll_due_mailboxes(JobContext(runtime=runtime, uow=uow, actor=SYSTEM))
        return await OutboxMessage.count().where(OutboxMessage.name == "core.poll_mailbox")

    assert await fan_out() == 1  # polled a moment ago: not due
    await MailboxState.update({MailboxState.polled_at: datetime.now(UTC) - timedelta(minutes=2)}).where(
        MailboxState.mailbox == "inbox"
    )
    assert await fan_out() == 2


async def test_replies_join_the_thread_of_our_outgoing_mail_and_keep_their_attachments(
    client, runtime, dovecot, folder, engine_kind
):
    _company, person = await huta(runtime)
    async with runtime.unit_of_work(SYSTEM) as uow:
        sent_id = await queue_mail(uow, to="ewa@hutaszkla.pl", subject="Oferta", text="W załączeniu", key="t:1")

    async def sent() -> dict | None:
        row = await OutgoingMail.select().where(OutgoingMail.id == sent_id).first()
        return row if row["status"] == "sent" else None

    ours = (await wait_for(sent))["message_id"]
    reply_id = make_msgid(domain="hutaszkla.pl")
    dovecot.append(
        [
            mail(
                "ewa@hutaszkla.pl",
                "Re: Oferta",
                message_id=reply_id,
                in_reply_to=ours,
                references=ours,
                files=(
                    ("zamówienie.pdf", "application/pdf", PDF),
                    ("dane.bin", "application/octet-stream", b"\x00\x01"),
                ),
            ),
            # A reply to the reply whose mail program dropped References: still the same thread.
            mail(OUR_ADDRESS, "Re: Re: Oferta", to="ewa@hutaszkla.pl", in_reply_to=reply_id),
            mail("ewa@hutaszkla.pl", "Inna sprawa"),
        ],
        folder,
    )
    assert await poll_now(runtime) == 3
    _, manager = await make_user(runtime, "szef@kartoteka.pl", roles=["administrator"])
    thread = await as_user(client, manager, QUEUE, {"thread": ours})
    nodes = [e["node"] for e in thread["data"]["incomingMail"]["edges"]]
    assert [n["subject"] for n in nodes] == ["Re: Oferta", "Re: Re: Oferta"]
    assert nodes[0]["references"] == [ours]
    files = nodes[0]["attachments"]
    assert [(f["fileName"], f["contentType"], f["size"]) for f in files] == [
        ("zamówienie.pdf", "application/pdf", len(PDF)),
        ("dane.bin", "application/octet-stream", 2),
    ]
    assert files[0]["sha256"] == hashlib.sha256(PDF).hexdigest()
    download = await client.get(files[0]["url"], headers={"authorization": f"Bearer {manager}"})
    assert download.status_code == 200 and download.content == PDF
    assert download.headers["content-type"].startswith("application/octet-stream")
    _, rep = await make_user(runtime, "rep@kartoteka.pl", roles=["sales_rep"])
    assert (await client.get(files[0]["url"], headers={"authorization": f"Bearer {rep}"})).status_code == 400

    entries = (
        await TimelineEntry.select(TimelineEntry.data).where(TimelineEntry.person == person).output(load_json=True)
    )
    threads = {(e["data"]["direction"], e["data"]["thread_key"]) for e in entries}
    assert ("out", ours) in threads and ("in", ours) in threads  # one conversation, both directions
    events = await received_events()
    assert events[0]["replied_mail_ids"] == [sent_id] and events[0]["in_reply_to"] == ours
    assert events[1]["replied_mail_ids"] == [] and events[2]["thread_key"] != ours


async def test_re_runs_restarts_and_a_new_uidvalidity_never_log_a_message_twice(
    client, runtime, dovecot, folder, engine_kind
):
    _company, person = await huta(runtime)
    first = [mail("ewa@hutaszkla.pl", f"Wiadomość {n}", message_id=f"<m{n}.{folder}@hutaszkla.pl>") for n in range(5)]
    dovecot.append(first, folder)
    runtime.settings = runtime.settings.with_overrides(imap_batch_size=2)
    # The job reads one batch per transaction and defers itself while more wait; the in-process
    # worker runs the rest of the chain.
    async with runtime.unit_of_work(SYSTEM) as uow:
        await poll_mailbox(JobContext(runtime=runtime, uow=uow, actor=SYSTEM), "inbox")
    assert await IncomingMail.count() == 2

    async def all_five() -> bool:
        return await IncomingMail.count() == 5 and (await MailboxState.select().first())["last_uid"] == 5

    await wait_for(all_five)
    for _ in range(2):  # re-runs of the job: nothing new
        async with runtime.unit_of_work(SYSTEM) as uow:
            await poll_mailbox(JobContext(runtime=runtime, uow=uow, actor=SYSTEM), "inbox")
    assert await IncomingMail.count() == 5
    assert len([e for e in await email_entries() if e[1] == person]) == 5
    state = await MailboxState.select().first()
    assert state["last_uid"] == 5

    # A restart: a fresh process (`kartoteka mail poll`) goes on from the stored position.
    later = mail("ewa@hutaszkla.pl", "Później", message_id=f"<later.{folder}@hutaszkla.pl>")
    dovecot.append(later, folder)
    env = {
        "KARTOTEKA_DATABASE_URL": runtime.settings.database_url,
        "KARTOTEKA_PLUGINS_FILE": str(runtime.settings.plugins_file),
        "KARTOTEKA_IMAP_MAILBOXES": f"inbox={dovecot.url(folder)}",
        "KARTOTEKA_MAIL_FROM": OUR_ADDRESS,
        "KARTOTEKA_ATTACHMENTS_DIR": str(runtime.settings.attachments_dir),
    }
    for expected in ("1 new, 0 known", "0 new, 0 known"):
        result = await asyncio.to_thread(kartoteka, "mail", "poll", "--mailbox", "inbox", env=env)
        assert result.returncode == 0, result.stderr
        assert f"Mailbox inbox: {expected}" in result.stdout
    assert await IncomingMail.count() == 6
    assert len([e for e in await email_entries() if e[1] == person]) == 6

    # The server lost its UIDs (folder rebuilt): the same messages come back under a new
    # UIDVALIDITY, plus one new message.
    dovecot.recreate(folder)
    dovecot.append([*first, later, mail("ewa@hutaszkla.pl", "Nowa", message_id=f"<new.{folder}@hutaszkla.pl>")], folder)
    assert await poll_now(runtime, batch_size=4) == 1
    assert await IncomingMail.count() == 7
    assert len([e for e in await email_entries() if e[1] == person]) == 7
    new_state = await MailboxState.select().first()
    assert new_state["uidvalidity"] != state["uidvalidity"] and new_state["last_uid"] == 7
    # The unique (mailbox, UIDVALIDITY, UID) index is the last guard against a double insert.
    row = await IncomingMail.select().where(IncomingMail.subject == "Nowa").first()
    with pytest.raises(Exception, match=r"(?i)unique"):
        await IncomingMail.insert(
            IncomingMail(mailbox="inbox", uidvalidity=row["uidvalidity"], uid=row["uid"], thread_key="<x@y>")
        )
    assert await IncomingMail.count().where(IncomingMail.status == "logged") == 7


DSN_HEADERS = """From: MAILER-DAEMON@mx.kartoteka.pl
To: {ours}
Subject: Undelivered Mail Returned to Sender
Message-ID: <dsn.{tag}@mx.kartoteka.pl>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

The mail system could not deliver your message.
--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.kartoteka.pl

Final-Recipient: rfc822; {recipient}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 User unknown

--B
Content-Type: {original_type}

{original}
--B--
"""


def dsn(ours: str, recipient: str, message_id: str, tag: str, *, whole_message: bool) -> bytes:
    original = f"From: {ours}\nTo: {recipient}\nSubject: Oferta\nMessage-ID: {message_id}\n"
    if whole_message:
        original += "\nTreść oferty\n"
    text = DSN_HEADERS.format(
        ours=ours,
        tag=tag,
        recipient=recipient,
        original_type="message/rfc822" if whole_message else "text/rfc822-headers",
        original=original,
    )
    return text.replace("\n", "\r\n").encode()


async def test_a_bounce_marks_our_message_bounced_and_tells_plugins_which_one(
    client, runtime, dovecot, folder, engine_kind
):
    company, person = await huta(runtime)
    async with runtime.unit_of_work(SYSTEM) as uow:
        to_ewa = await queue_mail(uow, to="ewa@hutaszkla.pl", subject="Oferta", text="…", key="t:ewa")
        to_nobody = await queue_mail(uow, to="nikt@hutaszkla.pl", subject="Oferta", text="…", key="t:nikt")

    async def all_sent() -> list | None:
        rows = await OutgoingMail.select().order_by(OutgoingMail.id)
        return rows if all(r["status"] == "sent" for r in rows) else None

    rows = await wait_for(all_sent)
    ids = {r["id"]: r["message_id"] for r in rows}
    dovecot.append(
        [
            dsn(OUR_ADDRESS, "nikt@hutaszkla.pl", ids[to_nobody], "1", whole_message=False),
            dsn(OUR_ADDRESS, "ewa@hutaszkla.pl", ids[to_ewa], "2", whole_message=True),
        ],
        folder,
    )
    assert await poll_now(runtime) == 2
    statuses = {r["id"]: r["status"] for r in await OutgoingMail.select()}
    assert statuses == {to_ewa: "bounced", to_nobody: "bounced"}
    assert all(r["bounced_at"] for r in await OutgoingMail.select())
    events = await received_events()
    assert [(e["status"], e["bounce_of"], e["failed_recipients"], e["bounced_mail_ids"]) for e in events] == [
        ("bounce", [ids[to_nobody]], ["nikt@hutaszkla.pl"], [to_nobody]),
        ("bounce", [ids[to_ewa]], ["ewa@hutaszkla.pl"], [to_ewa]),
    ]
    # Not a client's message: no queue entry; the failed address's card shows the bounce.
    assert await IncomingMail.count().where(IncomingMail.status == "unmatched") == 0
    assert await IncomingMailAttachment.count() == 0  # the returned original is not kept as a file
    bounce_entries = [e for e in await email_entries() if e[2] == "Undelivered Mail Returned to Sender"]
    assert bounce_entries == [(company, None, bounce_entries[0][2]), (company, person, bounce_entries[0][2])]


def test_a_malformed_mailbox_setting_stops_start_up_naming_the_key_and_hiding_the_password():
    bad = {
        "inbox=imap://crm:hunter2@": "needs a user name, a password and a host",
        "inbox=pop3://crm:hunter2@mail.kartoteka.pl/INBOX": "imap:// or imaps://",
        "Skrzynka=imap://crm:hunter2@mail.kartoteka.pl": "expected name=",
        "inbox=imap://crm:hunter2@mail.kartoteka.pl:99999/INBOX": "not a valid URL",
        "a=imap://crm:hunter2@h/INBOX;a=imaps://crm:hunter2@h/INBOX": "named twice",
    }
    for value, expected in bad.items():
        with pytest.raises(ConfigError) as caught:
            load_settings(environ={"KARTOTEKA_IMAP_MAILBOXES": value})
        assert "KARTOTEKA_IMAP_MAILBOXES" in str(caught.value) and expected in str(caught.value), value
        assert "hunter2" not in str(caught.value)
    good = load_settings(
        environ={
            "KARTOTEKA_IMAP_MAILBOXES": "sales=imaps://sales%40kartoteka.pl:p%3Bw@mail.kartoteka.pl/Sprzeda%C5%BC; "
            "bounces=imap://zwroty:x@127.0.0.1:10143/INBOX?address=zwroty@kartoteka.pl"
        }
    )
    sales, bounces = good.imap_mailboxes
    assert (sales.tls, sales.port, sales.username, sales.password, sales.folder, sales.address) == (
        True,
        993,
        "sales@kartoteka.pl",
        "p;w",
        "Sprzedaż",
        "sales@kartoteka.pl",
    )
    assert (bounces.tls, bounces.port, bounces.address) == (False, 10143, "zwroty@kartoteka.pl")
    assert "p;w" not in repr(good) and "p;w" not in str(sales) and "p;w" not in str(good.safe_dict())


def test_a_refused_login_names_the_mailbox_and_never_the_password(dovecot, folder):
    from core.mail.imap import MailboxError, Session

    dovecot.append(mail("ewa@hutaszkla.pl", "x"), folder)
    url = dovecot.url(folder).replace("p%40ss", "zle-haslo-123")
    [mailbox] = load_settings(environ={"KARTOTEKA_IMAP_MAILBOXES": f"sales={url}"}).imap_mailboxes
    assert mailbox.password.startswith("zle-haslo-123")
    with pytest.raises(MailboxError) as refused:
        Session(mailbox)
    assert "mailbox sales at 127.0.0.1" in str(refused.value)
    assert "zle-haslo" not in str(refused.value) and "zle-haslo" not in repr(mailbox)
    missing = load_settings(environ={"KARTOTEKA_IMAP_MAILBOXES": f"sales={dovecot.url('Nie-Ma')}"}).imap_mailboxes[0]
    with pytest.raises(MailboxError, match="cannot open folder 'Nie-Ma'"):
        Session(missing)


async def test_raw_utf8_headers_reach_the_queue_and_the_timeline_intact(client, runtime, dovecot, folder):
    company, person = await huta(runtime)
    raw = (
        "From: Ewa Szklarska-Łęcka <ewa@hutaszkla.pl>\r\nTo: crm@kartoteka.pl\r\nSubject: Łódź: zamówienie\r\n"
        "Message-ID: <utf8.raw@hutaszkla.pl>\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nDzień dobry\r\n"
    ).encode()
    dovecot.append([raw], folder)
    assert await poll_now(runtime) == 1
    assert await email_entries() == [(company, person, "Łódź: zamówienie")]
    _, manager = await make_user(runtime, "szef@kartoteka.pl", roles=["administrator"])
    found = await as_user(
        client, manager, "{ incomingMail(first: 5) { edges { node { subject fromName fromAddress } } } }"
    )
    assert [e["node"] for e in found["data"]["incomingMail"]["edges"]] == [
        {"subject": "Łódź: zamówienie", "fromName": "Ewa Szklarska-Łęcka", "fromAddress": "ewa@hutaszkla.pl"}
    ]
