"""An imported file as a plan of inserts and updates for the edit pipeline, with its problems."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Table, select
from sqlmodel import Session, SQLModel

from core.editing import tables
from core.editing.pipeline import EditorState
from core.editing.validate import editable_fields, validate_row
from core.i18n.labels import LANGUAGES, message_lang, t
from core.transfer.files import MAX_ROWS
from core.transfer.values import CellProblem, CellReader, key_of, read_int

_CHUNK = 500  # ids per IN (…) query, well under SQLite's and psycopg's parameter limits


def spec_for(model: type[SQLModel]) -> tables.TableSpec:
    """The listing spec of a table (for its names of foreign keys), or a bare one."""
    name = model.__tablename__  # type: ignore[attr-defined]
    return tables.SPECS.get(name) or tables.TableSpec(model, None, ())


@dataclass(frozen=True)
class ImportIssue:
    """Why (part of) a file cannot be imported; line counts as the file does (header = 1)."""

    line: int | None
    field: str | None
    message: str


@dataclass(frozen=True)
class PlannedRow:
    """One row the import would write: an insert (row_id None) or the changed fields of one."""

    line: int
    row_id: int | None
    changes: dict[str, Any]
    version: int | None = None


@dataclass
class ImportPlan:
    """The file as an EditorState whose row positions are file lines − 1 (position 0 unused)."""

    state: EditorState = field(default_factory=lambda: EditorState([]))
    inserts: list[PlannedRow] = field(default_factory=list)
    updates: list[PlannedRow] = field(default_factory=list)
    unchanged: int = 0
    issues: list[ImportIssue] = field(default_factory=list)

    def line_of(self, position: int | str) -> int | None:
        """The file line of a pipeline position: rows[line − 1], or "new #k" for the k-th insert."""
        if isinstance(position, int):
            return position + 1 if position >= 1 else None
        k = int(str(position).removeprefix("new #"))
        return self.inserts[k - 1].line if 0 < k <= len(self.inserts) else None


def _aliases(spec: tables.TableSpec, name: str) -> list[list[str]]:
    """A field's header spellings by priority: field name, this table's labels, generic labels."""
    return [
        [name],
        [tables.column_label(spec, name, lang) for lang in LANGUAGES],
        [t(f"col.{name}", lang) for lang in LANGUAGES],
    ]


def _header_names(spec: tables.TableSpec) -> dict[str, str]:
    """{header as matched: field}; a spelling two fields share at one priority matches neither."""
    fields = ["id", *editable_fields(spec.model), "version"]
    found: dict[str, str] = {}
    for tier in range(3):
        claims: dict[str, set[str]] = {}
        for name in fields:
            for alias in _aliases(spec, name)[tier]:
                claims.setdefault(key_of(alias), set()).add(name)
        for alias, names in claims.items():
            if alias not in found and len(names) == 1:
                found[alias] = next(iter(names))
    return found


def _label(spec: tables.TableSpec, name: str) -> str:
    return tables.column_label(spec, name, message_lang())


def _quoted(items: list[str]) -> str:
    return "、".join(f"「{item}」" for item in items)


def _columns(spec: tables.TableSpec, frame: pd.DataFrame) -> tuple[dict[str, str], list[str]]:
    """{header: field} of the file, and the messages about its header line."""
    names = _header_names(spec)
    mapped = {str(h): names.get(key_of(str(h))) for h in frame.columns}
    unknown = [h for h, name in mapped.items() if name is None]
    problems = []
    if unknown:
        known = [_label(spec, n) for n in ["id", *editable_fields(spec.model), "version"]]
        problems.append(t("io.unknown_columns", columns=_quoted(unknown), known="、".join(known)))
    by_field: dict[str, list[str]] = {}
    for header, name in mapped.items():
        if name is not None:
            by_field.setdefault(name, []).append(header)
    for name, headers in by_field.items():
        if len(headers) > 1:
            problems.append(
                t("io.duplicate_column", field=_label(spec, name), headers=_quoted(headers))
            )
    return {h: n for h, n in mapped.items() if n is not None}, problems


def _plain(value: Any) -> Any:
    """A cell as a plain Python value: NaN, NA and NaT → None, numpy scalars → int, float…"""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    return None if isinstance(value, float) and math.isnan(value) else value


def _records(frame: pd.DataFrame, columns: dict[str, str]) -> list[tuple[int, dict[str, Any]]]:
    """(file line, {field: cell}) of each non-blank data row."""
    out = []
    headers = [str(h) for h in frame.columns]
    for pos, cells in enumerate(frame.itertuples(index=False, name=None)):
        given = {columns[h]: _plain(v) for h, v in zip(headers, cells, strict=True)}
        if any(v is not None for v in given.values()):
            out.append((pos + 2, given))
    return out


def _missing_columns(
    spec: tables.TableSpec, present: set[str], records: list[tuple[int, dict[str, Any]]]
) -> list[str]:
    """Inserts need every required field; updates need the version they were exported with."""
    problems = []
    model = spec.model
    if any(given.get("id") is None for _, given in records):
        required = [n for n in editable_fields(model) if model.model_fields[n].is_required()]
        missing = [_label(spec, n) for n in required if n not in present]
        if missing:
            problems.append(t("io.missing_columns", columns=_quoted(missing)))
    if any(given.get("id") is not None for _, given in records) and "version" not in present:
        problems.append(t("io.missing_version"))
    return problems


@dataclass
class _Record:
    line: int
    cells: dict[str, Any]
    row_id: int | None = None
    version: int | None = None


def _line_text(line: int) -> str:
    return t("io.line", n=line)


def _identify(line: int, given: dict[str, Any], issues: list[ImportIssue]) -> _Record | None:
    """A row's id and version (an update) or neither (an insert); None if they are unreadable."""
    cells = dict(given)
    id_cell, version_cell = cells.pop("id", None), cells.pop("version", None)
    if id_cell is None:
        return _Record(line, cells)
    row_id, version = read_int(id_cell), read_int(version_cell)
    if row_id is None:
        text = t("io.bad_id", row=_line_text(line), value=id_cell)
        issues.append(ImportIssue(line, "id", text))
        return None
    if version is None or version < 1:
        key = "io.version_required" if version_cell is None else "io.bad_version"
        text = t(key, row=_line_text(line), id=row_id, value=version_cell)
        issues.append(ImportIssue(line, "version", text))
        return None
    return _Record(line, cells, row_id, version)


