"""Wire shapes of the change feed."""

import uuid
from datetime import datetime
from typing import Literal

from slotwise.kit.wire import WireStruct

ChangeType = Literal["appointment", "meetingType", "user", "webhook"]
ChangeAction = Literal["created", "updated", "deleted"]


class Change(WireStruct):
    """One change; a deletion is a tombstone (`deletedAt` set): the resource is gone, or for
    users and meeting types, deleted and kept only as history."""

    type: ChangeType
    id: uuid.UUID
    action: ChangeAction
    changed_at: datetime
    deleted_at: datetime | None = None


class ChangePage(WireStruct):
    changes: list[Change]
    #: pass as `since` next time; the same cursor when nothing new came
    next_cursor: str
    #: more changes are ready now: ask again at once
    has_more: bool
