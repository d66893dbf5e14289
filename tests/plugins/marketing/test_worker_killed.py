"""The production shape under a crash: a 5,000-recipient campaign sent by `kartoteka worker`
processes over PostgreSQL and RabbitMQ, the worker killed with SIGKILL in the middle, restarted by
its supervisor. Every consenting recipient gets their message, nobody who unsubscribed before
their turn gets one, and no recipient gets two different messages."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import uuid
from collections import Counter
from pathlib import Path

import pytest

from core.auth import SYSTEM
from core.crm.tables import ContactPoint
from core.db.migrate import migrate
from core.runtime import Runtime
from core.settings import load_settings
from plugins.marketing.demo import generate_audience
from plugins.marketing.services import campaigns, links, responses, segments
from plugins.marketing.services.campaigns import MessageTemplate
from plugins.marketing.tables import Recipient
from tests.conftest import RABBITMQ_URL, SAMPLE_PLUGINS, wait_for, write_plugins
from tests.plugins.marketing.helpers import SmtpSink

pytestmark = [pytest.mark.rabbitmq, pytest.mark.slow, pytest.mark.postgres]
RECIPIENTS = 5_000
UNSUBSCRIBING = 50
THREADS = 2


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=120)


@pytest.fixture
def broker_url():
    vhost = f"kartoteka_test_{uuid.uuid4().hex[:10]}"
    rabbitmqctl("add_vhost", vhost)
    rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    yield RABBITMQ_URL.rsplit("/", 1)[0] + "/" + vhost
    rabbitmqctl("delete_vhost", vhost)


@pytest.fixture
def environment(tmp_path, fresh_postgres, broker_url, smtp) -> dict[str, str]:
    plugins = write_plugins(
        tmp_path / "plugins.toml",
        SAMPLE_PLUGINS + "[plugins.sales]\nenabled = true\n[plugins.marketing]\nenabled = true\n"
        "[plugins.marketing.config]\ntick_seconds = 1\n",
    )
    return {
        "KARTOTEKA_DATABASE_URL": fresh_postgres(),
        "KARTOTEKA_BROKER_URL": broker_url,
        "KARTOTEKA_PLUGINS_FILE": str(plugins),
        "KARTOTEKA_RELAY_INTERVAL": "0.1",
        "KARTOTEKA_REDELIVERY_AFTER": "3",
        "KARTOTEKA_SMTP_URL": smtp.url,
    }


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


async def test_a_worker_killed_mid_campaign_sends_each_message_once(environment, smtp, tmp_path):
    log = tmp_path / "worker.log"
    runtime = Runtime.boot(load_settings(environ=environment), role="web")
    await migrate(runtime)  # the template database has the sample plugin's tables only
    await runtime.start()
    supervisor = subprocess.Popen(
        [sys.executable, "-m", "core.cli", "worker", "--processes", "1", "--threads", str(THREADS)],
        env={k: v for k, v in os.environ.items() if not k.startswith("KARTOTEKA_")} | environment,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        await generate_audience(RECIPIENTS)
        segment = await segments.create_segment(runtime, SYSTEM, name="Wszyscy", description="", criteria={"all": []})
        campaign_id = await campaigns.create_campaign(
            runtime,
            SYSTEM,
            name="Duża",
            segment_id=segment,
            message=MessageTemplate("Dla {{ recipient.first_name }}", "Dzień dobry {{ recipient.first_name }}"),
            rate_per_minute=1_000_000,
        )
        await campaigns.schedule(runtime, SYSTEM, campaign_id, at=None, rate_per_minute=None)
        await wait_for(lambda: _sent_at_least(smtp, 800), timeout=240)

        # Those whose turn has not come yet unsubscribe, by the link their message would carry.
        late = await (
            Recipient.select(Recipient.id, Recipient.person)
            .where(Recipient.campaign == campaign_id)
            .order_by(Recipient.id, ascending=False)
            .limit(UNSUBSCRIBING)
        )
        for row in late:
            token = links.make_token(runtime.for_plugin("marketing").signing_key("links"), links.RECIPIENT, row["id"])
            await responses.unsubscribe(runtime.for_plugin("marketing"), token)
        points = await ContactPoint.select(ContactPoint.value).where(
            ContactPoint.person.is_in([r["person"] for r in late])
        )
        unsubscribed = {point["value"] for point in points}
        assert len(unsubscribed) == UNSUBSCRIBING

        worker_pid = await wait_for(lambda: _worker_pid(log), timeout=30)
        assert worker_pid in children_of(supervisor.pid)
        os.kill(worker_pid, signal.SIGKILL)
        killed_at = len(smtp.messages)
        assert killed_at < RECIPIENTS - UNSUBSCRIBING, "the campaign ended before the worker was killed"
        await wait_for(lambda: _restarted(log, worker_pid), timeout=60)

        expected = RECIPIENTS - UNSUBSCRIBING
        await wait_for(lambda: _sent_at_least(smtp, expected), timeout=600, interval=0.5)
        await asyncio.sleep(5)  # anything sent twice would arrive now
    finally:
        supervisor.send_signal(signal.SIGTERM)
        try:
            supervisor.wait(timeout=60)
        except subprocess.TimeoutExpired:
            supervisor.kill()
        await runtime.stop()

    per_address = Counter(m["To"] for m in smtp.messages)
    message_ids: dict[str, set[str]] = {}
    for message in smtp.messages:
        message_ids.setdefault(message["To"], set()).add(message["Message-ID"])
    assert not unsubscribed & set(per_address), "someone who unsubscribed got the message"
    assert len(per_address) == expected, "not every consenting recipient got the message"
    assert all(len(ids) == 1 for ids in message_ids.values()), "a recipient got two different messages"
    # A message the SMTP server accepted in the instant before the killed worker could record it
    # is sent again with the same Message-ID (mail clients show one); at most one per thread.
    copies = sum(per_address.values()) - len(per_address)
    print(f"killed after {killed_at} messages; re-sent copies: {copies}")
    assert copies <= THREADS


async def _sent_at_least(smtp: SmtpSink, count: int) -> bool:
    return len(smtp.messages) >= count


async def _worker_pid(log: Path) -> int | None:
    """The pid of the worker process the supervisor started last (it logs each start)."""
    started = re.findall(r"started worker 0 \(pid (\d+)\)", log.read_text())
    return int(started[-1]) if started else None


async def _restarted(log: Path, old: int) -> bool:
    return await _worker_pid(log) not in (None, old)
