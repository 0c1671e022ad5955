"""What the table editor shows and sends back, derived from the model (no Streamlit here).

The UI turns each ColumnSpec into an st.column_config entry; rows go into the editor with
dates as text in the language's calendar (112/03/15 in zh-TW, 2023-03-15 in English; Streamlit's
DateColumn cannot show 民國 dates), either form is read back, and what comes back is turned
into model values before core.editing.pipeline.save_changes validates and writes it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from enum import Enum
from typing import Any

import annotated_types as at
from sqlalchemy import select
from sqlmodel import Session, SQLModel

from core.editing.pipeline import EditorState
from core.editing.tables import TableSpec, column_label, display_value
from core.editing.validate import editable_fields
from core.i18n.labels import enum_label, t
from core.kernel.cache import stamped
from core.kernel.roc_dates import ROCDateError, format_date, format_datetime, parse_roc_datetime
from core.transfer.values import base_type

READ_ONLY = ("id",)
# Foreign-key columns with more targets than this are typed as ids, not picked from a list.
MAX_OPTIONS = 2000


@dataclass(frozen=True)
class ColumnSpec:
    """One editor column: kind is text, int, float, bool, date, datetime, time, enum, fk or id."""

    name: str
    label: str
    kind: str
    required: bool = False
    max_length: int | None = None
    min_value: float | None = None
    max_value: float | None = None
    options: dict[Any, str] = field(default_factory=dict)
    help: str | None = None
    disabled: bool = False


def _limits(metadata: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in metadata:
        if isinstance(item, at.MaxLen):
            out["max_length"] = item.max_length
        elif isinstance(item, at.Ge):
            out["min_value"] = item.ge
        elif isinstance(item, at.Gt):
            out["min_value"] = item.gt  # the exclusive bound itself is refused on save
        elif isinstance(item, at.Le):
            out["max_value"] = item.le
        elif isinstance(item, at.Lt):
            out["max_value"] = item.lt
    return out


def _foreign_key(model: type[SQLModel], name: str) -> str | None:
    column = model.__table__.columns[name]  # type: ignore[attr-defined]
    fks = list(column.foreign_keys)
    return fks[0].column.table.name if fks else None


def _option_tables(spec: TableSpec, name: str, target: str, _lang: str) -> list[str]:
    """The tables a foreign key's choices are read from: its target and its label's model."""
    lookup = spec.lookups.get(name)
    return [target, lookup[0].__tablename__] if lookup else [target]


# Kept until a target is saved: a page's editors read up to 2,000 choices each on every new
# snapshot (each visit of a page, search or period), the same for every user.
@stamped(tables_of=_option_tables)
def _fk_options(
    session: Session, spec: TableSpec, name: str, target: str, lang: str
) -> dict[Any, str]:
    if name in spec.lookups:
        model, label_cols = spec.lookups[name]
        cols = (label_cols,) if isinstance(label_cols, str) else label_cols
        stmt = select(model.id, *(getattr(model, c) for c in cols)).order_by(model.id)
        rows = session.execute(stmt.limit(MAX_OPTIONS + 1)).all()
        names = {r[0]: " ".join(_shown(v, lang) for v in r[1:]) for r in rows}
        counts = Counter(names.values())
        # The id only where two targets share a name (two drivers called 陳建宏).
        return {i: name if counts[name] == 1 else f"{name}（#{i}）" for i, name in names.items()}
    table = spec.model.metadata.tables[target]
    ids = session.execute(select(table.c.id).order_by(table.c.id).limit(MAX_OPTIONS + 1))
    return {i: f"#{i}" for i in ids.scalars()}


def _shown(value: Any, lang: str) -> str:
    """A target's label part as tables show it (112/01/13 蒲島郁夫), so the editor's choices
    read as the listing and an exported file does."""
    return str(display_value(value, lang))


def editor_columns(session: Session, spec: TableSpec, lang: str) -> list[ColumnSpec]:
    """The editor's columns in model order: id first (read-only), then every editable field."""
    model = spec.model
    columns = [ColumnSpec("id", column_label(spec, "id", lang), "id", disabled=True)]
    for name in editable_fields(model):
        info = model.model_fields[name]
        base, optional = base_type(info.annotation)
        required = info.is_required() and not optional
        common: dict[str, Any] = dict(name=name, label=column_label(spec, name, lang))
        common |= dict(required=required, **_limits(info.metadata))
        target = _foreign_key(model, name)
        if target is not None:
            options = _fk_options(session, spec, name, target, lang)
            if len(options) <= MAX_OPTIONS:
                columns.append(ColumnSpec(kind="fk", options=options, **common))
            else:
                columns.append(ColumnSpec(kind="int", help=t("editor.fk_help", lang), **common))
        elif isinstance(base, type) and issubclass(base, Enum):
            options = {m.value: enum_label(m, lang) for m in base}
            columns.append(ColumnSpec(kind="enum", options=options, **common))
        elif base is bool:
            columns.append(ColumnSpec(kind="bool", **common))
        elif base is int:
            columns.append(ColumnSpec(kind="int", **common))
        elif base is float:
            columns.append(ColumnSpec(kind="float", **common))
        elif base is datetime:
            columns.append(
                ColumnSpec(kind="datetime", help=t("editor.datetime_help", lang), **common)
            )
        elif base is date:
            columns.append(ColumnSpec(kind="date", help=t("editor.date_help", lang), **common))
        elif base is time:
            columns.append(ColumnSpec(kind="time", help=t("editor.time_help", lang), **common))
        else:
            columns.append(ColumnSpec(kind="text", **common))
    return columns


