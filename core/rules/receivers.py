"""Where a webhook may be sent: never, in production, to the server's own network.

A rule author chooses the webhook's address, so without a check the server would post signed
requests to whatever it can reach and the author cannot: its own loopback, the private network, a
cloud's metadata address (169.254.169.254). In production a receiver must resolve to public
(globally routable) addresses only, or to a network the operator lists in
``KARTOTEKA_WEBHOOK_ALLOWED_NETWORKS``. The name is resolved at every attempt, and the request goes
to the address that was checked, so a name that later resolves elsewhere (DNS rebinding) gains
nothing. The embedded profile, which runs on a developer's machine, allows every address.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.settings import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
LOCAL_NAMES = ("localhost", "localhost.localdomain")


class ReceiverRefused(Exception):
    """The receiver's address is not one webhooks may be sent to."""


@dataclass(frozen=True)
class Receiver:
    """The checked address to connect to, for the host name the URL gave."""

    host: str
    address: str


def address_allowed(address: IPAddress, allowed_networks: Iterable[IPNetwork]) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    if any(address in network for network in allowed_networks if network.version == address.version):
        return True
    return address.is_global and not address.is_multicast


def check_host(host: str, settings: Settings) -> None:
    """What can be told from the URL alone (an address or a local name); names are resolved at
    delivery by :func:`resolve_receiver`."""
    if not settings.is_production:
        return
    name = host.lower().rstrip(".")
    if name in LOCAL_NAMES or name.endswith(".localhost"):
        address: IPAddress = ipaddress.ip_address("127.0.0.1")  # what such a name always means
    else:
        try:
            address = ipaddress.ip_address(name.strip("[]"))
        except ValueError:
            return
    if not address_allowed(address, settings.webhook_allowed_networks):
        raise ReceiverRefused(host)


async def resolve_receiver(host: str, port: int, settings: Settings) -> Receiver | None:
    """The address to send to, every address the name has checked; ``None`` when no check applies
    (embedded profile: connect by name as usual)."""
    if not settings.is_production:
        return None
    check_host(host, settings)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise ReceiverRefused(f"{host}: {error.strerror}") from None
    addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
    refused = [str(a) for a in addresses if not address_allowed(a, settings.webhook_allowed_networks)]
    if refused or not addresses:
        raise ReceiverRefused(f"{host} resolves to {', '.join(refused) or 'nothing'}")
    return Receiver(host=host, address=str(addresses[0]))
