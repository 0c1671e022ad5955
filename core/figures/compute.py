"""Figures for a period: the one source of numbers for pages, briefings and the CLI."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select
from sqlmodel import Session

from core.gifts import stock as gifts
from core.kernel.cache import stamped
from core.kernel.periods import Period, split_months
from core.staffing import headcount as staffing
from core.venues import use as venue_use
from db.models import (
    BookingKind,
    ExchangeEvent,
    ExchangeEventCity,
    MeetingMode,
    Reception,
    ReceptionGuest,
    Trip,
    TripMonth,
    TripType,
)


def _count(session: Session, stmt) -> int:
    return int(session.execute(stmt).scalar_one() or 0)


@stamped("venue_booking", "venue")
def venue_figures(session: Session, period: Period) -> dict[str, Any]:
    use = venue_use.period_use(session, period).values()
    return {
        "venue.events_opened": sum(u.by_kind.get(BookingKind.EVENT.value, 0) for u in use),
        "venue.meeting_bookings": sum(u.by_kind.get(BookingKind.MEETING.value, 0) for u in use),
    } | venue_use.utilisation_figures(
        session, period
    )  # booked hours, utilisation (core.venues.bookings)


@stamped("trip")
def fleet_figures(session: Session, period: Period) -> dict[str, Any]:
    """Trips starting in the period by type, and their km: whole months from trip_month, the
    partial months at the edges from trip (a range of its starts_at covering index)."""
    counts: dict[TripType, int] = defaultdict(int)
    km = 0.0
    split = split_months(period)
    parts = [
        select(TripMonth.trip_type, func.sum(TripMonth.trips), func.sum(TripMonth.km))
        .where(TripMonth.month >= lo, TripMonth.month < hi)
        .group_by(TripMonth.trip_type)
        for lo, hi in ([split.months] if split.months else [])
    ] + [
        select(Trip.trip_type, func.count(), func.coalesce(func.sum(Trip.km), 0))
        .where(Trip.starts_at >= lo, Trip.starts_at < hi)
        .group_by(Trip.trip_type)
        for lo, hi in split.edges
    ]
    for stmt in parts:
        for kind, n, x in session.execute(stmt).all():
            counts[TripType(kind)] += int(n or 0)
            km += float(x or 0)
    dispatch, loan = counts[TripType.DISPATCH], counts[TripType.LOAN]
    return {
        "fleet.dispatch_trips": dispatch,
        "fleet.loan_trips": loan,
        "fleet.total_trips": dispatch + loan,
        "fleet.km": round(km, 1),
    }


@stamped("reception", "reception_guest")
def visitor_figures(session: Session, period: Period) -> dict[str, int]:
    """Receptions in Kaohsiung (and by video) in the period: a delegation of several countries
    is one reception, an ally's when any of its members is; meetings abroad are counted apart."""
    in_period = and_(Reception.visit_date >= period.start, Reception.visit_date <= period.end)
    ally_guest = exists().where(
        ReceptionGuest.reception_id == Reception.id, ReceptionGuest.is_ally.is_(True)
    )
    here = Reception.abroad.is_(False)
    total, video, allies, abroad = session.execute(
        select(
            func.coalesce(func.sum(_flag(here)), 0),
            func.coalesce(func.sum(_flag(and_(here, Reception.mode == MeetingMode.VIDEO))), 0),
            func.coalesce(func.sum(_flag(and_(here, or_(Reception.is_ally, ally_guest)))), 0),
            func.coalesce(func.sum(_flag(Reception.abroad)), 0),
        ).where(in_period)
    ).one()
    return {
        "visitors.receptions": int(total),
        "visitors.video": int(video),
        "visitors.allies": int(allies),
        "visitors.abroad": int(abroad),
    }


def _flag(condition):
    return case((condition, 1), else_=0)


@stamped("exchange_event", "exchange_event_city")
def exchange_figures(session: Session, period: Period) -> dict[str, int]:
    """Events overlapping the period: with partner cities (姊妹市及友好夥伴城市交流活動), and
    the bureau's other international events (2023香港年宵, with no partner city)."""
    overlapping = and_(
        ExchangeEvent.start_date <= period.end, ExchangeEvent.end_date >= period.start
    )
    with_city = exists().where(ExchangeEventCity.event_id == ExchangeEvent.id)
    partner, other = session.execute(
        select(
            func.coalesce(func.sum(_flag(with_city)), 0),
            func.coalesce(func.sum(_flag(~with_city)), 0),
        ).where(overlapping)
    ).one()
    return {"exchange.events": int(partner), "exchange.other_events": int(other)}


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
