"""Counts per month in SQL (GROUP BY), the same on SQLite and PostgreSQL."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import ColumnElement, func, select
from sqlmodel import Session

from core.cache import stamped
from core.periods import Period
from db.models import BookingKind, BookingStatus, Reception, Trip, VenueBooking


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


@stamped("venue_booking")
def bookings_by_month(session: Session, period: Period) -> pd.DataFrame:
    """Approved bookings per month and kind (event / meeting)."""
    month = month_key(session, VenueBooking.starts_at).label("month")
    stmt = (
        select(month, VenueBooking.kind, func.count())
        .where(
            VenueBooking.starts_at >= period.start_dt,
            VenueBooking.starts_at < period.end_dt,
            VenueBooking.status == BookingStatus.APPROVED,
        )
        .group_by(month, VenueBooking.kind)
        .order_by(month)
    )
    df = _frame(session.execute(stmt).all(), ["month", "kind", "count"])
    df["kind"] = df["kind"].map(lambda k: BookingKind(k).value)
    return df


@stamped("trip")
def trips_by_month(session: Session, period: Period) -> pd.DataFrame:
    """Trips and km per month and trip type."""
    month = month_key(session, Trip.starts_at).label("month")
    stmt = (
        select(month, Trip.trip_type, func.count(), func.coalesce(func.sum(Trip.km), 0))
        .where(Trip.starts_at >= period.start_dt, Trip.starts_at < period.end_dt)
        .group_by(month, Trip.trip_type)
        .order_by(month)
    )
    return _frame(session.execute(stmt).all(), ["month", "kind", "count", "km"])


@stamped("reception")
def receptions_by_month(session: Session, period: Period) -> pd.DataFrame:
    """Receptions per month and visitor category."""
    month = month_key(session, Reception.visit_date).label("month")
    stmt = (
        select(month, Reception.category, func.count())
        .where(Reception.visit_date >= period.start, Reception.visit_date <= period.end)
        .group_by(month, Reception.category)
        .order_by(month)
    )
    return _frame(session.execute(stmt).all(), ["month", "kind", "count"])
