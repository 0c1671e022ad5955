"""Venues of the 四維 and 鳳山 centres: the rooms, a day's or week's bookings, free slots, a new
booking through the edit pipeline, and the period's use (by purpose and month, utilisation,
weekday × hour), aggregated in SQL."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

import pandas as pd
from sqlalchemy import case, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from core.editing.pipeline import Actor, EditorState, SaveResult, save_changes
from core.i18n.labels import t
from core.kernel import holidays as holidays_tw
from core.kernel.cache import stamped
from core.kernel.roc_dates import format_date
from db.models import (
    BookingStatus,
    Centre,
    Venue,
    VenueBooking,
    VenueKind,
)

# A requested booking holds its slot as an approved one does; rejected and cancelled free it
# (the same statuses core.venues.rules checks for overlaps).
ACTIVE_STATUSES = (BookingStatus.REQUESTED, BookingStatus.APPROVED)
OPENS, CLOSES = 8, 22  # the centres' bookable day, 08:00–22:00
STANDARD_SLOTS = ((8, 12), (13, 17), (18, 22))  # the published slots (DOMAIN.md, Venues)
SLOT_HOURS_PER_DAY = sum(end - start for start, end in STANDARD_SLOTS)  # 12
MIN_GAP = timedelta(minutes=30)  # a shorter free gap is not offered as a slot
Slot = tuple[datetime, datetime]


@dataclass(frozen=True)
class VenueInfo:
    id: int
    centre: Centre
    name: str
    kind: VenueKind
    capacity: int
    active: bool


def _centre_order():
    return case({c.value: i for i, c in enumerate(Centre)}, value=Venue.centre)


def list_venues(
    session: Session, centres: Iterable[Centre | str] = (), *, active_only: bool = True
) -> list[VenueInfo]:
    """The venues (of the given centres, or all), 四維 first, in the order they were entered."""
    stmt = select(Venue).order_by(_centre_order(), Venue.id)
    wanted = [Centre(c).value for c in centres]
    if wanted:
        stmt = stmt.where(Venue.centre.in_(wanted))
    if active_only:
        stmt = stmt.where(Venue.active.is_(True))
    return [
        VenueInfo(v.id, Centre(v.centre), v.name, VenueKind(v.kind), v.capacity, v.active)
        for v in session.execute(stmt).scalars()
    ]


def venue_label(venue: VenueInfo, lang: str) -> str:
    """四維 第一會議室: the short centre name and the room."""
    return f"{t(f'ven.centre_short.{venue.centre.value}', lang)} {venue.name}"


def booking_filters(
    venues: Sequence[VenueInfo],
    centres: Iterable[str] = (),
    venue_ids: Iterable[int] = (),
    **columns: Iterable[Any],
) -> dict[str, list[Any]]:
    """{column: allowed values} for table_view: chosen venues, else every venue of the chosen
    centres; purpose, kind, status… pass through. Nothing chosen means no restriction."""
    centres, picked = set(centres), list(venue_ids)
    in_centres = [v.id for v in venues if v.centre.value in centres]
    ids = [i for i in picked if not centres or i in in_centres] if picked else in_centres
    if (centres or picked) and not ids:
        ids = [-1]  # the choice matches no venue: no row may match either (ids start at 1)
    return {"venue_id": ids} | {k: list(v) for k, v in columns.items()}


# --- one day or week ---------------------------------------------------------------------

BOOKING_COLUMNS = (
    "id", "venue_id", "starts_at", "ends_at", "title", "organiser_agency", "purpose", "kind",
    "status", "attendees",
)  # fmt: skip


@stamped("venue_booking")
def bookings_between(
    session: Session, venue_ids: Sequence[int], start: datetime, end: datetime
) -> pd.DataFrame:
    """Active bookings of these venues that overlap [start, end), by venue and start time.

    Reads only the window, in two statements whatever the number of venues: the bookings
    starting inside it (index venue_id, starts_at), and per venue the last active booking
    starting before it (a correlated lookup on the same index), the only one that can still
    run at `start` because active bookings of one venue never overlap (core.venues.rules, and
    on PostgreSQL an exclusion constraint). Kept until a booking changes.
    """
    cols = [getattr(VenueBooking, c) for c in BOOKING_COLUMNS]
    ids = list(venue_ids)
    active = VenueBooking.status.in_([s.value for s in ACTIVE_STATUSES])
    inside = select(*cols).where(
        VenueBooking.venue_id.in_(ids),
        active,
        VenueBooking.starts_at >= start,
        VenueBooking.starts_at < end,
    )
    earlier = aliased(VenueBooking)
    last_before = (
        select(earlier.id)
        .where(
            earlier.venue_id == Venue.id,
            earlier.status.in_([s.value for s in ACTIVE_STATUSES]),
            earlier.starts_at < start,
        )
        .order_by(earlier.starts_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    running = select(*cols).where(
        VenueBooking.id.in_(select(last_before).where(Venue.id.in_(ids))),
        VenueBooking.ends_at > start,
    )
    rows = list(session.execute(inside).all()) + list(session.execute(running).all())
    frame = pd.DataFrame(rows, columns=list(BOOKING_COLUMNS))
    return frame.sort_values(["venue_id", "starts_at"], ignore_index=True)


def at_hour(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour))


def standard_slots(day: date) -> list[Slot]:
    return [(at_hour(day, a), at_hour(day, b)) for a, b in STANDARD_SLOTS]


def _gaps(window: Slot, busy: list[Slot]) -> list[Slot]:
    """The free stretches of window between the busy intervals."""
    gaps, cursor = [], window[0]
    for start, end in sorted(busy):
        if start > cursor:
            gaps.append((cursor, start))
        cursor = max(cursor, end)
    if cursor < window[1]:
        gaps.append((cursor, window[1]))
    return gaps


def holiday_notice(day: date, lang: str) -> str | None:
    """Why a public holiday offers no slots by default (None on any other day)."""
    name = holidays_tw.holiday_name(day, lang)
    return None if name is None else t("hol.closed", lang, date=format_date(day, lang), name=name)


def free_slots(
    session: Session, venue_id: int, day: date, *, on_holidays: bool = False
) -> list[Slot]:
    """The free times of a venue on a day, to offer when booking it.

    First the standard slots (08–12, 13–17, 18–22) that no active booking touches, then each
    free gap of the bookable day 08:00–22:00 of at least MIN_GAP that is not itself a standard
    slot, in time order. Bookings are half-open, so a slot may start when a booking ends.
    A public holiday (core.kernel.holidays, whatever its weekday) offers none unless on_holidays;
    Saturdays and Sundays are offered as any day (the halls hold weekend events).
    """
    if not on_holidays and holidays_tw.is_holiday(day):
        return []
    window = (at_hour(day, OPENS), at_hour(day, CLOSES))
    booked = bookings_between(session, [venue_id], *window)
    busy = [
        (max(s.to_pydatetime(), window[0]), min(e.to_pydatetime(), window[1]))
        for s, e in zip(booked["starts_at"], booked["ends_at"], strict=True)
    ]
    taken = [slot for slot in standard_slots(day) for s, e in busy if s < slot[1] and slot[0] < e]
    standard = [slot for slot in standard_slots(day) if slot not in taken]
    gaps = [g for g in _gaps(window, busy) if g[1] - g[0] >= MIN_GAP and g not in standard]
    return standard + gaps


def day_segments(bookings: pd.DataFrame, first_day: date, days: int) -> pd.DataFrame:
    """Bookings cut at midnight into one row per day they cover within the window, with the
    start and end as hours of that day (08:30 → 8.5; the next midnight → 24)."""
    rows = []
    for booking in bookings.to_dict("records"):
        for offset in range(days):
            day = first_day + timedelta(days=offset)
            lo, hi = datetime.combine(day, time.min), datetime.combine(day, time.min) + timedelta(1)
            start, end = max(booking["starts_at"], lo), min(booking["ends_at"], hi)
            if start < end:
                hours = [(x - lo).total_seconds() / 3600 for x in (start, end)]
                rows.append(booking | {"day": day, "start_h": hours[0], "end_h": hours[1]})
    columns = [*BOOKING_COLUMNS, "day", "start_h", "end_h"]
    return pd.DataFrame(rows, columns=columns)


def create_booking(session: Session, values: dict[str, Any], *, actor: Actor) -> SaveResult:
    """Insert one booking through editing.pipeline.save_changes: the field checks, the venue rules
    (no overlap, capacity), the permission check and the audit log all apply; nothing is
    written when the result is not ok."""
    state = EditorState(rows=[], added_rows=[values])
    return save_changes(session, VenueBooking, state, actor=actor)
