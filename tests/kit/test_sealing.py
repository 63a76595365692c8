"""Sealing with rotating keys: the newest seals, any listed key opens, others fail loudly."""

import pytest

from slotwise.kit.sealing import Keyring, SealError, key_id, new_key, sealed_key_id

OLD, NEW = new_key(), new_key()


def test_a_sealed_value_holds_no_clear_text_and_opens_again() -> None:
    ring = Keyring.parse(OLD)
    sealed = ring.seal("whsec_plain", "ctx")
    assert "whsec_plain" not in sealed
    assert ring.open(sealed, "ctx") == "whsec_plain"
    assert ring.seal("whsec_plain", "ctx") != sealed, "a fresh nonce each time"


def test_rotation_new_key_seals_old_key_second_still_opens() -> None:
    old_sealed = Keyring.parse(OLD).seal("s", "ctx")
    rotated = Keyring.parse(f"{NEW}, {OLD}")
    assert rotated.open(old_sealed, "ctx") == "s"
    assert not rotated.is_current(old_sealed)
    new_sealed = rotated.seal("s", "ctx")
    assert sealed_key_id(new_sealed) == rotated.current_id == rotated.ids[0]
    assert rotated.is_current(new_sealed)


def test_a_key_no_longer_listed_or_another_context_fails() -> None:
    sealed = Keyring.parse(OLD).seal("s", "ctx")
    with pytest.raises(SealError, match="does not list"):
        Keyring.parse(NEW).open(sealed, "ctx")
    with pytest.raises(SealError, match="altered"):
        Keyring.parse(OLD).open(sealed, "other")
    with pytest.raises(SealError, match="not set"):
        Keyring.parse("").seal("s", "ctx")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("short", "key 1 of 1 is not 32 bytes"),
        (f"{NEW},", "key 2 of 2 is empty"),
        (f"{NEW},{NEW}", "key 2 of 2 repeats"),
        (NEW.rstrip("="), "key 1 of 1 is not 32 bytes"),
    ],
    ids=["short", "empty", "repeated", "unpadded"],  # the same in every test process
)
def test_bad_keys_are_named_by_position(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as caught:
        Keyring.parse(text)
    assert NEW not in str(caught.value)


def test_key_ids_are_stable() -> None:
    ring = Keyring.parse(NEW)
    assert ring.ids == [key_id(__import__("base64").urlsafe_b64decode(NEW))]
