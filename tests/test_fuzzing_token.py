"""The fuzzing gate's second run: an admin's personal access token naming its own user (see
tests/test_fuzzing.py; a file of its own so the two runs take a test process each)."""

from tests.support.factories import Side
from tests.test_fuzzing import _schemathesis, fuzz_target

__all__ = ["fuzz_target"]  # the fixture, set up again for this file


def test_a_personal_access_token_finds_nothing(
    fuzz_target: tuple[str, Side, dict[str, str]],
) -> None:
    base_url, side, targets = fuzz_target
    env = {"FUZZ_KEY": side.admin_pat.token, "FUZZ_USER": str(side.admin_id)}
    _schemathesis(base_url, env | targets, "--phases", "examples,coverage,fuzzing")
