"""Wire shapes of a company's branding (white label on the invitee pages)."""

from typing import Annotated, Literal

import msgspec
from msgspec import UNSET, UnsetType

from slotwise.kit.wire import Color, HttpsUrl, InputStruct, Reminders, WireStruct
from slotwise.models import LogoStatus

Origin = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?$",
        max_length=300,
        examples=["https://app.partner.example"],
    ),
]
PageLanguage = Literal["en", "de"]
#: checked when saved (https, a public host); the worker downloads it and slotwise serves the copy
LogoSource = Annotated[
    str, msgspec.Meta(min_length=1, max_length=2000, examples=["https://partner.example/logo.png"])
]
DisplayName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class Branding(WireStruct):
    """How the company's booking pages look; null fields use slotwise's defaults."""

    display_name: str | None
    primary_color: str | None
    secondary_color: str | None
    hide_powered_by: bool
    default_language: str | None
    privacy_policy_url: str | None
    #: origins allowed to embed the pages in a frame; empty: any origin
    allowed_embed_origins: list[str]
    #: the https URL the logo is imported from, or where slotwise serves an uploaded logo;
    #: null without a logo. The pages always load slotwise's own copy.
    logo_url: str | None
    #: `pending` while the worker downloads `logoUrl`, `ready` once the pages show it, `failed`
    #: (see `logoError`; the pages keep the previous logo); null without a logo
    logo_status: LogoStatus | None
    #: why the last import failed
    logo_error: str | None


class BrandingUpdate(InputStruct):
    """Only the fields sent change; `null` clears a field back to the default."""

    display_name: DisplayName | UnsetType | None = UNSET
    primary_color: Color | UnsetType | None = UNSET
    secondary_color: Color | UnsetType | None = UNSET
    hide_powered_by: bool | UnsetType = UNSET
    default_language: PageLanguage | UnsetType | None = UNSET
    privacy_policy_url: HttpsUrl | UnsetType | None = UNSET
    allowed_embed_origins: Annotated[list[Origin], msgspec.Meta(max_length=20)] | UnsetType = UNSET
    #: an https URL of a PNG, JPEG, GIF or WebP image up to 256 KB, imported in the background;
    #: `null` removes the logo (so does `DELETE /v4/company/branding/logo`)
    logo_url: LogoSource | UnsetType | None = UNSET


class PageLook(WireStruct):
    """How an invitee page of the company looks: what the page applies once it knows whose it
    is (the host's own colours when they chose them)."""

    display_name: str | None
    #: the logo's path on slotwise; null without one
    logo_url: str | None
    #: CSS custom properties to set on the page's root element
    colors: dict[str, str]
    hide_powered_by: bool
    privacy_policy_url: str | None


AppointmentLink = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^https://[!-.0-~]+[!-~]*\{appointmentId\}[!-~]*$",
        max_length=2000,
        examples=["https://app.partner.example/appointments/{appointmentId}"],
    ),
]


class NotificationSettings(WireStruct):
    """Which mails the company's bookings send."""

    #: mails to hosts: new bookings, requests to confirm, cancellations, reschedules
    host_emails: bool
    #: mails to attendees: confirmations, changes, reminders (a booking's skipNotifications
    #: turns them off for that booking)
    attendee_emails: bool
    #: the host gets the reminders too (with hostEmails on)
    host_reminders: bool
    #: reminder times in minutes before the start, for meeting types that set none
    reminder_defaults: list[int]
    #: where host mails link to: your app's page of an appointment, with `{appointmentId}` in
    #: it (slotwise has no host interface of its own); null: host mails carry no such link
    host_appointment_url: str | None


class NotificationSettingsUpdate(InputStruct):
    host_emails: bool | UnsetType = UNSET
    attendee_emails: bool | UnsetType = UNSET
    host_reminders: bool | UnsetType = UNSET
    reminder_defaults: Reminders | UnsetType = UNSET
    host_appointment_url: AppointmentLink | UnsetType | None = UNSET
