"""The one way calendar code talks to calendar servers: our SSRF-checked client.

CalDAV is a handful of requests (PROPFIND, REPORT, PUT, DELETE) spoken here with httpx on the
egress transport, rather than through the `caldav` library: that library is synchronous
(requests/niquests), so every call would need a worker thread and a second, separately pinned
transport to keep the SSRF policy; this way each connection resolves, checks and connects to
the checked address like webhooks do, every request has a hard timeout, and nothing blocks the
event loop. Redirects are followed by hand, each target checked like the first URL.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from slotwise import __version__
from slotwise.egress import policy
from slotwise.egress.transport import CheckedTransport, EgressRefused, system_resolver

USER_AGENT = f"slotwise-calendar/{__version__}"
MAX_REDIRECTS = 3
#: a calendar or feed larger than this is refused (a year of a busy calendar is far less)
MAX_BYTES = 20 * 1024 * 1024


class CalendarError(Exception):
    """A calendar server could not be used; the message says why in words a partner can act on."""


class CredentialsRefused(CalendarError):
    """The server refused the user name or password (401/403)."""


class Unreachable(CalendarError):
    """No answer: refused address, DNS, connection, timeout."""


@dataclass(frozen=True)
class Answer:
    status: int
    headers: httpx.Headers
    body: bytes
    url: str


class CalendarHttp:
    """Requests to one server as one user, each bounded by `timeout_seconds`."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        allow_private: bool,
        auth: httpx.Auth | None,
        timeout_seconds: float,
    ) -> None:
        self.client = client
        self.allow_private = allow_private
        self.auth = auth
        self.timeout_seconds = timeout_seconds

    def check(self, url: str) -> None:
        try:
            policy.parse_endpoint(url, allow_private=self.allow_private)
        except policy.UrlProblem as exc:
            raise CalendarError(f"The URL {exc}") from exc

    async def request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """One request (redirects followed for reads); 401/403 raise CredentialsRefused."""
        try:
            async with asyncio.timeout(self.timeout_seconds):
                return await self._follow(method, url, body, headers or {})
        except EgressRefused as exc:
            raise Unreachable(f"The server was refused: {exc}") from exc
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise Unreachable(
                f"The server did not answer within {self.timeout_seconds:g} s"
            ) from exc
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, UnicodeError) as exc:
            raise Unreachable(f"The server could not be reached ({type(exc).__name__})") from exc

    async def _follow(
        self, method: str, url: str, body: bytes | None, headers: dict[str, str]
    ) -> Answer:
        for _ in range(MAX_REDIRECTS + 1):
            self.check(url)
            request = self.client.build_request(method, url, content=body, headers=headers)
            response = await self.client.send(request, auth=self.auth, stream=True)
            try:
                if response.is_redirect and "location" in response.headers:
                    url = urljoin(url, response.headers["location"])
                    continue
                if response.status_code in (401, 403):
                    raise CredentialsRefused("The server refused the user name or password")
                content = await _read_capped(response)
            finally:
                await response.aclose()
            return Answer(response.status_code, response.headers, content, url)
        raise CalendarError(f"The server redirects more than {MAX_REDIRECTS} times")


async def _read_capped(response: httpx.Response) -> bytes:
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > MAX_BYTES:
            raise CalendarError(f"The answer is larger than {MAX_BYTES // (1024 * 1024)} MB")
    return bytes(body)


@asynccontextmanager
async def calendar_http(
    *,
    allow_private: bool,
    username: str | None = None,
    password: str | None = None,
    timeout_seconds: float = 15.0,
) -> AsyncIterator[CalendarHttp]:
    auth = httpx.BasicAuth(username, password or "") if username else None
    async with httpx.AsyncClient(
        transport=CheckedTransport(allow_private=allow_private, resolver=system_resolver),
        follow_redirects=False,
        trust_env=False,
        headers={"user-agent": USER_AGENT},
        timeout=timeout_seconds,
    ) as client:
        yield CalendarHttp(
            client, allow_private=allow_private, auth=auth, timeout_seconds=timeout_seconds
        )
