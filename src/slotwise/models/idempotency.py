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
    __table_args__ = (UniqueConstraint("company_id", "credential_id", "key"),)

    credential_id: Mapped[uuid.UUID]
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int]
    headers: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    expires_at: Mapped[datetime] = mapped_column(index=True)
