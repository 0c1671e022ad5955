"""All tables of the workspace; importing this module registers them on SQLModel.metadata."""

from db.models.audit import AuditAction, AuditEntry, TableStamp
from db.models.base import Tracked, utcnow
from db.models.fleet import Driver, FuelType, Trip, TripPurpose, TripType, Vehicle, VehicleKind
from db.models.gifts import (
    Disposition,
    GiftItem,
    GiftKind,
    GiftMovement,
    GiftReceived,
    MovementDirection,
)
from db.models.international import (
    DatePrecision,
    EventKind,
    ExchangeEvent,
    ExchangeEventCity,
    MeetingMode,
    PartnerCity,
    Reception,
    TieType,
    VisitorCategory,
)
from db.models.rollups import CalendarMonth, TripMonth, VehicleTripMonth, VenueBookingMonth
from db.models.staffing import (
    TEMP_CATEGORIES,
    BudgetSource,
    StaffCategory,
    StaffingCount,
    StaffingSnapshot,
    TempStaffReview,
    UnitType,
)
from db.models.users import AuthSession, User, UserRole
from db.models.venues import (
    BookingKind,
    BookingPurpose,
    BookingStatus,
    Centre,
    Venue,
    VenueBooking,
    VenueKind,
)
from db.models.visitors import ReceptionFollowUp, ReceptionGuest, ReceptionPhoto

__all__ = [
    "TEMP_CATEGORIES",
    "AuditAction",
    "AuditEntry",
    "AuthSession",
    "BookingKind",
    "BookingPurpose",
    "BookingStatus",
    "BudgetSource",
    "CalendarMonth",
    "Centre",
    "DatePrecision",
    "Disposition",
    "Driver",
    "EventKind",
    "ExchangeEvent",
    "ExchangeEventCity",
    "FuelType",
    "GiftItem",
    "GiftKind",
    "GiftMovement",
    "GiftReceived",
    "MeetingMode",
    "MovementDirection",
    "PartnerCity",
    "Reception",
    "ReceptionFollowUp",
    "ReceptionGuest",
    "ReceptionPhoto",
    "StaffCategory",
    "StaffingCount",
    "StaffingSnapshot",
    "TableStamp",
    "TempStaffReview",
    "TieType",
    "Tracked",
    "Trip",
    "TripMonth",
    "VehicleTripMonth",
    "TripPurpose",
    "TripType",
    "UnitType",
    "User",
    "UserRole",
    "Vehicle",
    "VehicleKind",
    "Venue",
    "VenueBooking",
    "VenueBookingMonth",
    "VenueKind",
    "VisitorCategory",
    "utcnow",
]
