"""Standard Webhooks signatures, checked by the `standardwebhooks` reference verifier."""

import base64
import time
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from slotwise.webhooks import signing

#: the Standard Webhooks specification's published test vector
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TIMESTAMP = 1614265330
VECTOR_BODY = b'{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

BODY = b'{"webhookType":"booking_created","id":"a","eventId":"msg_1"}'


def test_webhook_signature_vector() -> None:
    assert signing.sign(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY) == VECTOR_SIGNATURE
    reference = Webhook(VECTOR_SECRET).sign(
        VECTOR_ID, datetime.fromtimestamp(VECTOR_TIMESTAMP, UTC), VECTOR_BODY.decode()
    )
    assert reference == VECTOR_SIGNATURE
    headers = signing.headers([VECTOR_SECRET], VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_BODY)
    assert headers == {
        "webhook-id": VECTOR_ID,
        "webhook-timestamp": str(VECTOR_TIMESTAMP),
        "webhook-signature": VECTOR_SIGNATURE,
    }


def _headers(
    secrets: list[str], timestamp: int | None = None, body: bytes = BODY
) -> dict[str, str]:
    return signing.headers(secrets, "msg_0123abc", timestamp or int(time.time()), body)


def test_fresh_signature_verifies() -> None:
    secret = signing.new_secret()
    assert Webhook(secret).verify(BODY, _headers([secret])) == {
        "webhookType": "booking_created",
        "id": "a",
        "eventId": "msg_1",
    }


def test_new_secrets_are_whsec_base64_of_32_bytes() -> None:
    secret = signing.new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32
    assert signing.new_secret() != secret


def test_tampered_body_is_rejected() -> None:
    secret = signing.new_secret()
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        Webhook(secret).verify(BODY.replace(b'"a"', b'"b"'), _headers([secret]))


def test_wrong_secret_is_rejected() -> None:
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        Webhook(signing.new_secret()).verify(BODY, _headers([signing.new_secret()]))


@pytest.mark.parametrize(("offset", "message"), [(-301, "too old"), (301, "too new")])
def test_stale_or_future_timestamp_is_rejected(offset: int, message: str) -> None:
    secret = signing.new_secret()
    headers = _headers([secret], int(time.time()) + offset)
    with pytest.raises(WebhookVerificationError, match=message):
        Webhook(secret).verify(BODY, headers)


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_header_is_rejected(missing: str) -> None:
    secret = signing.new_secret()
    headers = _headers([secret])
    del headers[missing]
    with pytest.raises(WebhookVerificationError, match="Missing required headers"):
        Webhook(secret).verify(BODY, headers)


def test_rotation_sends_two_signatures_and_either_secret_verifies() -> None:
    old, new = signing.new_secret(), signing.new_secret()
    headers = _headers([new, old])
    assert len(headers["webhook-signature"].split(" ")) == 2
    Webhook(new).verify(BODY, headers)
    Webhook(old).verify(BODY, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(signing.new_secret()).verify(BODY, headers)


def test_message_ids_with_a_dot_are_refused() -> None:
    with pytest.raises(ValueError, match="must not contain"):
        signing.sign(signing.new_secret(), "msg_1.2", 1, BODY)
