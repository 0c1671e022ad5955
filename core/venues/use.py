"""A period's use of the venues, aggregated in SQL: utilisation per venue (whole months from
the monthly rollups, the edge months from the bookings), bookings by purpose and month, and
booked hours by weekday × hour.

Hours available are the standard slots of the period's working days by default (public
holidays left out, make-up workdays counted: core.kernel.holidays), or of every Monday–Friday
with exclude_holidays=False. Booked hours count whenever they fall, holidays included."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Date, Float, Integer, case, cast, extract, func, literal, select
from sqlalchemy import DateTime as SADateTime
from sqlmodel import Session

from core.kernel import holidays as holidays_tw
from core.kernel.cache import stamped
from core.kernel.monthly import month_key
from core.kernel.periods import Period, split_months
from core.venues.bookings import CLOSES, OPENS, SLOT_HOURS_PER_DAY, _centre_order
from db.models import BookingPurpose, BookingStatus, Venue, VenueBooking, VenueBookingMonth


def _sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _hours(session: Session, start: Any, end: Any) -> Any:
    """Hours from start to end, computed by the database."""
    if _sqlite(session):
        return (func.julianday(end) - func.julianday(start)) * 24.0
    return cast(extract("epoch", end - start), Float) / 3600.0


def _clipped_hours(session: Session, lo: datetime, hi: datetime) -> Any:
    low, high = literal(lo, SADateTime()), literal(hi, SADateTime())
    if _sqlite(session):  # SQLite's max()/min() of two values; ISO text sorts as time does
        start, end = func.max(VenueBooking.starts_at, low), func.min(VenueBooking.ends_at, high)
    else:
        start, end = (
            func.greatest(VenueBooking.starts_at, low),
            func.least(VenueBooking.ends_at, high),
        )
    return _hours(session, start, end)


def weekdays(period: Period) -> int:
    """Mondays to Fridays in the period, public holidays included."""
    return int(np.busday_count(period.start, period.end + timedelta(days=1)))


def bookable_days(period: Period, *, exclude_holidays: bool = True) -> int:
    """Days whose standard slots are available: the working days (core.kernel.holidays), or with
    exclude_holidays=False every Monday–Friday."""
    if exclude_holidays:
        return holidays_tw.working_days(period.start, period.end)
    return weekdays(period)


def day_counts(period: Period) -> dict[str, int]:
    """What the working days are made of, for the utilisation caption."""
    make_up = len(holidays_tw.make_up_workdays(period.start, period.end))
    plain, days = weekdays(period), bookable_days(period)
    return {"weekdays": plain, "holidays": plain + make_up - days, "make_up": make_up, "days": days}


def available_hours(period: Period, *, exclude_holidays: bool = True) -> int:
    """Bookable hours of one venue in the period: the standard slots (12 h) on each bookable
    day (see bookable_days)."""
    return bookable_days(period, exclude_holidays=exclude_holidays) * SLOT_HOURS_PER_DAY


def _running_into(session: Session, lo: datetime, hi: datetime) -> dict[int, float]:
    """Per venue, the hours inside [lo, hi) of the last approved booking that started before
    lo and still runs at lo (approved bookings of a venue never overlap, so only that one can):
    one statement, an index lookup per venue."""
    last_end = (
        select(VenueBooking.ends_at)
        .where(
            VenueBooking.venue_id == Venue.id,
            VenueBooking.status == BookingStatus.APPROVED,
            VenueBooking.starts_at < lo,
        )
        .order_by(VenueBooking.starts_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    running: dict[int, float] = {}
    for venue_id, last in session.execute(select(Venue.id, last_end)).all():
        if last is not None and last > lo:
            running[venue_id] = (min(last, hi) - lo).total_seconds() / 3600
    return running


@dataclass
class _Use:
    """A venue's approved use in a period: bookings starting in it by kind, hours inside it."""

    hours: float = 0.0
    by_kind: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    touched: bool = False  # any booking starting in or running into the period


