"""Taiwan's public holidays and working days (the `holidays` library, country "TW").

Rules:
- Days off are the library's PUBLIC and GOVERNMENT categories. PUBLIC is the DGPA's 政府行政
  機關辦公日曆表 (national holidays, their 補假, Lunar New Year, the bridge days 彈性放假), which
  the Kaohsiung City Government's offices follow; GOVERNMENT adds the days only offices and
  schools had off (1998–2000: 孔子誕辰, 光復節, 國父誕辰, 行憲紀念日…) and is empty from 2001.
  Not days off: OPTIONAL (勞動節 up to 2025, off only for workers under the Labour Standards
  Act, not for civil servants; 軍人節, the armed forces only) and WORKDAY (commemorative days
  that are working days, e.g. 植樹節, 教師節 — the library's WORKDAY is *not* the 補班 days).
- Make-up workdays (補行上班日, e.g. Saturday 2024-02-17 for the day off 2024-02-08) come
  from the library's `weekend_workdays`; one may fall in the year before its day off
  (2014-12-27 for 2015-01-02), so a year's are gathered from that year and the next.
- A working day is a Monday–Friday that is no day off, or a make-up workday.
- Not known here: days off the city declares on the day (typhoons, 停止上班), and bridge days
  of years the DGPA has not published yet. Outside FIRST_YEAR–LAST_YEAR (the library's range)
  there is no holiday data: every Monday–Friday is a working day.
- Names are zh-TW or English; a date inside a name (「放假日（2024-02-17 補班）」) is shown
  as a 民國 date (「放假日（113/02/17 補班）」).
- Results are cached per year (functools.cache): they change only with the library's version,
  and pages ask on every rerun.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, timedelta

import holidays
import numpy as np
from holidays.constants import GOVERNMENT, PUBLIC

from core.kernel.roc_dates import format_date

DAYS_OFF = (PUBLIC, GOVERNMENT)
FIRST_YEAR, LAST_YEAR = 1998, 2100  # Taiwan's data start; the lunar calendar's end
LANGUAGES = {"zh-TW": "zh_TW", "en": "en_US"}  # the app's language → the library's
# Dates inside names: zh_TW writes 2024-02-17, en_US 02/17/2024.
_ISO_IN_NAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_US_IN_NAME = re.compile(r"(\d{2})/(\d{2})/(\d{4})")


def _day(value: object) -> date:
    """A date (a datetime counts as its day); anything else is refused in zh-TW."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    raise ValueError(f"「{value}」不是日期，無法查詢國定假日。")


def _range(start: object, end: object) -> tuple[date, date]:
    first, last = _day(start), _day(end)
    if last < first:
        raise ValueError("迄日不可早於起日。")
    return first, last


def _known(year: int) -> bool:
    return FIRST_YEAR <= year <= LAST_YEAR


@functools.cache
def _calendar(year: int, language: str) -> holidays.HolidayBase:
    return holidays.country_holidays("TW", years=year, categories=DAYS_OFF, language=language)


def _dated_name(name: str, language: str) -> str:
    """Dates inside a name as the language writes them: 民國 in zh-TW, ISO in English."""
    lang = "zh-TW" if language == LANGUAGES["zh-TW"] else "en"
    name = _ISO_IN_NAME.sub(lambda m: format_date(date(*map(int, m.groups())), lang), name)
    return _US_IN_NAME.sub(lambda m: format_date(date(*map(int, m.group(3, 1, 2))), lang), name)


@functools.cache
def _year_holidays(year: int, language: str) -> tuple[tuple[date, str], ...]:
    """The year's days off, by date, with their names (a tuple: the cache hands out one)."""
    if not _known(year):
        return ()
    days = _calendar(year, language).items()
    return tuple(sorted((d, _dated_name(n, language)) for d, n in days if d.year == year))


@functools.cache
def _days_off(year: int) -> frozenset[date]:
    return frozenset(d for d, _ in _year_holidays(year, LANGUAGES["zh-TW"]))


@functools.cache
def _make_up(year: int) -> frozenset[date]:
    found = (_calendar(y, "zh_TW").weekend_workdays for y in (year, year + 1) if _known(y))
    return frozenset(d for days in found for d in days if d.year == year)


def holidays_between(start: date, end: date, lang: str = "zh-TW") -> dict[date, str]:
    """{day: name} of the days off in [start, end] (inclusive), by date; names in zh-TW or
    English (another language falls back to zh-TW, as core.i18n.labels.t does)."""
    first, last = _range(start, end)
    language = LANGUAGES.get(lang, LANGUAGES["zh-TW"])
    return {
        d: name
        for year in range(first.year, last.year + 1)
        for d, name in _year_holidays(year, language)
        if first <= d <= last
    }


def holiday_name(day: date, lang: str = "zh-TW") -> str | None:
    """The day's holiday name, or None on any other day."""
    return holidays_between(day, day, lang).get(_day(day))


def is_holiday(day: date) -> bool:
    day = _day(day)
    return day in _days_off(day.year)


def make_up_workdays(start: date, end: date) -> list[date]:
    """The make-up workdays (補行上班日, weekend days) in [start, end], by date."""
    first, last = _range(start, end)
    days = (d for year in range(first.year, last.year + 1) for d in _make_up(year))
    return sorted(d for d in days if first <= d <= last)


def is_working_day(day: date) -> bool:
    """Monday–Friday and no day off, or a make-up workday."""
    day = _day(day)
    if day in _make_up(day.year):
        return True
    return day.weekday() < 5 and day not in _days_off(day.year)


def working_days(start: date, end: date) -> int:
    """How many working days [start, end] (inclusive) holds."""
    first, last = _range(start, end)
    off = [d for year in range(first.year, last.year + 1) for d in _days_off(year)]
    weekdays = np.busday_count(first, last + timedelta(days=1), holidays=off)
    return int(weekdays) + len(make_up_workdays(first, last))
