"""Validation of edited table rows: field rules from the model, cross-field rules, foreign keys."""

from __future__ import annotations

import math
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import Enum
from functools import cache
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import pydantic
from sqlalchemy import Table, UniqueConstraint, and_, func, or_, select
from sqlmodel import Session, SQLModel

from core.labels import enum_label, t
from core.roc_dates import ROCDateError, format_roc_datetime, parse_any_date, parse_time_of_day
from db.models import AuditEntry

TAIPEI = ZoneInfo("Asia/Taipei")
BOOKKEEPING = frozenset({"id", "created_at", "updated_at", "version"})
# (start, end, strictly after): the end of a range may not come before its start.
RANGES: dict[str, tuple[str, str, bool]] = {
    "venue_booking": ("starts_at", "ends_at", True),
    "trip": ("starts_at", "ends_at", True),
    "exchange_event": ("start_date", "end_date", False),
}
# Years outside this span are typing mistakes (e.g. 112 typed as a Gregorian year).
YEAR_RANGE = (1950, 2100)

# pydantic error type -> label key of the zh-TW message
_ERROR_KEYS = {
    "missing": "edit.required",
    "greater_than_equal": "edit.min",
    "greater_than": "edit.gt",
    "less_than_equal": "edit.max",
    "less_than": "edit.lt",
    "string_too_long": "edit.too_long",
    "enum": "edit.bad_enum",
    "finite_number": "edit.not_finite",
}
_LIMIT_CONTEXT = ("ge", "gt", "le", "lt", "max_length")


@dataclass(frozen=True)
class RowError:
    """Why one row cannot be saved; position is the row's index in the page or "new #k"."""

    position: int | str
    field: str | None
    message: str


def row_label(position: int | str) -> str:
    """第 3 列 for the third loaded row (positions count from 0), 新增第 1 列 for "new #1"."""
    if isinstance(position, int):
        return t("edit.row", n=position + 1)
    return t("edit.new_row", n=str(position).removeprefix("new #"))


def editable_fields(model: type[SQLModel]) -> list[str]:
    return [name for name in model.model_fields if name not in BOOKKEEPING]


@cache
def validator_for(model: type[SQLModel]) -> type[pydantic.BaseModel]:
    """A plain pydantic model with the table's fields and limits: table models never validate."""
    fields: dict[str, Any] = {}
    for name in editable_fields(model):
        info = model.model_fields[name]
        # Keep the limits (Ge, MaxLen…), drop SQLModel's column metadata.
        limits = [m for m in info.metadata if not type(m).__module__.startswith("sqlmodel")]
        annotation = Annotated[(info.annotation, *limits)] if limits else info.annotation
        if info.default_factory is not None:
            fields[name] = (annotation, pydantic.Field(default_factory=info.default_factory))
        elif info.is_required():
            fields[name] = (annotation, ...)
        else:
            fields[name] = (annotation, info.default)
    config = pydantic.ConfigDict(str_strip_whitespace=True, allow_inf_nan=False, extra="forbid")
    return pydantic.create_model(f"{model.__name__}Check", __config__=config, **fields)


def _is_date_field(model: type[SQLModel], name: str) -> bool:
    annotation = model.model_fields[name].annotation
    return annotation is date or annotation == date | None


def _is_time_field(model: type[SQLModel], name: str) -> bool:
    annotation = model.model_fields[name].annotation
    return annotation is time or annotation == time | None


def _prepare(model: type[SQLModel], values: dict[str, Any]) -> dict[str, Any]:
    """Strip text and read 民國 dates and times of day before pydantic sees the values."""
    out = dict(values)
    for name, value in values.items():
        if isinstance(value, str):
            value = value.strip()
            out[name] = value
        if name not in model.model_fields:
            continue
        if _is_time_field(model, name):
            out[name] = _read_time(value)
        elif _is_date_field(model, name) and value not in ("", None):
            # An unreadable date is left for pydantic to report as malformed.
            with suppress(ROCDateError):
                out[name] = parse_any_date(value)
    return out


def _read_time(value: Any) -> Any:
    """A time of day, None for an emptied cell (time not known), or the value as given when
    it cannot be read (_time_errors reports it)."""
    if value is None or value == "":
        return None
    try:
        return parse_time_of_day(value)
    except ROCDateError:
        return value


def _time_errors(
    model: type[SQLModel], position: int | str, values: dict[str, Any]
) -> list[RowError]:
    """Times of day _prepare could not read. Not left to pydantic: it would take a number as
    seconds after midnight and a time with a zone, neither of which is a Taipei wall time."""
    errors = []
    for name, value in values.items():
        if value is None or isinstance(value, time) or name not in model.model_fields:
            continue
        if _is_time_field(model, name):
            field = t(f"col.{name}")
            text = t("edit.bad_time", row=row_label(position), field=field, value=value)
            errors.append(RowError(position, name, text))
    return errors