def _use_in_edge(session: Session, lo: datetime, hi: datetime, use: dict[int, _Use]) -> None:
    """Add the approved bookings starting in [lo, hi) (their hours cut at hi) and the one per
    venue running into it, read from venue_booking (a range of the status + starts_at index)."""
    stmt = (
        select(
            VenueBooking.venue_id,
            VenueBooking.kind,
            func.count(),
            func.sum(_clipped_hours(session, lo, hi)),
        )
        .where(
            VenueBooking.status == BookingStatus.APPROVED,
            VenueBooking.starts_at >= lo,
            VenueBooking.starts_at < hi,
        )
        .group_by(VenueBooking.venue_id, VenueBooking.kind)
    )
    for venue_id, kind, n, hours in session.execute(stmt).all():
        entry = use[venue_id]
        entry.by_kind[getattr(kind, "value", kind)] += int(n)
        entry.hours += float(hours or 0)
        entry.touched = True
    for venue_id, hours in _running_into(session, lo, hi).items():
        use[venue_id].hours += hours
        use[venue_id].touched = True


def _use_in_months(session: Session, lo: datetime, hi: datetime, use: dict[int, _Use]) -> None:
    """Add whole months [lo, hi) from the monthly rollup the triggers keep."""
    stmt = (
        select(
            VenueBookingMonth.venue_id,
            VenueBookingMonth.kind,
            func.sum(VenueBookingMonth.bookings),
            func.sum(VenueBookingMonth.seconds),
        )
        .where(VenueBookingMonth.month >= lo, VenueBookingMonth.month < hi)
        .group_by(VenueBookingMonth.venue_id, VenueBookingMonth.kind)
    )
    for venue_id, kind, n, seconds in session.execute(stmt).all():
        if not n and not seconds:
            continue  # every booking of the group was moved or cancelled since
        entry = use[venue_id]
        entry.by_kind[getattr(kind, "value", kind)] += int(n)
        entry.hours += int(seconds) / 3600
        entry.touched = True


@stamped("venue_booking", "venue")
def period_use(session: Session, period: Period) -> dict[int, _Use]:
    """Per venue, its approved use in the period: whole months from venue_booking_month, the
    partial months at the edges from venue_booking."""
    use: dict[int, _Use] = defaultdict(_Use)
    split = split_months(period)
    if split.months:
        _use_in_months(session, *split.months, use)
    for lo, hi in split.edges:
        _use_in_edge(session, lo, hi, use)
    return dict(use)


