"""Token formats: generation and parsing (pure)."""

import uuid

import pytest

from slotwise.auth.tokens import PatStyle, TokenKind, new_api_key, new_pat, parse


def test_api_key_round_trip() -> None:
    key_id = uuid.uuid4()
    made = new_api_key(key_id)
    assert made.token.startswith(f"ak_live:{key_id}:")
    parsed = parse(made.token)
    assert parsed is not None
    assert (parsed.kind, parsed.lookup_id, parsed.secret) == (
        TokenKind.API_KEY,
        str(key_id),
        made.secret,
    )
    assert len(made.secret) == 43


def test_pat_round_trip_keeps_meetergos_length() -> None:
    made = new_pat()
    assert made.token.startswith("rgo-")
    assert len(made.token) == 4 + 32
    parsed = parse(made.token)
    assert parsed is not None
    assert parsed.kind is TokenKind.PAT
    assert parsed.lookup_id + parsed.secret == made.token[4:]


def test_meetario_pat_round_trip() -> None:
    made = new_pat(PatStyle.PAT)
    assert made.token.startswith("pat_")
    assert len(made.token) == 4 + 8 + 32
    assert made.display_prefix == "pat_" + made.lookup_id
    parsed = parse(made.token)
    assert parsed is not None
    assert (parsed.kind, parsed.lookup_id, parsed.secret) == (
        TokenKind.PAT,
        made.lookup_id,
        made.secret,
    )
    assert len(parsed.secret) == 32


def test_default_pat_style_is_unchanged() -> None:
    made = new_pat()
    assert made.display_prefix == "rgo-" + made.lookup_id
    assert len(made.secret) == 24


def test_tokens_are_unique() -> None:
    assert len({new_pat().token for _ in range(200)}) == 200
    assert len({new_pat(PatStyle.PAT).token for _ in range(200)}) == 200
    assert len({new_api_key(uuid.uuid4()).secret for _ in range(200)}) == 200


#: a fixed id keeps the parameter ids the same in every test process
_KEY_ID = uuid.UUID("5d1f6c2e-8a3b-4c7d-9e0f-1a2b3c4d5e6f")


@pytest.mark.parametrize(
    "bearer",
    [
        "",
        "ak_live:",
        "ak_live:not-a-uuid:" + "a" * 43,
        f"ak_live:{_KEY_ID}:short",
        f"ak_live:{_KEY_ID}:" + "a" * 44,
        f"ak_live:{_KEY_ID}:" + "a" * 42 + "!",
        f"ak_test:{_KEY_ID}:" + "a" * 43,
        "rgo-" + "a" * 31,
        "rgo-" + "a" * 33,
        "rgo-" + "a" * 31 + "-",
        "RGO-" + "a" * 32,
        "Bearer rgo-" + "a" * 32,
        "pat_",
        "pat_" + "a" * 39,
        "pat_" + "a" * 41,
        "pat_" + "a" * 39 + "_",
        "pat_" + "a" * 39 + "-",
        "pat_" + "a" * 32,
        "pat-" + "a" * 40,
        "PAT_" + "a" * 40,
        "Bearer pat_" + "a" * 40,
        "pat_1234567890abcdef...",
        "eyJhbGciOiJIUzI1NiJ9.e30.sig",
    ],
)
def test_malformed_tokens_do_not_parse(bearer: str) -> None:
    assert parse(bearer) is None
