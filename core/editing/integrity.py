"""Checks the database would also make, done first so the message names the row: a unique value
repeated (by a stored row or within the save), and a delete of a row others still point at;
and the rows a save must move out of the way first, for unique values passed between rows."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import Date, DateTime, String, Table, UniqueConstraint, func, select, tuple_
from sqlalchemy import Enum as Enum_
from sqlmodel import Session, SQLModel

from core.editing.errors import RowError, row_label
from core.i18n.labels import enum_label, t


def unique_sets(table: Table) -> list[tuple[str, ...]]:
    """The column sets whose values must be unique: unique columns, constraints and indexes."""
    sets = {(c.name,) for c in table.columns if c.unique}
    sets |= {tuple(c.name for c in k.columns) for k in table.constraints
             if isinstance(k, UniqueConstraint)}  # fmt: skip
    sets |= {tuple(c.name for c in i.columns) for i in table.indexes if i.unique}
    return sorted(sets)


def _plain_key(values: Any, names: tuple[str, ...]) -> tuple:
    """The values of a unique set, enums as their stored text (a StrEnum hashes by its name)."""
    return tuple(v.value if isinstance(v, Enum) else v for v in (values.get(n) for n in names))


CHUNK = 500  # keys per statement: SQLite's expression depth and bound-parameter limits


def _stored_with(session: Session, table: Table, columns: list, keys: set[tuple]) -> list:
    """Stored rows (id, *columns) holding any of the keys, CHUNK keys per statement (a save
    may hold 30,000 rows; one OR per row would pass SQLite's limit of 1,000 terms)."""
    ordered = sorted(keys, key=repr)
    target = columns[0] if len(columns) == 1 else tuple_(*columns)
    found = []
    for i in range(0, len(ordered), CHUNK):
        chunk = ordered[i : i + CHUNK]
        values = [k[0] for k in chunk] if len(columns) == 1 else chunk
        found += session.execute(select(table.c.id, *columns).where(target.in_(values))).all()
    return found


def duplicate_errors(
    session: Session,
    model: type[SQLModel],
    rows: list[tuple[int | str, int | None, dict]],
    deleted: frozenset[int] = frozenset(),
) -> list[RowError]:
    """Rows (position, own id or None for new, values) that would repeat a unique value: of a
    stored row other than themselves (unless the same save deletes it), or of an earlier row
    of the same save. One query per set. The database refuses them too; this says which row,
    which value and who has it."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    errors = []
    for names in unique_sets(table):
        keyed = [(pos, own, _plain_key(row, names), row) for pos, own, row in rows]
        keyed = [k for k in keyed if None not in k[2]]
        if not keyed:
            continue
        columns = [table.c[n] for n in names]
        stored: dict[tuple, int] = {}
        for found in _stored_with(session, table, columns, {k[2] for k in keyed}):
            stored[_plain_key(found._mapping, names)] = found[0]
        new_key = {own: key for _, own, key, _ in keyed if own is not None}
        first_at: dict[tuple, int | str] = {}
        for pos, own, key, row in keyed:
            holder = stored.get(key)
            # A stored row edited in this save holds the value only if it keeps it.
            held = holder is not None and holder != own and new_key.get(holder, key) == key
            held = held and holder not in deleted
            field = "、".join(t(f"col.{n}") for n in names)
            value = "／".join(
                enum_label(v) if isinstance(v, Enum) else str(v) for v in (row[n] for n in names)
            )
            shown = dict(row=row_label(pos), field=field, value=value)
            if key in first_at:
                text = t("edit.duplicate_in_save", other=row_label(first_at[key]), **shown)
                errors.append(RowError(pos, names[0], text))
            elif held:
                errors.append(RowError(pos, names[0], t("edit.duplicate", other=holder, **shown)))
            first_at.setdefault(key, pos)
    return errors


def _aside_value(table: Table, name: str, row_id: int) -> Any:
    """A value of this column no other row holds, for the row row_id; None if the column's
    type has none to offer (an enum, a number a check constraint may refuse)."""
    kind = table.c[name].type
    kind = getattr(kind, "impl_instance", kind)  # sqlmodel's AutoString → its VARCHAR
    if isinstance(kind, Enum_):
        return None
    if isinstance(kind, String):  # no saved text holds a control character (editing_validate)
        text = f"\x01{row_id}"
        return text if kind.length is None or len(text) <= kind.length else None
    for day_type, make in ((DateTime, datetime), (Date, date)):
        if isinstance(kind, day_type):  # a day in year 1, which no record of the bureau holds
            try:
                return make(1, 1, 1) + timedelta(days=row_id)
            except OverflowError:
                return None
    return None


def values_in_the_way(
    table: Table,
    updates: dict[int, dict[str, Any]],
    current: dict[int, Any],
    deleted: list[int] | None = None,
    inserts: list[dict[str, Any]] | None = None,
) -> dict[int, dict[str, Any]]:
    """{row id: temporary values} for the rows of a save whose stored unique values another
    row of the same save takes: two plates swapped, three names rotated, or the plate of a car
    deleted in the same save given to its replacement.

    The database checks a unique constraint at each statement, so such a row is first moved
    out of the way, to values no other row holds, and the save then writes every final value
    (a deleted row is deleted last, after the inserts: deleted first, SQLite would give its
    id to the new row). duplicate_errors has already checked that the final values are unique.
    """
    deleted, inserts = deleted or [], inserts or []
    aside: dict[int, dict[str, Any]] = {}
    for names in unique_sets(table):
        old = {row_id: _plain_key(current[row_id]._mapping, names) for row_id in updates}
        old |= {row_id: _plain_key(current[row_id]._mapping, names) for row_id in deleted}
        new = {row_id: _plain_key(values, names) for row_id, values in updates.items()}
        taken = {key for row_id, key in new.items() if key != old[row_id]}
        taken |= {_plain_key(values, names) for values in inserts}
        for row_id, key in old.items():
            if key not in taken or new.get(row_id) == key:
                continue
            for name in names:
                value = _aside_value(table, name, row_id)
                if value is not None:
                    aside.setdefault(row_id, {})[name] = value
                    break
    return aside


def still_referenced_errors(
    session: Session, model: type[SQLModel], deleted: list[tuple[int, int]]
) -> list[RowError]:
    """Rows to delete that other tables' rows still point at through a key that neither
    cascades nor clears (a vehicle with trips, a venue with bookings): one query per such key.
    The database would refuse the delete too; this says which row and what holds it."""
    if not deleted:
        return []
    table: Table = model.__table__  # type: ignore[attr-defined]
    ids = [row_id for _, row_id in deleted]
    holders: dict[int, list[str]] = {}
    for other in SQLModel.metadata.sorted_tables:
        for key in other.foreign_keys:
            if key.column.table is not table or (key.ondelete or "").upper() in _LET_GO:
                continue
            column = key.parent
            query = select(column, func.count()).where(column.in_(ids)).group_by(column)
            for row_id, n in session.execute(query):
                label = t(f"history.table.{other.name}")
                holders.setdefault(row_id, []).append(t("edit.still_used_by", table=label, n=n))
    return [
        RowError(pos, None, t("edit.still_referenced", row=row_label(pos), by="、".join(held)))
        for pos, row_id in deleted
        if (held := holders.get(row_id))
    ]


_LET_GO = {"CASCADE", "SET NULL"}  # keys whose rows follow a delete by themselves
