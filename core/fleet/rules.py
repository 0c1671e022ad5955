"""Business rules of trips: a car or a driver is in one trip at a time, and a trip's km is
plausible (0 to the trip_km_max setting)."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from core.editing.validate import Batch, RowError, row_label
from core.i18n.labels import t
from core.kernel.config import get_settings
from core.kernel.overlaps import Clash, batch_spans, find_clashes, format_span
from db.models import Driver, Trip, Vehicle


def _message(clash: Clash, what: str, name: str) -> str:
    span = clash.span
    if clash.other_row is not None:
        other = clash.other_row
        return t(
            f"rule.trip.clash_{what}",
            row=row_label(span.pos),
            name=name,
            id=other.id,
            destination=other.destination or other.requesting_agency,
            when=format_span(other.starts_at, other.ends_at),
        )
    twin = clash.other_span
    return t(
        f"rule.trip.clash_{what}_batch",
        row=row_label(span.pos),
        name=name,
        other=row_label(twin.pos),
        when=format_span(twin.start, twin.end),
    )


def trip_errors(session: Session, batch: Batch) -> list[RowError]:
    """Overlapping trips of one vehicle or one driver, and km above the per-trip maximum."""
    replaced = [row_id for row_id, _ in batch.edited.values()] + [i for _, i in batch.deleted]
    errors: list[RowError] = []
    for key, model, label, what in (
        ("vehicle_id", Vehicle, Vehicle.plate, "vehicle"),
        ("driver_id", Driver, Driver.name, "driver"),
    ):
        clashes = find_clashes(session, Trip, key, batch_spans(batch, key), replaced)
        if not clashes:
            continue
        ids = {c.span.key for c in clashes}
        names = dict(session.execute(select(model.id, label).where(model.id.in_(ids))).all())
        errors += [
            RowError(c.span.pos, key, _message(c, what, names.get(c.span.key, str(c.span.key))))
            for c in clashes
        ]
    limit = get_settings().trip_km_max
    rows = [(pos, row) for pos, (_, row) in batch.edited.items()] + list(batch.added)
    for pos, row in rows:
        if row.get("km") is not None and row["km"] > limit:
            text = t("rule.trip.km", row=row_label(pos), km=f"{row['km']:g}", limit=f"{limit:g}")
            errors.append(RowError(pos, "km", text))
    return errors
