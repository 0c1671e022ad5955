"""Calendar file (.ics, RFC 5545) of exchange events, receptions and tie anniversaries.

Staff import it into Outlook, Google Calendar or a phone. For all cities or one city (events
through ExchangeEventCity, receptions through Reception.city_id, that city's anniversaries),
over a date range; anniversaries follow core.calendar.ties.anniversaries (the same milestone rules).
The entries themselves come from core.calendar.ics_entries.

- Entries without a time of day are all-day: DATE values, DTEND the day after the last day.
- Entries with a time use TZID=Asia/Taipei, defined once by a VTIMEZONE; an event with no
  end time has no DTEND (RFC 5545: it ends when it starts), a longer one ends at midnight
  after its last day.
- Text holds no control characters (a \\x0b pasted from Word before the editor refused it):
  line breaks become \\n, the rest is removed.
- UIDs are the record's table and id (exchange_event-12@kcg-bureau-workspace), so a calendar
  that imports the file again updates entries instead of doubling them; DTSTAMP is the record's
  last change (RFC 5545 for a file without METHOD), so exporting twice gives the same bytes.
"""

from __future__ import annotations

from datetime import date, timedelta

from icalendar import Calendar, Event, Timezone
from sqlmodel import Session

from core.calendar.ics_entries import Entry, entries, next_twelve_months
from core.i18n.labels import DEFAULT_LANG, t
from core.kernel import local_time
from core.kernel.file_names import file_stem, words
from core.kernel.periods import Period
from core.kernel.text_safety import strip_controls
from db.models import PartnerCity

__all__ = ["MIME", "build_ics", "calendar_name", "entries", "file_name", "next_twelve_months"]

TZID = "Asia/Taipei"
PRODID = "-//Kaohsiung City Government//Bureau Workspace//ZH-TW"
MIME = "text/calendar"


def calendar_name(session: Session, city_id: int | None, lang: str = DEFAULT_LANG) -> str:
    """高雄市政府行政暨國際處 姊妹市行事曆 (— 聖安東尼市 for one city)."""
    city = session.get(PartnerCity, city_id) if city_id is not None else None
    bureau = t("app.bureau", lang)
    if city is None:
        return t("ics.calname", lang, bureau=bureau)
    name = strip_controls(local_time.city_name(city, lang))
    return t("ics.calname.city", lang, bureau=bureau, city=name)


def _vevent(entry: Entry) -> Event:
    event = Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", entry.stamp)
    event.add("sequence", entry.sequence)
    event.add("summary", strip_controls(entry.summary))
    event.add("dtstart", entry.start)
    if entry.end is not None:
        event.add("dtend", entry.end)
    # icalendar writes line breaks as \n; other control characters it would write as they are
    # (RFC 5545 forbids them, and calendars refuse or cut the entry).
    description, location = strip_controls(entry.description), strip_controls(entry.location)
    if description:
        event.add("description", description)
    if location:
        event.add("location", location)
    categories = [c for c in map(strip_controls, entry.categories) if c]
    if categories:
        event.add("categories", categories)
    event.add("transp", "OPAQUE" if entry.busy else "TRANSPARENT")
    return event


def _vtimezone(found: list[Entry], start: date, end: date) -> Timezone:
    """Asia/Taipei over the file's days (one STANDARD +0800: no DST there since 1979)."""
    days = [e.start if type(e.start) is date else e.start.date() for e in found]
    first, last = min([start, *days]), max([end, *days]) + timedelta(days=2)
    return Timezone.from_tzid(TZID, first_date=first, last_date=last)


def build_ics(
    session: Session, start: date, end: date, *, city_id: int | None = None,
    lang: str = DEFAULT_LANG,
) -> bytes:  # fmt: skip
    """The .ics file (UTF-8, CRLF lines folded at 75 octets) of entries() in [start, end]."""
    found = entries(session, start, end, city_id=city_id, lang=lang)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", calendar_name(session, city_id, lang))
    calendar.add("x-wr-timezone", TZID)
    calendar.add_component(_vtimezone(found, start, end))
    for entry in found:
        calendar.add_component(_vevent(entry))
    return calendar.to_ical()


def file_name(session: Session, city_id: int | None, start: date, end: date) -> str:
    """sister_city_calendar_2026-01-01_2026-12-31.ics, with the city's English name after
    sister_city_calendar for one city (core.kernel.file_names: one style for every download)."""
    city = session.get(PartnerCity, city_id) if city_id is not None else None
    name = "sister_city_calendar"
    if city is not None:
        name += "_" + (words(city.name_en) or f"city_{city.id}")
    return f"{file_stem(name, Period(start, end))}.ics"
