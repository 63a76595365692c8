"""Per-company rate-limit overrides (operators set them with `slotwise company rate-limit`)."""

from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped

from slotwise.models.base import TenantModel, TimestampMixin


class CompanyRateLimit(TimestampMixin, TenantModel):
    __tablename__ = "company_rate_limit"
    __table_args__ = (UniqueConstraint("company_id"),)

    per_minute: Mapped[int]
    burst: Mapped[int]
    per_hour: Mapped[int | None]
    per_day: Mapped[int | None]
