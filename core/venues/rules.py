"""Business rules of venue bookings: no two active bookings of one venue overlap, and no
booking has more attendees than its venue holds."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from core.editing.validate import Batch, RowError, row_label
from core.i18n.labels import t
from core.kernel.overlaps import Clash, batch_spans, find_clashes, format_span
from db.models import BookingStatus, Venue, VenueBooking

# A requested booking holds its slot as an approved one does; rejected and cancelled free it.
ACTIVE = (BookingStatus.REQUESTED.value, BookingStatus.APPROVED.value)


def is_active(status: object) -> bool:
    return BookingStatus(status).value in ACTIVE


def _clash_message(clash: Clash, names: dict[int, str]) -> str:
    span = clash.span
    venue = names.get(span.key, span.key)
    if clash.other_row is not None:
        other = clash.other_row
        return t(
            "rule.venue.clash",
            row=row_label(span.pos),
            venue=venue,
            id=other.id,
            title=other.title or other.organiser_agency,
            when=format_span(other.starts_at, other.ends_at),
        )
    twin = clash.other_span
    return t(
        "rule.venue.clash_batch",
        row=row_label(span.pos),
        venue=venue,
        other=row_label(twin.pos),
        when=format_span(twin.start, twin.end),
    )


def booking_errors(session: Session, batch: Batch) -> list[RowError]:
    """Overlaps with stored or other new bookings of the same venue, and attendees over
    capacity, each as a zh-TW message naming the clashing booking."""
    spans = batch_spans(batch, "venue_id", lambda row: is_active(row["status"]))
    replaced = [row_id for row_id, _ in batch.edited.values()] + [i for _, i in batch.deleted]
    active = VenueBooking.status.in_(ACTIVE)
    clashes = find_clashes(session, VenueBooking, "venue_id", spans, replaced, active)
    rows = list(batch.edited.items()) + [(pos, (None, row)) for pos, row in batch.added]
    venue_ids = {row["venue_id"] for _, (_, row) in rows} | {c.span.key for c in clashes}
    venues = session.execute(
        select(Venue.id, Venue.name, Venue.capacity).where(Venue.id.in_(venue_ids))
    ).all()
    names = {v.id: v.name for v in venues}
    capacity = {v.id: v.capacity for v in venues}
    errors = [RowError(c.span.pos, "starts_at", _clash_message(c, names)) for c in clashes]
    for pos, (_, row) in rows:
        limit = capacity.get(row["venue_id"])
        if limit is not None and row.get("attendees", 0) > limit:
            text = t(
                "rule.venue.capacity",
                row=row_label(pos),
                venue=names.get(row["venue_id"], row["venue_id"]),
                capacity=limit,
                attendees=row["attendees"],
            )
            errors.append(RowError(pos, "attendees", text))
    return errors
