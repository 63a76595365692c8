"""The client's address: the socket peer, or a forwarded address vouched for by trusted proxies.

`X-Forwarded-For` is read only when the peer is one of SLOTWISE_TRUSTED_PROXIES; then the
right-most address that is not itself a trusted proxy is the client. A spoofed header from an
untrusted peer changes nothing.
"""

import ipaddress
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=16)
def parse_networks(spec: str) -> tuple[Network, ...]:
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip()
    )


def _trusted(address: str, networks: Sequence[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


#: the IPv6 prefix one subscriber gets (RFC 6177): limits count a /64, not each of its
#: 2^64 addresses, which one client can rotate through at will
IPV6_SUBSCRIBER_PREFIX = 64


def limit_subject(address: str) -> str:
    """What a per-client limit counts: an IPv4 address, or the /64 an IPv6 address is in."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv4Address):
        return str(ip)
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/{IPV6_SUBSCRIBER_PREFIX}", strict=False))


def client_address(scope: Any, trusted_proxies: str) -> str:
    client = scope.get("client")
    peer = str(client[0]) if client else "unknown"
    networks = parse_networks(trusted_proxies)
    if not networks or not _trusted(peer, networks):
        return peer
    forwarded: list[str] = []
    for name, value in scope.get("headers", ()):
        if name == b"x-forwarded-for":
            forwarded += [part.strip() for part in value.decode("latin-1").split(",")]
    for address in reversed(forwarded):
        if address and not _trusted(address, networks):
            return address
    return peer
