"""The calendar providers and how each connects.

CalDAV servers and ICS feeds connect directly (`POST /v4/calendar-connections`). Google and
Microsoft need an OAuth app of the operator (`SLOTWISE_GOOGLE_CLIENT_ID` / `_SECRET`,
`SLOTWISE_MICROSOFT_CLIENT_ID` / `_SECRET`) and access to their APIs; each is described here by
its authorization endpoint and scope, so that the code exchange and their calendar APIs (busy
times, event writes) plug in behind the same connection rows. Until an app is configured their
connect route answers 400 "Provider not configured".
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from slotwise.settings import Settings


@dataclass(frozen=True)
class OAuthProvider:
    name: str
    authorize_endpoint: str
    scope: str

    def client(self, settings: Settings) -> tuple[str, str] | None:
        """The configured client id and secret, or None."""
        if self.name == "google":
            pair = settings.google_client_id, settings.google_client_secret
        else:
            pair = settings.microsoft_client_id, settings.microsoft_client_secret
        return (pair[0], pair[1]) if pair[0] and pair[1] else None

    def authorize_url(self, client_id: str, redirect_uri: str, state: str) -> str:
        query = {
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": self.scope,
            "state": state,
            "access_type": "offline",
            "prompt": "consent",
        }
        return f"{self.authorize_endpoint}?{urlencode(query)}"


OAUTH = {
    "google": OAuthProvider(
        "google",
        "https://accounts.google.com/o/oauth2/v2/auth",
        "https://www.googleapis.com/auth/calendar",
    ),
    "outlook": OAuthProvider(
        "outlook",
        "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
        "offline_access Calendars.ReadWrite",
    ),
}
#: providers connected with a URL (and a user name and password): `POST /v4/calendar-connections`
DIRECT = frozenset({"caldav", "icloud", "ics", "exchange", "smart-we"})
