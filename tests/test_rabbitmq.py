"""The production shape: PostgreSQL + RabbitMQ, the app writing the outbox and separate
`kartoteka worker` processes relaying it and running subscribers — with workers killed and
RabbitMQ restarted under load."""

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from core.access.tables import Notification
from core.auth import SYSTEM
from core.crm.tasks import send_due_reminders
from core.db.tables import Delivery, OutboxMessage, OutgoingMail
from core.jobs import relay
from core.jobs.context import JobContext
from core.runtime import Runtime
from core.settings import load_settings
from kartoteka_sample.tables import SampleRun
from tests.conftest import RABBITMQ_URL, as_user, gql, make_user, serve_app, slow_sample_plugins, wait_for

pytestmark = [pytest.mark.rabbitmq, pytest.mark.slow]
CREATE = "mutation($text: String!) { sampleNoteCreate(input: {text: $text}) { note { id } userErrors { code } } }"


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=120)


@pytest.fixture
def broker_url():
    """A virtual host of its own, so no message of another test (or run) can reach this one."""
    vhost = f"kartoteka_test_{uuid.uuid4().hex[:10]}"
    rabbitmqctl("add_vhost", vhost)
    rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    yield RABBITMQ_URL.rsplit("/", 1)[0] + "/" + vhost
    rabbitmqctl("delete_vhost", vhost)


@pytest.fixture
def production(tmp_path, fresh_postgres, broker_url):
    plugins = slow_sample_plugins(tmp_path, slow_seconds=4)
    env = {
        "KARTOTEKA_DATABASE_URL": fresh_postgres(),
        "KARTOTEKA_BROKER_URL": broker_url,
        "KARTOTEKA_PLUGINS_FILE": str(plugins),
        "KARTOTEKA_RELAY_INTERVAL": "0.1",
        "KARTOTEKA_REDELIVERY_AFTER": "2",
    }
    return env


class WorkerProcess:
    def __init__(self, env: dict[str, str], log: Path):
        environment = {k: v for k, v in os.environ.items() if not k.startswith("KARTOTEKA_")} | env
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "core.cli", "worker", "--processes", "1", "--threads", "2"],
            env=environment,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def start_worker(production, tmp_path):
    started: list[WorkerProcess] = []

    def start() -> WorkerProcess:
        worker = WorkerProcess(production, tmp_path / f"worker-{len(started)}.log")
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
    for worker in started:
        print(worker.log.read_text())  # shown by pytest only when the test failed


def app_runtime(env: dict[str, str]) -> Runtime:
    return Runtime.boot(load_settings(environ=env), role="web")


async def create(client, text):
    result = await gql(client, CREATE, {"text": text})
    assert result["data"]["sampleNoteCreate"]["userErrors"] == [], result
    return result


async def all_done(count):
    rows = await Delivery.select(Delivery.status)
    return len(rows) == count and all(row["status"] == "done" for row in rows)


def test_rabbitmq_broker_publishes_with_confirms(production):
    broker = app_runtime(production).dispatcher.broker
    assert broker.confirm_delivery is True
    broker.close()


async def test_worker_processes_run_subscribers_from_rabbitmq(production, start_worker):
    runtime = app_runtime(production)
    start_worker()
    async with serve_app(runtime) as client:  # the app itself runs no jobs with RabbitMQ
        for number in range(10):
            await create(client, f"note {number}")
        runs = await wait_for(lambda: _runs(10), timeout=60)
    assert len({run["note_id"] for run in runs}) == 10
    assert os.getpid() not in {run["worker_pid"] for run in runs}
    assert await all_done(10)


