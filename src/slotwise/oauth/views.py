"""What the consent page and its messages say, in English (the catalog's message ids); every
string here has a German translation in `pages/locale` (tests hold it)."""

from slotwise.pages.i18n import Translate

SCOPE_TEXTS: dict[str, str] = {
    "scheduling": "see and change your bookings, meeting types and availability",
    "account": "see and change your profile, your company's users and webhooks",
    "events:read": "see your bookings",
    "events:write": "see and change your bookings",
    "event_types:read": "see your meeting types",
    "event_types:write": "see and change your meeting types",
    "users:read": "see your profile and your company's users",
    "users:write": "see and change your profile and your company's users",
    "availability:read": "see your availability",
    "availability:write": "see and change your availability",
    "webhooks:read": "see your company's webhooks",
    "webhooks:write": "see and change your company's webhooks",
}
CANNOT_CONTINUE = "This request cannot continue"
SIGN_IN_NEEDED = "Please sign in first"
SIGN_IN_HOW = (
    "Open this app's connection from your account with your provider; it signs you in and"
    " brings you back here."
)
OTHER_COMPANY = "This app is not registered for your account's company."
LINK_INVALID = "This sign-in link is no longer valid."
SIGNED_IN = "You are signed in"
SIGNED_IN_TEXT = "Return to the app that sent you here to continue."
EXPIRED_FORM = "This page has expired. Please start again from the app."
OAUTH_STRINGS = (
    *SCOPE_TEXTS.values(),
    CANNOT_CONTINUE,
    SIGN_IN_NEEDED,
    SIGN_IN_HOW,
    OTHER_COMPANY,
    LINK_INVALID,
    SIGNED_IN,
    SIGNED_IN_TEXT,
    EXPIRED_FORM,
    "This app is unknown: its client_id is missing or wrong.",
    "The app asked to return to an address it did not register.",
    "The request is malformed.",
)


def scope_lines(scopes: tuple[str, ...], _: Translate) -> list[dict[str, str]]:
    return [{"name": scope, "text": _(SCOPE_TEXTS.get(scope, scope))} for scope in scopes]
