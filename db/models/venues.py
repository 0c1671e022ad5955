"""Venues of the 四維 and 鳳山 administrative centres and their bookings."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field

from db.models.base import Tracked, enum_type


class Centre(StrEnum):
    SIWEI = "siwei"  # 四維行政中心
    FENGSHAN = "fengshan"  # 鳳山行政中心


class VenueKind(StrEnum):
    HALL = "hall"  # 禮堂／活動場地
    MEETING_ROOM = "meeting_room"  # 會議室
    EXHIBITION = "exhibition"  # 展覽空間


class BookingPurpose(StrEnum):
    POLICY = "policy"  # 政令宣導
    MARKETING = "marketing"  # 市政行銷
    ACADEMIC = "academic"  # 學術教育
    SOCIAL_EDUCATION = "social_education"  # 社教
    LECTURE = "lecture"  # 演講
    EXHIBITION = "exhibition"  # 展覽
    PERFORMANCE = "performance"  # 表演
    MEETING = "meeting"  # 會議


class BookingKind(StrEnum):
    EVENT = "event"  # 活動（開放場次）
    MEETING = "meeting"  # 會議室借用


class BookingStatus(StrEnum):
    REQUESTED = "requested"  # 申請中
    APPROVED = "approved"  # 核准
    REJECTED = "rejected"  # 駁回
    CANCELLED = "cancelled"  # 取消


class Venue(Tracked, table=True):
    """A hall or meeting room with its capacity."""

    __tablename__ = "venue"
    __table_args__ = (sa.UniqueConstraint("centre", "name"),)
    centre: Centre = Field(sa_type=enum_type(Centre))
    name: str = Field(max_length=60)
    name_en: str = Field(default="", max_length=80)  # for partner cities; empty: not known
    kind: VenueKind = Field(sa_type=enum_type(VenueKind))
    capacity: int = Field(ge=1, le=5000)
    active: bool = Field(default=True)


class VenueBooking(Tracked, table=True):
    """One use of a venue over [starts_at, ends_at), in Asia/Taipei wall time."""

    __tablename__ = "venue_booking"
    __table_args__ = (
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.Index("ix_venue_booking_venue_id_starts_at", "venue_id", "starts_at"),
        # A venue's bookings of one status by time (the last approved one before a moment).
        sa.Index("ix_venue_booking_venue_status_starts_at", "venue_id", "status", "starts_at"),
        # Covers the period aggregates (approved bookings by start time): index-only scans.
        sa.Index(
            "ix_venue_booking_status_starts_at",
            "status",
            "starts_at",
            "ends_at",
            "venue_id",
            "kind",
            "purpose",
        ),  # fmt: skip
    )
    venue_id: int = Field(foreign_key="venue.id", ondelete="RESTRICT", index=True)
    starts_at: datetime = Field(index=True, sa_type=sa.DateTime())
    ends_at: datetime = Field(sa_type=sa.DateTime())
    title: str = Field(default="", max_length=200)
    organiser_agency: str = Field(max_length=60, index=True)
    purpose: BookingPurpose = Field(sa_type=enum_type(BookingPurpose))
    kind: BookingKind = Field(sa_type=enum_type(BookingKind))
    attendees: int = Field(default=0, ge=0, le=5000)
    status: BookingStatus = Field(default=BookingStatus.APPROVED, sa_type=enum_type(BookingStatus))
