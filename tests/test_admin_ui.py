"""The admin UI at /admin: how `kartoteka serve` serves its build, the OAuth client `migrate`
registers for it, and its end-to-end tests in Debian's Chromium against a real server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from core.identity.clients import ADMIN_UI_CLIENT_ID, register_admin_ui_client
from core.identity.tables import OAuthClient
from core.runtime import Runtime
from core.settings import Settings, load_settings
from core.testing import serve_app
from tests.identity_support import ISSUER, identity_http, pkce, query_of, sign_in, staff_user
from tests.test_cli import kartoteka
from tests.test_serve import free_port, wait_until_healthy

ROOT = Path(__file__).resolve().parents[1]
ADMIN_UI = ROOT / "admin_ui"
sqlite_only = pytest.mark.parametrize("engine_kind", ["sqlite"])
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
INDEX = '<!doctype html><div id="root"></div><script type="module" src="/admin/assets/index-1a2b3c.js"></script>'


@pytest.fixture
def build(tmp_path: Path) -> Path:
    """A stand-in for `npm run build`: index.html, a hashed script and a file beside them."""
    folder = tmp_path / "dist"
    (folder / "assets").mkdir(parents=True)
    (folder / "index.html").write_text(INDEX)
    (folder / "assets" / "index-1a2b3c.js").write_text("console.log('admin');")
    (folder / "assets" / "index-4d5e6f.css").write_text("body{}")
    (folder / "favicon.svg").write_text("<svg/>")
    (tmp_path / "secret.txt").write_text("outside the build")
    return folder


@pytest.fixture
def settings(database_url: str, plugins_file: Path, build: Path) -> Settings:
    return load_settings(
        environ={}, database_url=database_url, plugins_file=plugins_file, public_url=ISSUER, admin_ui_dir=build
    )


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    async with serve_app(runtime) as test_client:
        yield test_client


def assert_page_headers(response: httpx.Response) -> None:
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"


@sqlite_only
async def test_admin_is_the_single_page_app_with_its_caching_and_policy(client):
    moved = await client.get("/admin")
    assert moved.status_code in (301, 308) and moved.headers["location"] == "/admin/"
    assert_page_headers(moved)
    for path in ("/admin/", "/admin/companies/12", "/admin/settings/users?page=2", "/admin/favicon.svg/more"):
        page = await client.get(path)
        assert page.status_code == 200 and page.text == INDEX, path
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert page.headers["cache-control"] == "no-cache"
        assert_page_headers(page)
    script = await client.get("/admin/assets/index-1a2b3c.js")
    assert script.status_code == 200 and script.text == "console.log('admin');"
    assert script.headers["content-type"] == "text/javascript; charset=utf-8"
    assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert_page_headers(script)
    style = await client.get("/admin/assets/index-4d5e6f.css")
    assert style.headers["content-type"] == "text/css; charset=utf-8" and "immutable" in style.headers["cache-control"]
    icon = await client.get("/admin/favicon.svg")  # not hashed: revalidated
    assert icon.headers["content-type"] == "image/svg+xml" and icon.headers["cache-control"] == "no-cache"
    # A script of an older build is gone, not the page under its name (cached for a year).
    missing = await client.get("/admin/assets/index-0ld.js")
    assert missing.status_code == 404 and missing.headers["cache-control"] == "no-cache"
    assert_page_headers(missing)


@sqlite_only
@pytest.mark.parametrize(
    "path",
    [
        "/admin/%2e%2e/secret.txt",
        "/admin/..%2fsecret.txt",
        "/admin/assets/%2e%2e/%2e%2e/secret.txt",
        "/admin/assets/..%2F..%2Fsecret.txt",
        "/admin/%5c..%5csecret.txt",
        "/admin/..%5csecret.txt",
        "/admin/%2e%2e%2f%2e%2e%2fcore%2fapp.py",
        "/admin/%00index.html",
    ],
)
async def test_no_path_leaves_the_build(client, path):
    # httpx keeps the escapes as written; the server decodes them.
    response = await client.get(httpx.URL(client.base_url.join("/")).copy_with(raw_path=path.encode()))
    assert response.status_code == 404, (path, response.text)
    assert "outside the build" not in response.text and "create_app" not in response.text


@sqlite_only
async def test_no_symbolic_link_leads_out_of_the_build(client, build):
    (build / "assets" / "leak.js").symlink_to(build.parent / "secret.txt")
    response = await client.get("/admin/assets/leak.js")
    assert response.status_code == 404 and "outside the build" not in response.text


@sqlite_only
async def test_a_missing_build_answers_503_naming_the_command(client, build):
    (build / "index.html").unlink()
    for path in ("/admin/", "/admin/companies", "/admin/assets/index-1a2b3c.js"):
        response = await client.get(path)
        assert response.status_code == 503, path
        assert "make run" in response.text and "npm run build" in response.text
        assert_page_headers(response)


async def test_migrate_registers_the_admin_ui_client_once_and_follows_the_issuer(runtime):
    assert await register_admin_ui_client(runtime) == "created"
    assert await register_admin_ui_client(runtime) == "unchanged"
    row = await OAuthClient.select().where(OAuthClient.client_id == ADMIN_UI_CLIENT_ID).output(load_json=True).first()
    assert row["secret_hash"] is None and row["skip_consent"] and row["audience"] == "staff"
    assert row["grant_types"] == ["authorization_code", "refresh_token"]
    assert row["scopes"] == ["openid", "profile", "email", "api"]
    assert row["redirect_uris"] == [f"{ISSUER}/admin/callback"]

    moved = Runtime.boot(runtime.settings.with_overrides(public_url="", host="127.0.0.1", port=8123), role="web")
    assert await register_admin_ui_client(moved) == "updated"
    [row] = (
        await OAuthClient.select(OAuthClient.redirect_uris)
        .where(OAuthClient.client_id == ADMIN_UI_CLIENT_ID)
        .output(load_json=True)
    )
    assert row["redirect_uris"] == ["http://127.0.0.1:8123/admin/callback"]
    assert await OAuthClient.count() == 1


async def test_the_admin_ui_signs_in_with_pkce_without_consent_and_refreshes(runtime):
    await register_admin_ui_client(runtime)
    await staff_user(runtime, "ala@example.com")
    callback = f"{ISSUER}/admin/callback"
    verifier, challenge = pkce()
    query = {
        "response_type": "code",
        "client_id": ADMIN_UI_CLIENT_ID,
        "redirect_uri": callback,
        "scope": "openid profile email api",
        "state": "s-1",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    async with identity_http(runtime) as http:
        assert (await sign_in(http, "ala@example.com")).status_code == 303
        answer = await http.get("/oauth/authorize", params=query)  # first party: no consent page
        assert answer.status_code == 302 and answer.headers["location"].startswith(callback + "?"), answer.text
        code = query_of(answer.headers["location"])["code"]
        token = {"client_id": ADMIN_UI_CLIENT_ID}
        exchange = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": callback,
            "code_verifier": verifier,
        }
        tokens = (await http.post("/oauth/token", data={**token, **exchange})).json()
        assert "id_token" in tokens and tokens["refresh_token"], tokens
        rotated = await http.post(
            "/oauth/token", data={**token, "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
        )
        assert rotated.status_code == 200 and rotated.json()["refresh_token"] != tokens["refresh_token"]


def _run_cli(args: list[str], env: dict[str, str], stdin: str) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("KARTOTEKA_")} | env
    return subprocess.run(
        [sys.executable, "-m", "core.cli", *args], env=environment, cwd=ROOT, input=stdin, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip


def _password_hash(database: Path, email: str) -> str:
    import sqlite3

    with sqlite3.connect(database) as connection:
        [(stored,)] = connection.execute("SELECT password_hash FROM core_user WHERE email = ?", (email,))
    return stored


def test_user_create_takes_the_password_without_a_terminal(tmp_path, plugins_file):
    from core.access.services import verify_password

    database = tmp_path / "cli.sqlite3"
    env = {"KARTOTEKA_DATABASE_URL": f"sqlite:///{database}", "KARTOTEKA_PLUGINS_FILE": str(plugins_file)}
    assert kartoteka("migrate", env=env).returncode == 0
    piped = _run_cli(["user", "create", "ala@example.com", "--name", "Ala", "--password"], env, "piped password 1\n")
    assert piped.returncode == 0, piped.stderr
    assert verify_password(_password_hash(database, "ala@example.com"), "piped password 1")
    variable = {**env, "KARTOTEKA_USER_PASSWORD": "variable password"}
    from_env = _run_cli(["user", "create", "ola@example.com", "--name", "Ola", "--password"], variable, "")
    assert from_env.returncode == 0, from_env.stderr
    assert verify_password(_password_hash(database, "ola@example.com"), "variable password")
    empty = _run_cli(["user", "create", "ela@example.com", "--name", "Ela", "--password"], env, "")
    assert empty.returncode == 2 and "KARTOTEKA_USER_PASSWORD" in empty.stderr


class AdminServer:
    """`kartoteka migrate`, `demo`, `user create` and `serve` as `make run` does them, in tmp_path."""

    def __init__(self, tmp_path: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.email, self.password = "e2e.admin@example.com", "e2e password 2026"
        self.env = {key: value for key, value in os.environ.items() if not key.startswith("KARTOTEKA_")} | {
            "KARTOTEKA_DATABASE_URL": f"sqlite:///{tmp_path}/admin.sqlite3",
            "KARTOTEKA_PLUGINS_FILE": str(ROOT / "plugins.toml"),
            "KARTOTEKA_SECRET_KEY_FILE": str(tmp_path / "secret_key"),
            "KARTOTEKA_ATTACHMENTS_DIR": str(tmp_path / "attachments"),
            "KARTOTEKA_MAIL_DIR": str(tmp_path / "mail"),
            "KARTOTEKA_HOST": "127.0.0.1",
            "KARTOTEKA_PORT": str(self.port),
            "KARTOTEKA_PUBLIC_URL": self.url,
            "KARTOTEKA_ADMIN_UI_DIR": str(ADMIN_UI / "dist"),
        }
        self.log = tmp_path / "server.log"
        self.process: subprocess.Popen | None = None

    def command(self, *args: str, stdin: str = "") -> None:
        done = subprocess.run(
            [sys.executable, "-m", "core.cli", *args], env=self.env, cwd=ROOT, input=stdin, capture_output=True,
            text=True, timeout=600,
        )  # fmt: skip
        assert done.returncode == 0, f"kartoteka {' '.join(args)}:\n{done.stdout}\n{done.stderr}"

    def prepare(self) -> None:
        self.command("migrate")
        self.command("demo", "--companies", "200")
        self.command(
            "user", "create", self.email, "--name", "E2E Administrator", "--role", "administrator", "--password",
            stdin=self.password + "\n",
        )  # fmt: skip

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "core.cli", "serve", "--no-migrate"],
            env=self.env,
            cwd=ROOT,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
        )
        wait_until_healthy(self.process, self.url, self.log)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


@pytest.mark.slow
def test_the_admin_ui_end_to_end_in_chromium(tmp_path):
    if not (ADMIN_UI / "package.json").exists():
        pytest.skip("admin_ui/package.json does not exist yet: there is no admin UI to test")
    npm = shutil.which("npm")
    assert npm, "npm is needed for the admin UI (Node 20)"
    if not (ADMIN_UI / "dist" / "index.html").exists():  # `make test` builds it first; a lone pytest run too
        subprocess.run([npm, "ci"], cwd=ADMIN_UI, check=True, timeout=900)
        subprocess.run([npm, "run", "build"], cwd=ADMIN_UI, check=True, timeout=900)
    server = AdminServer(tmp_path)
    server.prepare()
    server.start()
    try:
        assert httpx.get(f"{server.url}/admin/", timeout=10).status_code == 200
        e2e = subprocess.run(
            [npm, "run", "e2e"],
            cwd=ADMIN_UI,
            env={
                **os.environ,
                "KARTOTEKA_E2E_BASE_URL": server.url,
                "KARTOTEKA_E2E_EMAIL": server.email,
                "KARTOTEKA_E2E_PASSWORD": server.password,
                "KARTOTEKA_E2E_CHROMIUM": "/usr/bin/chromium",
            },
            capture_output=True,
            text=True,
            timeout=1800,
        )
    finally:
        server.stop()
    print(e2e.stdout, e2e.stderr, sep="\n")
    assert e2e.returncode == 0, f"{e2e.stdout}\n{e2e.stderr}\n--- server log ---\n{server.log.read_text()}"
