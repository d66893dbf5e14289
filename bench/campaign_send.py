"""Campaign throughput: a personalised campaign rendered and accepted by a local SMTP server,
against the raw rate of a minimal aiosmtplib loop sending pre-rendered messages to the same server.

1. An SMTP server (aiosmtpd's Sink handler, its own process) on a free loopback port.
2. **The limit**: ``--recipients`` messages rendered beforehand, sent one after another over one
   aiosmtplib connection; messages per minute.
3. **Kartoteka**: a fresh PostgreSQL database ``kartoteka_bench_marketing`` with every migration,
   ``--recipients`` persons with addresses and consent, a segment of all of them and a campaign
   with a personalised subject, text and HTML (tracked link, unsubscribe link and headers). The
   campaign is scheduled without a rate limit; ``kartoteka worker --processes N --threads T``
   over RabbitMQ start its batches, render each message, queue it and send it. The rate is the
   messages accepted by the server (``core_mail`` rows marked sent) per minute between the
   schedule and the last one sent.

Usage: ``.venv/bin/python bench/campaign_send.py [--recipients 20000] [--processes 2] [--threads 4]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import aiosmtplib
import asyncpg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from core.auth import SYSTEM  # noqa: E402
from core.db.migrate import migrate  # noqa: E402
from core.db.tables import OutgoingMail  # noqa: E402
from core.mail.outgoing import build_message  # noqa: E402
from core.runtime import Runtime  # noqa: E402
from core.settings import load_settings  # noqa: E402
from plugins.marketing import campaigns, segments  # noqa: E402
from plugins.marketing.demo import MESSAGE, generate_audience  # noqa: E402

POSTGRES = "postgresql://postgres@127.0.0.1:5432"
DATABASE = "kartoteka_bench_marketing"
RABBITMQ = "amqp://guest:guest@127.0.0.1:5672"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_smtp_server(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink", "-l", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return server
        time.sleep(0.1)
    raise RuntimeError("the SMTP server did not start")


async def raw_rate(settings, port: int, count: int) -> float:
    """Messages per minute of one aiosmtplib connection sending messages rendered beforehand."""
    messages = [
        build_message(settings, f"osoba{n}@example.pl", f"Osoba{n}, nowości", f"Dzień dobry Osoba{n},\n\noferta.")
        for n in range(count)
    ]
    client = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, start_tls=False)
    await client.connect()
    started = time.perf_counter()
    for message in messages:
        await client.send_message(message)
    elapsed = time.perf_counter() - started
    await client.quit()
    return count / elapsed * 60


async def admin(*statements: str) -> None:
    connection = await asyncpg.connect(f"{POSTGRES}/postgres")
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def rabbit(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=120)


async def campaign_rate(args, port: int, environment: dict[str, str]) -> tuple[float, int]:
    runtime = Runtime.boot(load_settings(environ=environment), role="cli")
    await migrate(runtime)
    await runtime.start()
    started = time.perf_counter()
    await generate_audience(args.recipients)
    print(f"  audience of {args.recipients} built in {time.perf_counter() - started:.1f} s")
    segment = await segments.create_segment(runtime, SYSTEM, name="Wszyscy", description="", criteria={"all": []})
    campaign_id = await campaigns.create_campaign(
        runtime, SYSTEM, name="Benchmark", segment_id=segment, message=MESSAGE, rate_per_minute=1_000_000
    )
    log = ROOT / "bench" / "results" / "campaign_worker.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "core.cli",
            "worker",
            "--processes",
            str(args.processes),
            "--threads",
            str(args.threads),
        ],
        env={k: v for k, v in os.environ.items() if not k.startswith("KARTOTEKA_")} | environment,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        await asyncio.sleep(3)  # the workers connect
        scheduled_at = datetime.now(UTC)
        await campaigns.schedule(runtime, SYSTEM, campaign_id, at=None, rate_per_minute=None)
        last_report = 0.0
        while True:
            sent = await OutgoingMail.count().where(OutgoingMail.status == "sent")
            if time.perf_counter() - last_report > 10:
                print(f"  {sent} sent")
                last_report = time.perf_counter()
            if sent >= args.recipients:
                break
            await asyncio.sleep(0.5)
        last = await OutgoingMail.select(OutgoingMail.sent_at).order_by(OutgoingMail.sent_at, ascending=False).first()
        elapsed = (last["sent_at"] - scheduled_at).total_seconds()
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=120)
        await runtime.stop()
    return args.recipients / elapsed * 60, sent


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=20_000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    port = free_port()
    server = start_smtp_server(port)
    vhost = f"kartoteka_bench_{uuid.uuid4().hex[:8]}"
    try:
        settings = load_settings(environ={})
        raw = await raw_rate(settings, port, args.recipients)
        print(f"raw aiosmtplib loop, pre-rendered: {raw:,.0f} messages/min")
        await admin(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)', f'CREATE DATABASE "{DATABASE}"')
        rabbit("add_vhost", vhost)
        rabbit("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
        environment = {
            "KARTOTEKA_DATABASE_URL": f"{POSTGRES}/{DATABASE}",
            "KARTOTEKA_BROKER_URL": f"{RABBITMQ}/{vhost}",
            "KARTOTEKA_PLUGINS_FILE": str(ROOT / "plugins.toml"),
            "KARTOTEKA_SMTP_URL": f"smtp://127.0.0.1:{port}",
            "KARTOTEKA_RELAY_INTERVAL": "0.1",
            "KARTOTEKA_LOG_LEVEL": "WARNING",
        }
        rate, sent = await campaign_rate(args, port, environment)
        print(
            f"campaign, {args.processes} worker processes x {args.threads} threads: {rate:,.0f} messages/min "
            f"({sent} sent) — {rate / raw:.1%} of the raw loop"
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        subprocess.run(["rabbitmqctl", "delete_vhost", vhost], capture_output=True, timeout=120)


if __name__ == "__main__":
    asyncio.run(main())
