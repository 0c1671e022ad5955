"""Business rules of the staffing tables, run on every save (table editor and import alike):
a count's budget source fits its category, and at most one snapshot is the merger baseline."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from core.editing.validate import Batch, RowError, row_label
from core.i18n.labels import enum_label, t
from core.staffing.headcount import SOURCES
from db.models import BudgetSource, StaffCategory, StaffingSnapshot


def count_source_errors(session: Session, batch: Batch) -> list[RowError]:
    """A count whose budget source does not belong to its category (約用人員 + 工程管理費)."""
    rows = [(pos, row) for pos, (_id, row) in batch.edited.items()] + list(batch.added)
    errors = []
    for pos, row in rows:
        category, source = StaffCategory(row["category"]), BudgetSource(row["budget_source"])
        if source not in SOURCES[category]:
            allowed = "、".join(enum_label(s) for s in SOURCES[category])
            text = t(
                "staff.rule.source", row=row_label(pos), category=enum_label(category),
                source=enum_label(source), allowed=allowed,
            )  # fmt: skip
            errors.append(RowError(pos, "budget_source", text))
    return errors


def snapshot_baseline_errors(session: Session, batch: Batch) -> list[RowError]:
    """At most one merger baseline: every reduction rate is measured against it."""
    leaving = {row_id for _pos, row_id in batch.deleted} | {i for i, _ in batch.edited.values()}
    stored = select(StaffingSnapshot.id).where(StaffingSnapshot.is_baseline.is_(True))
    kept = [i for i in session.execute(stored).scalars() if i not in leaving]
    rows = [(pos, row) for pos, (_id, row) in batch.edited.items()] + list(batch.added)
    marked = [pos for pos, row in rows if row.get("is_baseline")]
    if len(kept) + len(marked) <= 1:
        return []
    return [RowError(pos, "is_baseline", t("staff.rule.one_baseline", row=row_label(pos)))
            for pos in marked]  # fmt: skip
