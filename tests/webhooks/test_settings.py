"""Webhook settings: defaults, validation, and the warnings when private networks are allowed."""

import asyncio

import msgspec
import pytest
from litestar.testing import AsyncTestClient

from slotwise.app import create_app
from slotwise.settings import Settings, SettingsError, load_settings


def test_defaults() -> None:
    settings = load_settings({})
    assert settings.webhook_max_endpoints == 20
    assert settings.webhook_allow_private_networks is False
    assert settings.webhook_disable_after_hours == 120
    assert settings.webhook_secret_overlap_hours == 24
    assert settings.webhook_max_concurrent_per_company == 10


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"SLOTWISE_WEBHOOK_RELAY_SECONDS": "7"}, "SLOTWISE_WEBHOOK_RELAY_SECONDS"),
        ({"SLOTWISE_WEBHOOK_MAX_ENDPOINTS": "0"}, "SLOTWISE_WEBHOOK_MAX_ENDPOINTS"),
        ({"SLOTWISE_WEBHOOK_ALLOW_PRIVATE_NETWORKS": "maybe"}, "SLOTWISE_WEBHOOK_ALLOW_PRIVATE"),
        ({"SLOTWISE_WORKER_MAX_JOBS": "0"}, "SLOTWISE_WORKER_MAX_JOBS"),
        (
            {"SLOTWISE_WEBHOOK_MAX_CONCURRENT_PER_COMPANY": "0"},
            "SLOTWISE_WEBHOOK_MAX_CONCURRENT_PER_COMPANY",
        ),
    ],
)
def test_bad_values_name_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(SettingsError, match=f"^{variable}"):
        load_settings(env)


@pytest.mark.parametrize(
    "setting", ["webhook_allow_private_networks", "image_import_allow_private_networks"]
)
@pytest.mark.parametrize("allowed", [True, False])
async def test_startup_warns_when_private_networks_are_allowed(
    settings: Settings, capfd: pytest.CaptureFixture[str], allowed: bool, setting: str
) -> None:
    variable = f"SLOTWISE_{setting.upper()} is on"
    plain = msgspec.structs.replace(
        settings,
        webhook_allow_private_networks=False,
        image_import_allow_private_networks=False,
        smtp_url="smtp://127.0.0.1:2525",
    )
    app = create_app(msgspec.structs.replace(plain, **{setting: allowed}))
    async with AsyncTestClient(app):
        pass
    output = ""
    for _ in range(50):  # Litestar's log handler writes from its own thread
        output += capfd.readouterr().err
        if variable in output:
            break
        await asyncio.sleep(0.02)
    assert (variable in output) is allowed
    assert "ALLOW_PRIVATE_NETWORKS is on" not in output.replace(variable, "")


@pytest.mark.parametrize("smtp_url", [None, "smtp://127.0.0.1:2525"])
async def test_startup_warns_when_no_mail_can_be_sent(
    settings: Settings, capfd: pytest.CaptureFixture[str], smtp_url: str | None
) -> None:
    app = create_app(msgspec.structs.replace(settings, smtp_url=smtp_url))
    async with AsyncTestClient(app):
        pass
    output = ""
    for _ in range(50):  # Litestar's log handler writes from its own thread
        output += capfd.readouterr().err
        if "SLOTWISE_SMTP_URL is not set" in output:
            break
        await asyncio.sleep(0.02)
    assert ("SLOTWISE_SMTP_URL is not set" in output) is (smtp_url is None)


@pytest.mark.parametrize("margin", [1, 30, 120])
def test_deliver_job_timeout_outlasts_the_longest_job(settings: Settings, margin: int) -> None:
    """arq must never cancel a deliver job mid-send: its timeout exceeds its own attempt plus
    the drain, with one more attempt at the longest endpoint timeout started at its end."""
    from slotwise.webhooks import jobs
    from slotwise.webhooks.delivery import DRAIN_SECONDS, MAX_ENDPOINT_TIMEOUT_SECONDS
    from slotwise.webhooks.schemas import Timeout
    from slotwise.worker import worker_options

    tuned = msgspec.structs.replace(settings, webhook_lease_margin_seconds=margin)
    (limit,) = [m.le for m in Timeout.__metadata__ if isinstance(m, msgspec.Meta)]
    assert limit == MAX_ENDPOINT_TIMEOUT_SECONDS
    attempt = MAX_ENDPOINT_TIMEOUT_SECONDS + margin
    (deliver,) = [f for f in worker_options(tuned)["functions"] if f.name == "webhooks.deliver"]
    assert deliver.timeout_s is not None
    assert deliver.timeout_s > attempt + DRAIN_SECONDS + attempt
    assert deliver.timeout_s == jobs.deliver_timeout_seconds(tuned)
