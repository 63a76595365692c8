"""Idempotency-Key: a retried POST replays the first response instead of doing the work again.

The first successful response (status, body bytes, the headers that matter) is stored with a
fingerprint of the request, per company and caller (the credential; on a public booking page,
the page and the client address), for 24 hours, in the same transaction as
the work: if the work rolls back, nothing is stored and a retry runs it again. While the first
request runs, it holds a transaction-scoped advisory lock on the key, so a concurrent repeat gets
409 at once; a later repeat with the same body gets the stored bytes with
`Idempotent-Replayed: true`, and with a different body 422.

Some answers carry a secret shown once: an API key, a personal access token, a webhook's signing
secret, an invitee's secret. A client whose answer was lost must get the same secret again, yet
the table must not hold it usable (keys and tokens are otherwise kept only as hashes). So
`run(..., secret=True)` stores the body sealed: AES-GCM under a key derived (HKDF-SHA256) from
the Idempotency-Key, the caller and the request's fingerprint. Of these only the Idempotency-Key
is not in the table: every record keeps its SHA-256 digest (the lookup), never the key. A
database reader cannot unseal a body; the caller sending the same key and body can. The seal is
as strong as the key is hard to guess: clients should send random keys (UUIDs).
"""

import hashlib
import json
import os
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, TypeVar

import msgspec
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from litestar import MediaType, Request, Response
from litestar.di import NamedDependency
from litestar.params import HeaderParameter
from litestar.types import Scope
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth.principal import Principal
from slotwise.db.locks import try_lock
from slotwise.db.tenancy import CompanyId, TenantRepository
from slotwise.kit.errors import Conflict, Unprocessable, ValidationFailed
from slotwise.models.idempotency import IdempotencyRecord
from slotwise.web.form_bodies import json_body
from slotwise.web.json_depth import too_deep


class IdempotencyRepository(TenantRepository[IdempotencyRecord]):
    model = IdempotencyRecord

    async def find(self, credential_id: Any, key_digest: str) -> IdempotencyRecord | None:
        return await self.first(
            IdempotencyRecord.credential_id == credential_id,
            IdempotencyRecord.key_digest == key_digest,
        )


HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 255
#: visible ASCII, spaces only inside (a header value loses its outer spaces on the way)
KEY_PATTERN = r"^[!-~]([ -~]*[!-~])?$"
_KEY = re.compile(KEY_PATTERN)
NONCE_BYTES = 12
_REPLAYED_STATE = "slotwise.replayed"
T = TypeVar("T")


class IdempotencyKeyInProgress(Conflict):
    code = "idempotency_key_in_progress"
    default_message = "A request with this Idempotency-Key is still in progress"


class IdempotencyKeyReused(Unprocessable):
    code = "idempotency_key_reused"
    default_message = "This Idempotency-Key was used with a different request"


def fingerprint(method: str, path: str, body: bytes) -> str:
    """Same method, path and JSON value → same fingerprint (key order and spacing ignored).
    A body too deep to decode safely is taken as its bytes."""
    canonical = body.decode("latin-1")
    if too_deep(body) is None:
        with suppress(ValueError):
            value = json.loads(body or b"null")
            canonical = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


def was_replayed(scope: Scope) -> bool:
    """Whether this request answered with a stored response (it changed nothing)."""
    return bool(scope.get("state", {}).get(_REPLAYED_STATE))


def key_digest(key: str) -> str:
    """What a record keeps of its Idempotency-Key (the migration to digests computes the same)."""
    return hashlib.sha256(key.encode()).hexdigest()


def _cipher(key: str, caller_id: uuid.UUID, request_print: str) -> AESGCM:
    info = f"slotwise idempotency body v1|{caller_id}|{request_print}".encode()
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(key.encode())
    return AESGCM(derived)


