"""民國 (ROC) calendar: format stored ISO dates for staff and parse what staff type."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time

ROC_OFFSET = 1911  # 民國1年 = 1912; there is no year 0.
MIN_ROC_YEAR = 1
MAX_ROC_YEAR = 200  # 2111: anything later is a typing mistake.

STYLES = ("long", "full", "slash", "dot", "compact")


class ROCDateError(ValueError):
    """A date staff typed that cannot be read; the message is zh-TW and says why, `en` the
    same for an English reader (in Gregorian terms: YYYY-MM-DD)."""

    def __init__(self, message: str, en: str = "") -> None:
        super().__init__(message)
        self.en = en or message

    def in_language(self, lang: str) -> str:
        return str(self) if lang == "zh-TW" else self.en


def roc_year(d: date) -> int:
    return d.year - ROC_OFFSET


def format_roc(d: date | datetime | None, style: str = "slash") -> str:
    """112/03/15 (slash), 112年3月15日 (long), 中華民國112年3月15日 (full), 112.3.15, 1120315."""
    if d is None:
        return ""
    if isinstance(d, datetime):
        d = d.date()
    y = roc_year(d)
    if y < MIN_ROC_YEAR:
        # Before 1912 the ROC calendar does not apply; show the Gregorian date instead.
        return d.isoformat()
    if style == "long":
        return f"{y}年{d.month}月{d.day}日"
    if style == "full":
        return f"中華民國{y}年{d.month}月{d.day}日"
    if style == "slash":
        return f"{y}/{d.month:02d}/{d.day:02d}"
    if style == "dot":
        return f"{y}.{d.month}.{d.day}"
    if style == "compact":
        return f"{y:03d}{d.month:02d}{d.day:02d}"
    raise ValueError(f"unknown ROC date style: {style}")


MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")  # fmt: skip


def english_date(day: date) -> str:
    """1 July 2022: English readers (partner cities) read Gregorian dates."""
    return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def long_date(day: date, lang: str) -> str:
    """A date in a sentence: 112年2月28日 in Chinese, 28 February 2023 in English."""
    return format_roc(day, "long") if lang == "zh-TW" else english_date(day)


def format_roc_datetime(dt: datetime | None) -> str:
    """112/03/15 14:30 — wall time in Asia/Taipei as stored."""
    if dt is None:
        return ""
    return f"{format_roc(dt, 'slash')} {dt.hour:02d}:{dt.minute:02d}"


def format_roc_month(d: date) -> str:
    """112年3月"""
    return f"{roc_year(d)}年{d.month}月"


def format_roc_period(start: date, end: date) -> str:
    """111年7月1日至112年3月15日, as the council report writes a period (zh-TW only:
    format_period follows the language)."""
    return f"{format_roc(start, 'long')}至{format_roc(end, 'long')}"


# The language-following forms: 民國 in zh-TW, Gregorian (ISO, which a partner city reads and
# parse_roc reads back) in English. Every date a page, table, cell or export shows goes
# through these, so an English reader never meets a 民國 date.


def format_date(d: date | datetime | None, lang: str) -> str:
    """115/12/04 in zh-TW, 2026-12-04 in English ("" for None)."""
    if d is None:
        return ""
    if lang == "zh-TW":
        return format_roc(d)
    return (d.date() if isinstance(d, datetime) else d).isoformat()


def format_datetime(dt: datetime | None, lang: str) -> str:
    """115/12/04 09:30 in zh-TW, 2026-12-04 09:30 in English ("" for None)."""
    if dt is None:
        return ""
    return f"{format_date(dt, lang)} {dt.hour:02d}:{dt.minute:02d}"


def format_month(d: date, lang: str) -> str:
    """112年3月 in zh-TW, March 2023 in English."""
    return format_roc_month(d) if lang == "zh-TW" else f"{MONTHS_EN[d.month - 1]} {d.year}"


def format_period(start: date, end: date, lang: str) -> str:
    """111年7月1日至112年3月15日 in zh-TW, 2022-07-01 – 2023-03-15 in English."""
    if lang == "zh-TW":
        return format_roc_period(start, end)
    return f"{format_date(start, lang)} – {format_date(end, lang)}"


_LONG = re.compile(r"^(?:中華)?(?:民國)?(\d{1,3})年(\d{1,2})月(\d{1,2})日?$")
_SEP = re.compile(r"^(?:中華)?(?:民國)?(\d{1,3})[/.\-](\d{1,2})[/.\-](\d{1,2})$")
_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_COMPACT = re.compile(r"^(?:中華)?(?:民國)?(\d{6,8})$")


def _normalise(text: str) -> str:
    # Full-width digits and separators, and the spaced-out digits of scanned reports.
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _build(roc_y: int, month: int, day: int, original: str) -> date:
    if roc_y < MIN_ROC_YEAR:
        raise ROCDateError(
            f"「{original}」：民國年份須為 1 以上（民國元年為 1912 年，沒有民國0年）。",
            f"“{original}” is not a date: write YYYY-MM-DD, e.g. 2026-12-04.",
        )
    if roc_y > MAX_ROC_YEAR:
        raise ROCDateError(
            f"「{original}」：民國 {roc_y} 年超出合理範圍，請確認年份。",
            f"“{original}”: the year is out of range; write YYYY-MM-DD, e.g. 2026-12-04.",
        )
    return _gregorian(roc_y + ROC_OFFSET, month, day, original)


def _gregorian(year: int, month: int, day: int, original: str) -> date:
    if not 1 <= month <= 12:
        raise ROCDateError(
            f"「{original}」：月份須介於 1 至 12。",
            f"“{original}”: the month must be 1 to 12 (YYYY-MM-DD).",
        )
    try:
        return date(year, month, day)
    except ValueError:
        raise ROCDateError(
            f"「{original}」：{month} 月沒有 {day} 日。",
            f"“{original}”: {MONTHS_EN[month - 1]} has no day {day}.",
        ) from None


def parse_roc(text: str) -> date:
    """Read 112年3月15日, 民國112/03/15, 112.3.15, 1120315 (or 990315), or ISO 2023-03-15."""
    if not isinstance(text, str) or not text.strip():
        raise ROCDateError("日期不可空白。", "The date must not be empty (YYYY-MM-DD).")
    s = _normalise(text)
    for pattern in (_LONG, _SEP):
        m = pattern.match(s)
        if m:
            return _build(int(m[1]), int(m[2]), int(m[3]), text)
    m = _ISO.match(s)
    if m:
        year = int(m[1])
        if not 1912 <= year <= 1911 + MAX_ROC_YEAR:
            raise ROCDateError(
                f"「{text}」：西元 {year} 年超出合理範圍。",
                f"“{text}”: the year {year} is out of range.",
            )
        return _gregorian(year, int(m[2]), int(m[3]), text)
    m = _COMPACT.match(s)
    if m:
        digits = m[1]
        if len(digits) == 8:
            raise ROCDateError(
                f"「{text}」：8 位數日期無法判斷，請用民國 7 位數（如 1120315）或 2023-03-15。",
                f"“{text}” is not a date: write YYYY-MM-DD, e.g. 2023-03-15.",
            )
        # 7 digits: 3-digit ROC year (1120315); 6 digits: 2-digit ROC year (990315).
        year_len = len(digits) - 4
        return _build(int(digits[:year_len]), int(digits[-4:-2]), int(digits[-2:]), text)
    raise ROCDateError(
        f"「{text}」不是可辨識的日期，請輸入如 112年3月15日、112/03/15、112.3.15 或 1120315。",
        f"“{text}” is not a date: write YYYY-MM-DD, e.g. 2023-03-15.",
    )


def parse_any_date(value: object) -> date:
    """A date from a widget, a datetime, an ISO string or an ROC string."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return parse_roc(value)
    raise ROCDateError(f"「{value}」不是日期。", f"“{value}” is not a date (YYYY-MM-DD).")


