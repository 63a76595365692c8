"""Migrations: up, no pending autogenerate diff, down to base, up again."""

import asyncio
import uuid
from datetime import UTC, datetime

import asyncpg
import pytest
from alembic import command

from slotwise.cli.migrate import alembic_config, downgrade, upgrade
from slotwise.web.idempotency import key_digest
from tests.conftest import scratch_database


def test_upgrade_check_downgrade_upgrade(service_urls: tuple[str, str]) -> None:
    with scratch_database(service_urls[0], "slotwise_migr") as url:
        upgrade(url)
        command.check(alembic_config(url))  # raises on any pending model change
        downgrade(url, "base")
        upgrade(url)
        command.check(alembic_config(url))


async def _run(url: str, sql: str, *args: object) -> object:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


def test_stored_idempotency_keys_become_the_digests_the_lookup_uses(
    service_urls: tuple[str, str],
) -> None:
    key, company = "retry-\u00fc 42", uuid.uuid4()
    with scratch_database(service_urls[0], "slotwise_migr") as url:
        upgrade(url, "0017")
        asyncio.run(
            _run(url, "INSERT INTO company (id, name, timezone) VALUES ($1, 'A', 'UTC')", company)
        )
        asyncio.run(
            _run(
                url,
                "INSERT INTO idempotency_record (id, company_id, credential_id, key, fingerprint,"
                " status_code, headers, body, expires_at)"
                " VALUES ($1, $2, $1, $3, 'f', 201, '{}', 'x', now() + interval '1 hour')",
                uuid.uuid4(),
                company,
                key,
            )
        )
        upgrade(url)
        stored = asyncio.run(_run(url, "SELECT key_digest FROM idempotency_record"))
        assert stored == key_digest(key)
        assert asyncio.run(_run(url, "SELECT sealed FROM idempotency_record")) is False


def test_plain_webhook_secrets_are_kept_and_a_downgrade_over_sealed_ones_is_refused(
    service_urls: tuple[str, str],
) -> None:
    company, endpoint = uuid.uuid4(), uuid.uuid4()
    insert = (
        "INSERT INTO webhook_endpoint (id, company_id, url, event_types, headers,"
        " timeout_seconds, max_retries, status, secret, success_count, failure_count)"
        " VALUES ($1, $2, 'https://h.example/x', '{}', '{}', 5, 1, 'active', $3, 0, 0)"
    )
    with scratch_database(service_urls[0], "slotwise_migr") as url:
        upgrade(url, "0019")
        asyncio.run(
            _run(url, "INSERT INTO company (id, name, timezone) VALUES ($1, 'A', 'UTC')", company)
        )
        asyncio.run(_run(url, insert, endpoint, company, "whsec_legacy"))
        upgrade(url)
        stored = asyncio.run(_run(url, "SELECT secret FROM webhook_endpoint"))
        assert stored == "whsec_legacy", "read as legacy plain text until `secrets rotate`"
        sealed = "sealed:v1:abcdef12:" + "A" * 110
        asyncio.run(_run(url, "UPDATE webhook_endpoint SET secret = $1", sealed))
        with pytest.raises(RuntimeError, match="hold sealed secrets"):
            downgrade(url, "0019")


def test_existing_rows_are_numbered_in_order_and_new_ones_follow(
    service_urls: tuple[str, str],
) -> None:
    company = uuid.uuid4()
    endpoints = sorted(uuid.uuid4() for _ in range(3))
    insert = (
        "INSERT INTO webhook_endpoint (id, company_id, url, event_types, headers,"
        " timeout_seconds, max_retries, status, secret, success_count, failure_count)"
        " VALUES ($1, $2, 'https://h.example/x', '{}', '{}', 5, 1, 'active', 's', 0, 0)"
    )
    with scratch_database(service_urls[0], "slotwise_migr") as url:
        upgrade(url, "0023")
        asyncio.run(
            _run(url, "INSERT INTO company (id, name, timezone) VALUES ($1, 'A', 'UTC')", company)
        )
        for endpoint in reversed(endpoints):
            asyncio.run(_run(url, insert, endpoint, company))
        upgrade(url)
        for number, endpoint in enumerate(endpoints, 1):
            got = asyncio.run(
                _run(url, "SELECT number FROM webhook_endpoint WHERE id = $1", endpoint)
            )
            assert got == number
        newest = uuid.uuid4()
        asyncio.run(_run(url, insert, newest, company))
        got = asyncio.run(_run(url, "SELECT number FROM webhook_endpoint WHERE id = $1", newest))
        assert got == len(endpoints) + 1


def test_keys_by_company_carry_the_rows_over_and_back(service_urls: tuple[str, str]) -> None:
    company, live, gone, key = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    user = (
        'INSERT INTO "user" (id, company_id, email, given_name, family_name, slug, timezone,'
        " language, role, user_type, deleted_at) VALUES ($1, $2, $3, 'A', 'B', $3, 'UTC', 'en',"
        " 'member', 'standard', $4)"
    )
    with scratch_database(service_urls[0], "slotwise_migr") as url:
        upgrade(url, "0025")
        asyncio.run(
            _run(url, "INSERT INTO company (id, name, timezone) VALUES ($1, 'A', 'UTC')", company)
        )
        asyncio.run(_run(url, user, live, company, "live-one", None))
        asyncio.run(_run(url, user, gone, company, "gone-one", datetime.now(UTC)))
        asyncio.run(
            _run(
                url,
                "INSERT INTO credential (id, company_id, kind, lookup_id, secret_hash,"
                " display_prefix, scopes, active) VALUES ($1, $2, 'pat', 'AbCd1234', 'h', 'p',"
                " '{}', true)",
                key,
                company,
            )
        )
        asyncio.run(
            _run(url, "INSERT INTO schedule_version (user_id, version) VALUES ($1, 7)", live)
        )
        upgrade(url)
        assert (
            asyncio.run(_run(url, "SELECT user_id FROM user_slug WHERE slug = 'live-one'")) == live
        )
        assert asyncio.run(_run(url, "SELECT count(*) FROM user_slug")) == 1, "live users only"
        found = "SELECT credential_id FROM credential_lookup WHERE lookup_id = 'AbCd1234'"
        assert asyncio.run(_run(url, found)) == key
        version = "SELECT version FROM schedule_version WHERE company_id = $1 AND user_id = $2"
        assert asyncio.run(_run(url, version, company, live)) == 7
        asyncio.run(
            _run(
                url,
                "INSERT INTO availability (id, company_id, user_id, name, timezone, is_default,"
                " schedule) VALUES ($1, $2, $3, 'x', 'UTC', false, '{}')",
                uuid.uuid4(),
                company,
                live,
            )
        )
        assert asyncio.run(_run(url, version, company, live)) == 8, "the trigger bumps it"
        downgrade(url, "0025")
        assert asyncio.run(_run(url, "SELECT version FROM schedule_version")) == 8
        primary = (
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'pk_appointment'"
        )
        assert asyncio.run(_run(url, primary)) == "PRIMARY KEY (id)"
