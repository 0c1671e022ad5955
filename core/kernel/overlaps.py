"""Half-open intervals [start, end) that must not overlap per key (a venue, a car, a driver).

Used by the business rules of venue bookings and trips: a save's rows are checked against
each other and against the stored rows the save does not replace, one query per key column
over the batch's time range. On PostgreSQL an exclusion constraint backs the same rule up
against saves racing from another server; on SQLite the save holds the write lock while it
checks (core.editing.pipeline), so the check here is the rule.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, select
from sqlmodel import Session, SQLModel

from core.editing.validate import Batch
from core.i18n.labels import message_lang
from core.kernel.roc_dates import format_datetime


@dataclass(frozen=True)
class Span:
    """One row's interval on one key, as the batch would leave it."""

    pos: int | str  # the row's position in the editor, or "new #k"
    row_id: int | None  # None for an added row
    key: Any
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Clash:
    """span overlaps either a stored row (other_row) or another row of the batch (other_span)."""

    span: Span
    other_row: Any = None
    other_span: Span | None = None


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    """[a_start, a_end) and [b_start, b_end) share a moment; touching ends do not."""
    return a_start < b_end and b_start < a_end


def format_span(start: datetime, end: datetime) -> str:
    """115/12/01 09:00–12:00, or both ends in full when the interval runs past a day; in
    the message language (2026-12-01 09:00–12:00 in English)."""
    lang = message_lang()
    if start.date() == end.date():
        return f"{format_datetime(start, lang)}–{end:%H:%M}"
    return f"{format_datetime(start, lang)}–{format_datetime(end, lang)}"


def batch_spans(
    batch: Batch,
    key: str,
    active: Callable[[dict[str, Any]], bool] = lambda row: True,
    start: str = "starts_at",
    end: str = "ends_at",
) -> list[Span]:
    """The intervals the batch writes on `key`: edited and added rows that are active and
    have a key (a trip without a driver has no driver interval)."""
    rows = [(pos, row_id, row) for pos, (row_id, row) in batch.edited.items()]
    rows += [(pos, None, row) for pos, row in batch.added]
    return [
        Span(pos, row_id, row[key], row[start], row[end])
        for pos, row_id, row in rows
        if row.get(key) is not None and active(row)
    ]


def find_clashes(
    session: Session,
    model: type[SQLModel],
    key: str,
    spans: list[Span],
    replaced: Iterable[int],
    active_clause: ColumnElement[bool] | None = None,
    start: str = "starts_at",
    end: str = "ends_at",
) -> list[Clash]:
    """Each span's first clash: with a stored active row not replaced by the batch (edited or
    deleted in it), else with an earlier span of the batch on the same key."""
    if not spans:
        return []
    table = model.__table__  # type: ignore[attr-defined]
    c_key, c_start, c_end = table.c[key], table.c[start], table.c[end]
    replaced = set(replaced)
    by_key: dict[Any, list[Span]] = defaultdict(list)
    for span in spans:
        by_key[span.key].append(span)
    stored: dict[Any, list[Any]] = defaultdict(list)
    conditions = [
        c_key.in_(list(by_key)),
        c_start < max(s.end for s in spans),
        c_end > min(s.start for s in spans),
    ]
    if active_clause is not None:
        conditions.append(active_clause)
    stmt = select(table).where(and_(*conditions)).order_by(c_key, c_start, table.c.id)
    for row in session.execute(stmt):
        if row.id not in replaced:
            stored[row._mapping[key]].append(row)
    found: list[Clash] = []
    for key_value, group in by_key.items():
        earlier: list[Span] = []
        for span in sorted(group, key=lambda s: (s.start, s.end, str(s.pos))):
            hit = next(
                (
                    r
                    for r in stored[key_value]
                    if overlaps(span.start, span.end, r._mapping[start], r._mapping[end])
                ),
                None,
            )
            if hit is not None:
                found.append(Clash(span, other_row=hit))
            else:
                twin = next(
                    (o for o in earlier if overlaps(span.start, span.end, o.start, o.end)), None
                )
                if twin is not None:
                    found.append(Clash(span, other_span=twin))
            earlier.append(span)
    return sorted(found, key=lambda c: str(c.span.pos))
