"""The change log behind `GET /v4/changes`: one row per create, update or delete of an
appointment, meeting type, user or webhook, written by database triggers (so no code path, the
API's or a worker's, can change a row without a trace).

Ordering: `seq` is taken when the row is written and `xid` is the writing transaction's id.
Transactions commit in another order than they take numbers, so the feed orders by
`(xid, seq)` and shows only rows whose transaction is older than the oldest one still running
(`pg_snapshot_xmin`): such rows are final, and every row still to come sorts after them. A
poller's cursor is the last `(xid, seq)` it saw; it never misses or repeats a row.

No foreign key to `company`: a company's cascade would write log rows for the company it is
deleting. Old rows are removed after the retention period (`db.retention`).
"""

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Identity, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.models.base import Base


class ChangeLogEntry(Base):
    __tablename__ = "change_log"
    __table_args__ = (
        Index("ix_change_log_cursor", "company_id", "xid", "seq"),
        Index("ix_change_log_changed_at", "changed_at"),
    )

    company_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    #: the writing transaction's id (xid8 as a number)
    xid: Mapped[int] = mapped_column(BigInteger)
    #: `appointment`, `meetingType`, `user` or `webhook`
    resource_type: Mapped[str] = mapped_column(String(20))
    resource_id: Mapped[uuid.UUID]
    #: `created`, `updated` or `deleted`
    action: Mapped[str] = mapped_column(String(10))
    changed_at: Mapped[datetime] = mapped_column(server_default=text("now()"))
