"""A one-time booking link: a secret URL that books one of a meeting type's slots, once."""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, Index, LargeBinary, text
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.models.base import TenantModel


class OneTimeLink(TenantModel):
    """The URL carries a 256-bit token, of which only its SHA-256 digest is kept (the lookup).
    `used_at` is set in the transaction that books through the link, so it books once; the
    booking's appointment is recorded alongside. `created_by` is the user who made it (no key:
    the link outlives whoever made it)."""

    __tablename__ = "one_time_link"
    __table_args__ = (
        ForeignKeyConstraint(
            ["company_id", "meeting_type_id"],
            ["meeting_type.company_id", "meeting_type.id"],
            name="fk_one_time_link_meeting_type",
            ondelete="CASCADE",
        ),
        Index("ix_one_time_link_token_hash", "token_hash"),
    )

    meeting_type_id: Mapped[uuid.UUID]
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    appointment_id: Mapped[uuid.UUID | None]
    created_by: Mapped[uuid.UUID | None]
