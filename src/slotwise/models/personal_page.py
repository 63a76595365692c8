"""A user's personal page settings (meetergo's `personalPage`): their own colours, a
description, which meeting types the page lists and in what order."""

import uuid
from typing import Any

from sqlalchemy import ForeignKeyConstraint, String, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from slotwise.models.base import TenantModel, TimestampMixin


class PersonalPage(TimestampMixin, TenantModel):
    __tablename__ = "personal_page"
    __table_args__ = (
        UniqueConstraint("company_id", "user_id"),
        ForeignKeyConstraint(
            ["company_id", "user_id"],
            ["user.company_id", "user.id"],
            name="fk_personal_page_user",
            ondelete="CASCADE",
        ),
    )

    user_id: Mapped[uuid.UUID]
    use_custom_colors: Mapped[bool] = mapped_column(default=False)
    primary_color: Mapped[str | None] = mapped_column(String(7))
    secondary_color: Mapped[str | None] = mapped_column(String(7))
    header_image: Mapped[str | None] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(String(2000))
    show_all_meeting_types: Mapped[bool] = mapped_column(default=True)
    meeting_type_order: Mapped[list[Any]] = mapped_column(JSONB, default=list)
    online_profiles: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
