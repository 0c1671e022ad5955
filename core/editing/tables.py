"""How a table is listed (TableSpec, declared with the table in its function's tables.py), and
a server-side page of rows for a period."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import Enum
from typing import Any

import pandas as pd
from sqlalchemy import Select, String, cast, func, or_, select
from sqlmodel import Session, SQLModel

from core.editing import registry
from core.i18n.labels import enum_label, t
from core.kernel.cache import stamped
from core.kernel.periods import Period
from core.kernel.roc_dates import format_date, format_datetime, format_time
from core.search.text import LIKE_ESCAPE, like_patterns

BOOKKEEPING = ("created_at", "updated_at", "version")


@dataclass(frozen=True)
class TableSpec:
    """How a table is listed: its period column, order, search columns and foreign-key names."""

    model: type[SQLModel]
    period_column: str | None
    order_by: tuple[str, ...]
    search: tuple[str, ...] = ()
    # field -> (model, columns shown instead of the id, joined by a space)
    lookups: dict[str, tuple[type[SQLModel], str | tuple[str, ...]]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.model.__tablename__

    def columns(self) -> list[str]:
        return [c.name for c in self.model.__table__.columns if c.name not in BOOKKEEPING]


# Every registered table's spec, as its function declares it (core/<function>/tables.py).
SPECS = registry.SPECS


# column -> the values a row may have there (an empty collection means no restriction)
Filters = Mapping[str, Iterable[Any]]


def filter_clauses(
    spec: TableSpec, period: Period | None, search: str, filters: Filters | None = None
) -> list[Any]:
    """WHERE clauses of a listing: allowed values per column, the period, the search text."""
    conditions: list[Any] = []
    model = spec.model
    for column, allowed in (filters or {}).items():
        values = [v.value if isinstance(v, Enum) else v for v in allowed]
        if values:
            conditions.append(getattr(model, column).in_(values))
    if period is not None and spec.period_column:
        col = getattr(model, spec.period_column)
        is_datetime = col.type.python_type is datetime
        lo, hi = (period.start_dt, period.end_dt) if is_datetime else (period.start, period.end)
        conditions += [col >= lo, col < hi] if is_datetime else [col >= lo, col <= hi]
    text = unicodedata.normalize("NFKC", search).strip().lower()
    if text and spec.search:
        # Typed text, not a pattern: "100%" and "_" match themselves; 臺 and 台 match each other.
        conditions.append(
            or_(*(
                func.lower(cast(getattr(model, c), String)).like(p, escape=LIKE_ESCAPE)
                for c in spec.search
                for p in like_patterns(text)
            ))
        )  # fmt: skip
    return conditions


@stamped(tables_of=lambda spec, *_args, **_kw: [spec.name])
def count_rows(
    session: Session,
    spec: TableSpec,
    period: Period | None,
    search: str = "",
    filters: Filters | None = None,
) -> int:
    where = filter_clauses(spec, period, search, filters)
    stmt = select(func.count()).select_from(spec.model).where(*where)
    return int(session.execute(stmt).scalar_one())


def outside_period(
    session: Session, spec: TableSpec, ids: Iterable[int], period: Period | None
) -> list[date]:
    """The dates (of the table's period column) of the rows `ids` that the period leaves out,
    in order: a row just saved there is not in the listing, and the page says so."""
    ids = list(ids)
    if period is None or not spec.period_column or not ids:
        return []
    column = getattr(spec.model, spec.period_column)
    found = session.execute(select(column).where(spec.model.id.in_(ids))).scalars()
    days = [v.date() if isinstance(v, datetime) else v for v in found if v is not None]
    return sorted(d for d in days if not period.start <= d <= period.end)


def _ordered_select(
    spec: TableSpec, period: Period | None, search: str, filters: Filters | None = None
) -> Select:
    """The filtered rows, newest first where the table has a date, then by id."""
    order = [
        getattr(spec.model, c[1:]).desc() if c.startswith("-") else getattr(spec.model, c)
        for c in spec.order_by
    ] + [spec.model.id]
    return select(spec.model).where(*filter_clauses(spec, period, search, filters)).order_by(*order)


@stamped(tables_of=lambda spec, *_args, **_kw: [spec.name])
def fetch_page(
    session: Session,
    spec: TableSpec,
    period: Period | None,
    *,
    search: str = "",
    page: int = 1,
    page_size: int = 50,
    filters: Filters | None = None,
) -> list[dict[str, Any]]:
    """One page of rows (dicts of raw values), newest first where the table has a date."""
    stmt = _ordered_select(spec, period, search, filters).offset((max(page, 1) - 1) * page_size)
    return [row.model_dump() for row in session.execute(stmt.limit(page_size)).scalars()]


def fetch_all(
    session: Session,
    spec: TableSpec,
    period: Period | None,
    *,
    search: str = "",
    filters: Filters | None = None,
) -> list[dict[str, Any]]:
    """Every row matching the filter, in the order of fetch_page (for exports)."""
    stmt = _ordered_select(spec, period, search, filters)
    return [row.model_dump() for row in session.execute(stmt).scalars()]


def lookup_names(
    session: Session,
    spec: TableSpec,
    fk: str,
    lang: str,
    ids: set[Any] | None = None,
    *,
    bare: bool = False,
) -> dict[int, str]:
    """{id: name shown instead of the id} for one foreign key: for ids, or every row.

    bare: the name alone, without the columns put before it (a reception's date),
    as staff may type it into an imported file.
    """
    model, label_cols = spec.lookups[fk]
    cols = (label_cols,) if isinstance(label_cols, str) else label_cols
    if bare:
        cols = cols[-1:]
    stmt = select(model.id, *(getattr(model, c) for c in cols))
    if ids is not None:
        stmt = stmt.where(model.id.in_(ids))
    return {
        row[0]: " ".join(str(display_value(v, lang)) for v in row[1:])
        for row in session.execute(stmt)
    }


def _lookup_names(
    session: Session, spec: TableSpec, rows: list[dict[str, Any]], lang: str
) -> dict[str, dict]:
    """{fk column: {id: name}} for the ids on this page, one query per foreign key."""
    names: dict[str, dict] = {}
    for fk in spec.lookups:
        ids = {r[fk] for r in rows if r.get(fk) is not None}
        if ids:
            names[fk] = lookup_names(session, spec, fk, lang, ids)
    return names


def display_value(value: Any, lang: str) -> Any:
    """A stored value as tables, cards and exports show it: enum labels, dates in the
    language's calendar (115/12/04 in zh-TW, 2026-12-04 in English), 09:30."""
    if isinstance(value, Enum):
        return enum_label(value, lang)
    if isinstance(value, datetime):
        return format_datetime(value, lang)
    if isinstance(value, date):
        return format_date(value, lang)
    if isinstance(value, time):
        return format_time(value)  # 09:30, as typed into the editor and read by an import
    return value


def display_frame(
    session: Session,
    spec: TableSpec,
    rows: list[dict[str, Any]],
    lang: str,
    columns: list[str] | None = None,
) -> pd.DataFrame:
    """Rows as staff read them: labelled columns, dates of the language, enum labels, names
    for ids."""
    names = _lookup_names(session, spec, rows, lang)
    columns = spec.columns() if columns is None else columns
    out = []
    for row in rows:
        shown = {}
        for c in columns:
            value = row.get(c)
            if c in names:
                value = names[c].get(value, value)
            shown[column_label(spec, c, lang)] = display_value(value, lang)
        out.append(shown)
    frame = pd.DataFrame(out, columns=[column_label(spec, c, lang) for c in columns])
    # An empty date or text reads as a blank cell, not as "None"; numbers keep their nulls.
    for name in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[name]) and frame[name].dtype != bool:
            frame[name] = frame[name].where(frame[name].notna(), "")
    return frame


def column_label(spec: TableSpec, column: str, lang: str) -> str:
    specific = f"col.{spec.name}.{column}"
    label = t(specific, lang)
    return label if label != specific else t(f"col.{column}", lang)


def get_record_fields(
    session: Session, table: str, row_id: int, lang: str
) -> dict[str, Any] | None:
    """One row as staff read it ({column label: shown value}, names for ids), or None when the
    table has no spec or the row is not there (deleted, or a mistyped link)."""
    spec = SPECS.get(table)
    row = session.get(spec.model, row_id) if spec else None
    if row is None:
        return None
    columns = [c for c in spec.columns() if c != "id"]  # the id is in the card's heading
    shown = display_frame(session, spec, [row.model_dump()], lang, columns)
    plain = {k: v.item() if hasattr(v, "item") else v for k, v in shown.iloc[0].items()}
    return {name: value for name, value in plain.items() if value not in ("", None)}
