"""The few CalDAV requests slotwise needs (RFC 4791, RFC 6352's ctag, RFC 6578's token).

Discovery: PROPFIND the given URL for the current user's principal, the principal for its
calendar home, and the home (depth 1) for its calendars. The same depth-1 PROPFIND on the home
reports each calendar's change marker (CalendarServer's `getctag`, else the `sync-token`), so a
check of an unchanged account costs one request. A changed calendar is read whole with one
calendar-query REPORT limited to the synced window. Bookings are PUT as one resource per
appointment (named by its UID) and DELETEd.
"""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin, urlsplit
from xml.etree.ElementTree import Element

from defusedxml import ElementTree

from slotwise.calendars.http import CalendarError, CalendarHttp

DAV = "DAV:"
CALDAV = "urn:ietf:params:xml:ns:caldav"
CS = "http://calendarserver.org/ns/"

_HOME_PROPS = f"""<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="{DAV}" xmlns:c="{CALDAV}" xmlns:cs="{CS}">
  <d:prop><d:resourcetype/><d:displayname/><cs:getctag/><d:sync-token/>
    <c:supported-calendar-component-set/><d:current-user-privilege-set/></d:prop>
</d:propfind>"""

_PRINCIPAL = f"""<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="{DAV}"><d:prop><d:current-user-principal/></d:prop></d:propfind>"""

_HOME_SET = f"""<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="{DAV}" xmlns:c="{CALDAV}"><d:prop><c:calendar-home-set/></d:prop>
</d:propfind>"""

_QUERY = """<?xml version="1.0" encoding="utf-8"?>
<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
  <d:prop><d:getetag/><c:calendar-data/></d:prop>
  <c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT">
    <c:time-range start="{start}" end="{end}"/>
  </c:comp-filter></c:comp-filter></c:filter>
</c:calendar-query>"""

XML = {"content-type": "application/xml; charset=utf-8"}


@dataclass(frozen=True)
class FoundCalendar:
    href: str
    name: str
    #: the server's change marker (ctag or sync token); None when it gives none
    version: str | None
    read_only: bool


def _tag(ns: str, name: str) -> str:
    return f"{{{ns}}}{name}"


def _parse(body: bytes) -> Element:
    try:
        root: Element = ElementTree.fromstring(body)
    except Exception as exc:  # defusedxml's and expat's errors alike
        raise CalendarError("The server's answer is not valid XML (is this a CalDAV URL?)") from exc
    return root


def _ok_props(response: Element) -> Element:
    """The props of a multistatus response's 200 propstat (an empty element if none)."""
    merged = Element("prop")
    for propstat in response.findall(_tag(DAV, "propstat")):
        status = propstat.findtext(_tag(DAV, "status")) or ""
        prop = propstat.find(_tag(DAV, "prop"))
        if " 200 " in f"{status} " and prop is not None:
            merged.extend(list(prop))
    return merged


def _href_in(props: Element, name: str, ns: str = DAV) -> str | None:
    holder = props.find(_tag(ns, name))
    if holder is None:
        return None
    href = holder.findtext(_tag(DAV, "href"))
    return href.strip() if href else None


class CalDavClient:
    def __init__(self, http: CalendarHttp) -> None:
        self.http = http

    async def _propfind(self, url: str, body: str, depth: str) -> list[tuple[str, Element]]:
        answer = await self.http.request(
            "PROPFIND", url, body=body.encode(), headers=XML | {"depth": depth}
        )
        if answer.status != 207:
            raise CalendarError(f"The server answered PROPFIND with HTTP {answer.status}")
        root = _parse(answer.body)
        found = []
        for response in root.findall(_tag(DAV, "response")):
            href = (response.findtext(_tag(DAV, "href")) or "").strip()
            found.append((urljoin(answer.url, href), _ok_props(response)))
        return found

    async def home(self, url: str) -> str:
        """The calendar home of the user the client logs in as, starting from any server URL."""
        principal = url
        for _, props in await self._propfind(url, _PRINCIPAL, "0"):
            found = _href_in(props, "current-user-principal")
            if found:
                principal = urljoin(url, found)
        for _, props in await self._propfind(principal, _HOME_SET, "0"):
            found = _href_in(props, "calendar-home-set", CALDAV)
            if found:
                return urljoin(principal, found)
        return url  # a server without discovery: the URL is the home (or a calendar)

    async def calendars(self, home: str) -> list[FoundCalendar]:
        """The event calendars in the home, with their change markers (one request)."""
        found = []
        for href, props in await self._propfind(home, _HOME_PROPS, "1"):
            kinds = props.find(_tag(DAV, "resourcetype"))
            if kinds is None or kinds.find(_tag(CALDAV, "calendar")) is None:
                continue
            components = props.find(_tag(CALDAV, "supported-calendar-component-set"))
            if (
                components is not None
                and len(components)
                and not any(comp.get("name") == "VEVENT" for comp in components)
            ):
                continue
            version = props.findtext(_tag(CS, "getctag")) or props.findtext(_tag(DAV, "sync-token"))
            name = props.findtext(_tag(DAV, "displayname")) or _last_segment(href)
            found.append(FoundCalendar(href, name[:200], version, _read_only(props)))
        return found

    async def events(self, calendar: str, start: datetime, end: datetime) -> list[bytes]:
        """The iCalendar text of every event resource with an occurrence in `[start, end)`."""
        body = _QUERY.format(start=_stamp(start), end=_stamp(end)).encode()
        answer = await self.http.request(
            "REPORT", calendar, body=body, headers=XML | {"depth": "1"}
        )
        if answer.status != 207:
            raise CalendarError(f"The server answered REPORT with HTTP {answer.status}")
        root = _parse(answer.body)
        found = []
        for response in root.findall(_tag(DAV, "response")):
            data = _ok_props(response).findtext(_tag(CALDAV, "calendar-data"))
            if data:
                found.append(data.encode())
        return found

    async def put(self, href: str, ics: bytes) -> None:
        answer = await self.http.request(
            "PUT", href, body=ics, headers={"content-type": "text/calendar; charset=utf-8"}
        )
        if answer.status not in (200, 201, 204):
            raise CalendarError(f"The server answered PUT with HTTP {answer.status}")

    async def delete(self, href: str) -> None:
        answer = await self.http.request("DELETE", href)
        if answer.status not in (200, 204, 404, 410):
            raise CalendarError(f"The server answered DELETE with HTTP {answer.status}")


def _read_only(props: Element) -> bool:
    privileges = props.find(_tag(DAV, "current-user-privilege-set"))
    if privileges is None:
        return False
    names = {child.tag for grant in privileges for child in grant}
    writable = {_tag(DAV, "write"), _tag(DAV, "write-content"), _tag(DAV, "all")}
    return not names & writable


def _last_segment(href: str) -> str:
    return urlsplit(href).path.rstrip("/").rsplit("/", 1)[-1] or "Calendar"


def _stamp(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%SZ")


def event_href(calendar_href: str, uid: str) -> str:
    """Where the event of an appointment lives in a calendar (one resource per UID)."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in uid)
    return urljoin(calendar_href.rstrip("/") + "/", f"{safe}.ics")
