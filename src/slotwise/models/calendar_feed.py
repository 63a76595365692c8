"""A user's private iCalendar subscription: a secret URL their calendar app polls."""

import uuid
from datetime import datetime

from sqlalchemy import ForeignKeyConstraint, Index, LargeBinary, text
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.models.base import TenantModel


class CalendarFeed(TenantModel):
    """One per user at most. The URL carries the row id and a 256-bit secret, of which only a
    SHA-256 digest is kept; rotating makes a new row (a new URL), revoking deletes it."""

    __tablename__ = "calendar_feed"
    __table_args__ = (
        ForeignKeyConstraint(
            ["company_id", "user_id"],
            ["user.company_id", "user.id"],
            name="fk_calendar_feed_user",
            ondelete="CASCADE",
        ),
        Index("uq_calendar_feed_user", "company_id", "user_id", unique=True),
    )

    user_id: Mapped[uuid.UUID]
    digest: Mapped[bytes] = mapped_column(LargeBinary(32))
    created_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
