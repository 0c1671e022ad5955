"""Figures for a period: the one source of numbers for pages, briefings and the CLI."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlmodel import Session

from core import gifts, staffing, venues
from core.cache import stamped
from core.periods import Period
from db.models import (
    BookingKind,
    BookingStatus,
    ExchangeEvent,
    MeetingMode,
    Reception,
    Trip,
    TripType,
    VenueBooking,
)


def _count(session: Session, stmt) -> int:
    return int(session.execute(stmt).scalar_one() or 0)


@stamped("venue_booking", "venue")
def venue_figures(session: Session, period: Period) -> dict[str, Any]:
    in_period = and_(
        VenueBooking.starts_at >= period.start_dt,
        VenueBooking.starts_at < period.end_dt,
        VenueBooking.status == BookingStatus.APPROVED,
    )
    rows = session.execute(
        select(VenueBooking.kind, func.count()).where(in_period).group_by(VenueBooking.kind)
    ).all()
    by_kind = {BookingKind(k): int(n) for k, n in rows}
    return {
        "venue.events_opened": by_kind.get(BookingKind.EVENT, 0),
        "venue.meeting_bookings": by_kind.get(BookingKind.MEETING, 0),
    } | venues.utilisation_figures(session, period)  # booked hours, utilisation (core.venues)


@stamped("trip")
def fleet_figures(session: Session, period: Period) -> dict[str, Any]:
    rows = session.execute(
        select(Trip.trip_type, func.count(), func.coalesce(func.sum(Trip.km), 0))
        .where(Trip.starts_at >= period.start_dt, Trip.starts_at < period.end_dt)
        .group_by(Trip.trip_type)
    ).all()
    counts = {TripType(k): int(n) for k, n, _ in rows}
    km = sum(float(x) for _, _, x in rows)
    dispatch, loan = counts.get(TripType.DISPATCH, 0), counts.get(TripType.LOAN, 0)
    return {
        "fleet.dispatch_trips": dispatch,
        "fleet.loan_trips": loan,
        "fleet.total_trips": dispatch + loan,
        "fleet.km": round(km, 1),
    }


@stamped("reception")
def visitor_figures(session: Session, period: Period) -> dict[str, int]:
    in_period = and_(Reception.visit_date >= period.start, Reception.visit_date <= period.end)
    total, video, allies = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(_flag(Reception.mode == MeetingMode.VIDEO)), 0),
            func.coalesce(func.sum(_flag(Reception.is_ally)), 0),
        ).where(in_period)
    ).one()
    return {
        "visitors.receptions": int(total),
        "visitors.video": int(video),
        "visitors.allies": int(allies),
    }


def _flag(condition):
    return case((condition, 1), else_=0)


@stamped("exchange_event")
def exchange_figures(session: Session, period: Period) -> dict[str, int]:
    overlapping = and_(
        ExchangeEvent.start_date <= period.end, ExchangeEvent.end_date >= period.start
    )
    return {"exchange.events": _count(session, select(func.count()).where(overlapping))}


def compute_figures(session: Session, start: date, end: date) -> dict[str, Any]:
    """All headline figures for [start, end] (whole days), keyed as `function.figure`."""
    period = Period(start, end)
    figures: dict[str, Any] = {"period.start": start.isoformat(), "period.end": end.isoformat()}
    figures |= venue_figures(session, period)
    figures |= fleet_figures(session, period)
    figures |= staffing.staffing_figures(session, period.end)
    figures |= staffing.review_figures(session, period)
    figures |= visitor_figures(session, period)
    figures |= exchange_figures(session, period)
    figures |= gifts.gift_figures(session, period)
    return figures


def main(argv: list[str] | None = None) -> int:
    """`python -m core.figures --start 2022-07-01 --end 2023-03-15 [--json]`."""
    from core.figures_cli import run

    return run(argv)


if __name__ == "__main__":
    raise SystemExit(main())
