"""What the global search looks through per table: the columns matched and each hit's two lines."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import SQLModel

import db.models as m
from core.i18n.labels import enum_label, t
from core.kernel.roc_dates import format_roc, format_roc_datetime

Row = Any  # a SQLAlchemy Row holding a kind's `columns` by name


@dataclass(frozen=True)
class Kind:
    """One table the search reads: the text columns matched, the columns its lines need."""

    table: str
    model: type[SQLModel]
    searched: tuple[str, ...]
    describe: Callable[[Row, str], tuple[str, str]]  # (title, subtitle) in the UI language
    dated_by: str | None = None  # newest first by this column; alphabetical when None
    shown: tuple[str, ...] = ()
    words: Callable[[Row], Iterable[str]] = field(default=lambda row: ())  # matched too

    @property
    def index_columns(self) -> tuple[str, ...]:
        # No date: parsing 60,000 dates would cost more than folding the names.
        return ("id", *self.searched, *self.shown)

    @property
    def columns(self) -> tuple[str, ...]:
        dated = (self.dated_by,) if self.dated_by else ()
        return (*self.index_columns, *dated)


def _line(lang: str, *parts: object) -> str:
    return t("search.sep", lang).join(str(p) for p in parts if p not in (None, ""))


def _both_languages(key: str) -> tuple[str, str]:
    # Enum labels in both languages, so an English word finds a record whatever the UI shows.
    return t(key, "zh-TW"), t(key, "en")


def _named(first: str, second: str, lang: str) -> str:
    if not second or second == first:
        return first
    return f"{first} ({second})" if lang == "en" else f"{first}（{second}）"


def _city(row: Row, lang: str) -> tuple[str, str]:
    if lang == "en":
        title = _named(row.name_en, row.name_original, lang)
    else:
        title = _named(row.name_zh, row.name_original, lang)
    return title, _line(lang, row.country, enum_label(row.tie_type, lang, m.TieType))


def _reception(row: Row, lang: str) -> tuple[str, str]:
    zh, original = row.visitor_name_zh, row.visitor_name_original
    title = _named(original, zh, lang) if lang == "en" and original else _named(zh, original, lang)
    return title, _line(lang, format_roc(row.visit_date), row.title, row.country)


def _gift_item(row: Row, lang: str) -> tuple[str, str]:
    value = t("search.sub.unit_value", lang, value=f"{row.unit_value:,}", unit=row.unit)
    state = "" if row.active else t("search.sub.inactive", lang)
    return row.name, _line(lang, value, row.description[:40], state)


def _gift_received(row: Row, lang: str) -> tuple[str, str]:
    disposition = enum_label(row.disposition, lang, m.Disposition)
    parts = (format_roc(row.received_on), row.donor, row.recipient_official, disposition)
    return row.description, _line(lang, *parts)


def _venue(row: Row, lang: str) -> tuple[str, str]:
    capacity = t("search.sub.capacity", lang, n=row.capacity)
    state = "" if row.active else t("search.sub.inactive", lang)
    centre, kind = enum_label(row.centre, lang, m.Centre), enum_label(row.kind, lang, m.VenueKind)
    return row.name, _line(lang, centre, kind, capacity, state)


def _venue_words(row: Row) -> Iterable[str]:
    yield from _both_languages(f"enum.Centre.{row.centre}")
    yield from _both_languages(f"enum.VenueKind.{row.kind}")


def _vehicle(row: Row, lang: str) -> tuple[str, str]:
    seats = t("search.sub.seats", lang, n=row.seats)
    state = "" if row.in_service else t("search.sub.inactive", lang)
    kind = enum_label(row.kind, lang, m.VehicleKind)
    return row.plate, _line(lang, kind, row.model_name, seats, state)


def _vehicle_words(row: Row) -> Iterable[str]:
    yield row.plate.replace("-", "").replace(" ", "")  # RDA3301 finds RDA-3301
    yield from _both_languages(f"enum.VehicleKind.{row.kind}")


def describe_booking(row: Row, venue: Row | None, lang: str) -> tuple[str, str]:
    """A booking's title (or its organiser) and: venue, centre, ROC date and time, status."""
    ends = row.ends_at
    same_day = ends.date() == row.starts_at.date()
    until = f"{ends.hour:02d}:{ends.minute:02d}" if same_day else format_roc_datetime(ends)
    when = f"{format_roc_datetime(row.starts_at)}–{until}"
    status = "" if row.status == m.BookingStatus.APPROVED else enum_label(row.status, lang)
    centre = t(f"ven.centre_short.{venue.centre}", lang) if venue else ""
    title = row.title or row.organiser_agency
    return title, _line(lang, venue.name if venue else "", centre, when, status)


# The order the sidebar shows the kinds in; bookings (SQL, not folded) come last.
FOLDED_KINDS: tuple[Kind, ...] = (
    Kind(
        "partner_city", m.PartnerCity, ("name_zh", "name_original", "name_en", "country"),
        _city, shown=("tie_type",),
    ),
    Kind(
        "reception", m.Reception,
        ("visitor_name_zh", "visitor_name_original", "organisation", "title", "country"),
        _reception, dated_by="visit_date",
    ),
    Kind("gift_item", m.GiftItem, ("name", "description"), _gift_item,
         shown=("unit", "unit_value", "active")),
    Kind(
        "gift_received", m.GiftReceived,
        ("description", "donor", "presenting_person", "donor_country", "recipient_official",
         "occasion"),
        _gift_received, dated_by="received_on", shown=("disposition",),
    ),
    Kind("venue", m.Venue, ("name",), _venue, shown=("centre", "kind", "capacity", "active"),
         words=_venue_words),
    Kind("vehicle", m.Vehicle, ("plate", "model_name"), _vehicle,
         shown=("kind", "seats", "in_service"), words=_vehicle_words),
)  # fmt: skip
BOOKING_TABLE = "venue_booking"
BOOKING_COLUMNS = ("id", "starts_at", "ends_at", "title", "organiser_agency", "status", "venue_id")
BOOKING_SEARCHED = ("title", "organiser_agency")
TABLES: tuple[str, ...] = (*(k.table for k in FOLDED_KINDS), BOOKING_TABLE)
