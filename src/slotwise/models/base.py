"""Declarative base: naming convention, UUIDv7 ids, aware UTC timestamps."""

import os
import time
import uuid
from datetime import datetime

from sqlalchemy import BigInteger, DateTime, ForeignKey, Identity, MetaData, func
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def uuid7() -> uuid.UUID:
    """A time-ordered UUID (RFC 9562 version 7) for index locality."""
    millis = time.time_ns() // 1_000_000
    value = (millis & 0xFFFF_FFFF_FFFF) << 80
    value |= int.from_bytes(os.urandom(10), "big") & ((1 << 80) - 1)
    value = (value & ~(0xF << 76)) | (0x7 << 76)
    value = (value & ~(0x3 << 62)) | (0x2 << 62)
    return uuid.UUID(int=value)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: DateTime(timezone=True)}


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid7)


class NumberMixin:
    """The integer id of the /api/v1 dialect: an identity, never reused; the UUID stays the key
    everything else refers to. The identity keeps numbers unique platform-wide; the unique
    constraint each numbered table declares on `(company_id, number)` is what lookups (always
    inside one company) need, and what a table distributed by company can enforce."""

    number: Mapped[int] = mapped_column(BigInteger, Identity())


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())


class TenantModel(Base):
    """A tenant-owned table: `company_id` is always set (cascades with the company) and leads
    the primary key `(company_id, id)`, so the table can be distributed by company (a
    distributed table's primary key must hold the distribution column); foreign keys between
    tenant tables refer to that key. An id is unique platform-wide all the same: a UUIDv7 made
    here, never taken from a client."""

    __abstract__ = True
    #: indexed alone too: the workers and the invitee's links find a row by its id alone
    id: Mapped[uuid.UUID] = mapped_column(
        primary_key=True, default=uuid7, index=True, sort_order=-1
    )

    @declared_attr
    def company_id(cls) -> Mapped[uuid.UUID]:  # noqa: N805 - declared_attr receives the class
        return mapped_column(
            ForeignKey("company.id", ondelete="CASCADE"), primary_key=True, sort_order=-2
        )
