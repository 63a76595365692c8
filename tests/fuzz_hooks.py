"""Hooks for the fuzzing gate (tests/fuzz.toml).

The fuzzer draws Idempotency-Key values from a small space, so two different requests would
often share a key: the second is then a replay of the first (or a 422), by design, and checks
that expect fresh work would fail for the wrong reason. A valid key is therefore replaced by a
fresh one for each request; invalid keys stay as generated, so their rejection is still tested.
Replays themselves are tested in tests/*/test_idempotency*.py.

The invitee's routes take the appointment's secret (in the body or a header): a secret the
schema accepts is replaced by the real one of the appointment the configuration names, so
that the request reaches past the secret check; other secrets stay as generated.
"""

import os
import re
import uuid
from typing import Any

import schemathesis

from slotwise.web.idempotency import HEADER, KEY_PATTERN

_KEY = re.compile(KEY_PATTERN)


_PUBLIC_APPOINTMENT = "/v4/public/appointment/"
SECRET_HEADER = "x-appointment-secret"
MAX_SECRET = 200


def _accepted(secret: object) -> bool:
    return isinstance(secret, str) and len(secret) <= MAX_SECRET


@schemathesis.hook
def before_call(context: Any, case: Any, **kwargs: Any) -> None:
    headers = case.headers or {}
    key = headers.get(HEADER)
    if isinstance(key, str) and len(key) <= 255 and _KEY.match(key):
        headers[HEADER] = uuid.uuid4().hex
    if case.path.startswith(_PUBLIC_APPOINTMENT):
        cancel = case.path.endswith("/cancel")
        secret = os.environ["FUZZ_CANCEL_SECRET" if cancel else "FUZZ_SECRET"]
        if _accepted(headers.get(SECRET_HEADER)):
            headers[SECRET_HEADER] = secret
        if isinstance(case.body, dict) and _accepted(case.body.get("secret")):
            case.body["secret"] = secret
