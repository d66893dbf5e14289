"""Sending rules without the web layer: consent and unsubscribes at the moment of sending, pause,
cancel, the rate limit, and occasion greetings once per person and occasion."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from core.auth import SYSTEM
from core.crm.gdpr import withdraw_consent
from core.crm.tables import TimelineEntry
from core.db.migrate import migrate
from core.db.tables import OutgoingMail
from core.jobs.context import JobContext
from core.mail.outgoing import send_queued_mail
from core.runtime import Runtime
from core.settings import Settings, load_settings
from plugins.marketing.services import campaigns, links, occasions, responses, segments
from plugins.marketing.services.campaigns import MessageTemplate
from plugins.marketing.tables import Campaign, OccasionSend, Recipient
from tests.conftest import smtp_server
from tests.plugins.marketing.helpers import SmtpSink, person, text_of

MESSAGE = MessageTemplate("Oferta dla {{ recipient.first_name }}", "Dzień dobry {{ recipient.full_name }}")


@pytest.fixture
def settings(database_url: str, plugins_file: Path, smtp: SmtpSink) -> Settings:
    return load_settings(environ={}, database_url=database_url, plugins_file=plugins_file, smtp_url=smtp.url)


async def _campaign(runtime, rate: int = 600) -> int:
    segment = await segments.create_segment(runtime, SYSTEM, name="Wszyscy", description="", criteria={"all": []})
    campaign_id = await campaigns.create_campaign(
        runtime, SYSTEM, name="Test", segment_id=segment, message=MESSAGE, rate_per_minute=rate
    )
    await campaigns.schedule(runtime, SYSTEM, campaign_id, at=None, rate_per_minute=None)
    return campaign_id


async def _start_and_queue(runtime, campaign_id: int, after: timedelta = timedelta(seconds=60)) -> int:
    now = datetime.now(UTC)
    async with runtime.unit_of_work(SYSTEM) as uow:
        await campaigns.start_due(runtime, uow, now)
    async with runtime.unit_of_work(SYSTEM) as uow:
        return await campaigns.send_batch(runtime.for_plugin("marketing"), uow, campaign_id, now + after)


async def _deliver_all(runtime) -> None:
    for row in await OutgoingMail.select(OutgoingMail.id):
        async with runtime.unit_of_work(SYSTEM) as uow:
            await send_queued_mail(JobContext(runtime=runtime, uow=uow, actor=SYSTEM), row["id"])


async def _recipient(person_id: int) -> dict:
    return await Recipient.select().where(Recipient.person == person_id).first()


async def test_an_unsubscribe_stops_the_message_already_queued(runtime, smtp):
    anna = await person(runtime, "Anna", "Nowak", "anna@example.pl")
    bartek = await person(runtime, "Bartek", "Zieliński", "bartek@example.pl")
    campaign_id = await _campaign(runtime)
    assert await _start_and_queue(runtime, campaign_id) == 2
    assert (await _recipient(anna))["status"] == "queued"

    token = links.make_token(
        runtime.for_plugin("marketing").signing_key("links"), links.RECIPIENT, (await _recipient(anna))["id"]
    )
    result = await responses.unsubscribe(runtime.for_plugin("marketing"), token)
    assert (result.person_id, result.purpose, result.already) == (anna, "marketing", False)
    await _deliver_all(runtime)

    assert [m["To"] for m in smtp.messages] == ["bartek@example.pl"]
    assert "Dzień dobry Bartek Zieliński" in text_of(smtp.messages[0])
    assert (await _recipient(anna))["status"] == "cancelled"
    assert (await _recipient(bartek))["status"] == "queued"
    again = await responses.unsubscribe(runtime.for_plugin("marketing"), token)
    assert again.already


async def test_consent_withdrawn_by_staff_before_queuing_skips_the_person(runtime, smtp):
    anna = await person(runtime, "Anna", "Nowak", "anna@example.pl")
    await person(runtime, "Bartek", "Zieliński", "bartek@example.pl")
    campaign_id = await _campaign(runtime)
    async with runtime.unit_of_work(SYSTEM) as uow:
        await campaigns.start_due(runtime, uow, datetime.now(UTC))
    # Consent checked when the message is queued, not when the campaign was planned.
    await withdraw_consent(runtime, SYSTEM, anna, "marketing", "any")
    async with runtime.unit_of_work(SYSTEM) as uow:
        await campaigns.send_batch(
            runtime.for_plugin("marketing"), uow, campaign_id, datetime.now(UTC) + timedelta(minutes=1)
        )
    await _deliver_all(runtime)
    assert [m["To"] for m in smtp.messages] == ["bartek@example.pl"]
    assert (await _recipient(anna))["skip_reason"] == "no_consent"


async def test_pause_resume_and_cancel(runtime, smtp):
    people = [await person(runtime, f"Osoba{i}", "Testowa", f"o{i}@example.pl") for i in range(12)]
    campaign_id = await _campaign(runtime, rate=60)  # one a second
    now = datetime.now(UTC)
    async with runtime.unit_of_work(SYSTEM) as uow:
        await campaigns.start_due(runtime, uow, now)
    async with runtime.unit_of_work(SYSTEM) as uow:
        # The start's 5 s of credit and 1 s more: one a second allows 6 of the 12.
        assert (
            await campaigns.send_batch(runtime.for_plugin("marketing"), uow, campaign_id, now + timedelta(seconds=1))
            == 6
        )
    await campaigns.pause(runtime, SYSTEM, campaign_id)
    async with runtime.unit_of_work(SYSTEM) as uow:
        assert (
            await campaigns.send_batch(runtime.for_plugin("marketing"), uow, campaign_id, now + timedelta(minutes=5))
            == 0
        )
    await campaigns.resume(runtime, SYSTEM, campaign_id)
    assert (await Campaign.select(Campaign.status).where(Campaign.id == campaign_id).first())["status"] == "sending"
    await campaigns.cancel(runtime, SYSTEM, campaign_id)
    await _deliver_all(runtime)
    statuses = sorted([(await _recipient(p))["status"] for p in people])
    assert statuses == ["cancelled"] * 12
    assert smtp.messages == []


async def test_the_rate_limits_each_batch(runtime, smtp):
    for i in range(30):
        await person(runtime, f"Osoba{i}", "Testowa", f"o{i}@example.pl")
    campaign_id = await _campaign(runtime, rate=120)  # two a second
    now = datetime.now(UTC)
    async with runtime.unit_of_work(SYSTEM) as uow:
        await campaigns.start_due(runtime, uow, now)
    taken = []
    for seconds in (1, 3, 13):
        async with runtime.unit_of_work(SYSTEM) as uow:
            taken.append(
                await campaigns.send_batch(
                    runtime.for_plugin("marketing"), uow, campaign_id, now + timedelta(seconds=seconds)
                )
            )
    # start credits 5 s (10) + 1 s (2) = 12; then 2 s (4); then 10 s (20, of which 14 remain).
    assert taken == [12, 4, 14]


def test_holidays_are_computed_for_any_year():
    assert occasions.holiday_date("easter", 2027) == date(2027, 3, 28)
    assert occasions.holiday_date("corpus_christi", 2027) == date(2027, 5, 27)
    assert occasions.holiday_date("christmas_eve", 2026) == date(2026, 12, 24)
    assert occasions.holiday_date("christmas_eve", 2024) is None  # a public holiday only since 2025


async def test_birthday_and_holiday_greetings_go_once(runtime, smtp):
    today = occasions.local_today()
    await person(runtime, "Jubilat", "Kowalski", "jubilat@example.pl", birthday=today.replace(year=1980))
    await person(runtime, "Inny", "Dzień", "inny@example.pl", birthday=(today + timedelta(days=3)).replace(year=1980))
    await person(runtime, "Bez", "Zgody", "bez@example.pl", birthday=today.replace(year=1985), consent=False)
    await occasions.create_occasion(
        runtime,
        SYSTEM,
        name="Urodziny",
        kind="birthday",
        holiday="",
        segment_id=None,
        message=MessageTemplate("Wszystkiego najlepszego, {{ recipient.first_name }}!", "Sto lat!"),
    )
    easter = occasions.holiday_date("easter", today.year + 1)
    await occasions.create_occasion(
        runtime,
        SYSTEM,
        name="Wielkanoc",
        kind="holiday",
        holiday="easter",
        segment_id=None,
        message=MessageTemplate("Wesołych Świąt", "Zdrowych i spokojnych Świąt Wielkanocnych"),
        days_before=2,
    )
    for _ in range(2):  # the job runs hourly: a second run the same day sends nothing more
        async with runtime.unit_of_work(SYSTEM) as uow:
            await occasions.greet_all(runtime.for_plugin("marketing"), uow, today)
    async with runtime.unit_of_work(SYSTEM) as uow:
        await occasions.greet_all(runtime.for_plugin("marketing"), uow, easter - timedelta(days=2))
    await _deliver_all(runtime)
    subjects = sorted((m["To"], m["Subject"]) for m in smtp.messages)
    assert subjects == [
        ("inny@example.pl", "Wesołych Świąt"),
        ("jubilat@example.pl", "Wesołych Świąt"),
        ("jubilat@example.pl", "Wszystkiego najlepszego, Jubilat!"),
    ]
    assert all(m["List-Unsubscribe"] for m in smtp.messages)
    assert await OccasionSend.count() == 3


async def test_replies_and_bounces_from_the_mailbox_count_in_the_results(runtime, smtp):
    from core.api import EmailReceived
    from plugins.marketing.tables import Suppression

    anna = await person(runtime, "Anna", "Nowak", "anna@example.pl")
    bartek = await person(runtime, "Bartek", "Zieliński", "bartek@nowhere.example")
    campaign_id = await _campaign(runtime)
    await _start_and_queue(runtime, campaign_id)
    await _deliver_all(runtime)
    anna_mail, bartek_mail = (await _recipient(anna))["mail_id"], (await _recipient(bartek))["mail_id"]

    def received(**fields) -> EmailReceived:
        values = {
            "incoming_mail_id": 1,
            "mailbox": "inbox",
            "message_id": "<x@example>",
            "in_reply_to": "",
            "references": [],
            "thread_key": "<x@example>",
            "from_address": "anna@example.pl",
            "status": "logged",
            "company_ids": [],
            "person_ids": [anna],
            "replied_mail_ids": [],
            "bounce_of": [],
            "failed_recipients": [],
            "bounced_mail_ids": [],
        }
        return EmailReceived(**(values | fields))

    for event in (
        received(replied_mail_ids=[anna_mail]),
        received(status="bounce", bounced_mail_ids=[bartek_mail], failed_recipients=["bartek@nowhere.example"]),
        received(status="bounce", bounced_mail_ids=[bartek_mail], failed_recipients=["bartek@nowhere.example"]),
    ):
        async with runtime.unit_of_work(SYSTEM) as uow:
            await responses.mail_response(event, JobContext(runtime=runtime, uow=uow, actor=SYSTEM, owner="marketing"))
    stats = await responses.campaign_stats(runtime, SYSTEM, campaign_id)
    assert (stats.replied, stats.bounced, stats.delivered) == (1, 1, 1)
    assert [row["email"] for row in await Suppression.select(Suppression.email)] == ["bartek@nowhere.example"]


class _StalledSmtp(SmtpSink):
    """Holds each message in the SMTP conversation until the test lets it through."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope) -> str:
        self.arrived.set()
        self.release.wait(timeout=30)  # blocks the server's own thread only
        return await super().handle_DATA(server, session, envelope)


