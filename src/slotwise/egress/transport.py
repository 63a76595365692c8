"""The HTTP client for customer-supplied URLs (webhook endpoints, images to import).

It resolves every host itself, refuses unless each address passes the policy, and connects to
the address it checked, so DNS rebinding cannot redirect a request and no byte reaches a refused
address. Proxies from the environment are ignored.
"""

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import httpcore
import httpx

from slotwise.egress import policy

Resolver = Callable[[str, int], Awaitable[list[policy.IPAddress]]]


class EgressRefused(Exception):
    """The delivery was refused before any connection was made."""

    error = "refused"


class BlockedAddress(EgressRefused):
    error = "blocked_address"


class ResolveFailed(EgressRefused):
    error = "dns"


async def system_resolver(host: str, port: int) -> list[policy.IPAddress]:
    """The host's addresses from the system resolver (getaddrinfo in a thread)."""
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found: list[policy.IPAddress] = []
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
    ) -> list[policy.IPAddress]:
        try:
            literal = policy.host_address(host)
        except policy.BlockedTarget as exc:
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
            blocked = policy.first_blocked(addresses)
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
        raise BlockedAddress("unix sockets are never contacted")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


class CheckedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport with the address-checking network backend, no proxies from the env."""

    def __init__(self, *, allow_private: bool, resolver: Resolver, verify: bool = True) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify, trust_env=False),
            max_connections=200,
            max_keepalive_connections=50,
            keepalive_expiry=5.0,
            network_backend=CheckedNetworkBackend(allow_private=allow_private, resolver=resolver),
        )
