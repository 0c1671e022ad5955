"""Staffing: the 工級 / 臨時人員 table of a snapshot and the reductions since the 2010 merger."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlmodel import Session

from db.models import (
    TEMP_CATEGORIES,
    BudgetSource,
    StaffCategory,
    StaffingCount,
    StaffingSnapshot,
    UnitType,
)


@dataclass(frozen=True)
class StaffingTable:
    """The cells of the report's table (資料日期 …), all computed from StaffingCount rows."""

    as_of: date
    worker_agencies: int
    worker_schools: int
    assistant: int
    contract_public: int
    contract_central: int
    engineer: int
    other: int

    @property
    def worker_total(self) -> int:
        return self.worker_agencies + self.worker_schools

    @property
    def temp_subtotal(self) -> int:
        """業務助理 + 約用人員 + 僱用工程員 (the report's 630)."""
        return self.assistant + self.contract_public + self.contract_central + self.engineer

    @property
    def temp_total(self) -> int:
        return self.temp_subtotal + self.other

    @property
    def grand_total(self) -> int:
        return self.worker_total + self.temp_total

    def as_dict(self) -> dict[str, Any]:
        cells = asdict(self)
        cells |= {
            "worker_total": self.worker_total,
            "temp_subtotal": self.temp_subtotal,
            "temp_total": self.temp_total,
            "grand_total": self.grand_total,
        }
        return cells


def reduction_pct(baseline: int, now: int) -> float | None:
    """(baseline − now) / baseline, in percent to two decimals, as the report rounds."""
    if baseline <= 0:
        return None
    return round((baseline - now) * 100 / baseline, 2)


def latest_snapshot(session: Session, on_or_before: date) -> StaffingSnapshot | None:
    stmt = (
        select(StaffingSnapshot)
        .where(StaffingSnapshot.as_of <= on_or_before, StaffingSnapshot.is_baseline.is_(False))
        .order_by(StaffingSnapshot.as_of.desc())
        .limit(1)
    )
    return session.execute(stmt).scalars().first()


def baseline_snapshot(session: Session) -> StaffingSnapshot | None:
    stmt = select(StaffingSnapshot).where(StaffingSnapshot.is_baseline.is_(True)).limit(1)
    return session.execute(stmt).scalars().first()


def staffing_table(session: Session, snapshot: StaffingSnapshot) -> StaffingTable:
    """Sum the snapshot's rows into the report's cells with one GROUP BY."""
    rows = session.execute(
        select(
            StaffingCount.category,
            StaffingCount.budget_source,
            StaffingCount.unit_type,
            func.sum(StaffingCount.headcount),
        )
        .where(StaffingCount.snapshot_id == snapshot.id)
        .group_by(StaffingCount.category, StaffingCount.budget_source, StaffingCount.unit_type)
    ).all()
    cell = dict.fromkeys(
        ("worker_agencies", "worker_schools", "assistant", "contract_public",
         "contract_central", "engineer", "other"),
        0,
    )  # fmt: skip
    for category, source, unit_type, n in rows:
        category, n = StaffCategory(category), int(n or 0)
        if category is StaffCategory.WORKER:
            key = "worker_schools" if UnitType(unit_type) is UnitType.SCHOOL else "worker_agencies"
        elif category is StaffCategory.CONTRACT:
            central = BudgetSource(source) is BudgetSource.CENTRAL
            key = "contract_central" if central else "contract_public"
        else:
            key = category.value
        cell[key] += n
    return StaffingTable(as_of=snapshot.as_of, **cell)


def staffing_figures(session: Session, on_or_before: date) -> dict[str, Any]:
    """Latest table on or before a date, and the reductions against the merger baseline."""
    snapshot = latest_snapshot(session, on_or_before)
    if snapshot is None:
        return {"staffing.as_of": None}
    now = staffing_table(session, snapshot)
    figures: dict[str, Any] = {"staffing.as_of": now.as_of.isoformat()}
    figures |= {f"staffing.{k}": v for k, v in now.as_dict().items() if k != "as_of"}
    base_snapshot = baseline_snapshot(session)
    if base_snapshot is not None:
        base = staffing_table(session, base_snapshot)
        figures |= {
            "staffing.baseline_as_of": base.as_of.isoformat(),
            "staffing.baseline_worker_total": base.worker_total,
            "staffing.baseline_temp_total": base.temp_total,
            "staffing.baseline_assistant": base.assistant,
            "staffing.worker_reduction_pct": reduction_pct(base.worker_total, now.worker_total),
            "staffing.temp_reduction_pct": reduction_pct(base.temp_total, now.temp_total),
            "staffing.assistant_reduction_pct": reduction_pct(base.assistant, now.assistant),
        }
    return figures


def list_snapshots(session: Session) -> pd.DataFrame:
    """Every snapshot with its worker / temp totals, oldest first (for the trend chart)."""
    temp = StaffingCount.category.in_([c.value for c in TEMP_CATEGORIES])
    stmt = (
        select(
            StaffingSnapshot.as_of,
            StaffingSnapshot.label,
            StaffingSnapshot.is_baseline,
            func.sum(StaffingCount.headcount).filter(~temp).label("worker"),
            func.sum(StaffingCount.headcount).filter(temp).label("temp"),
        )
        .join(StaffingCount, StaffingCount.snapshot_id == StaffingSnapshot.id)
        .group_by(StaffingSnapshot.id, StaffingSnapshot.as_of, StaffingSnapshot.label,
                  StaffingSnapshot.is_baseline)
        .order_by(StaffingSnapshot.as_of)
    )  # fmt: skip
    df = pd.DataFrame(
        session.execute(stmt).all(), columns=["as_of", "label", "is_baseline", "worker", "temp"]
    )
    return df.fillna(0)