async def _waiting_for_a_lock(database_url: str) -> bool:
    connection = await asyncpg.connect(database_url)
    try:
        return await connection.fetchval("SELECT count(*) FROM pg_locks WHERE NOT granted") > 0
    finally:
        await connection.close()


@pytest.mark.parametrize("engine_kind", ["postgres"])
async def test_an_unsubscribe_while_the_message_is_being_sent_leaves_it_sent_and_logged(
    database_url, plugins_file, tmp_path
):
    """The sending job holds the mail row while it talks to SMTP, then logs on the person's
    timeline; an unsubscribe at that moment locks the person, then waits for the mail row. The
    person's lock must not keep the timeline insert waiting, or the two deadlock."""
    stalled = _StalledSmtp()
    with smtp_server(stalled) as url:
        settings = load_settings(environ={}, database_url=database_url, plugins_file=plugins_file, smtp_url=url)
        runtime = Runtime.boot(settings, role="web")
        await migrate(runtime)
        await runtime.start()
        try:
            anna = await person(runtime, "Anna", "Nowak", "anna@example.pl")
            campaign_id = await _campaign(runtime)
            assert await _start_and_queue(runtime, campaign_id) == 1
            [mail] = await OutgoingMail.select(OutgoingMail.id)

            async def send() -> None:
                async with runtime.unit_of_work(SYSTEM) as uow:
                    await send_queued_mail(JobContext(runtime=runtime, uow=uow, actor=SYSTEM), mail["id"])

            sending = asyncio.create_task(send())
            assert await asyncio.to_thread(stalled.arrived.wait, 10)
            token = links.make_token(
                runtime.for_plugin("marketing").signing_key("links"), links.RECIPIENT, (await _recipient(anna))["id"]
            )
            unsubscribing = asyncio.create_task(responses.unsubscribe(runtime.for_plugin("marketing"), token))
            for _ in range(200):  # until the unsubscribe waits for the mail row the job holds
                if await _waiting_for_a_lock(database_url):
                    break
                await asyncio.sleep(0.05)
            else:
                pytest.fail("the unsubscribe never waited for the sending job")
            stalled.release.set()
            await asyncio.wait_for(asyncio.gather(sending, unsubscribing), timeout=30)

            sent = await OutgoingMail.select(OutgoingMail.status).where(OutgoingMail.id == mail["id"]).first()
            assert sent["status"] == "sent"
            assert [m["To"] for m in stalled.messages] == ["anna@example.pl"]
            entries = await TimelineEntry.select(TimelineEntry.kind).where(TimelineEntry.person == anna)
            assert {"core.email", "marketing.unsubscribed"} <= {row["kind"] for row in entries}
        finally:
            stalled.release.set()
            await runtime.stop()