async def test_worker_killed_mid_subscriber_completes_it_once_after_restart(production, start_worker, tmp_path):
    runtime = app_runtime(production)
    start_worker()
    async with serve_app(runtime) as client:
        await create(client, "slow note")
        marker = tmp_path / "started-1"
        await wait_for(lambda: _exists(marker), timeout=60)
        killed_pid = int(marker.read_text())
        os.kill(killed_pid, signal.SIGKILL)
        # The supervisor starts a new process; RabbitMQ hands it the unacknowledged message.
        await wait_for(lambda: _pid_changed(marker, killed_pid), timeout=60)
        [run] = await wait_for(lambda: _runs(1), timeout=60)
        await asyncio.sleep(1)
        assert await SampleRun.count() == 1
        assert run["worker_pid"] not in (killed_pid, os.getpid())
        [delivery] = await Delivery.select()
        assert (delivery["status"], delivery["attempts"]) == ("done", 1)


async def test_rabbitmq_restart_loses_nothing(production, start_worker):
    runtime = app_runtime(production)
    async with serve_app(runtime) as client:
        # 1. Messages waiting in RabbitMQ (no worker yet) survive a broker restart.
        for number in range(5):
            await create(client, f"queued {number}")
        assert await relay.relay_once(runtime) == 5
        rabbitmqctl("stop_app")
        rabbitmqctl("start_app")
        rabbitmqctl("await_startup")
        start_worker()
        await wait_for(lambda: _runs(5), timeout=60)
        # 2. Events committed while RabbitMQ is down are relayed once it is back.
        rabbitmqctl("stop_app")
        try:
            for number in range(5):
                await create(client, f"while down {number}")
            await asyncio.sleep(1.5)  # the worker's relay tries, fails and keeps the rows
        finally:
            rabbitmqctl("start_app")
            rabbitmqctl("await_startup")
        await wait_for(lambda: _runs(10), timeout=90)
        await asyncio.sleep(1)
        assert await SampleRun.count() == 10
        assert await all_done(10)
        assert await OutboxMessage.count().where(OutboxMessage.dispatched_at.is_null()) == 0


async def test_a_reminder_reaches_the_assignee_through_rabbitmq_once(production, start_worker, tmp_path):
    """The reminder's event, the notification subscriber and the mail job all run on a worker."""
    mail_dir = tmp_path / "mail"
    production["KARTOTEKA_MAIL_DIR"] = str(mail_dir)
    runtime = app_runtime(production)
    start_worker()
    async with serve_app(runtime) as client:
        user_id, token = await make_user(runtime, "rep@firma.pl", roles=["sales_rep"])
        due = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
        made = await as_user(
            client,
            token,
            "mutation($i: TaskInput!) { taskCreate(input: $i) { userErrors { code } } }",
            {"i": {"title": "Zadzwoń do Huty", "dueAt": due, "remindMinutesBefore": 10}},
        )
        assert made["data"]["taskCreate"]["userErrors"] == []
        async with runtime.unit_of_work(SYSTEM) as uow:  # what the scheduled job does
            await send_due_reminders(JobContext(runtime=runtime, uow=uow, actor=SYSTEM))
        await wait_for(lambda: _exists_any(mail_dir), timeout=60)
        await asyncio.sleep(1)
        [note] = await Notification.select().where(Notification.recipient == user_id)
        assert note["title"] == "Przypomnienie: Zadzwoń do Huty" and note["mail"] is not None
        [mail] = list(mail_dir.glob("*.eml"))  # once
        assert "rep@firma.pl" in mail.read_text()
        assert (await OutgoingMail.select(OutgoingMail.status).first())["status"] == "sent"
        inbox = await as_user(client, token, "{ unreadNotificationCount }")
        assert inbox["data"]["unreadNotificationCount"] == 1


async def _exists_any(folder: Path) -> bool:
    return folder.exists() and any(folder.glob("*.eml"))


async def _runs(count):
    rows = await SampleRun.select()
    return rows if len(rows) >= count else None


async def _exists(path: Path) -> bool:
    return path.exists()


async def _pid_changed(path: Path, old_pid: int) -> bool:
    return path.read_text() != str(old_pid)
