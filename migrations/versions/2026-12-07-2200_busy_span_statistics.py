"""Statistics of appointment spans, so the planner knows how few appointments a window holds

The busy-time query finds a host's appointments in a window by the overlap (`&&`) of their span,
`tstzrange(start_at, end_at, '[)')`, through the exclusion constraint's GiST index. PostgreSQL
keeps no statistics for an expression of a partial index, so it guessed that a window holds a
fixed share of all rows and, for a host with a long history, joined every appointment of the
company instead of the few in the window. Expression statistics (PostgreSQL 14) give it the
spans' distribution; the ANALYZE fills them now rather than at autovacuum's next pass.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 22:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0032"
down_revision: str | Sequence[str] | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute(
        "CREATE STATISTICS st_appointment_host_span"
        " ON (tstzrange(start_at, end_at, '[)')) FROM appointment_host"
    )
    op.execute("ANALYZE appointment_host")


def downgrade() -> None:
    op.execute("DROP STATISTICS IF EXISTS st_appointment_host_span")
