"""Validation of edited table rows: field rules from the model, cross-field rules, foreign keys."""

from __future__ import annotations

import math
import re
import unicodedata
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from typing import Annotated, Any

import pydantic
from sqlalchemy import select
from sqlmodel import Session, SQLModel

from core.editing import registry
from core.editing.errors import RowError, row_label
from core.editing.integrity import duplicate_errors, still_referenced_errors
from core.i18n.labels import t
from core.kernel.roc_dates import ROCDateError, parse_any_date, parse_time_of_day
from core.kernel.text_safety import control_name, first_control

BOOKKEEPING = frozenset({"id", "created_at", "updated_at", "version"})
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
    "int_parsing": "edit.not_integer",
    "int_from_float": "edit.not_integer",
}
_LIMIT_CONTEXT = ("ge", "gt", "le", "lt", "max_length")
_THOUSANDS = re.compile(r"^-?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$")
_NUMBER_TYPES = (int, float, int | None, float | None)


def fold_number(value: Any) -> Any:
    """Text typed as a number, as one: full-width digits, comma, point and minus folded
    (５, １，２３４, －３), thousands separators dropped (1,234); anything else as it is."""
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFKC", value).replace("\u2212", "-").strip()  # − minus sign
    return text.replace(",", "") if _THOUSANDS.match(text) else text


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
        if model.model_fields[name].annotation in _NUMBER_TYPES:
            out[name] = fold_number(value)
        elif _is_time_field(model, name):
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


def _unreadable(model: type[SQLModel], name: str | None) -> str:
    """The message key of a value the field cannot take: a date or date and time says how one
    is written (in the message language's calendar), anything else that it is not valid."""
    annotation = model.model_fields[name].annotation if name in model.model_fields else None
    if annotation in (datetime, datetime | None):
        return "edit.bad_datetime"
    return "edit.bad_date" if annotation in (date, date | None) else "edit.bad_value"


def _message(
    model: type[SQLModel], error: dict[str, Any], position: int | str, values: dict[str, Any]
) -> RowError:
    name = str(error["loc"][0]) if error.get("loc") else None
    value = values.get(name) if name else None
    key = _ERROR_KEYS.get(error["type"]) or _unreadable(model, name)
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


def is_multiline(model: type[SQLModel], name: str) -> bool:
    """A text field that may span lines: marked MULTILINE in the model (db.models.base)."""
    extra = model.model_fields[name].json_schema_extra
    return isinstance(extra, dict) and bool(extra.get("multiline"))


def _control_errors(
    model: type[SQLModel], position: int | str, values: dict[str, Any], kept: set[str]
) -> list[RowError]:
    """Text holding a control character (a NUL, a Word paste's \\x0b), or a line break or tab
    in a one-line field: refused here, the same on SQLite and PostgreSQL (which refuses NUL).
    Fields in kept hold their stored value: a row saved before this check existed can still
    have its other fields edited, since nobody can see, let alone remove, what is refused."""
    errors = []
    for name, value in values.items():
        if not isinstance(value, str) or name not in model.model_fields or name in kept:
            continue
        multiline = is_multiline(model, name)
        found = first_control(value, multiline=multiline)
        if found:
            key = "edit.control_char" if first_control(value, multiline=True) else "edit.one_line"
            shown = dict(row=row_label(position), field=t(f"col.{name}"), char=control_name(found))
            errors.append(RowError(position, name, t(key, **shown)))
    return errors


def _cross_field_errors(
    model: type[SQLModel], position: int | str, row: dict[str, Any]
) -> list[RowError]:
    errors = []
    for name, value in row.items():
        if isinstance(value, date) and not YEAR_RANGE[0] <= value.year <= YEAR_RANGE[1]:
            text = t("edit.year_range", row=row_label(position), field=t(f"col.{name}"))
            errors.append(RowError(position, name, text))
    registered = registry.table(model.__tablename__)
    span = registered.span if registered is not None else None
    if span and not errors:
        start, end, strict = span
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
    model: type[SQLModel],
    position: int | str,
    values: dict[str, Any],
    stored: dict[str, Any] | None = None,
) -> tuple[dict[str, Any] | None, list[RowError]]:
    """The validated field values of one row (enums as members), or its errors; stored is the
    row as saved, when the values edit one (a field left as stored is not refused for text
    rules that came later)."""
    kept = {n for n, v in values.items() if stored is not None and n in stored and stored[n] == v}
    prepared = _prepare(model, values)
    errors = _required_text_errors(model, position, prepared)
    errors += _time_errors(model, position, prepared)
    errors += _control_errors(model, position, prepared, kept)
    try:
        checked = validator_for(model).model_validate(prepared)
    except pydantic.ValidationError as exc:
        for error in exc.errors():
            field = str(error["loc"][0]) if error.get("loc") else None
            if not any(e.field == field for e in errors):
                errors.append(_message(model, error, position, prepared))
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
        stored = {name: getattr(current[state.rows[pos]["id"]], name) for name in fields}
        merged = stored | {k: v for k, v in edits.items() if k in fields}
        row, row_errors = validate_row(model, pos, merged, stored)
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
    deleted = [(int(pos), state.rows[int(pos)]["id"]) for pos in state.deleted_rows]
    errors += duplicate_errors(
        session,
        model,
        [(pos, own_id.get(pos), row) for pos, row in checked],
        frozenset(row_id for _, row_id in deleted),  # a deleted row's values are free
    )
    errors += still_referenced_errors(session, model, deleted)
    if not errors:
        batch = Batch(
            edited={pos: (state.rows[pos]["id"], row) for pos, row in checked if pos in edited_pos},
            added=[(pos, row) for pos, row in checked if pos not in edited_pos],
            deleted=[(int(pos), state.rows[int(pos)]["id"]) for pos in state.deleted_rows],
            current=current,
        )
        errors += rule_errors(session, model.__tablename__, batch)
    return updates, inserts, errors


def rule_errors(session: Session, table: str, batch: Batch) -> list[RowError]:
    """The errors of every business rule the table's declaration lists (core/<function>/
    tables.py), run in order on a batch whose fields are valid."""
    return [error for rule in registry.RULES.get(table, ()) for error in rule(session, batch)]


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
