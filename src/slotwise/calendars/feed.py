"""Read an ICS feed (a secret iCal address) with a conditional GET.

The feed's ETag and Last-Modified are sent back as If-None-Match / If-Modified-Since, so an
unchanged feed answers 304 with no body and costs no parse.
"""

from dataclasses import dataclass

from slotwise.calendars.http import CalendarError, CalendarHttp


@dataclass(frozen=True)
class FeedAnswer:
    #: None: unchanged since the markers sent (304)
    body: bytes | None
    etag: str | None
    last_modified: str | None


def feed_url(url: str) -> str:
    """`webcal://` (how calendar apps publish feeds) is https."""
    if url.lower().startswith("webcal://"):
        return "https://" + url[len("webcal://") :]
    return url


async def read_feed(
    http: CalendarHttp, url: str, etag: str | None, last_modified: str | None
) -> FeedAnswer:
    headers = {"accept": "text/calendar, */*;q=0.5"}
    if etag:
        headers["if-none-match"] = etag
    if last_modified:
        headers["if-modified-since"] = last_modified
    answer = await http.request("GET", feed_url(url), headers=headers)
    if answer.status == 304:
        return FeedAnswer(None, etag, last_modified)
    if answer.status != 200:
        raise CalendarError(f"The feed answered HTTP {answer.status}")
    if b"BEGIN:VCALENDAR" not in answer.body[:4096].upper():
        raise CalendarError("The feed is not an iCalendar (.ics) file")
    return FeedAnswer(answer.body, answer.headers.get("etag"), answer.headers.get("last-modified"))
