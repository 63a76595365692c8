"""A per-host counter that database triggers bump whenever anything that shapes the host's slots
changes (appointments, attendees, availabilities, exceptions, meeting types).

Slot responses are cached per process under the version they were computed from; reading the
version is one indexed lookup, so a cached answer is never older than the last commit.
"""

import uuid

from sqlalchemy import BigInteger
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.models.base import Base


class ScheduleVersion(Base):
    """No foreign keys: rows are written by triggers, also while a host or company is being
    deleted (a leftover row of a deleted host is harmless). Keyed by the host's company too,
    so the table can be distributed by company like the rows whose changes bump it."""

    __tablename__ = "schedule_version"

    company_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)
