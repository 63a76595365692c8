"""Company: the tenant."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.models.base import Base, IdMixin, TimestampMixin


class Company(IdMixin, TimestampMixin, Base):
    __tablename__ = "company"

    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