_TIME = re.compile(r"^(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?$")
# A time alone may carry the table editor's milliseconds (09:30:00.000); they are dropped.
_TIME_OF_DAY = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?$")


def parse_roc_datetime(text: str) -> datetime:
    """A wall-clock time as staff type it: 112/03/15 14:30 (any parse_roc date, then HH:MM).

    The date alone means midnight; ISO 2023-03-15T14:30 is read too.
    """
    if not isinstance(text, str) or not text.strip():
        raise ROCDateError(
            "日期時間不可空白。", "The date and time must not be empty (YYYY-MM-DD HH:MM)."
        )
    cleaned = unicodedata.normalize("NFKC", text).strip()
    if "T" in cleaned and _ISO.match(cleaned.split("T", 1)[0]):
        cleaned = cleaned.replace("T", " ", 1)
    date_part, _, time_part = cleaned.partition(" ")
    try:
        day = parse_roc(date_part)
    except ROCDateError as exc:
        raise ROCDateError(
            str(exc),
            f"“{text}” is not a date and time: write YYYY-MM-DD HH:MM, e.g. 2023-03-15 14:30.",
        ) from None
    time_part = time_part.strip()
    if not time_part:
        return datetime(day.year, day.month, day.day)
    m = _TIME.match(time_part)
    if not m or int(m[1]) > 23 or int(m[2]) > 59 or int(m[3] or 0) > 59:
        raise ROCDateError(
            f"「{text}」：時間請寫成 24 小時制的 時:分，例如 14:30。",
            f"“{text}”: write YYYY-MM-DD HH:MM with a 24-hour time, e.g. 2023-03-15 14:30.",
        )
    return datetime(day.year, day.month, day.day, int(m[1]), int(m[2]), int(m[3] or 0))


def format_time(value: time | None) -> str:
    """09:30 — a wall time of day to the minute."""
    return "" if value is None else f"{value.hour:02d}:{value.minute:02d}"


def parse_time_of_day(value: object) -> time:
    """A wall time of day as staff type it: 9:30, 09:30, 09:30:00 (full-width too), or a
    time or datetime cell; kept to the minute, without a zone (times are Asia/Taipei)."""
    if isinstance(value, datetime):
        value = value.time()
    if isinstance(value, time):
        if value.tzinfo is not None:
            raise ROCDateError(
                f"「{value}」：時間請填臺北時間，不要加時區。",
                f"“{value}”: give the Taipei time without a time zone.",
            )
        return value.replace(second=0, microsecond=0)
    if isinstance(value, str) and value.strip():
        m = _TIME_OF_DAY.match(_normalise(value))
        if m and int(m[1]) <= 23 and int(m[2]) <= 59 and int(m[3] or 0) <= 59:
            return time(int(m[1]), int(m[2]))
    raise ROCDateError(
        f"「{value}」：時間請寫成 24 小時制的 時:分，例如 09:30。",
        f"“{value}”: write a 24-hour time, HH:MM (e.g. 09:30).",
    )
