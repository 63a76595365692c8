"""Migrations: up, no pending autogenerate diff, down to base, up again."""

from alembic import command

from slotwise.cli.migrate import alembic_config, downgrade, upgrade
from tests.conftest import scratch_database


def test_upgrade_check_downgrade_upgrade(service_urls: tuple[str, str]) -> None:
    with scratch_database(service_urls[0], "slotwise_migr") as url:
        upgrade(url)
        command.check(alembic_config(url))  # raises on any pending model change
        downgrade(url, "base")
        upgrade(url)
        command.check(alembic_config(url))
