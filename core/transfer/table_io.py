"""Import and export of a table: the filtered rows to CSV or XLSX, a file back through editing.

Export writes what the record table shows (labelled columns, ROC dates, enum labels, names for
ids) plus id and version, so an exported file can be edited and imported again. Import reads a
file (core.transfer.files), plans its rows (core.transfer.plan) and hands them to
editing.pipeline.save_changes, so permissions, validation, version checks and the audit log apply
exactly as for inline edits; a preview is the same save run dry.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
from sqlmodel import Session, SQLModel

from core.editing import tables
from core.editing.pipeline import Actor, SaveResult, check_edit, save_changes
from core.editing.validate import row_label
from core.i18n.labels import DEFAULT_LANG, t
from core.kernel.periods import Period
from core.transfer.files import (
    MAX_BYTES,
    MAX_ROWS,
    ImportProblem,
    read_table_file,
    to_csv_bytes,
    to_xlsx_bytes,
)
from core.transfer.plan import ImportIssue, ImportPlan, PlannedRow, plan_import, spec_for
from core.transfer.values import base_type

__all__ = [
    "MAX_BYTES",
    "MAX_ROWS",
    "ImportIssue",
    "ImportPlan",
    "ImportPreview",
    "ImportProblem",
    "ImportResult",
    "PlannedRow",
    "commit_import",
    "export_columns",
    "export_frame",
    "plan_import",
    "preview_import",
    "read_table_file",
    "spec_for",
    "to_csv_bytes",
    "to_xlsx_bytes",
]


def export_columns(spec: tables.TableSpec) -> list[str]:
    """id, the listed fields, then version: what an import needs to update a row safely."""
    return [*spec.columns(), "version"]


def export_frame(
    session: Session,
    spec: tables.TableSpec,
    period: Period | None = None,
    search: str = "",
    lang: str = DEFAULT_LANG,
    filters: tables.Filters | None = None,
) -> pd.DataFrame:
    """Every row of the current filter, shown as the record table shows it, 是/否 for booleans."""
    rows = tables.fetch_all(session, spec, period, search=search, filters=filters)
    columns = export_columns(spec)
    frame = tables.display_frame(session, spec, rows, lang, columns)
    yes, no = t("io.yes", lang), t("io.no", lang)
    for name in columns:
        if base_type(spec.model.model_fields[name].annotation)[0] is bool:
            label = tables.column_label(spec, name, lang)
            frame[label] = frame[label].map(lambda v: None if v is None else (yes if v else no))
    return frame


@dataclass
class ImportPreview:
    """What an import would do (or did): ok only when every row can be written."""

    ok: bool
    issues: list[ImportIssue]
    inserts: list[PlannedRow]
    updates: list[PlannedRow]
    unchanged: int

    def messages(self) -> list[str]:
        return [issue.message for issue in self.issues]

    def summary(self, lang: str = DEFAULT_LANG) -> str:
        """新增 2 筆、修改 3 筆、未變更 40 筆"""
        counts = dict(inserts=len(self.inserts), updates=len(self.updates))
        return t("io.summary", lang, unchanged=self.unchanged, **counts)


@dataclass
class ImportResult(ImportPreview):
    batch_id: str | None = None
    inserted_ids: list[int] = field(default_factory=list)


def _relabel(message: str, position: int | str, line: int | None) -> str:
    """第 5 列… (the pipeline's row label) → 檔案第 5 列…, naming the line of the file."""
    label = row_label(position)
    if line is not None and message.startswith(label):
        return t("io.line", n=line) + message[len(label) :]
    return message


def _pipeline_issues(saved: SaveResult, plan: ImportPlan) -> list[ImportIssue]:
    issues = []
    for error in saved.errors:
        line = plan.line_of(error.position)
        issues.append(ImportIssue(line, error.field, _relabel(error.message, error.position, line)))
    lines = {update.row_id: update.line for update in plan.updates}
    seen: set[int] = set()
    for conflict in saved.conflicts:
        # One conflict per edited field, all with the row's message: report the row once.
        if conflict.row_id in seen:
            continue
        seen.add(conflict.row_id)
        line = lines.get(conflict.row_id)
        message = _relabel(conflict.message, line - 1, line) if line else conflict.message
        issues.append(ImportIssue(line, None, message))
    return issues


def _run(
    session: Session, model: type[SQLModel], frame: pd.DataFrame, actor: Actor, *, dry_run: bool
) -> ImportResult:
    table_name = model.__tablename__  # type: ignore[attr-defined]
    check_edit(actor, table_name)
    try:
        plan = plan_import(session, model, frame)
        # A file with unreadable rows is never written, but its other rows are still checked.
        dry = dry_run or bool(plan.issues)
        saved = save_changes(session, model, plan.state, actor=actor, dry_run=dry)
    finally:
        session.rollback()  # end the plan's reads; a committed save is not affected
    issues = sorted(plan.issues + _pipeline_issues(saved, plan), key=lambda i: i.line or 0)
    return ImportResult(
        ok=saved.ok and not issues,
        issues=issues,
        inserts=plan.inserts,
        updates=plan.updates,
        unchanged=plan.unchanged,
        batch_id=None if dry else saved.batch_id,
        inserted_ids=[] if dry else saved.inserted_ids,
    )


def preview_import(
    session: Session, model: type[SQLModel], frame: pd.DataFrame, actor: Actor
) -> ImportPreview:
    """Check every row as the save would (a dry run, version checks included); write nothing."""
    result = _run(session, model, frame, actor, dry_run=True)
    return ImportPreview(result.ok, result.issues, result.inserts, result.updates, result.unchanged)


def commit_import(
    session: Session, model: type[SQLModel], frame: pd.DataFrame, actor: Actor
) -> ImportResult:
    """Write the file in one audited transaction, all or nothing; raises PermissionDenied."""
    return _run(session, model, frame, actor, dry_run=False)