def _values(
    reader: CellReader, record: _Record, row: Any, issues: list[ImportIssue]
) -> dict[str, Any] | None:
    """The typed values of one row, or None after adding its problems to issues."""
    values, before = {}, len(issues)
    for name, cell in record.cells.items():
        try:
            values[name] = reader.read(name, cell, current=getattr(row, name, None))
        except CellProblem as problem:
            field_label = _label(reader.spec, name)
            text = t(problem.key, row=_line_text(record.line), field=field_label, **problem.values)
            issues.append(ImportIssue(record.line, name, text))
    return values if len(issues) == before else None


def _current(session: Session, table: Table, ids: list[int]) -> dict[int, Any]:
    found: dict[int, Any] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        found |= {
            row.id: row for row in session.execute(select(table).where(table.c.id.in_(chunk)))
        }
    return found


def _changes(model: type[SQLModel], row: Any, values: dict[str, Any]) -> dict[str, Any]:
    """The fields whose value in the file differs from the database, compared once validated."""
    stored = {name: getattr(row, name) for name in editable_fields(model)}
    checked, _ = validate_row(model, 0, stored | values, stored)
    if checked is None:
        # Invalid somewhere: hand on what differs as typed, for the pipeline to explain.
        return {n: v for n, v in values.items() if v != getattr(row, n)}
    return {n: v for n, v in values.items() if checked[n] != getattr(row, n)}


def _existing_row(record: _Record, current: dict[int, Any], first_line: dict[int, int]) -> Any:
    """The database row an update names, or a zh-TW message why there is none to update."""
    row_id = record.row_id
    if row_id in first_line:
        return t(
            "io.duplicate_id", row=_line_text(record.line), id=row_id, first=first_line[row_id]
        )
    first_line[row_id] = record.line
    if row_id not in current:
        return t("io.unknown_id", row=_line_text(record.line), id=row_id)
    return current[row_id]


def _unknown_version(record: _Record, row: Any) -> ImportIssue:
    """A version the row never had yet: the line was not exported from this row (another
    system's file, an id typed by hand), which is no one else's edit to reload."""
    text = t(
        "io.version_unknown",
        row=_line_text(record.line),
        id=row.id,
        version=record.version,
        current=row.version,
    )
    return ImportIssue(record.line, "version", text)


def _plan_rows(reader: CellReader, records: list[_Record], plan: ImportPlan) -> None:
    model = reader.spec.model
    table: Table = model.__table__  # type: ignore[attr-defined]
    current = _current(reader.session, table, sorted({r.row_id for r in records if r.row_id}))
    first_line: dict[int, int] = {}
    for record in records:
        row = None
        if record.row_id is not None:
            row = _existing_row(record, current, first_line)
            if isinstance(row, str):
                plan.issues.append(ImportIssue(record.line, "id", row))
                continue
        values = _values(reader, record, row, plan.issues)
        if values is None:
            continue
        if row is None:
            changes = {n: v for n, v in values.items() if v is not None}
            plan.inserts.append(PlannedRow(record.line, None, changes))
        elif changes := _changes(model, row, values):
            if record.version > row.version:
                plan.issues.append(_unknown_version(record, row))
                continue
            plan.updates.append(PlannedRow(record.line, row.id, changes, record.version))
        else:
            plan.unchanged += 1


def _state(plan: ImportPlan, data_rows: int) -> EditorState:
    rows: list[dict[str, Any]] = [{"id": None, "version": None} for _ in range(data_rows + 1)]
    for update in plan.updates:
        rows[update.line - 1] = {"id": update.row_id, "version": update.version}
    edited = {update.line - 1: dict(update.changes) for update in plan.updates}
    return EditorState(rows, edited, [dict(insert.changes) for insert in plan.inserts], [])


def plan_import(session: Session, model: type[SQLModel], frame: pd.DataFrame) -> ImportPlan:
    """Read every row of the file (row k is line k + 2) into inserts, updates and problems.

    A row with an id updates that row and must carry the version it was exported with; only
    the fields that differ from the database are changed, and a row with no difference is
    left alone. A row without an id is inserted. Rows missing from the file are kept.
    Nothing is written; the plan's reads leave the session's transaction open.
    """
    spec = spec_for(model)
    columns, problems = _columns(spec, frame)
    plan = ImportPlan(issues=[ImportIssue(1, None, p) for p in problems])
    if len(frame) > MAX_ROWS:
        plan.issues.append(ImportIssue(None, None, t("io.too_many_rows", limit=f"{MAX_ROWS:,}")))
    if plan.issues:
        return plan
    records = _records(frame, columns)
    problems = _missing_columns(spec, set(columns.values()), records)
    plan.issues += [ImportIssue(1, None, p) for p in problems]
    if plan.issues:
        return plan
    identified = [_identify(line, given, plan.issues) for line, given in records]
    _plan_rows(CellReader(session, spec), [r for r in identified if r is not None], plan)
    plan.state = _state(plan, len(frame))
    return plan
