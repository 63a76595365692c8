"""Idempotency-Key: a retried POST replays the first response instead of doing the work again.

The first successful response (status, body bytes, the headers that matter) is stored with a
fingerprint of the request, per company and caller (the credential; on a public booking page,
the page and the client address), for 24 hours, in the same transaction as
the work: if the work rolls back, nothing is stored and a retry runs it again. While the first
request runs, it holds a transaction-scoped advisory lock on the key, so a concurrent repeat gets
409 at once; a later repeat with the same body gets the stored bytes with
`Idempotent-Replayed: true`, and with a different body 422.
"""

import hashlib
import json
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, TypeVar

import msgspec
from litestar import MediaType, Request, Response
from litestar.di import NamedDependency
from litestar.params import HeaderParameter
from sqlalchemy.ext.asyncio import AsyncSession

from slotwise.auth.principal import Principal
from slotwise.db.locks import try_lock
from slotwise.db.tenancy import CompanyId, TenantRepository
from slotwise.kit.errors import Conflict, Unprocessable, ValidationFailed
from slotwise.models.idempotency import IdempotencyRecord


class IdempotencyRepository(TenantRepository[IdempotencyRecord]):
    model = IdempotencyRecord

    async def find(self, credential_id: Any, key: str) -> IdempotencyRecord | None:
        return await self.first(
            IdempotencyRecord.credential_id == credential_id, IdempotencyRecord.key == key
        )


HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 255
#: visible ASCII, spaces only inside (a header value loses its outer spaces on the way)
KEY_PATTERN = r"^[!-~]([ -~]*[!-~])?$"
_KEY = re.compile(KEY_PATTERN)
T = TypeVar("T")


class IdempotencyKeyInProgress(Conflict):
    code = "idempotency_key_in_progress"
    default_message = "A request with this Idempotency-Key is still in progress"


class IdempotencyKeyReused(Unprocessable):
    code = "idempotency_key_reused"
    default_message = "This Idempotency-Key was used with a different request"


def fingerprint(method: str, path: str, body: bytes) -> str:
    """Same method, path and JSON value → same fingerprint (key order and spacing ignored)."""
    try:
        canonical = json.dumps(json.loads(body or b"null"), sort_keys=True, separators=(",", ":"))
    except ValueError:
        canonical = body.decode("latin-1")
    return hashlib.sha256(f"{method} {path}\n{canonical}".encode()).hexdigest()


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
    ) -> Response[Any]:
        key = self._key()
        if key is None:
            result = await work()
            return self._response(
                msgspec.json.encode(result), status_code, self._headers(result, headers)
            )
        await self._lock(key)
        body = await self.request.body()
        request_print = fingerprint(self.request.method, self.request.url.path, body)
        stored = await self._stored(key)
        if stored is not None:
            if stored.fingerprint != request_print:
                raise IdempotencyKeyReused()
            replay_headers = dict(stored.headers) | {REPLAYED: "true"}
            return self._response(stored.body, stored.status_code, replay_headers)
        result = await work()
        content = msgspec.json.encode(result)
        extra = self._headers(result, headers)
        self.records.add(
            IdempotencyRecord(
                credential_id=self.caller_id,
                key=key,
                fingerprint=request_print,
                status_code=status_code,
                headers=extra,
                body=content,
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

    async def _lock(self, key: str) -> None:
        lock_name = f"idem:{self.company_id}:{self.caller_id}:{key}"
        if not await try_lock(self.session, lock_name):
            raise IdempotencyKeyInProgress()

    async def _stored(self, key: str) -> IdempotencyRecord | None:
        record = await self.records.find(self.caller_id, key)
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
            f" (1 to {MAX_KEY_LENGTH} visible ASCII characters)."
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