def seal(content: bytes, key: str, caller_id: uuid.UUID, request_print: str) -> bytes:
    """`content` encrypted for whoever sends `key` again with the same request; nonce first."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + _cipher(key, caller_id, request_print).encrypt(nonce, content, None)


def unseal(sealed: bytes, key: str, caller_id: uuid.UUID, request_print: str) -> bytes:
    """The content `seal` was given (raises InvalidTag for any other key, caller or request)."""
    nonce, ciphertext = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    return _cipher(key, caller_id, request_print).decrypt(nonce, ciphertext, None)


class Idempotency:
    """Per-request helper; `run` wraps the work of one POST handler."""

    def __init__(
        self,
        session: AsyncSession,
        company_id: CompanyId,
        caller_id: uuid.UUID,
        request: Request[Any, Any, Any],
    ) -> None:
        self.session = session
        self.company_id = company_id
        #: whose keys these are: a key means nothing across callers
        self.caller_id = caller_id
        self.request = request
        self.records = IdempotencyRepository(session, company_id)

    def _key(self) -> str | None:
        key = self.request.headers.get(HEADER.lower())
        if key is None:
            return None
        if len(key) > MAX_KEY_LENGTH or not _KEY.match(key):
            raise ValidationFailed.field(
                HEADER, f"Must be 1 to {MAX_KEY_LENGTH} visible ASCII characters"
            )
        return key

    async def run(
        self,
        work: Callable[[], Awaitable[T]],
        *,
        status_code: int,
        headers: Callable[[T], Mapping[str, str]] | None = None,
        secret: bool = False,
    ) -> Response[Any]:
        """Run `work` once per Idempotency-Key; `secret`: the answer carries a secret shown
        once, so it is stored sealed (see the module's docstring)."""
        key = self._key()
        if key is None:
            result = await work()
            return self._response(
                msgspec.json.encode(result), status_code, self._headers(result, headers)
            )
        digest = key_digest(key)
        await self._lock(digest)
        body = await json_body(self.request)  # a form counts as the JSON document it stands for
        request_print = fingerprint(self.request.method, self.request.url.path, body)
        stored = await self._stored(digest)
        if stored is not None:
            if stored.fingerprint != request_print:
                raise IdempotencyKeyReused()
            content = stored.body
            if stored.sealed:
                content = unseal(content, key, self.caller_id, request_print)
            replay_headers = dict(stored.headers) | {REPLAYED: "true"}
            self.request.scope.setdefault("state", {})[_REPLAYED_STATE] = True
            return self._response(content, stored.status_code, replay_headers)
        result = await work()
        content = msgspec.json.encode(result)
        extra = self._headers(result, headers)
        self.records.add(
            IdempotencyRecord(
                credential_id=self.caller_id,
                key_digest=digest,
                fingerprint=request_print,
                status_code=status_code,
                headers=extra,
                body=seal(content, key, self.caller_id, request_print) if secret else content,
                sealed=secret,
                expires_at=datetime.now(UTC) + TTL,
            )
        )
        await self.session.flush()
        return self._response(content, status_code, extra)

    @staticmethod
    def _headers(result: T, headers: Callable[[T], Mapping[str, str]] | None) -> dict[str, str]:
        return dict(headers(result)) if headers else {}

    @staticmethod
    def _response(content: bytes, status_code: int, headers: Mapping[str, str]) -> Response[Any]:
        return Response(
            content=content,
            status_code=status_code,
            media_type=MediaType.JSON,
            headers=dict(headers),
        )

    async def _lock(self, digest: str) -> None:
        lock_name = f"idem:{self.company_id}:{self.caller_id}:{digest}"
        if not await try_lock(self.session, lock_name):
            raise IdempotencyKeyInProgress()

    async def _stored(self, digest: str) -> IdempotencyRecord | None:
        record = await self.records.find(self.caller_id, digest)
        if record is not None and record.expires_at <= datetime.now(UTC):
            await self.records.delete(record.id)
            await self.session.flush()
            return None
        return record


IdempotencyKeyHeader = Annotated[
    str | None,
    HeaderParameter(
        name=HEADER,
        required=False,
        description=(
            "Makes a retried request safe: the first answer is stored for 24 h and a repeat with"
            " the same key and body gets it again"
            f" (1 to {MAX_KEY_LENGTH} visible ASCII characters). Send a random key, such as a"
            " UUID: an answer holding a secret is stored encrypted under it."
        ),
    ),
]


async def provide_idempotency(
    db: NamedDependency[AsyncSession],
    principal: NamedDependency[Principal],
    request: Request[Any, Any, Any],
    idempotency_key: IdempotencyKeyHeader = None,
) -> Idempotency:
    return Idempotency(db, principal.company_id, principal.credential_id, request)
