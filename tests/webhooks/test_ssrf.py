"""SSRF: blocked addresses are refused at registration and at delivery, before any connection."""

import ipaddress
import uuid
from collections.abc import AsyncIterator

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from slotwise.egress import policy
from slotwise.models import DeliveryStatus
from slotwise.settings import Settings
from slotwise.webhooks.delivery import Deliverer
from slotwise.webhooks.sender import WEBHOOK_SENDER, Sender
from tests.support.factories import Tenant, make_delivery, make_webhook
from tests.support.webhook_receiver import Receiver
from tests.webhooks.conftest import FakeClock


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Production policy: private networks are not allowed."""
    return msgspec.structs.replace(settings, webhook_allow_private_networks=False)


BLOCKED_ADDRESSES = [
    "127.0.0.1",
    "127.255.0.9",
    "10.0.0.1",
    "10.255.255.255",
    "172.16.0.1",
    "172.31.255.254",
    "192.168.1.1",
    "169.254.169.254",
    "169.254.1.1",
    "100.64.0.1",
    "100.127.255.254",
    "0.0.0.0",  # noqa: S104 - a value under test
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "198.18.0.1",
    "::1",
    "::",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "::ffff:169.254.169.254",
    "64:ff9b::7f00:1",
    "64:ff9b::a9fe:a9fe",
    "64:ff9b:1::1",
    "2002:7f00:1::",
    "2002:7f00:1::1",
    "2002:a00:1::",
    "::7f00:1",
    "fc00::1",
    "fd00:ec2::254",
    "fe80::1",
    "ff02::1",
    "2001:db8::1",
]
PUBLIC_ADDRESSES = [
    "93.184.216.34",
    "1.1.1.1",
    "8.8.8.8",
    "2606:4700:4700::1111",
    "64:ff9b::5db8:d822",
]


@pytest.mark.parametrize("address", BLOCKED_ADDRESSES)
def test_policy_blocks(address: str) -> None:
    assert policy.blocked_reason(ipaddress.ip_address(address)) is not None


@pytest.mark.parametrize("address", PUBLIC_ADDRESSES)
def test_policy_allows_public_addresses(address: str) -> None:
    assert policy.blocked_reason(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("2130706433", "127.0.0.1"),
        ("0177.0.0.1", "127.0.0.1"),
        ("0x7f.0.0.1", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("10.1", "10.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("127.0.0.1.", "127.0.0.1"),
        ("[::ffff:127.0.0.1]", "::ffff:127.0.0.1"),
        ("example.com", None),
        ("localhost", None),
    ],
)
def test_numeric_hosts_are_read_like_inet_aton(host: str, address: str | None) -> None:
    expected = None if address is None else ipaddress.ip_address(address)
    assert policy.host_address(host) == expected


@pytest.mark.parametrize("host", ["08.0.0.1", "256.0.0.1", "1.2.3.4.5", "0x.1", "foo.123"])
def test_malformed_numeric_hosts_are_refused(host: str) -> None:
    with pytest.raises(policy.UrlProblem):
        policy.host_address(host)


#: the SSRF table, as URLs a company could register
BLOCKED_URLS = [
    "https://127.0.0.1/hook",
    "https://10.1.2.3/hook",
    "https://172.16.5.4/hook",
    "https://192.168.0.10/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://100.64.0.1/hook",
    "https://[::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://[64:ff9b::7f00:1]/hook",
    "https://[2002:7f00:1::]/hook",
    "https://2130706433/hook",
    "https://0177.0.0.1/hook",
    "https://localhost/hook",
    "https://localhost./hook",
    "https://api.localhost/hook",
]


@pytest.mark.parametrize("url", BLOCKED_URLS)
def test_blocked_urls_fail_the_registration_check(url: str) -> None:
    with pytest.raises(policy.UrlProblem):
        policy.parse_endpoint(url, allow_private=False)


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.example.com/x", "https://"),
        ("ftp://hooks.example.com/x", "https://"),
        ("https://user:pw@hooks.example.com/x", "user name"),
        ("https:///x", "host"),
        ("https://hooks.example.com:99999/x", "valid URL"),
        ("https://hooks.example.com/a b", "spaces"),
        ("https://hooks.example.com/" + "a" * 2048, "2048"),
    ],
)
def test_malformed_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(policy.UrlProblem, match=message):
        policy.parse_endpoint(url, allow_private=False)


def test_allowing_private_networks_allows_http_and_loopback() -> None:
    target = policy.parse_endpoint("http://127.0.0.1:8080/x", allow_private=True)
    assert (target.scheme, target.port) == ("http", 8080)


async def test_api_refuses_blocked_urls_naming_endpoint(
    client: AsyncTestClient[Litestar], tenant: Tenant
) -> None:
    for url in BLOCKED_URLS:
        response = await client.post(
            "/v4/webhooks",
            json={"endpoint": url, "eventTypes": ["booking_created"]},
            headers=tenant.headers(),
        )
        assert response.status_code == 400, url
        assert [e["field"] for e in response.json()["errors"]] == ["endpoint"], url
    listed = await client.get("/v4/webhooks", headers=tenant.headers())
    assert listed.json() == []


def stub_resolver(answers: dict[str, list[list[str]]]) -> "StubResolver":
    return StubResolver(answers)


class StubResolver:
    """Answers a name with its next planned address list (the last one repeats)."""

    def __init__(self, answers: dict[str, list[list[str]]]) -> None:
        self.answers = answers
        self.calls: list[str] = []

    async def __call__(self, host: str, port: int) -> list[policy.IPAddress]:
        self.calls.append(host)
        planned = self.answers.get(host)
        if not planned:
            raise OSError(f"{host}: unknown")
        found = planned.pop(0) if len(planned) > 1 else planned[0]
        return [ipaddress.ip_address(a) for a in found]


async def test_registration_does_not_tell_private_names_from_unknown_ones(
    app: Litestar, client: AsyncTestClient[Litestar], tenant: Tenant
) -> None:
    """Names are resolved at delivery only: a name with a private answer and one without any
    answer get the same reply at registration, so it reveals nothing about internal names."""
    resolver = StubResolver(
        {
            "internal.example.com": [["93.184.216.34", "10.0.0.7"]],
            "public.example.com": [["93.184.216.34"]],
        }
    )
    sender = Sender(allow_private=False, resolver=resolver)
    WEBHOOK_SENDER.put(app.state, sender)
    try:
        replies = {}
        for host in ("internal.example.com", "public.example.com", "nowhere.example.com"):
            response = await client.post(
                "/v4/webhooks",
                json={"endpoint": f"https://{host}/hook", "eventTypes": ["booking_created"]},
                headers=tenant.headers(),
            )
            replies[host] = response.status_code
    finally:
        await sender.aclose()
    assert replies == dict.fromkeys(replies, 201)
    assert resolver.calls == []


@pytest.fixture
async def guarded(
    sessions: async_sessionmaker[AsyncSession], settings: Settings, clock: FakeClock
) -> AsyncIterator[tuple[Deliverer, StubResolver]]:
    resolver = StubResolver(
        {
            "loopback.example.com": [["127.0.0.1"]],
            # rebinding: whatever it answered before, loopback when delivered
            "rebind.example.com": [["127.0.0.1"]],
        }
    )
    sender = Sender(allow_private=False, resolver=resolver)
    yield Deliverer(sessions, sender, settings, clock=clock), resolver
    await sender.aclose()


async def test_delivery_to_blocked_addresses_sends_nothing(
    settings: Settings,
    tenant: Tenant,
    receiver: Receiver,
    guarded: tuple[Deliverer, StubResolver],
) -> None:
    deliverer, resolver = guarded
    deliverer.sender.check_url("https://rebind.example.com/hook")  # passes when registered
    assert resolver.calls == []
    port = receiver.port
    hosts = [
        "127.0.0.1",
        "127.1",
        "2130706433",
        "0177.0.0.1",
        "0x7f000001",
        "[::1]",
        "[::ffff:127.0.0.1]",
        "[64:ff9b::7f00:1]",
        "[2002:7f00:1::]",
        "localhost",
        "loopback.example.com",
        "rebind.example.com",
        "10.0.0.1",
        "172.16.0.1",
        "192.168.0.1",
        "169.254.169.254",
        "100.64.0.1",
    ]
    for host in hosts:
        # inserted behind the API's back, as if the check had been passed at registration
        await make_webhook(settings, tenant, url=f"https://{host}:{port}/hook")
    deliveries = await make_delivery(settings, tenant)
    assert len(deliveries) == len(hosts)
    outcomes = [await deliverer.deliver(delivery_id) for delivery_id in deliveries]
    errors = {o.delivery_id: o.error for o in outcomes if o is not None}
    assert set(errors.values()) == {"blocked_address"}, errors
    assert all(o is not None and o.status is DeliveryStatus.PENDING for o in outcomes)
    assert receiver.connections == 0
    assert receiver.received == []
    assert "rebind.example.com" in resolver.calls


async def test_blocked_attempt_is_logged(
    client: AsyncTestClient[Litestar],
    settings: Settings,
    tenant: Tenant,
    guarded: tuple[Deliverer, StubResolver],
) -> None:
    deliverer, _ = guarded
    webhook = await make_webhook(settings, tenant, url="https://loopback.example.com/hook")
    (delivery_id,) = await make_delivery(settings, tenant)
    await deliverer.deliver(delivery_id)
    detail = await client.get(f"/v4/webhooks/deliveries/{delivery_id}", headers=tenant.headers())
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert body["webhookId"] == str(webhook.id)
    assert [(a["attempt"], a["error"], a["responseCode"]) for a in body["attemptLog"]] == [
        (1, "blocked_address", None)
    ]
    assert uuid.UUID(body["id"]) == delivery_id
