"""Token formats: generation and parsing (pure)."""

import uuid

import pytest

from slotwise.auth.tokens import TokenKind, new_api_key, new_pat, parse


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


def test_tokens_are_unique() -> None:
    assert len({new_pat().token for _ in range(200)}) == 200
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
        "eyJhbGciOiJIUzI1NiJ9.e30.sig",
    ],
)
def test_malformed_tokens_do_not_parse(bearer: str) -> None:
    assert parse(bearer) is None