def _message(error: dict[str, Any], position: int | str, values: dict[str, Any]) -> RowError:
    name = str(error["loc"][0]) if error.get("loc") else None
    value = values.get(name) if name else None
    key = _ERROR_KEYS.get(error["type"], "edit.bad_value")
    if value is None or value == "":
        key = "edit.required"
    elif isinstance(value, float) and not math.isfinite(value):
        key = "edit.not_finite"
    ctx = error.get("ctx") or {}
    limit = next((ctx[k] for k in _LIMIT_CONTEXT if k in ctx), "")
    text = t(
        key,
        row=row_label(position),
        field=t(f"col.{name}") if name else "",
        limit=limit,
        value=value,
    )
    return RowError(position, name, text)


def _required_text_errors(
    model: type[SQLModel], position: int | str, values: dict[str, Any]
) -> list[RowError]:
    errors = []
    for name in editable_fields(model):
        info = model.model_fields[name]
        if info.annotation is str and info.is_required() and values.get(name) == "":
            text = t("edit.required", row=row_label(position), field=t(f"col.{name}"))
            errors.append(RowError(position, name, text))
    return errors


def _cross_field_errors(
    model: type[SQLModel], position: int | str, row: dict[str, Any]
) -> list[RowError]:
    errors = []
    for name, value in row.items():
        if isinstance(value, date) and not YEAR_RANGE[0] <= value.year <= YEAR_RANGE[1]:
            text = t("edit.year_range", row=row_label(position), field=t(f"col.{name}"))
            errors.append(RowError(position, name, text))
    rule = RANGES.get(model.__tablename__)
    if rule and not errors:
        start, end, strict = rule
        if row.get(start) is not None and row.get(end) is not None:
            bad = row[end] <= row[start] if strict else row[end] < row[start]
            if bad:
                key = "edit.ends_after_start" if strict else "edit.end_not_before_start"
                text = t(
                    key, row=row_label(position), field=t(f"col.{end}"), start=t(f"col.{start}")
                )
                errors.append(RowError(position, end, text))
    return errors


def validate_row(
    model: type[SQLModel], position: int | str, values: dict[str, Any]
) -> tuple[dict[str, Any] | None, list[RowError]]:
    """The validated field values of one row (enums as members), or its errors."""
    prepared = _prepare(model, values)
    errors = _required_text_errors(model, position, prepared)
    errors += _time_errors(model, position, prepared)
    try:
        checked = validator_for(model).model_validate(prepared)
    except pydantic.ValidationError as exc:
        for error in exc.errors():
            field = str(error["loc"][0]) if error.get("loc") else None
            if not any(e.field == field for e in errors):
                errors.append(_message(error, position, prepared))
        return None, errors
    row = checked.model_dump()
    errors += _cross_field_errors(model, position, row)
    return (None, errors) if errors else (row, [])


def foreign_key_errors(
    session: Session, model: type[SQLModel], rows: list[tuple[int | str, dict[str, Any]]]
) -> list[RowError]:
    """Rows whose foreign keys point at missing rows: one query per foreign-key column."""
    errors = []
    for column in model.__table__.columns:
        for fk in column.foreign_keys:
            wanted = {row[column.name] for _, row in rows if row.get(column.name) is not None}
            if not wanted:
                continue
            target = fk.column
            found = set(session.execute(select(target).where(target.in_(wanted))).scalars())
            for position, row in rows:
                value = row.get(column.name)
                if value is not None and value not in found:
                    text = t(
                        "edit.missing_fk",
                        row=row_label(position),
                        field=t(f"col.{column.name}"),
                        value=value,
                    )
                    errors.append(RowError(position, column.name, text))
    return errors


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


def duplicate_errors(
    session: Session, model: type[SQLModel], rows: list[tuple[int | str, int | None, dict]]
) -> list[RowError]:
    """Rows (position, own id or None for new, values) that would repeat a unique value: of a
    stored row other than themselves, or of an earlier row of the same save. One query per set.
    The database refuses them too; this says which row, which value and who has it."""
    table: Table = model.__table__  # type: ignore[attr-defined]
    errors = []
    for names in unique_sets(table):
        keyed = [(pos, own, _plain_key(row, names), row) for pos, own, row in rows]
        keyed = [k for k in keyed if None not in k[2]]
        if not keyed:
            continue
        columns = [table.c[n] for n in names]
        wanted = or_(*(and_(*(c == v for c, v in zip(columns, key, strict=True)))
                       for _, _, key, _ in keyed))  # fmt: skip
        stored: dict[tuple, int] = {}
        for found in session.execute(select(table.c.id, *columns).where(wanted)):
            stored[_plain_key(found._mapping, names)] = found[0]
        new_key = {own: key for _, own, key, _ in keyed if own is not None}
        first_at: dict[tuple, int | str] = {}
        for pos, own, key, row in keyed:
            holder = stored.get(key)
            # A stored row edited in this save holds the value only if it keeps it.
            held = holder is not None and holder != own and new_key.get(holder, key) == key
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


