"""Concurrent deliveries on PostgreSQL: a campaign to 300 people of six companies, sent by a
`kartoteka worker` with eight threads over RabbitMQ while some recipients unsubscribe. Every
sending job logs on the timelines of a person and their company, and an unsubscribe locks the
person and cancels their queued mail; no delivery may need a second attempt (a deadlock, a
serialisation failure), and each message ends either sent or cancelled, never both."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import pytest

from core.auth import SYSTEM
from core.crm.tables import Company, Employment, TimelineEntry
from core.db.migrate import migrate
from core.db.tables import Delivery, OutgoingMail
from core.runtime import Runtime
from core.settings import load_settings
from core.testing import running_smtp
from plugins.marketing.demo import generate_audience
from plugins.marketing.services import campaigns, links, responses, segments
from plugins.marketing.services.campaigns import MessageTemplate
from plugins.marketing.tables import Recipient

# The fixtures of the crash test: a private RabbitMQ vhost and the worker's settings.
from tests.conftest import wait_for
from tests.plugins.marketing.helpers import SmtpSink
from tests.plugins.marketing.test_worker_killed import broker_url, environment  # noqa: F401

pytestmark = [pytest.mark.rabbitmq, pytest.mark.slow, pytest.mark.postgres]
COMPANIES = 6
PEOPLE_PER_COMPANY = 50
THREADS = 8


class SlowSmtp(SmtpSink):
    """A server that takes a while over each message, as real ones do, so that sending jobs
    hold their mail rows long enough for unsubscribes to meet them."""

    async def handle_DATA(self, server, session, envelope) -> str:
        await asyncio.sleep(0.03)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def smtp() -> SlowSmtp:
    with running_smtp(SlowSmtp()) as sink:
        yield sink


async def test_concurrent_sends_and_unsubscribes_never_deadlock(environment, smtp, tmp_path):  # noqa: F811
    runtime = Runtime.boot(load_settings(environ=environment), role="web")
    await migrate(runtime)
    await runtime.start()
    log = tmp_path / "worker.log"
    worker = None
    try:
        people = await generate_audience(COMPANIES * PEOPLE_PER_COMPANY)
        companies = await Company.insert(
            *[Company(name=f"Firma {n}", sort_name=f"firma {n}") for n in range(COMPANIES)]
        ).returning(Company.id)
        await Employment.insert(
            *[
                Employment(person=p, company=companies[i % COMPANIES]["id"], is_primary=True)
                for i, p in enumerate(people)
            ]
        )
        segment = await segments.create_segment(runtime, SYSTEM, name="Wszyscy", description="", criteria={"all": []})
        campaign_id = await campaigns.create_campaign(
            runtime,
            SYSTEM,
            name="Równoległa",
            segment_id=segment,
            message=MessageTemplate("Dla {{ recipient.first_name }}", "Dzień dobry {{ recipient.first_name }}"),
            rate_per_minute=1_000_000,
        )
        await campaigns.schedule(runtime, SYSTEM, campaign_id, at=None, rate_per_minute=None)
        worker = subprocess.Popen(
            [sys.executable, "-m", "core.cli", "worker", "--processes", "1", "--threads", str(THREADS)],
            env={k: v for k, v in os.environ.items() if not k.startswith("KARTOTEKA_")} | environment,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        started = time.monotonic()
        await wait_for(lambda: _sent_at_least(smtp, 10), timeout=120)

        # Every other recipient, in sending order, unsubscribes from four browsers at once while
        # the messages of their colleagues, and maybe their own, are being sent.
        recipients = (
            await Recipient.select(Recipient.id).where(Recipient.campaign == campaign_id).order_by(Recipient.id)
        )
        leaving = [row["id"] for row in recipients[::2]]

        async def unsubscribe_each(ids: list[int]) -> None:
            for recipient_id in ids:
                await responses.unsubscribe(
                    runtime.for_plugin("marketing"),
                    links.make_token(
                        runtime.for_plugin("marketing").signing_key("links"), links.RECIPIENT, recipient_id
                    ),
                )

        await asyncio.gather(*(unsubscribe_each(leaving[n::4]) for n in range(4)))
        await wait_for(lambda: _settled(), timeout=300, interval=0.25)
        elapsed = time.monotonic() - started
    finally:
        if worker is not None:
            worker.send_signal(signal.SIGTERM)
            try:
                worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                worker.kill()

    try:
        retried = await Delivery.select(Delivery.target, Delivery.attempts, Delivery.last_error).where(
            (Delivery.attempts > 1) | (Delivery.status == "dead")
        )
        assert retried == [], f"deliveries needed another attempt: {retried[:3]}"

        mails = await OutgoingMail.select(OutgoingMail.id, OutgoingMail.status, OutgoingMail.to_address)
        statuses = {m["status"] for m in mails}
        assert statuses <= {"sent", "cancelled"}, statuses
        sent = {m["to_address"] for m in mails if m["status"] == "sent"}
        cancelled = {m["to_address"] for m in mails if m["status"] == "cancelled"}
        received = [m["To"] for m in smtp.messages]
        assert sorted(received) == sorted(sent), "what the SMTP server got is not what is recorded as sent"
        assert len(sent) + len(cancelled) == COMPANIES * PEOPLE_PER_COMPANY
        # Each sent message is on the timelines of the person and of their company.
        logged = await TimelineEntry.count().where(
            (TimelineEntry.kind == "core.email") & TimelineEntry.company.is_not_null()
        )
        assert logged == len(sent)
        assert cancelled, "nobody unsubscribed before their message went: the test proves nothing"
        print(f"{len(sent)} sent, {len(cancelled)} cancelled in {elapsed:.1f} s with {THREADS} threads")
    finally:
        await runtime.stop()


async def _sent_at_least(smtp: SlowSmtp, count: int) -> bool:
    return len(smtp.messages) >= count


async def _settled() -> bool:
    """No message waits and no delivery of a job is pending."""
    waiting = await OutgoingMail.count().where(OutgoingMail.status == "queued")
    pending = await Delivery.count().where(Delivery.status == "pending")
    return waiting == 0 and pending == 0
