"""Settings: parsed once, typed, and a bad value names its variable."""

import subprocess
import sys
from pathlib import Path

import msgspec
import pytest

from slotwise.kit.sealing import new_key
from slotwise.settings import Settings, SettingsError, env_name, load_settings


def test_plain_postgresql_url_gets_the_async_driver() -> None:
    settings = load_settings({"DATABASE_URL": "postgresql://u@h:5432/db"})
    assert settings.async_database_url == "postgresql+asyncpg://u@h:5432/db"


def test_prefixed_variables_are_typed() -> None:
    settings = load_settings({"SLOTWISE_PORT": "9001", "SLOTWISE_DB_ECHO": "true"})
    assert settings.port == 9001
    assert settings.db_echo is True


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"SLOTWISE_PORT": "eighty"}, "SLOTWISE_PORT"),
        ({"SLOTWISE_PORT": "70000"}, "SLOTWISE_PORT"),
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL"),
        ({"REDIS_URL": "memcached://x"}, "REDIS_URL"),
        ({"SLOTWISE_PUBLIC_URL": "ftp://x"}, "SLOTWISE_PUBLIC_URL"),
        ({"SLOTWISE_ARGON2_PROFILE": "weak"}, "SLOTWISE_ARGON2_PROFILE"),
    ],
)
def test_bad_setting_names_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(SettingsError, match=f"^{variable}:"):
        load_settings(env)


CAPS = {
    "max_meeting_types_per_user": 200,
    "max_exceptions_per_availability": 1000,
    "max_api_keys_per_company": 50,
    "max_personal_access_tokens_per_user": 50,
}


def test_caps_have_their_defaults_and_are_read_from_the_environment() -> None:
    defaults = load_settings({})
    assert {name: getattr(defaults, name) for name in CAPS} == CAPS
    tuned = load_settings({env_name(name): "7" for name in CAPS})
    assert {getattr(tuned, name) for name in CAPS} == {7}


@pytest.mark.parametrize("name", sorted(CAPS))
@pytest.mark.parametrize("value", ["0", "-1", "many"])
def test_a_cap_below_one_names_its_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"^{env_name(name)}:"):
        load_settings({env_name(name): value})


def test_cli_reports_a_bad_setting_in_one_line() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "slotwise", "migrate"],
        env={"SLOTWISE_PORT": "eighty", "PATH": ""},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "slotwise: configuration error: SLOTWISE_PORT: Expected `int`, got `str`"
    ]
    assert "Traceback" not in result.stderr


def test_env_example_documents_every_setting() -> None:
    text = (Path(__file__).resolve().parents[1] / "deploy" / "env.example").read_text()
    values = dict(
        line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#")
    )
    for info in msgspec.structs.fields(Settings):
        assert env_name(info.name) in values, f"{env_name(info.name)} missing from env.example"
    assert load_settings(values).public_url == "https://book.example.com"


def test_secret_keys_are_checked_and_never_shown() -> None:
    key = new_key()
    assert load_settings({"SLOTWISE_SECRET_KEYS": f"{key}, {new_key()}"}).keyring().ids
    with pytest.raises(SettingsError, match=r"^SLOTWISE_SECRET_KEYS: key 2 of 2 is not") as exc:
        load_settings({"SLOTWISE_SECRET_KEYS": f"{key},{key[:-4]}"})
    assert key[:-4] not in str(exc.value)


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_serve_and_worker_refuse_to_start_without_secret_keys(command: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "slotwise", command],
        env={
            "PATH": "",
            "DATABASE_URL": "postgresql://u@127.0.0.1:1/db",
            "REDIS_URL": "redis://127.0.0.1:1/0",
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("slotwise: configuration error: SLOTWISE_SECRET_KEYS: not set")


def test_the_asgi_factory_refuses_to_build_without_secret_keys(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from slotwise.app import create_app_from_env

    monkeypatch.delenv("SLOTWISE_SECRET_KEYS", raising=False)
    with pytest.raises(SettingsError, match="SLOTWISE_SECRET_KEYS: not set"):
        create_app_from_env()


def test_the_asgi_factory_collects_garbage_less_often(monkeypatch: pytest.MonkeyPatch) -> None:
    """A server process raises the collector's first threshold (a slot answer makes thousands
    of short-lived objects); the startup objects are frozen out of its view."""
    import gc

    from slotwise.app import GC_THRESHOLDS, create_app_from_env

    monkeypatch.setenv("SLOTWISE_SECRET_KEYS", new_key())
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)  # CPython's default
    try:
        create_app_from_env()
        assert gc.get_threshold() == GC_THRESHOLDS
        assert gc.get_freeze_count() > 0
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()
