"""Download a small file from a customer-supplied URL, through the checked client.

Redirects are followed by hand (at most `MAX_REDIRECTS`), each target checked like the first
URL; the body is read only up to the limit, and the whole download runs under one timeout.
"""

import asyncio
from dataclasses import dataclass
from urllib.parse import urljoin

import httpx

from slotwise import __version__
from slotwise.egress import policy
from slotwise.egress.transport import CheckedTransport, EgressRefused, Resolver, system_resolver

MAX_REDIRECTS = 3
USER_AGENT = f"slotwise-fetch/{__version__}"


class FetchFailed(Exception):
    """The download failed; the message says why in words a partner can act on."""


@dataclass(frozen=True)
class Fetched:
    content: bytes
    content_type: str | None


async def _read_capped(response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchFailed(f"is larger than {max_bytes // 1024} KB")
    body = bytearray()
    async for chunk in response.aiter_bytes():
        body += chunk
        if len(body) > max_bytes:
            raise FetchFailed(f"is larger than {max_bytes // 1024} KB")
    return bytes(body)


async def _follow(
    client: httpx.AsyncClient, url: str, allow_private: bool, max_bytes: int
) -> Fetched:
    for _ in range(MAX_REDIRECTS + 1):
        try:
            policy.parse_endpoint(url, allow_private=allow_private)
        except policy.UrlProblem as exc:
            raise FetchFailed(f"leads to a URL that {exc}") from exc
        async with client.stream("GET", url) as response:
            if response.is_redirect and "location" in response.headers:
                url = urljoin(url, response.headers["location"])
                continue
            if response.status_code != 200:
                raise FetchFailed(f"answered HTTP {response.status_code}")
            content = await _read_capped(response, max_bytes)
            return Fetched(content, response.headers.get("content-type"))
    raise FetchFailed(f"redirects more than {MAX_REDIRECTS} times")


async def fetch(
    url: str,
    *,
    allow_private: bool,
    max_bytes: int,
    accept: str = "*/*",
    timeout_seconds: float = 15.0,
    resolver: Resolver = system_resolver,
) -> Fetched:
    """The body of a 200 answer to GET `url`; FetchFailed for anything else."""
    async with httpx.AsyncClient(
        transport=CheckedTransport(allow_private=allow_private, resolver=resolver),
        follow_redirects=False,
        trust_env=False,
        headers={"user-agent": USER_AGENT, "accept": accept},
        timeout=timeout_seconds,
    ) as client:
        try:
            async with asyncio.timeout(timeout_seconds):
                return await _follow(client, url, allow_private, max_bytes)
        except EgressRefused as exc:
            raise FetchFailed(f"was refused: {exc}") from exc
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise FetchFailed(f"did not answer within {timeout_seconds:g} s") from exc
        except httpx.HTTPError as exc:
            raise FetchFailed(f"could not be fetched: {type(exc).__name__}") from exc
