"""Counts per month in SQL (GROUP BY), the same on SQLite and PostgreSQL."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import ColumnElement, func, select
from sqlmodel import Session

from core.kernel.cache import stamped
from core.kernel.periods import Period, split_months
from db.models import (
    BookingKind,
    BookingStatus,
    Reception,
    Trip,
    TripMonth,
    VenueBooking,
    VenueBookingMonth,
)


def month_key(session: Session, column: ColumnElement) -> ColumnElement[str]:
    """'2023-03' for a date or datetime column, computed by the database."""
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y-%m", column)
    return func.to_char(column, "YYYY-MM")


def _frame(rows, columns: list[str]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=columns)
    df["month"] = (
        pd.to_datetime(df["month"] + "-01") if len(df) else pd.Series(dtype="datetime64[ns]")
    )
    return df


def _months_and_edges(session: Session, period: Period, rollup, base) -> list:
    """Rows of the rollup statement for the period's whole months and of the base statement
    for each partial month at its edges (core.kernel.periods.split_months); each is called with
    (lo, hi) datetimes and returns (month, kind, count[, km]) rows."""
    split = split_months(period)
    rows = list(session.execute(rollup(*split.months)).all()) if split.months else []
    for lo, hi in split.edges:
        rows += session.execute(base(lo, hi)).all()
    return rows


@stamped("venue_booking")
def bookings_by_month(session: Session, period: Period) -> pd.DataFrame:
    """Approved bookings per month and kind (event / meeting): whole months from the monthly
    rollup the triggers keep, the partial months at the edges from venue_booking."""
    r, b = VenueBookingMonth, VenueBooking
    r_month, b_month = month_key(session, r.month), month_key(session, b.starts_at)

    def rollup(lo, hi):
        n = func.sum(r.bookings)
        return (
            select(r_month, r.kind, n)
            .where(r.month >= lo, r.month < hi)
            .group_by(r_month, r.kind)
            .having(n != 0)
        )

    def base(lo, hi):
        return (
            select(b_month, b.kind, func.count())
            .where(b.starts_at >= lo, b.starts_at < hi, b.status == BookingStatus.APPROVED)
            .group_by(b_month, b.kind)
        )

    rows = _months_and_edges(session, period, rollup, base)
    df = _frame(sorted(rows, key=lambda row: row[0]), ["month", "kind", "count"])
    df["kind"] = df["kind"].map(lambda k: BookingKind(k).value)
    df["count"] = df["count"].astype(int)
    return df


@stamped("trip")
def trips_by_month(session: Session, period: Period) -> pd.DataFrame:
    """Trips and km per month and trip type: whole months from trip_month, the partial
    months at the edges from trip."""
    r, t = TripMonth, Trip
    r_month, t_month = month_key(session, r.month), month_key(session, t.starts_at)

    def rollup(lo, hi):
        n = func.sum(r.trips)
        return (
            select(r_month, r.trip_type, n, func.sum(r.km))
            .where(r.month >= lo, r.month < hi)
            .group_by(r_month, r.trip_type)
            .having(n != 0)
        )

    def base(lo, hi):
        return (
            select(t_month, t.trip_type, func.count(), func.coalesce(func.sum(t.km), 0))
            .where(t.starts_at >= lo, t.starts_at < hi)
            .group_by(t_month, t.trip_type)
        )

    rows = _months_and_edges(session, period, rollup, base)
    df = _frame(sorted(rows, key=lambda row: row[0]), ["month", "kind", "count", "km"])
    df["count"] = df["count"].astype(int)
    # Sums of the triggers' + and − km drift in the last bits: back to the km's own precision.
    df["km"] = df["km"].astype(float).round(3)
    return df


@stamped("reception")
def receptions_by_month(session: Session, period: Period) -> pd.DataFrame:
    """Receptions per month and visitor category (meetings abroad are not receptions)."""
    month = month_key(session, Reception.visit_date).label("month")
    stmt = (
        select(month, Reception.category, func.count())
        .where(Reception.visit_date >= period.start, Reception.visit_date <= period.end)
        .where(Reception.abroad.is_(False))
        .group_by(month, Reception.category)
        .order_by(month)
    )
    return _frame(session.execute(stmt).all(), ["month", "kind", "count"])
