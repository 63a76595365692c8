"""Stored first responses of requests sent with an Idempotency-Key."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import LargeBinary, String, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.models.base import TenantModel


class IdempotencyRecord(TenantModel):
    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("company_id", "credential_id", "key_digest"),)

    credential_id: Mapped[uuid.UUID]
    #: SHA-256 (hex) of the Idempotency-Key, never the key itself: the key unseals `body`
    key_digest: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    headers: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    #: the answer's JSON bytes; when `sealed`, AES-GCM ciphertext of them (nonce first)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    sealed: Mapped[bool] = mapped_column(default=False, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    expires_at: Mapped[datetime] = mapped_column(index=True)
