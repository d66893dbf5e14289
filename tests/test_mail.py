"""Queued e-mail: sent once through a real SMTP server on loopback, whatever the retries, and logged
on the timelines of the clients it went to."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

import pytest

from core.auth import SYSTEM
from core.crm import services as crm
from core.crm.tables import TimelineEntry
from core.db.tables import OutgoingMail
from core.jobs.context import JobContext
from core.mail.outgoing import queue_mail, send_queued_mail
from core.settings import Settings, load_settings
from core.testing import SmtpSink, running_smtp
from tests.conftest import wait_for


class Server(SmtpSink):
    """An SMTP server keeping what it accepts; refuses recipients at ``refused.example``."""

    policy = email.policy.compat32
    refuse_domains = ("refused.example",)


@pytest.fixture
def smtp() -> Server:
    with running_smtp(Server()) as server:
        yield server


@pytest.fixture
def settings(database_url: str, plugins_file: Path, smtp: Server) -> Settings:
    return load_settings(
        environ={}, database_url=database_url, plugins_file=plugins_file, relay_interval=0.05, smtp_url=smtp.url
    )


async def _send(runtime, mail_id: int) -> None:
    async with runtime.unit_of_work(SYSTEM) as uow:
        await send_queued_mail(JobContext(runtime=runtime, uow=uow, actor=SYSTEM), mail_id)


async def test_a_queued_message_is_sent_once_and_logged_on_the_clients_timelines(client, runtime, smtp, engine_kind):
    company = await crm.create_company(
        runtime, SYSTEM, {"name": "Huta Szkła"}, crm.Related(emails=[crm.ContactInput("biuro@hutaszkla.pl")])
    )
    person = await crm.create_person(
        runtime,
        SYSTEM,
        {"first_name": "Ewa", "last_name": "Szklarska"},
        crm.Related(emails=[crm.ContactInput("ewa@hutaszkla.pl")], employments=[crm.EmploymentInput(company)]),
    )
    async with runtime.unit_of_work(SYSTEM) as uow:
        first = await queue_mail(
            uow,
            to="Ewa@HutaSzkla.pl",
            subject="Oferta",
            text="Dzień dobry",
            html="<p>Dzień dobry</p>",
            key="test:1",
            headers={"List-Unsubscribe": "<https://crm.example/u/1>"},
        )
        again = await queue_mail(uow, to="ewa@hutaszkla.pl", subject="Oferta", text="Dzień dobry", key="test:1")
        stranger = await queue_mail(uow, to="nowy@hutaszkla.pl", subject="Cennik", text="W załączeniu", key="test:2")
        private = await queue_mail(uow, to="ktos@gmail.com", subject="Cennik", text="W załączeniu", key="test:3")
    assert first == again  # the same key queues nothing more

    async def all_sent() -> bool:
        return len(smtp.messages) == 3

    await wait_for(all_sent)  # the in-process worker ran the three jobs
    for mail_id in (first, stranger, private):
        await _send(runtime, mail_id)  # a re-delivered job finds the message sent
    assert len(smtp.messages) == 3
    sent = {m["To"]: m for m in smtp.messages}
    ewa = sent["ewa@hutaszkla.pl"]
    assert ewa["Subject"] == "Oferta" and ewa["List-Unsubscribe"] == "<https://crm.example/u/1>"
    assert ewa.is_multipart() and {p.get_content_type() for p in ewa.walk()} >= {"text/plain", "text/html"}
    rows = await OutgoingMail.select().order_by(OutgoingMail.id)
    assert [(r["status"], r["attempts"]) for r in rows] == [("sent", 1)] * 3
    assert ewa["Message-ID"] == rows[0]["message_id"]
    entries = await TimelineEntry.select(TimelineEntry.company, TimelineEntry.person, TimelineEntry.subject).where(
        TimelineEntry.kind == "core.email"
    )
    assert sorted(((e["company"], e["person"], e["subject"]) for e in entries), key=lambda e: e[2]) == [
        (company, None, "Cennik"),  # someone new at a known client's domain: the client's timeline
        (company, person, "Oferta"),  # a known person: theirs and their company's
    ]  # a free-mail stranger: nobody's


async def test_a_refused_recipient_fails_the_message_without_retrying(client, runtime, smtp, engine_kind):
    async with runtime.unit_of_work(SYSTEM) as uow:
        mail_id = await queue_mail(uow, to="nikt@refused.example", subject="Oferta", text="…", key="test:refused")

    async def failed() -> bool:
        row = await OutgoingMail.select(OutgoingMail.status).where(OutgoingMail.id == mail_id).first()
        return row["status"] == "failed"

    await wait_for(failed)
    row = await OutgoingMail.select().where(OutgoingMail.id == mail_id).first()
    assert row["attempts"] == 1 and "550" in row["last_error"]
    assert smtp.messages == []
