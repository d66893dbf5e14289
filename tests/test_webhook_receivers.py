"""Webhooks never reach the server's own network in production (SSRF), whatever the rule author
writes or the receiver's name resolves to."""

import ipaddress
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import httpx
import pytest

from core.errors import DomainError
from core.rules import services as rule_services
from core.rules.receivers import ReceiverRefused, address_allowed, check_host, resolve_receiver
from core.rules.webhooks import _pinned
from core.settings import load_settings

PRODUCTION = load_settings(environ={}, profile="production", secret_key="s" * 32, public_url="https://crm.example.pl")
LISTED = PRODUCTION.with_overrides(webhook_allowed_networks=(ipaddress.ip_network("10.1.0.0/16"),))


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("8.8.8.8", True),
        ("2a00:1450:4001::200e", True),
        ("127.0.0.1", False),
        ("10.0.0.5", False),
        ("172.16.3.4", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # cloud metadata
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fc00::1", False),
        ("fe80::1", False),
        ("::ffff:127.0.0.1", False),  # IPv4-mapped loopback
        ("::ffff:8.8.8.8", True),
    ],
)
def test_only_public_addresses_receive_webhooks(address, allowed):
    assert address_allowed(ipaddress.ip_address(address), ()) is allowed


def test_listed_networks_are_allowed_and_nothing_else_of_the_private_ranges():
    networks = LISTED.webhook_allowed_networks
    assert address_allowed(ipaddress.ip_address("10.1.200.7"), networks)
    assert not address_allowed(ipaddress.ip_address("10.2.0.1"), networks)


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST.", "api.localhost", "127.0.0.1", "[::1]", "169.254.169.254"])
def test_local_names_and_addresses_are_refused_from_the_url_alone(host):
    with pytest.raises(ReceiverRefused):
        check_host(host, PRODUCTION)
    check_host(host, load_settings(environ={}))  # the embedded profile, on a developer's machine


async def test_an_endpoint_on_a_private_address_is_refused_when_saved():
    production = SimpleNamespace(settings=PRODUCTION)
    for url in ("https://169.254.169.254/latest/meta-data", "https://[::ffff:10.0.0.1]/hook", "https://localhost/x"):
        with pytest.raises(DomainError) as refused:
            _check(production, url)
        assert (refused.value.code, refused.value.field) == ("ADDRESS_NOT_ALLOWED", ["input", "url"])
        assert "private" in str(refused.value)
    listed = SimpleNamespace(settings=LISTED)
    assert _check(listed, "https://10.1.0.9/hook") == "https://10.1.0.9/hook"
    assert _check(production, "https://hooks.example.com/x") == "https://hooks.example.com/x"  # resolved at delivery


def _check(runtime, url):
    return rule_services._check_url(runtime, url, ["input", "url"])


async def test_a_name_resolving_to_a_private_address_is_refused_at_delivery():
    # The machine's own name is no local name by its spelling; it resolves to the machine.
    own_name = socket.gethostname()
    resolved = {info[4][0] for info in socket.getaddrinfo(own_name, 443, type=socket.SOCK_STREAM)}
    assert not any(address_allowed(ipaddress.ip_address(a), ()) for a in resolved), resolved
    with pytest.raises(ReceiverRefused, match="resolves to"):
        await resolve_receiver(own_name, 443, PRODUCTION)
    with pytest.raises(ReceiverRefused):
        await resolve_receiver("no-such-host.invalid", 443, PRODUCTION)
    assert await resolve_receiver(own_name, 443, load_settings(environ={})) is None


async def test_the_request_goes_to_the_checked_address_with_the_name_in_host():
    seen: list[str] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            seen.append(self.headers["host"])
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        loopback = PRODUCTION.with_overrides(webhook_allowed_networks=(ipaddress.ip_network("127.0.0.0/8"),))
        headers: dict[str, str] = {}
        url, extensions = await _pinned(f"http://localhost:{port}/hook?x=1", headers, loopback)
        assert url == f"http://127.0.0.1:{port}/hook?x=1"
        assert headers == {"host": f"localhost:{port}"} and extensions == {}
        async with httpx.AsyncClient() as client:
            response = await client.post(url, headers=headers, content=b"{}", extensions=extensions)
        assert response.status_code == 204 and seen == [f"localhost:{port}"]
        with pytest.raises(ReceiverRefused):
            await _pinned(f"http://localhost:{port}/hook", {}, PRODUCTION)
        _, tls = await _pinned("https://localhost/hook", {}, loopback)
        assert tls == {"sni_hostname": "localhost"}
    finally:
        server.shutdown()
