"""Hooks for the fuzzing gate (tests/fuzz.toml).

The fuzzer draws Idempotency-Key values from a small space, so two different requests would
often share a key: the second is then a replay of the first (or a 422), by design, and checks
that expect fresh work would fail for the wrong reason. A valid key is therefore replaced by a
fresh one for each request; invalid keys stay as generated, so their rejection is still tested.
Replays themselves are tested in tests/*/test_idempotency*.py.
"""

import re
import uuid
from typing import Any

import schemathesis

from slotwise.web.idempotency import HEADER, KEY_PATTERN

_KEY = re.compile(KEY_PATTERN)


@schemathesis.hook
def before_call(context: Any, case: Any, **kwargs: Any) -> None:
    headers = case.headers or {}
    key = headers.get(HEADER)
    if isinstance(key, str) and len(key) <= 255 and _KEY.match(key):
        headers[HEADER] = uuid.uuid4().hex