def validate_changes(
    session: Session, model: type[SQLModel], state: Any, current: dict[int, Any]
) -> tuple[dict[int, dict[str, Any]], list[dict[str, Any]], list[RowError]]:
    """Validated updates (by id) and inserts of an EditorState, and every row's errors."""
    fields = editable_fields(model)
    errors: list[RowError] = []
    updates: dict[int, dict[str, Any]] = {}
    inserts: list[dict[str, Any]] = []
    checked: list[tuple[int | str, dict[str, Any]]] = []
    edited_pos = set(state.edited_rows)
    for pos, edits in state.edited_rows.items():
        for name in set(edits) - set(fields) - BOOKKEEPING:
            errors.append(
                RowError(pos, name, t("edit.not_editable", row=row_label(pos), field=name))
            )
        merged = {name: getattr(current[state.rows[pos]["id"]], name) for name in fields}
        merged.update({k: v for k, v in edits.items() if k in fields})
        row, row_errors = validate_row(model, pos, merged)
        errors += row_errors
        if row is not None:
            updates[state.rows[pos]["id"]] = row
            checked.append((pos, row))
    for k, values in enumerate(state.added_rows, start=1):
        given = {n: v for n, v in values.items() if n in fields and v is not None}
        row, row_errors = validate_row(model, f"new #{k}", given)
        errors += row_errors
        if row is not None:
            inserts.append(row)
            checked.append((f"new #{k}", row))
    errors += foreign_key_errors(session, model, checked)
    own_id = {pos: state.rows[pos]["id"] for pos in edited_pos}
    errors += duplicate_errors(
        session, model, [(pos, own_id.get(pos), row) for pos, row in checked]
    )
    deleted = [(int(pos), state.rows[int(pos)]["id"]) for pos in state.deleted_rows]
    errors += still_referenced_errors(session, model, deleted)
    rule = RULES.get(model.__tablename__)
    if rule is not None and not errors:
        batch = Batch(
            edited={pos: (state.rows[pos]["id"], row) for pos, row in checked if pos in edited_pos},
            added=[(pos, row) for pos, row in checked if pos not in edited_pos],
            deleted=[(int(pos), state.rows[int(pos)]["id"]) for pos in state.deleted_rows],
            current=current,
        )
        errors += rule(session, batch)
    return updates, inserts, errors


@dataclass(frozen=True)
class Batch:
    """One save's validated changes, for business rules that look at the whole batch.

    edited: position -> (row id, the row's values after the edit); added: (position "new #k",
    values); deleted: (position, row id); current: the stored rows being edited or deleted.
    """

    edited: dict[int, tuple[int, dict[str, Any]]]
    added: list[tuple[str, dict[str, Any]]]
    deleted: list[tuple[int, int]]
    current: dict[int, Any]


# Business rules per table, run after the field checks found nothing wrong: each gets the
# session and the whole batch and returns zh-TW errors (registered by core modules, see the end).
RULES: dict[str, Callable[[Session, Batch], list[RowError]]] = {}


@dataclass(frozen=True)
class Conflict:
    """A row someone else changed (or deleted) after it was loaded: their value and yours."""

    row_id: int
    field: str | None
    theirs: Any
    yours: Any
    message: str


def image(row: Any) -> dict[str, Any]:
    return {key: jsonable(value) for key, value in dict(row._mapping).items()}


def _last_change(session: Session, table_name: str, row: Any) -> tuple[str, str]:
    """Who changed a row last and when (Asia/Taipei wall time), from the audit log."""
    entry = session.execute(
        select(AuditEntry.username, AuditEntry.at)
        .where(AuditEntry.table_name == table_name, AuditEntry.row_id == row.id)
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).first()
    user, at = (entry.username, entry.at) if entry else (t("edit.someone"), row.updated_at)
    at = at if at.tzinfo else at.replace(tzinfo=UTC)  # SQLite returns UTC without a zone
    return user, format_roc_datetime(at.astimezone(TAIPEI))


def find_conflicts(
    session: Session, table: Table, state: Any, current: dict[int, Any]
) -> list[Conflict]:
    """Edited or deleted rows whose version in the database is not the one loaded."""
    found = []
    for pos in sorted({*state.edited_rows, *state.deleted_rows}):
        loaded = state.rows[pos]
        row = current.get(loaded["id"])
        if row is not None and row.version == loaded["version"]:
            continue
        label = row_label(pos)
        if row is None:
            message = t("edit.conflict_deleted", row=label)
            found.append(Conflict(loaded["id"], None, None, loaded["version"], message))
            continue
        user, when = _last_change(session, table.name, row)
        versions = {"yours": loaded["version"], "theirs": row.version}
        message = t("edit.conflict", row=label, user=user, when=when, **versions)
        edits = state.edited_rows.get(pos, {})
        for name, value in edits.items() or [("version", loaded["version"])]:
            theirs = jsonable(getattr(row, name, None))
            found.append(Conflict(loaded["id"], name, theirs, jsonable(value), message))
    return found


def jsonable(value: Any) -> Any:
    """A value as the audit log stores it: dates as ISO strings, enums as their values."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


# Registers its rule in RULES; imported last because it imports from this module.
import core.gift_rules  # noqa: E402, F401, I001
import core.trip_rules  # noqa: E402, F401, I001
import core.venue_rules  # noqa: E402, F401, I001
import core.visitor_rules  # noqa: E402, F401, I001
import core.staffing  # noqa: E402, F401, I001
import core.city_rules  # noqa: E402, F401, I001
