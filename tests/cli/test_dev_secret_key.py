"""`slotwise dev` keeps its own SLOTWISE_SECRET_KEYS in its data folder, made once, reused."""

import stat
from pathlib import Path

import pytest

from slotwise.cli.dev import SECRET_KEY_FILE, _with_dev_keys, dev_secret_keys
from slotwise.kit.sealing import new_key
from slotwise.settings import SettingsError, load_settings


def test_the_dev_key_is_made_once_private_and_reused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = dev_secret_keys(data)
    assert load_settings({"SLOTWISE_SECRET_KEYS": first}).keyring()
    assert stat.S_IMODE((data / SECRET_KEY_FILE).stat().st_mode) == 0o600
    assert dev_secret_keys(data) == first
    settings = _with_dev_keys(load_settings({}), data)
    assert settings.secret_keys == first


def test_a_set_key_wins_and_a_broken_file_is_named(tmp_path: Path) -> None:
    mine = new_key()
    settings = load_settings({"SLOTWISE_SECRET_KEYS": mine})
    assert _with_dev_keys(settings, tmp_path).secret_keys == mine
    assert not (tmp_path / SECRET_KEY_FILE).exists()
    (tmp_path / SECRET_KEY_FILE).write_text("garbage\n")
    with pytest.raises(SettingsError, match=SECRET_KEY_FILE):
        dev_secret_keys(tmp_path)
