"""Official cars: vehicles (incl. the 9-seat 禮賓車), drivers and trips."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field

from db.models.base import MULTILINE, Tracked, enum_type


class VehicleKind(StrEnum):
    SEDAN = "sedan"  # 轎車
    VAN = "van"  # 廂型車
    VIP_VAN = "vip_van"  # 禮賓車
    TRUCK = "truck"  # 貨車


class FuelType(StrEnum):
    GASOLINE = "gasoline"
    DIESEL = "diesel"
    HYBRID = "hybrid"
    ELECTRIC = "electric"


class TripType(StrEnum):
    DISPATCH = "dispatch"  # 調派
    LOAN = "loan"  # 支援借用


class TripPurpose(StrEnum):
    OFFICIAL = "official"  # 公務洽公
    OFFICIALS = "officials"  # 載送首長
    FOREIGN_GUESTS = "foreign_guests"  # 接待外賓
    EVENT_SUPPORT = "event_support"  # 活動支援
    DOCUMENTS = "documents"  # 公文物品遞送
    OTHER = "other"


class Vehicle(Tracked, table=True):
    """A car of the central pool."""

    __tablename__ = "vehicle"
    plate: str = Field(max_length=12, unique=True)
    kind: VehicleKind = Field(sa_type=enum_type(VehicleKind))
    model_name: str = Field(default="", max_length=60)
    seats: int = Field(ge=1, le=60)
    fuel_type: FuelType = Field(default=FuelType.GASOLINE, sa_type=enum_type(FuelType))
    km_per_litre: float = Field(default=10.0, gt=0, le=100)
    in_service: bool = Field(default=True)


class Driver(Tracked, table=True):
    """A driver of the central pool."""

    __tablename__ = "driver"
    name: str = Field(max_length=40, unique=True)
    phone: str = Field(default="", max_length=20)
    active: bool = Field(default=True)


class Trip(Tracked, table=True):
    """One dispatch or loan of a car, [starts_at, ends_at) in Asia/Taipei wall time."""

    __tablename__ = "trip"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.CheckConstraint("km >= 0", name="km_not_negative"),
        sa.Index("ix_trip_vehicle_id_starts_at", "vehicle_id", "starts_at"),
        sa.Index("ix_trip_driver_id_starts_at", "driver_id", "starts_at"),
        # Covers the period aggregates (trips by start time, type, km, agency).
        sa.Index("ix_trip_starts_at_covering", "starts_at", "trip_type", "km", "requesting_agency"),
        # A period's loans (6 % of the trips) without reading every dispatch of the period:
        # the fleet page's charge picker (core.fleet.reports.loan_trip_options).
        sa.Index("ix_trip_trip_type_starts_at", "trip_type", "starts_at"),
    )
    vehicle_id: int = Field(foreign_key="vehicle.id", ondelete="RESTRICT", index=True)
    driver_id: int | None = Field(
        default=None, foreign_key="driver.id", ondelete="RESTRICT", index=True
    )
    starts_at: datetime = Field(index=True, sa_type=sa.DateTime())
    ends_at: datetime = Field(sa_type=sa.DateTime())
    trip_type: TripType = Field(sa_type=enum_type(TripType))
    requesting_agency: str = Field(max_length=60, index=True)
    purpose: TripPurpose = Field(sa_type=enum_type(TripPurpose))
    destination: str = Field(default="", max_length=120)
    passengers: int = Field(default=1, ge=0, le=60)
    km: float = Field(default=0, ge=0, le=2000)
    tolls: int = Field(default=0, ge=0, le=100_000)  # NT$
    parking: int = Field(default=0, ge=0, le=100_000)
    cleaning: int = Field(default=0, ge=0, le=100_000)
    note: str = Field(default="", max_length=500, schema_extra=MULTILINE)
