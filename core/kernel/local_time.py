"""Partner cities' local time: a Taipei wall time on a date, in a city's IANA zone (DST included).

Times in the workspace are Asia/Taipei wall time. For a video call with San Antonio
(America/Chicago) the same moment is the evening before there, and one hour later once the
US has moved to daylight saving time; Brisbane (Australia/Brisbane) never changes, Sydney does
(in the southern summer). zoneinfo knows all of this for every date, so nothing here assumes a
fixed offset. With no time of day known, the city's offset on that date is shown instead.

    local_pair(date(2026, 3, 9), time(9), "America/Chicago", "zh-TW")
    -> '臺北 09:00／當地 前一日 20:00（UTC−5，比臺北慢 13 小時）'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

import pandas as pd
from sqlalchemy import select
from sqlmodel import Session

from core.i18n.labels import DEFAULT_LANG, t
from core.kernel.roc_dates import format_time
from db.models import ExchangeEvent, ExchangeEventCity, PartnerCity

TAIPEI = ZoneInfo("Asia/Taipei")
# With no time of day known, the offset is taken at Taipei noon: daylight-saving changes
# happen around 02:00 local time, so noon gives the offset that holds for most of the day.
NOON = time(12)
MAX_CITIES_IN_A_CELL = 3  # the coming-up list names at most this many cities per event


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def is_valid_zone(name: str) -> bool:
    """True for an IANA zone name zoneinfo can load (Asia/Tokyo; exact case, no paths)."""
    return isinstance(name, str) and name in _known_zones()


@dataclass(frozen=True)
class LocalTime:
    """One moment in Taipei and in a city: aware datetimes, the city's offset, the day shift."""

    taipei: datetime
    local: datetime

    @property
    def offset(self) -> timedelta:
        """The city's UTC offset at this moment (daylight saving time included)."""
        return self.local.utcoffset() or timedelta(0)

    @property
    def behind(self) -> timedelta:
        """How far the city's clocks are behind Taipei's (negative: ahead)."""
        return (self.taipei.utcoffset() or timedelta(0)) - self.offset

    @property
    def day_shift(self) -> int:
        """The city's calendar day minus Taipei's: −1 the day before, +1 the day after."""
        return (self.local.date() - self.taipei.date()).days


def to_local(day: date, at: time | None, tz: str) -> LocalTime:
    """The Taipei wall time `at` on `day` (Taipei noon when None) as it is in zone `tz`.

    Raises ValueError when tz is not an IANA zone name.
    """
    if not is_valid_zone(tz):
        raise ValueError(t("lt.bad_zone", tz=tz))
    taipei = datetime.combine(day, at or NOON, TAIPEI)
    return LocalTime(taipei, taipei.astimezone(ZoneInfo(tz)))


