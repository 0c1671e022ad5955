"""The venue tables, declared once (core.editing.registry): the centres' venues and their
bookings (searched in SQL: they run into millions)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlmodel import Session

from core.editing.registry import Section
from core.editing.tables import TableSpec
from core.i18n.labels import enum_label, t
from core.kernel.roc_dates import format_datetime
from core.search.kinds import Kind, Row, both_languages, line
from core.venues.rules import booking_errors
from db import models as m

SECTION = Section(
    "venues", page="pages/venue_usage.py", title="page.venues", icon=":material/meeting_room:",
    group="nav.administration",
)  # fmt: skip


def _venue(row: Row, lang: str) -> tuple[str, str]:
    capacity = t("search.sub.capacity", lang, n=row.capacity)
    state = "" if row.active else t("search.sub.inactive", lang)
    centre, kind = enum_label(row.centre, lang, m.Centre), enum_label(row.kind, lang, m.VenueKind)
    return row.name, line(lang, centre, kind, capacity, state)


def _venue_words(row: Row) -> Iterable[str]:
    yield from both_languages(f"enum.Centre.{row.centre}")
    yield from both_languages(f"enum.VenueKind.{row.kind}")


def describe_booking(row: Row, venue: Row | None, lang: str) -> tuple[str, str]:
    """A booking's title (or its organiser) and: venue, centre, date and time, status."""
    ends = row.ends_at
    same_day = ends.date() == row.starts_at.date()
    until = f"{ends.hour:02d}:{ends.minute:02d}" if same_day else format_datetime(ends, lang)
    when = f"{format_datetime(row.starts_at, lang)}–{until}"
    status = "" if row.status == m.BookingStatus.APPROVED else enum_label(row.status, lang)
    centre = t(f"ven.centre_short.{venue.centre}", lang) if venue else ""
    title = row.title or row.organiser_agency
    return title, line(lang, venue.name if venue else "", centre, when, status)


def _bookings(session: Session, rows: list[Row], lang: str) -> list[tuple[str, str]]:
    """Each booking's lines, with its venue read once for all of them."""
    ids = {r.venue_id for r in rows}
    v = m.Venue
    found = session.execute(select(v.id, v.name, v.centre).where(v.id.in_(ids))) if ids else []
    venues = {r.id: r for r in found}
    return [describe_booking(r, venues.get(r.venue_id), lang) for r in rows]


TABLES = (
    SECTION.table(
        TableSpec(m.Venue, None, ("centre", "name"), ("name",)),
        rules=[],
        search=Kind(
            m.Venue,
            ("name",),
            _venue,
            shown=("centre", "kind", "capacity", "active"),
            words=_venue_words,
        ),  # fmt: skip
    ),
    SECTION.table(
        TableSpec(
            m.VenueBooking,
            "starts_at",
            ("-starts_at",),
            ("title", "organiser_agency"),
            {"venue_id": (m.Venue, ("centre", "name"))},
        ),
        rules=[booking_errors],
        search=Kind(
            m.VenueBooking,
            ("title", "organiser_agency"),
            describe_rows=_bookings,
            dated_by="starts_at",
            shown=("ends_at", "status", "venue_id"),
            in_sql=True,
        ),  # fmt: skip
        span=("starts_at", "ends_at", True),
        own_chart=True,  # bookings and events per month, purposes, heatmap, utilisation
    ),
)
