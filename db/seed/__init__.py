"""Demo data from the bureau's 2023-04-26 council report: `load_demo_data` and `is_empty`."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

import db.models as m
from db.seed import (
    cities,
    exchange,
    fleet,
    follow_ups,
    gifts,
    gifts_received,
    receptions,
    staffing,
    venues,
)
from db.seed.common import SeedContext

TABLES: tuple[type[SQLModel], ...] = (
    m.PartnerCity,
    m.ExchangeEvent,
    m.ExchangeEventCity,
    m.Reception,
    m.ReceptionFollowUp,
    m.GiftItem,
    m.GiftMovement,
    m.GiftReceived,
    m.Venue,
    m.VenueBooking,
    m.Vehicle,
    m.Driver,
    m.Trip,
    m.StaffingSnapshot,
    m.StaffingCount,
    m.TempStaffReview,
)

__all__ = ["TABLES", "count_rows", "is_empty", "load_demo_data"]


def count_rows(session: Session) -> dict[str, int]:
    """Row count per table name for every demo table."""
    return {
        t.__tablename__: session.scalar(sa.select(sa.func.count()).select_from(t)) or 0
        for t in TABLES
    }


def is_empty(session: Session) -> bool:
    """True when no partner cities, bookings, trips or staffing snapshots exist."""
    for model in (m.PartnerCity, m.VenueBooking, m.Trip, m.StaffingSnapshot):
        if session.scalar(sa.select(sa.func.count()).select_from(model)):
            return False
    return True


def load_demo_data(session: Session) -> dict[str, int]:
    """Insert all demo rows into an empty schema (no commit) and return row counts per table."""
    ctx = SeedContext()
    cities.load(session, ctx)
    exchange.load(session, ctx)
    receptions.load(session, ctx)
    follow_ups.load(session, ctx)
    gifts.load(session, ctx)
    gifts_received.load(session, ctx)
    venues.load(session)
    fleet.load(session, ctx)
    staffing.load(session)
    session.flush()
    return count_rows(session)
