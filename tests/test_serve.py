"""`kartoteka serve` as an operator runs it: a real server process on loopback, embedded shape
(SQLite file, in-memory broker, jobs in-process) — and killed in the middle of a job."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import STAFF, slow_sample_plugins

pytestmark = pytest.mark.slow
CREATE = "mutation($text: String!) { sampleNoteCreate(input: {text: $text}) { note { id } userErrors { code } } }"
RUNS = "{ sampleNotes { edges { node { text runs } } } }"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_healthy(process: subprocess.Popen, url: str, log: Path, seconds: float = 60) -> None:
    """Until ``url``/healthz answers 200; fails with the server's log if it exits or never does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("server did not start:\n" + log.read_text())


class Server:
    def __init__(self, tmp_path: Path):
        plugins = slow_sample_plugins(tmp_path, slow_seconds=3)
        self.port = free_port()
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("KARTOTEKA_")} | {
            "KARTOTEKA_DATABASE_URL": f"sqlite:///{tmp_path}/served.sqlite3",
            "KARTOTEKA_PLUGINS_FILE": str(plugins),
            "KARTOTEKA_PORT": str(self.port),
            "KARTOTEKA_RELAY_INTERVAL": "0.1",
        }
        self.log = tmp_path / "server.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "core.cli", "serve"],
            env=self.env,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
        )
        wait_until_healthy(self.process, self.url, self.log)

    def gql(self, query: str, variables: dict | None = None) -> dict:
        response = httpx.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"x-sample-actor": STAFF},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        return response.json()

    def wait_for_runs(self, expected: list[int], timeout: float = 60) -> list[int]:
        deadline = time.monotonic() + timeout
        runs = None
        while time.monotonic() < deadline:
            runs = [edge["node"]["runs"] for edge in self.gql(RUNS)["data"]["sampleNotes"]["edges"]]
            if runs == expected:
                return runs
            time.sleep(0.2)
        raise AssertionError(f"runs {runs}, expected {expected}\n" + self.log.read_text())

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=30)


@pytest.fixture
def server(tmp_path):
    server = Server(tmp_path)
    yield server
    server.stop()


def test_serve_migrates_and_answers_graphql_with_jobs_in_process(server):
    server.start()
    page = httpx.get(f"{server.url}/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    for number in range(3):
        assert server.gql(CREATE, {"text": f"served {number}"})["data"]["sampleNoteCreate"]["userErrors"] == []
    server.wait_for_runs([1, 1, 1])
    server.stop()
    # uvicorn shuts down gracefully (lifespan, in-process worker), then re-raises the signal.
    assert server.process.returncode in (0, -signal.SIGTERM)
    assert "Worker has been shut down" in server.log.read_text()


def test_server_killed_mid_job_finishes_it_once_after_restart(server, tmp_path):
    server.start()
    server.gql(CREATE, {"text": "slow and steady"})
    marker = tmp_path / "started-1"
    deadline = time.monotonic() + 30
    while not marker.exists():
        assert time.monotonic() < deadline, server.log.read_text()
        time.sleep(0.05)
    server.stop(signal.SIGKILL)  # the in-memory broker loses the message with the process
    server.start()
    server.wait_for_runs([1])
    time.sleep(1)
    server.wait_for_runs([1], timeout=1)