def to_editor_value(value: Any, kind: str, lang: str) -> Any:
    """A stored value as the editor shows it: dates as text (民國 115/12/04 in zh-TW,
    2026-12-04 in English), enums as stored values."""
    if value is None:
        return None
    if kind == "datetime":
        return format_datetime(value, lang)
    if kind == "date":
        return format_date(value, lang)
    if isinstance(value, Enum):
        return value.value
    return value


def editor_rows(
    rows: list[dict[str, Any]], columns: list[ColumnSpec], lang: str
) -> list[dict[str, Any]]:
    """The loaded rows (as core.editing.tables.fetch_page gives them) in editor form."""
    return [
        {c.name: to_editor_value(row.get(c.name), c.kind, lang) for c in columns} for row in rows
    ]


def _is_blank(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and value != value:  # NaN from an emptied number cell
        return True
    return isinstance(value, str) and not value.strip()


def from_editor_value(value: Any, column: ColumnSpec) -> Any:
    """What the editor sent, as a model value: a date (validated later) or date and time typed
    in either calendar (115/12/04 09:30 or 2026-12-04 09:30). Unreadable text is passed on
    unchanged, so the validator reports it with the row and field."""
    if _is_blank(value):
        return "" if column.kind == "text" else None
    if column.kind == "datetime" and isinstance(value, str):
        try:
            return parse_roc_datetime(value)
        except ROCDateError:
            return value
    if column.kind in ("int", "fk") and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def editor_state(
    loaded: list[dict[str, Any]], columns: list[ColumnSpec], widget_state: dict[str, Any]
) -> EditorState:
    """pipeline.EditorState from st.data_editor's session state and the rows it was given
    (positions in edited_rows / deleted_rows index `loaded`, which carry id and version)."""
    by_name = {c.name: c for c in columns}

    def convert(values: dict[str, Any]) -> dict[str, Any]:
        return {
            k: from_editor_value(v, by_name[k]) if k in by_name else v
            for k, v in values.items()
            if k not in READ_ONLY
        }

    edited = {int(pos): convert(v) for pos, v in (widget_state.get("edited_rows") or {}).items()}
    added = [convert(v) for v in widget_state.get("added_rows") or []]
    added = [row for row in added if any(not _is_blank(v) for v in row.values())]
    deleted = [int(pos) for pos in widget_state.get("deleted_rows") or []]
    return EditorState(rows=loaded, edited_rows=edited, added_rows=added, deleted_rows=deleted)


def pending_count(widget_state: dict[str, Any] | None) -> int:
    """How many rows the user changed, added or deleted and has not saved yet."""
    if not widget_state:
        return 0
    added = [
        r for r in widget_state.get("added_rows") or [] if any(not _is_blank(v) for v in r.values())
    ]
    return (
        len(widget_state.get("edited_rows") or {})
        + len(added)
        + len(widget_state.get("deleted_rows") or [])
    )


def rebase(
    session: Session, model: type[SQLModel], state: EditorState
) -> tuple[EditorState, list[int]]:
    """The same edits on top of the rows as they are now: "keep mine" after a conflict.

    Rows someone else deleted cannot take edits any more; their ids are returned and their
    edits dropped. The caller saves the result through save_changes as usual (audited).
    """
    table = model.__table__  # type: ignore[attr-defined]
    ids = [row["id"] for row in state.rows]
    current = dict(
        session.execute(select(table.c.id, table.c.version).where(table.c.id.in_(ids))).all()
    )
    gone = [
        state.rows[pos]["id"]
        for pos in sorted({*state.edited_rows, *state.deleted_rows})
        if state.rows[pos]["id"] not in current
    ]
    rows = [row | {"version": current.get(row["id"], row["version"])} for row in state.rows]
    keep = {pos for pos in range(len(rows)) if rows[pos]["id"] not in gone}
    return (
        replace(
            state,
            rows=rows,
            edited_rows={p: e for p, e in state.edited_rows.items() if p in keep},
            deleted_rows=[p for p in state.deleted_rows if p in keep],
        ),
        gone,
    )
