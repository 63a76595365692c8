"""PURE meeting channels: meetergo's current names, with the older names mapped onto them."""

from typing import Final, Literal, get_args

Channel = Literal[
    "local",
    "local-attendee",
    "google",
    "zoom",
    "phone",
    "phone-incoming",
    "whatsapp",
    "connect",
    "webex",
    "teamsForBusiness2",
    "teams2ForExchange",
    "custom",
    "resource",
    "whereby",
    "kmeet",
    "jitsi",
]
"""Current names: the only ones the API emits."""

LegacyChannel = Literal["google_meet", "teams", "in_person"]

ChannelInput = Channel | LegacyChannel
"""Every name accepted on input."""

CURRENT: Final[tuple[Channel, ...]] = get_args(Channel)
LEGACY: Final[dict[str, Channel]] = {
    "google_meet": "google",
    "teams": "teamsForBusiness2",
    "in_person": "local",
}
_ACCEPTED: Final[dict[str, Channel]] = {name: name for name in CURRENT} | LEGACY


def current_name(name: str) -> Channel | None:
    """The current name of any accepted channel name; None when the name is unknown."""
    return _ACCEPTED.get(name)
