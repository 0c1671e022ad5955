"""Reporting periods: whole days, inclusive, and the presets staff pick from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta


@dataclass(frozen=True)
class Period:
    """An inclusive range of whole days, as the council report states its period."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("迄日不可早於起日。")

    @property
    def start_dt(self) -> datetime:
        return datetime.combine(self.start, time.min)

    @property
    def end_dt(self) -> datetime:
        """Exclusive upper bound: midnight after the last day."""
        return datetime.combine(self.end + timedelta(days=1), time.min)

    def covers(self, other: Period) -> bool:
        """Whether every day of `other` lies in this period."""
        return self.start <= other.start and other.end <= self.end


def month_period(month: date) -> Period:
    """The whole calendar month containing month."""
    first = date(month.year, month.month, 1)  # a date or a pandas Timestamp
    following = (first + timedelta(days=32)).replace(day=1)
    return Period(first, following - timedelta(days=1))


def _first_of_next_month(moment: datetime) -> datetime:
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    return datetime(year, month, 1)


@dataclass(frozen=True)
class MonthSplit:
    """A period as whole months (read from the monthly rollups) and the partial months at its
    edges (read from the base tables), all as [from, to) datetimes."""

    months: tuple[datetime, datetime] | None
    edges: tuple[tuple[datetime, datetime], ...]


def split_months(period: Period) -> MonthSplit:
    lo, hi = period.start_dt, period.end_dt
    first = lo if lo.day == 1 else _first_of_next_month(lo)
    last = datetime(hi.year, hi.month, 1)  # the month the exclusive end falls in starts here
    if first >= last:
        return MonthSplit(None, ((lo, hi),))
    edges = tuple(edge for edge in ((lo, first), (last, hi)) if edge[0] < edge[1])
    return MonthSplit((first, last), edges)


# The period of the bureau's report to the 4th council's 1st session (2023-04-26).
REPORT_PERIOD = Period(date(2022, 7, 1), date(2023, 3, 15))


def half_year_of(day: date) -> Period:
    """January–June or July–December containing day."""
    if day.month <= 6:
        return Period(date(day.year, 1, 1), date(day.year, 6, 30))
    return Period(date(day.year, 7, 1), date(day.year, 12, 31))


def previous_month(day: date) -> Period:
    first_this = day.replace(day=1)
    last_prev = first_this - timedelta(days=1)
    return Period(last_prev.replace(day=1), last_prev)


# The periods a user may open the pages on (app_user.start_period), the first the default: the
# running half-year holds today's work; the council period is for preparing the report.
START_PERIODS = ("this_half", "report", "last_month")


def start_period(choice: str, today: date) -> Period:
    """The period a user's pages open on; the running half-year for an unknown choice."""
    named = presets(today)
    return named.get(f"ui.preset.{choice}", named["ui.preset.this_half"])


def presets(today: date) -> dict[str, Period]:
    """Named periods for the picker, keyed by label key."""
    return {
        "ui.preset.report": REPORT_PERIOD,
        "ui.preset.this_half": half_year_of(today),
        "ui.preset.last_month": previous_month(today),
    }
