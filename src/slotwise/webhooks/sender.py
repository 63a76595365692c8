"""The webhook HTTP client: it resolves every host itself, refuses unless each address passes
the SSRF policy, and connects to the address it checked, so DNS rebinding cannot redirect a
delivery and no byte reaches a refused address. Redirects are not followed; the whole attempt
(DNS, connect, TLS, request, the first 2 kB of the response) runs under the endpoint's timeout.
"""

import asyncio
import ipaddress
import logging
import socket
import ssl
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpcore
import httpx

from slotwise import __version__
from slotwise.kit.state import StateKey
from slotwise.settings import Settings
from slotwise.webhooks import ssrf

#: kept from a response for the attempt log
RESPONSE_HEAD_BYTES = 2048
CONNECT_TIMEOUT_SECONDS = 10.0
#: how long registration waits for DNS before accepting the name (deliveries check it again)
REGISTRATION_RESOLVE_SECONDS = 5.0
USER_AGENT = f"slotwise-webhooks/{__version__}"

Resolver = Callable[[str, int], Awaitable[list[ssrf.IPAddress]]]

log = logging.getLogger("slotwise.webhooks")


class EgressRefused(Exception):
    """The delivery was refused before any connection was made."""

    error = "refused"


class BlockedAddress(EgressRefused):
    error = "blocked_address"


class ResolveFailed(EgressRefused):
    error = "dns"


async def system_resolver(host: str, port: int) -> list[ssrf.IPAddress]:
    """The host's addresses from the system resolver (getaddrinfo in a thread)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found: list[ssrf.IPAddress] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]))
        if address not in found:
            found.append(address)
    return found


class CheckedNetworkBackend(httpcore.AsyncNetworkBackend):
    """Resolves, checks every address against the policy, and connects to a checked one."""

    def __init__(self, *, allow_private: bool, resolver: Resolver) -> None:
        self.allow_private = allow_private
        self.resolver = resolver
        self.inner = httpcore.AnyIOBackend()

    async def addresses(
        self, host: str, port: int, limit_seconds: float | None
    ) -> list[ssrf.IPAddress]:
        try:
            literal = ssrf.host_address(host)
        except ssrf.BlockedTarget as exc:
            raise BlockedAddress(f"{host}: {exc}") from exc
        if literal is not None:
            return [literal]
        try:
            found = await asyncio.wait_for(self.resolver(host, port), limit_seconds)
        except (OSError, TimeoutError) as exc:
            raise ResolveFailed(f"{host}: {str(exc) or type(exc).__name__}") from exc
        if not found:
            raise ResolveFailed(f"{host}: no addresses")
        return found

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self.addresses(host, port, timeout)
        if not self.allow_private:
            blocked = ssrf.first_blocked(addresses)
            if blocked is not None:
                raise BlockedAddress(f"{host} resolves to {blocked[0]} ({blocked[1]})")
        error: Exception | None = None
        for address in addresses:
            try:
                return await self.inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        assert error is not None  # noqa: S101 - addresses is never empty here
        raise error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedAddress("unix sockets are not webhook targets")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class CheckedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with the address-checking network backend, no proxies from the env."""

    def __init__(self, *, allow_private: bool, resolver: Resolver) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False),
            max_connections=200,
            max_keepalive_connections=50,
            keepalive_expiry=5.0,
            network_backend=CheckedNetworkBackend(allow_private=allow_private, resolver=resolver),
        )


@dataclass(frozen=True)
class Sent:
    """What one HTTP attempt produced."""

    started_at: datetime
    duration_ms: int
    status_code: int | None
    #: None when delivered (2xx); otherwise the error class
    error: str | None
    response_head: str | None = None
    retry_after: str | None = None
    detail: str | None = None

    @property
    def delivered(self) -> bool:
        return self.error is None


def _status_error(code: int) -> str | None:
    if 200 <= code < 300:
        return None
    return "redirect" if 300 <= code < 400 else "http_status"


def _network_error(exc: Exception) -> str:
    if isinstance(exc, EgressRefused):
        return exc.error
    if isinstance(exc, TimeoutError | httpx.TimeoutException):
        return "timeout"
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLError):
            return "tls"
        cause = cause.__cause__ or cause.__context__
    if isinstance(exc, httpx.ConnectError):
        return "connect"
    if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
        return "invalid_url"
    return "network"


async def _read_head(response: httpx.Response) -> str:
    head = b""
    async for chunk in response.aiter_raw():
        head += chunk
        if len(head) >= RESPONSE_HEAD_BYTES:
            break
    return head[:RESPONSE_HEAD_BYTES].decode("utf-8", "replace").replace("\x00", "\ufffd")


class Sender:
    """POSTs signed webhook bodies through the checked transport (one per process)."""

    def __init__(self, *, allow_private: bool, resolver: Resolver = system_resolver) -> None:
        self.allow_private = allow_private
        self.resolver = resolver
        self.client = httpx.AsyncClient(
            transport=CheckedTransport(allow_private=allow_private, resolver=resolver),
            follow_redirects=False,
            trust_env=False,
            headers={"user-agent": USER_AGENT},
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    async def check_url(self, url: str) -> None:
        """Registration check: raise ssrf.UrlProblem for a URL that may not be used.

        A host name that resolves to a blocked address is refused; one that does not resolve
        (yet) is accepted, since every delivery resolves and checks again.
        """
        target = ssrf.parse_endpoint(url, allow_private=self.allow_private)
        if self.allow_private or target.address is not None:
            return
        try:
            found = await asyncio.wait_for(
                self.resolver(target.host, target.port), REGISTRATION_RESOLVE_SECONDS
            )
        except (OSError, TimeoutError):
            return
        blocked = ssrf.first_blocked(found)
        if blocked is not None:
            raise ssrf.BlockedTarget(f"resolves to a {blocked[1]} address")

    async def send(
        self, url: str, headers: dict[str, str], body: bytes, timeout_seconds: float, now: datetime
    ) -> Sent:
        started = time.perf_counter()

        def elapsed() -> int:
            return round((time.perf_counter() - started) * 1000)

        limits = httpx.Timeout(
            timeout_seconds, connect=min(timeout_seconds, CONNECT_TIMEOUT_SECONDS)
        )
        try:
            # the stored URL is checked again: the policy may be stricter than when it was saved
            ssrf.parse_endpoint(url, allow_private=self.allow_private)
        except ssrf.UrlProblem as exc:
            error = "blocked_address" if isinstance(exc, ssrf.BlockedTarget) else "invalid_url"
            return Sent(now, elapsed(), None, error, detail=f"The URL {exc}")
        try:
            async with (
                asyncio.timeout(timeout_seconds),
                self.client.stream(
                    "POST", url, content=body, headers=headers, timeout=limits
                ) as response,
            ):
                head = await _read_head(response)
        except (EgressRefused, TimeoutError, httpx.HTTPError, httpx.InvalidURL) as exc:
            return Sent(now, elapsed(), None, _network_error(exc), detail=str(exc)[:200])
        return Sent(
            now,
            elapsed(),
            response.status_code,
            _status_error(response.status_code),
            response_head=head,
            retry_after=response.headers.get("retry-after"),
        )


def warn_if_private_networks_allowed(settings: Settings) -> None:
    if settings.webhook_allow_private_networks:
        log.warning(
            "SLOTWISE_WEBHOOK_ALLOW_PRIVATE_NETWORKS is on: webhooks may be sent over plain http "
            "and to private, loopback and link-local addresses (development and tests only)"
        )


WEBHOOK_SENDER = StateKey("webhook_sender", Sender)