@stamped("venue_booking", "venue")
def utilisation(session: Session, period: Period, *, exclude_holidays: bool = True) -> pd.DataFrame:
    """Per venue: booked hours ÷ available hours, in percent.

    Booked hours are the approved bookings' hours inside the period (cut at its first and last
    day), whenever they fall: use at lunchtime, after 22:00, at weekends or on a holiday counts
    as booked although it is outside the available hours, so a venue used beyond its standard
    slots can pass 100%. Available hours: see available_hours (exclude_holidays=False counts
    every Monday–Friday). Active venues, and inactive ones that were booked in the period.
    """
    use = period_use(session, period)
    stmt = select(
        Venue.id, Venue.centre, Venue.name, Venue.name_en, Venue.kind, Venue.capacity,
        Venue.active,
    ).order_by(_centre_order(), Venue.id)  # fmt: skip
    rows = [
        [vid, centre, name, name_en, kind, capacity,
         round(use[vid].hours, 2) if vid in use else 0.0]
        for vid, centre, name, name_en, kind, capacity, active in session.execute(stmt).all()
        if active or (vid in use and use[vid].touched)
    ]  # fmt: skip
    columns = ["venue_id", "centre", "name", "name_en", "kind", "capacity", "booked_hours"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["booked_hours"] = frame["booked_hours"].astype(float)
    available = available_hours(period, exclude_holidays=exclude_holidays)
    frame["available_hours"] = available
    share = frame["booked_hours"] / available * 100 if available else math.nan
    frame["utilisation_pct"] = share
    return frame


def utilisation_figures(
    session: Session, period: Period, *, exclude_holidays: bool = True
) -> dict[str, float | None]:
    """Booked hours of all venues and their utilisation together (None with no bookable day)."""
    frame = utilisation(session, period, exclude_holidays=exclude_holidays)
    booked = float(frame["booked_hours"].sum())
    available = float(frame["available_hours"].sum())
    pct = round(booked / available * 100, 2) if available else None
    return {"venue.booked_hours": round(booked, 1), "venue.utilisation_pct": pct}


@stamped("venue_booking")
def purpose_by_month(session: Session, period: Period) -> pd.DataFrame:
    """Approved bookings starting in the period per month, purpose and kind (SQL GROUP BY)."""
    month = month_key(session, VenueBooking.starts_at).label("month")
    stmt = (
        select(month, VenueBooking.purpose, VenueBooking.kind, func.count().label("n"))
        .where(
            VenueBooking.starts_at >= period.start_dt,
            VenueBooking.starts_at < period.end_dt,
            VenueBooking.status == BookingStatus.APPROVED,
        )
        .group_by(month, VenueBooking.purpose, VenueBooking.kind)
        .order_by(month)
    )
    frame = pd.DataFrame(session.execute(stmt).all(), columns=["month", "purpose", "kind", "count"])
    frame["month"] = pd.to_datetime(frame["month"] + "-01")
    for column in ("purpose", "kind"):
        frame[column] = frame[column].map(lambda v: getattr(v, "value", v))
    return frame


def purpose_totals(by_month: pd.DataFrame) -> pd.DataFrame:
    """Count per purpose, every purpose of the report in its order (zero included)."""
    totals = by_month.groupby("purpose")["count"].sum()
    purposes = [p.value for p in BookingPurpose]
    return pd.DataFrame({"purpose": purposes, "count": [int(totals.get(p, 0)) for p in purposes]})


def _time_parts(session: Session) -> tuple[Any, Any, Any]:
    """Weekday of the start (0 = Sunday), start and end as minutes of the start day (an end on
    a later day counts as midnight, 1440)."""
    s, e = VenueBooking.starts_at, VenueBooking.ends_at
    if _sqlite(session):
        dow = cast(func.strftime("%w", s), Integer)

        def minutes(col: Any) -> Any:
            hour, minute = func.strftime("%H", col), func.strftime("%M", col)
            return cast(hour, Integer) * 60 + cast(minute, Integer)

        same_day = func.date(e) == func.date(s)
    else:
        dow = cast(extract("dow", s), Integer)

        def minutes(col: Any) -> Any:
            return cast(extract("hour", col) * 60 + extract("minute", col), Integer)

        same_day = cast(e, Date) == cast(s, Date)
    end = case((same_day, minutes(e)), else_=1440)
    return dow.label("dow"), minutes(s).label("start_m"), end.label("end_m")


@stamped("venue_booking")
def weekday_hours(session: Session, period: Period) -> pd.DataFrame:
    """Booked hours per weekday (0 = Monday) and hour of day, for a heatmap.

    Approved bookings starting in the period, counted on their start day (one running past
    midnight counts up to midnight). The database groups them by weekday and start and end
    minute, so the rows read are the distinct time shapes, not the bookings. Every hour of the
    bookable day is in the grid, and any other hour that was booked.
    """
    dow, start_m, end_m = _time_parts(session)
    stmt = (
        select(dow, start_m, end_m, func.count())
        .where(
            VenueBooking.starts_at >= period.start_dt,
            VenueBooking.starts_at < period.end_dt,
            VenueBooking.status == BookingStatus.APPROVED,
        )
        .group_by(dow, start_m, end_m)
    )
    cells: dict[tuple[int, int], float] = defaultdict(float)
    for sunday_first, start, end, n in session.execute(stmt).all():
        weekday = (int(sunday_first) + 6) % 7
        for hour in range(int(start) // 60, math.ceil(int(end) / 60)):
            minutes = min(int(end), (hour + 1) * 60) - max(int(start), hour * 60)
            if minutes > 0:
                cells[weekday, hour] += n * minutes / 60
    hours = sorted(set(range(OPENS, CLOSES)) | {h for _, h in cells})
    grid = [(w, h, round(cells.get((w, h), 0.0), 2)) for w in range(7) for h in hours]
    return pd.DataFrame(grid, columns=["weekday", "hour", "hours"])
