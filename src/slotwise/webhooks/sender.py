"""Sends webhook bodies through the egress client (every address checked, see
`egress.transport`). Redirects are not followed; the whole attempt (DNS, connect, TLS, request,
the first 2 kB of the response) runs under the endpoint's timeout.
"""

import asyncio
import logging
import ssl
import time
from dataclasses import dataclass
from datetime import datetime

import httpx

from slotwise import __version__
from slotwise.egress import policy
from slotwise.egress.transport import (
    CheckedTransport,
    EgressRefused,
    Resolver,
    system_resolver,
)
from slotwise.kit.state import StateKey

#: kept from a response for the attempt log
RESPONSE_HEAD_BYTES = 2048
CONNECT_TIMEOUT_SECONDS = 10.0
USER_AGENT = f"slotwise-webhooks/{__version__}"

log = logging.getLogger("slotwise.webhooks")


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
        self.client = self._client(verify=True)
        #: for endpoints with `verify_ssl: false`, which only development allows (with private
        #: networks): a local server with a self-signed certificate
        self.unverified = self._client(verify=False) if allow_private else None

    def _client(self, *, verify: bool) -> httpx.AsyncClient:
        transport = CheckedTransport(
            allow_private=self.allow_private, resolver=self.resolver, verify=verify
        )
        return httpx.AsyncClient(
            transport=transport,
            follow_redirects=False,
            trust_env=False,
            headers={"user-agent": USER_AGENT},
        )

    async def aclose(self) -> None:
        await self.client.aclose()
        if self.unverified is not None:
            await self.unverified.aclose()

    def check_url(self, url: str) -> None:
        """Registration check: raise policy.UrlProblem for a URL that may not be used.

        The host name is not resolved here: whether a name resolves, and to what, is decided
        only when a delivery connects (every answer checked then). Refusing private answers at
        registration would tell a caller which internal names exist, since a name that does
        not resolve had to be accepted (it may be registered later).
        """
        policy.parse_endpoint(url, allow_private=self.allow_private)

    async def send(
        self,
        url: str,
        headers: dict[str, str],
        body: bytes,
        timeout_seconds: float,
        now: datetime,
        *,
        verify: bool = True,
    ) -> Sent:
        """POST `body`; certificates are checked unless `verify` is off and this sender allows
        private networks (anywhere else `verify` is ignored)."""
        started = time.perf_counter()

        def elapsed() -> int:
            return round((time.perf_counter() - started) * 1000)

        limits = httpx.Timeout(
            timeout_seconds, connect=min(timeout_seconds, CONNECT_TIMEOUT_SECONDS)
        )
        try:
            # the stored URL is checked again: the policy may be stricter than when it was saved
            policy.parse_endpoint(url, allow_private=self.allow_private)
        except policy.UrlProblem as exc:
            error = "blocked_address" if isinstance(exc, policy.BlockedTarget) else "invalid_url"
            return Sent(now, elapsed(), None, error, detail=f"The URL {exc}")
        client = self.client if verify or self.unverified is None else self.unverified
        try:
            async with (
                asyncio.timeout(timeout_seconds),
                client.stream(
                    "POST", url, content=body, headers=headers, timeout=limits
                ) as response,
            ):
                head = await _read_head(response)
        except UnicodeEncodeError as exc:  # a header stored before values had to be ASCII
            return Sent(now, elapsed(), None, "invalid_header", detail=str(exc)[:200])
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


WEBHOOK_SENDER = StateKey("webhook_sender", Sender)
