"""Which webhook URLs and addresses may be contacted (pure: no I/O).

Customer-supplied URLs are a server-side request forgery risk (OWASP API7). A URL must be https;
its host, and at delivery time every address the host resolves to, must be a public unicast
address. `ipaddress` alone is not enough: CGNAT (100.64/10) is neither private nor global, and IPv4
addresses embedded in IPv6 (mapped, NAT64, 6to4) can look global, so the embedded address is
unwrapped and decides; an explicit deny list (IPv4-compatible `::a.b.c.d` included, in ::/8)
backs up the `ipaddress` properties. Hosts written as numbers
(`2130706433`, `0177.0.0.1`, `127.1`) are read the way `inet_aton` reads them.

`allow_private` (SLOTWISE_WEBHOOK_ALLOW_PRIVATE_NETWORKS, development and tests only) allows
http and every address.
"""

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_URL_LENGTH = 2048

_DENY = tuple(
    ipaddress.ip_network(net)
    for net in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "::/8",
        "64:ff9b:1::/48",
        "100::/64",
        "2001::/23",
        "2001:db8::/32",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
    )
)
#: cloud instance metadata services (AWS, ECS, GCP/Azure share 169.254.169.254; Alibaba; Oracle)
METADATA = frozenset(
    ipaddress.ip_address(address)
    for address in (
        "169.254.169.254",
        "169.254.170.2",
        "100.100.100.200",
        "192.0.0.192",
        "fd00:ec2::254",
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$")
_PART = re.compile(r"^(0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*)$")


class UrlProblem(ValueError):
    """The URL may not be used as a webhook endpoint; the message says why."""


class BlockedTarget(UrlProblem):
    """The URL names an address (or a name for one) that webhooks may not reach."""


@dataclass(frozen=True)
class Endpoint:
    scheme: str
    host: str
    port: int
    #: set when the host is written as an address
    address: IPAddress | None


def _inet_aton(host: str) -> ipaddress.IPv4Address:
    """Read a numeric host like inet_aton: 1 to 4 parts, each decimal, octal (0…) or hex (0x…)."""
    parts = host.split(".")
    if not 1 <= len(parts) <= 4 or not all(_PART.match(part) for part in parts):
        raise BlockedTarget("has a malformed numeric host")
    numbers = [
        int(part, 16) if part.startswith("0x") else int(part, 8 if part.startswith("0") else 10)
        for part in parts
    ]
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(parts)):
        raise BlockedTarget("has a numeric host out of range")
    value = last
    for index, number in enumerate(head):
        value |= number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def host_address(host: str) -> IPAddress | None:
    """The address a host stands for when it is written as one (in any form), else None."""
    bare = host.strip("[]").rstrip(".").lower()
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    if bare and _NUMERIC_LABEL.match(bare.rsplit(".", 1)[-1]):
        return _inet_aton(bare)
    return None


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address a mapped, NAT64 (64:ff9b::/96) or 6to4 IPv6 address leads to."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
    return None


def _category(address: IPAddress) -> str | None:
    checks = (
        (address.is_unspecified, "unspecified"),
        (address.is_loopback, "loopback"),
        (address.is_link_local, "link-local"),
        (address.is_multicast, "multicast"),
        (address.is_private, "private"),
        (address.is_reserved, "reserved"),
        (any(address in net for net in _DENY), "private or reserved"),
        (not address.is_global, "non-public"),
    )
    return next((name for failed, name in checks if failed), None)


def blocked_reason(address: IPAddress) -> str | None:
    """Why a webhook must not be sent to this address, or None when it is a public address."""
    if address in METADATA:
        return "cloud metadata"
    if isinstance(address, ipaddress.IPv6Address):
        inner = embedded_ipv4(address)
        if inner is not None:
            # the connection ends at the IPv4 address, so that address decides
            reason = blocked_reason(inner)
            return None if reason is None else f"{reason} (IPv4 embedded in IPv6)"
    return _category(address)


def first_blocked(addresses: Iterable[IPAddress]) -> tuple[IPAddress, str] | None:
    """The first address that fails the policy, with the reason."""
    for address in addresses:
        reason = blocked_reason(address)
        if reason is not None:
            return address, reason
    return None


def _is_local_name(host: str) -> bool:
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")


def _split(url: str) -> tuple[str, str, int | None, str]:
    """Scheme, host, port and network location of a well-formed absolute URL."""
    if len(url) > MAX_URL_LENGTH:
        raise UrlProblem(f"must be at most {MAX_URL_LENGTH} characters")
    if any(ch.isspace() or not ch.isprintable() for ch in url):
        raise UrlProblem("must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UrlProblem("is not a valid URL") from exc
    if not parts.hostname:
        raise UrlProblem("must name a host")
    return parts.scheme.lower(), parts.hostname, port, parts.netloc


def parse_endpoint(url: str, *, allow_private: bool) -> Endpoint:
    """Check a webhook URL without resolving it; raise UrlProblem saying what is wrong."""
    scheme, host, port, netloc = _split(url)
    if scheme != "https" and not (allow_private and scheme == "http"):
        raise UrlProblem("must be an https:// URL")
    if "@" in netloc:
        raise UrlProblem("must not contain user name or password")
    address = host_address(host)
    if not allow_private:
        reason = blocked_reason(address) if address is not None else None
        if reason is None and address is None and _is_local_name(host):
            reason = "loopback"
        if reason is not None:
            raise BlockedTarget(f"points to a {reason} address")
    default_port = 443 if scheme == "https" else 80
    return Endpoint(scheme, host, port or default_port, address)
