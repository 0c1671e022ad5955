"""Monthly totals kept by the database itself, so a period's figures never read a decade of rows.

Triggers on venue_booking and trip (db/rollups.py) keep them in step inside the writing
transaction, whoever writes: the edit pipeline, an import, a loader, psql. A period's figures
add the whole months from here and read only the partial months at its edges from the base
tables. `python -m db.rollups --check` compares them with a recount; `--rebuild` recounts.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from db.models.base import enum_type
from db.models.fleet import TripType
from db.models.venues import BookingKind


class CalendarMonth(SQLModel, table=True):
    """Every month of 1900–2200 with its bounds: what the triggers split a booking's hours by."""

    __tablename__ = "calendar_month"
    month: datetime = Field(primary_key=True, sa_type=sa.DateTime())  # first day, 00:00
    next_month: datetime = Field(sa_type=sa.DateTime(), unique=True)


class VenueBookingMonth(SQLModel, table=True):
    """Approved bookings per month, venue and kind: how many start in the month, and how many
    seconds of all approved bookings fall inside it (a booking over a month's end is split)."""

    __tablename__ = "venue_booking_month"
    month: datetime = Field(primary_key=True, sa_type=sa.DateTime())
    venue_id: int = Field(primary_key=True)
    kind: BookingKind = Field(primary_key=True, sa_type=enum_type(BookingKind))
    bookings: int = Field(default=0)
    seconds: int = Field(default=0, sa_type=sa.BigInteger())


class TripMonth(SQLModel, table=True):
    """Trips per month (of their start) and type: how many, and their km."""

    __tablename__ = "trip_month"
    month: datetime = Field(primary_key=True, sa_type=sa.DateTime())
    trip_type: TripType = Field(primary_key=True, sa_type=enum_type(TripType))
    trips: int = Field(default=0)
    km: float = Field(default=0)


class VehicleTripMonth(SQLModel, table=True):
    """Trips per month (of their start) and vehicle: what core.fleet.usage.vehicle_usage adds
    up. seconds are the trips' lengths; working_seconds the one-day trips' seconds inside the
    working window of a weekday (db.rollups.WORK_START_HOUR–WORK_END_HOUR); multi_day counts
    the trips that end on a later day, whose working hours are worked out from the trip rows."""

    __tablename__ = "vehicle_trip_month"
    month: datetime = Field(primary_key=True, sa_type=sa.DateTime())
    vehicle_id: int = Field(primary_key=True)
    trips: int = Field(default=0)
    dispatch: int = Field(default=0)
    loans: int = Field(default=0)
    km: float = Field(default=0)
    seconds: int = Field(default=0, sa_type=sa.BigInteger())
    working_seconds: int = Field(default=0, sa_type=sa.BigInteger())
    multi_day: int = Field(default=0)
