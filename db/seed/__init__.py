"""Demo data from the bureau's 2023-04-26 council report: `load_demo_data` and `is_empty`."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

import db.models as m
from core.kernel.stopwatch import Stopwatch
from db import rollups
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


def load_demo_data(session: Session, stopwatch: Stopwatch | None = None) -> dict[str, int]:
    """Insert all demo rows into an empty schema (no commit) and return row counts per table.

    The monthly rollups' triggers (a migrated schema's) are off while the rows go in and the
    rollups are counted once at the end, as the scale loader does; `stopwatch` times each part.
    """
    watch = stopwatch or Stopwatch()
    ctx = SeedContext()
    with rollups.suspended(session, stopwatch=watch):
        for name, load in (
            ("cities", lambda: cities.load(session, ctx)),
            ("exchange", lambda: exchange.load(session, ctx)),
            ("receptions", lambda: receptions.load(session, ctx)),
            ("follow_ups", lambda: follow_ups.load(session, ctx)),
            ("gifts", lambda: gifts.load(session, ctx)),
            ("gifts_received", lambda: gifts_received.load(session, ctx)),
            ("venues", lambda: venues.load(session)),
            ("fleet", lambda: fleet.load(session, ctx)),
            ("staffing", lambda: staffing.load(session)),
        ):
            with watch.part(f"seed.{name}"):
                load()
        session.flush()
    return count_rows(session)
