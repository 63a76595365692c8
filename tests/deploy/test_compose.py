"""deploy/compose.yaml and deploy/env.example: the services, their order of start, their
health checks and privileges, and settings the app really reads."""

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import msgspec
import pytest
import yaml

from slotwise.cli import build_parser
from slotwise.kit.sealing import new_key
from slotwise.settings import Settings, env_name, load_settings
from slotwise.web.health import HealthController

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
APP_SERVICES = ("migrate", "api", "worker")
LIVE = f"{HealthController.path}{next(iter(HealthController.live.paths))}"


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    return loaded


def _services() -> dict[str, Any]:
    services: dict[str, Any] = _compose()["services"]
    return services


def _env_example() -> dict[str, str]:
    pairs = {}
    for line in (DEPLOY / "env.example").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, value = line.partition("=")
            pairs[name] = value
    return pairs


def _environment(service: dict[str, Any]) -> dict[str, str]:
    """What the container sees: the env file, then the service's own environment."""
    env = _env_example() if service.get("env_file") == "env.example" else {}
    return env | service.get("environment", {})


def test_the_services_are_all_there() -> None:
    assert set(_services()) == {"postgres", "redis", "pgbouncer", *APP_SERVICES}


@pytest.mark.parametrize("name", APP_SERVICES)
def test_slotwise_services_run_the_image_unprivileged_on_a_read_only_root(name: str) -> None:
    service = _services()[name]
    build = service["build"]
    assert (DEPLOY / build["context"]).resolve() == ROOT
    assert build["dockerfile"] == "deploy/Dockerfile"
    uid, _, gid = service["user"].partition(":")
    assert int(uid) > 0
    assert int(gid) > 0
    assert service["read_only"] is True
    assert "/tmp" in service["tmpfs"]  # noqa: S108 - a scratch tmpfs, checked
    assert service["cap_drop"] == ["ALL"]
    assert "no-new-privileges:true" in service["security_opt"]
    build_parser().parse_args(service["command"])  # a real `slotwise` command
    assert service["command"][0] == name.replace("api", "serve")


def _condition(service: dict[str, Any], on: str) -> str:
    condition: str = service["depends_on"][on]["condition"]
    return condition


def test_each_service_starts_once_what_it_needs_is_ready() -> None:
    services = _services()
    assert _condition(services["pgbouncer"], "postgres") == "service_healthy"
    assert set(services["migrate"]["depends_on"]) == {"postgres"}
    assert _condition(services["migrate"], "postgres") == "service_healthy"
    for name in ("api", "worker"):
        assert _condition(services[name], "migrate") == "service_completed_successfully"
        assert _condition(services[name], "pgbouncer") == "service_healthy"
        assert _condition(services[name], "redis") == "service_healthy"
    for service in services.values():
        for on, how in service.get("depends_on", {}).items():
            if how["condition"] == "service_healthy":
                check = services[on]["healthcheck"]
                assert check["test"], on
                assert not check.get("disable", False), on


def test_health_checks() -> None:
    services = _services()
    for name in ("postgres", "redis", "pgbouncer", "api"):
        assert services[name]["healthcheck"]["test"][0] == "CMD", name
    api = " ".join(services["api"]["healthcheck"]["test"])
    assert f"http://127.0.0.1:8000{LIVE}" in api
    assert "urllib.request" in api, "no curl in the slim image"
    # no port to ask: the image's HTTP check would call them unhealthy
    for name in ("worker", "migrate"):
        assert services[name]["healthcheck"] == {"disable": True}


def _database(url: str) -> tuple[str | None, int | None, str, str | None, str | None]:
    parts = urlsplit(url)
    return parts.hostname, parts.port, parts.path.lstrip("/"), parts.username, parts.password


def test_the_app_goes_through_pgbouncer_in_transaction_mode_and_the_migration_does_not() -> None:
    services = _services()
    postgres = services["postgres"]["environment"]
    bouncer = services["pgbouncer"]["environment"]
    assert bouncer["POOL_MODE"] == "transaction"
    assert bouncer["DB_HOST"] == "postgres"
    credentials = (
        postgres["POSTGRES_DB"],
        postgres["POSTGRES_USER"],
        postgres["POSTGRES_PASSWORD"],
    )
    assert (bouncer["DB_NAME"], bouncer["DB_USER"], bouncer["DB_PASSWORD"]) == credentials
    for name in ("api", "worker"):
        host, port, *rest = _database(_environment(services[name])["DATABASE_URL"])
        assert (host, port) == ("pgbouncer", int(bouncer["LISTEN_PORT"])), name
        assert tuple(rest) == credentials, name
    host, port, *rest = _database(_environment(services["migrate"])["DATABASE_URL"])
    assert (host, port) == ("postgres", 5432)
    assert tuple(rest) == credentials
    assert urlsplit(_env_example()["REDIS_URL"]).hostname == "redis"


def test_the_api_and_the_worker_refuse_to_start_without_secret_keys() -> None:
    for name in ("api", "worker"):
        keys = _services()[name]["environment"]["SLOTWISE_SECRET_KEYS"]
        assert re.fullmatch(r"\$\{SLOTWISE_SECRET_KEYS:\?.+\}", keys), name
    assert _env_example()["SLOTWISE_SECRET_KEYS"] == "", "no key is shipped"


def test_env_example_names_every_setting_and_nothing_else() -> None:
    names = {env_name(field.name) for field in msgspec.structs.fields(Settings)}
    assert set(_env_example()) == names


def test_env_example_values_are_accepted_by_the_settings() -> None:
    settings = load_settings(_env_example() | {"SLOTWISE_SECRET_KEYS": new_key()})
    assert settings.host == "0.0.0.0"  # noqa: S104 - the container's own address
    assert settings.argon2_profile == "rfc9106"
    assert settings.webhook_allow_private_networks is False