def format_offset(offset: timedelta) -> str:
    """UTC−5, UTC+9, UTC+5:30, UTC+0 (a true minus sign, as in printed time tables)."""
    minutes = int(offset.total_seconds() // 60)
    sign = "−" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def _span(amount: timedelta, lang: str) -> str:
    hours, minutes = divmod(abs(int(amount.total_seconds() // 60)), 60)
    if minutes:
        return t("lt.hours_minutes", lang, h=hours, m=minutes)
    return t("lt.hours", lang, h=hours)


def describe_offset(moment: LocalTime, lang: str = DEFAULT_LANG) -> str:
    """UTC−5，比臺北慢 13 小時 / UTC−5, 13 h behind Taipei."""
    utc, behind = format_offset(moment.offset), moment.behind
    if not behind:
        return t("lt.offset.same", lang, utc=utc)
    key = "lt.offset.behind" if behind > timedelta(0) else "lt.offset.ahead"
    return t(key, lang, utc=utc, diff=_span(behind, lang))


def day_shift_text(shift: int, lang: str = DEFAULT_LANG) -> str:
    """前一日／次日 (previous / next day); 當日 for 0; −2 日 for anything further."""
    words = {-1: "lt.day.prev", 0: "lt.day.same", 1: "lt.day.next"}
    return t(words[shift], lang) if shift in words else t("lt.day.other", lang, n=shift)


def _with_day(clock: str, shift: int, lang: str) -> str:
    return t("lt.shifted", lang, day=day_shift_text(shift, lang), time=clock)


def _local_text(start: LocalTime, end: LocalTime | None, lang: str) -> str:
    """19:00, 前一日 19:00–20:00 / 19:00–20:00 previous day; each end of a range that spans
    two of the city's days names its own day."""
    first = format_time(start.local.time())
    if end is None or end.day_shift == start.day_shift:
        clock = first if end is None else f"{first}–{format_time(end.local.time())}"
        return _with_day(clock, start.day_shift, lang) if start.day_shift else clock
    last = format_time(end.local.time())
    return f"{_with_day(first, start.day_shift, lang)}–{_with_day(last, end.day_shift, lang)}"


def local_pair(
    day: date, at: time | None, tz: str, lang: str = DEFAULT_LANG, *, until: time | None = None
) -> str:
    """What staff read for one city: Taipei time and the city's local time, or its offset.

    day, at: the Taipei date and wall time (at=None: time unknown, only the city's offset on
    that date is given); tz: the city's IANA zone; until: an end time on the same Taipei day,
    shown as a range. An unknown zone gives a sentence saying so instead of raising.

        '臺北 09:00–10:00／當地 前一日 19:00–20:00（UTC−6，比臺北慢 14 小時）'
        'Taipei 09:00 / local 19:00 previous day (UTC−6, 14 h behind Taipei)'
        'UTC+10，比臺北快 2 小時'  (at=None)
    """
    if not is_valid_zone(tz):
        return t("lt.bad_zone", lang, tz=tz)
    start = to_local(day, at, tz)
    offset = describe_offset(start, lang)
    if at is None:
        return offset
    end = to_local(day, until, tz) if until is not None else None
    taipei = format_time(at) + (f"–{format_time(until)}" if until is not None else "")
    local = _local_text(start, end, lang)
    return t("lt.pair", lang, taipei=taipei, local=local, offset=offset)


def city_name(city: PartnerCity, lang: str = DEFAULT_LANG) -> str:
    return city.name_en if lang == "en" and city.name_en else city.name_zh


def city_line(city: PartnerCity, text: str, lang: str = DEFAULT_LANG) -> str:
    """聖安東尼市：<text> / San Antonio: <text>"""
    return t("lt.city_line", lang, city=city_name(city, lang), text=text)


def event_cities(session: Session, event_ids: Iterable[int]) -> dict[int, list[PartnerCity]]:
    """{event id: its partner cities, oldest tie first} through ExchangeEventCity."""
    ids = list(set(event_ids))
    found: dict[int, list[PartnerCity]] = {i: [] for i in ids}
    if not ids:
        return found
    stmt = (
        select(ExchangeEventCity.event_id, PartnerCity)
        .join(PartnerCity, PartnerCity.id == ExchangeEventCity.city_id)
        .where(ExchangeEventCity.event_id.in_(ids))
        .order_by(PartnerCity.signed_on, PartnerCity.id)
    )
    for event_id, city in session.execute(stmt):
        found[event_id].append(city)
    return found


def event_times(
    event: ExchangeEvent, city: PartnerCity, lang: str = DEFAULT_LANG, day: date | None = None
) -> str:
    """local_pair for an event's start (on `day` instead, time unknown, once it has begun);
    a one-day event with both times shows the range."""
    if day is not None and day != event.start_date:
        return local_pair(day, None, city.timezone, lang)
    one_day = event.start_date == event.end_date
    until = event.end_time if one_day and event.start_time else None
    return local_pair(event.start_date, event.start_time, city.timezone, lang, until=until)


def event_local_lines(
    session: Session, event: ExchangeEvent, lang: str = DEFAULT_LANG
) -> list[str]:
    """One line per linked city: 聖安東尼市：臺北 09:00／當地 前一日 19:00（UTC−6，…）."""
    cities = event_cities(session, [event.id]).get(event.id, [])
    return [city_line(city, event_times(event, city, lang), lang) for city in cities]


def _event_cell(event: ExchangeEvent, cities: list[PartnerCity], day: date, lang: str) -> str:
    lines = [city_line(c, event_times(event, c, lang, day), lang)
             for c in cities[:MAX_CITIES_IN_A_CELL]]  # fmt: skip
    if len(cities) > MAX_CITIES_IN_A_CELL:
        lines.append(t("lt.more_cities", lang, n=len(cities) - MAX_CITIES_IN_A_CELL))
    return t("lt.separator", lang).join(lines)


def coming_up_local(session: Session, frame: pd.DataFrame, lang: str = DEFAULT_LANG) -> list[str]:
    """For each row of core.calendar.ties.coming_up (date, kind, ref): the local times of an event's
    cities (at most MAX_CITIES_IN_A_CELL named), an anniversary city's offset; other kinds ''."""
    rows = list(frame[["date", "kind", "ref"]].itertuples(index=False, name=None))
    wanted = {
        kind: [int(ref) for _, k, ref in rows if k == kind] for kind in ("event", "anniversary")
    }
    events = session.scalars(select(ExchangeEvent).where(ExchangeEvent.id.in_(wanted["event"])))
    by_event = {e.id: e for e in events}
    linked = event_cities(session, by_event)
    ties = session.scalars(select(PartnerCity).where(PartnerCity.id.in_(wanted["anniversary"])))
    by_city = {c.id: c for c in ties}
    shown = []
    for day, kind, ref in rows:
        if kind == "event" and int(ref) in by_event:
            shown.append(_event_cell(by_event[int(ref)], linked[int(ref)], day, lang))
        elif kind == "anniversary" and int(ref) in by_city:
            city = by_city[int(ref)]
            shown.append(city_line(city, local_pair(day, None, city.timezone, lang), lang))
        else:
            shown.append("")
    return shown
