"""Staffing: the 工級 / 臨時人員 table of a snapshot, the reductions since the 2010 merger, the
trend and per-agency breakdown, temp-staff reviews, and new snapshots copied from the latest."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import case, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from core.editing.pipeline import Actor, AuditedWriter, PermissionDenied, can_edit, hold_write_lock
from core.i18n.labels import t
from core.kernel.cache import stamped
from core.kernel.config import get_settings
from core.kernel.periods import Period
from core.kernel.roc_dates import format_roc, long_date, roc_year
from db.models import (
    TEMP_CATEGORIES,
    BudgetSource,
    StaffCategory,
    StaffingCount,
    StaffingSnapshot,
    TempStaffReview,
    UnitType,
)

SC, BS = StaffCategory, BudgetSource
# The budget sources each category may have: the report's table places a row by category and
# source (約用人員 公務預算 / 中央補助費, 僱用工程員 工程管理費), so any other pair would be
# counted under a heading that does not describe it.
SOURCES: dict[StaffCategory, tuple[BudgetSource, ...]] = {
    SC.WORKER: (BS.NONE,),
    SC.ASSISTANT: (BS.PUBLIC,),
    SC.CONTRACT: (BS.PUBLIC, BS.CENTRAL),
    SC.ENGINEER: (BS.ENGINEERING,),
    SC.OTHER: (BS.PUBLIC, BS.CENTRAL, BS.FUND, BS.PROGRAMME),
}
# The groups the report's note on 其他 names: (unit, source) of the rows counted in each.
OTHER_NOTE_CELLS: dict[str, tuple[str, BudgetSource]] = {
    "health": ("衛生局", BS.FUND),  # 醫療藥品基金進用之人員
    "cleaners": ("環境保護局", BS.PUBLIC),  # 道路清潔員
    "air": ("環境保護局", BS.PROGRAMME),  # 空污計畫人員
    "parking": ("交通局", BS.PUBLIC),  # 路邊收費服務員
}
UNIT_COLUMNS = ("worker", "assistant", "contract", "engineer", "other")
# Figure key of each reduction's baseline (the names core.figures.compute has always given them).
BASELINE_KEYS = {
    "worker": "staffing.baseline_worker_total",
    "temp": "staffing.baseline_temp_total",
    "assistant": "staffing.baseline_assistant",
}


class SnapshotRefused(ValueError):
    """A new snapshot was refused; the message is zh-TW and nothing was written."""


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


@dataclass(frozen=True)
class Reduction:
    """One line of the report's sentence: 由 baseline 人減少為 now 人，精簡率 rate％."""

    key: str  # worker (工級人員), temp (臨時人員, 其他 included), assistant (業務助理)
    baseline: int
    now: int

    @property
    def reduced(self) -> int:
        return self.baseline - self.now

    @property
    def rate(self) -> float | None:
        return reduction_pct(self.baseline, self.now)


def reduction_pct(baseline: int, now: int) -> float | None:
    """(baseline − now) / baseline in percent, rounded half-up to two decimals (29.86)."""
    if baseline <= 0:
        return None
    exact = Decimal(baseline - now) * 100 / Decimal(baseline)
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def reductions(base: StaffingTable, now: StaffingTable) -> list[Reduction]:
    """The report's three rates: 工級 total, 臨時人員 total (2,080 incl. 其他), 業務助理."""
    return [
        Reduction("worker", base.worker_total, now.worker_total),
        Reduction("temp", base.temp_total, now.temp_total),
        Reduction("assistant", base.assistant, now.assistant),
    ]


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


def get_snapshot(session: Session, snapshot_id: int) -> StaffingSnapshot | None:
    return session.get(StaffingSnapshot, snapshot_id)


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


def other_breakdown(session: Session, snapshot: StaffingSnapshot) -> dict[str, int]:
    """The groups the report's note on 其他 counts (衛生局 約302人 …), for this snapshot."""
    c = StaffingCount
    rows = session.execute(
        select(c.unit_name, c.budget_source, func.sum(c.headcount))
        .where(c.snapshot_id == snapshot.id, c.category == StaffCategory.OTHER)
        .where(c.unit_name.in_({unit for unit, _ in OTHER_NOTE_CELLS.values()}))
        .group_by(c.unit_name, c.budget_source)
    ).all()
    found = {(unit, BudgetSource(source)): int(n or 0) for unit, source, n in rows}
    return {key: found.get(cell, 0) for key, cell in OTHER_NOTE_CELLS.items()}


def snapshot_figures(session: Session, snapshot: StaffingSnapshot) -> dict[str, Any]:
    """The table of one snapshot and its reductions against the merger baseline."""
    now = staffing_table(session, snapshot)
    figures: dict[str, Any] = {
        "staffing.as_of": now.as_of.isoformat(),
        "staffing.is_estimate": bool(snapshot.is_estimate),  # interpolated, not recorded
    }
    figures |= {f"staffing.{k}": v for k, v in now.as_dict().items() if k != "as_of"}
    other = other_breakdown(session, snapshot)
    figures |= {f"staffing.other_{k}": v for k, v in other.items()}
    base_snapshot = baseline_snapshot(session)
    if base_snapshot is not None:
        base = staffing_table(session, base_snapshot)
        figures["staffing.baseline_as_of"] = base.as_of.isoformat()
        for r in reductions(base, now):
            figures[BASELINE_KEYS[r.key]] = r.baseline
            figures[f"staffing.{r.key}_reduced"] = r.reduced
            figures[f"staffing.{r.key}_reduction_pct"] = r.rate
    return figures


@stamped("staffing_snapshot", "staffing_count")
def staffing_figures(session: Session, on_or_before: date) -> dict[str, Any]:
    """Latest table on or before a date, and the reductions against the merger baseline."""
    snapshot = latest_snapshot(session, on_or_before)
    if snapshot is None:
        return {"staffing.as_of": None}
    return snapshot_figures(session, snapshot)


@stamped("temp_staff_review")
def review_figures(session: Session, period: Period) -> dict[str, int]:
    """Temp-staff review meetings in the period: meetings, cases heard, people approved."""
    r = TempStaffReview
    meetings, cases, people = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(r.cases), 0),
            func.coalesce(func.sum(r.approved_people), 0),
        ).where(r.meeting_date >= period.start, r.meeting_date <= period.end)
    ).one()
    return {
        "staffing.review_meetings": int(meetings),
        "staffing.review_cases": int(cases),
        "staffing.review_approved": int(people),
    }


@stamped("staffing_snapshot", "staffing_count")
def list_snapshots(session: Session) -> pd.DataFrame:
    """Every snapshot with its worker / temp totals and number of count rows, oldest first."""
    c = StaffingCount
    temp = c.category.in_([cat.value for cat in TEMP_CATEGORIES])
    stmt = (
        select(
            StaffingSnapshot.id,
            StaffingSnapshot.as_of,
            StaffingSnapshot.label,
            StaffingSnapshot.is_baseline,
            StaffingSnapshot.is_estimate,
            func.coalesce(func.sum(case((~temp, c.headcount), else_=0)), 0).label("worker"),
            func.coalesce(func.sum(case((temp, c.headcount), else_=0)), 0).label("temp"),
            func.count(c.id).label("counts"),
        )
        .outerjoin(c, c.snapshot_id == StaffingSnapshot.id)
        .group_by(StaffingSnapshot.id, StaffingSnapshot.as_of, StaffingSnapshot.label,
                  StaffingSnapshot.is_baseline, StaffingSnapshot.is_estimate)
        .order_by(StaffingSnapshot.as_of)
    )  # fmt: skip
    columns = ["id", "as_of", "label", "is_baseline", "is_estimate", "worker", "temp", "counts"]
    df = pd.DataFrame(session.execute(stmt).all(), columns=columns)
    return df.astype({"worker": "int64", "temp": "int64", "counts": "int64"})


def headcount_by_unit(session: Session, snapshot: StaffingSnapshot) -> pd.DataFrame:
    """One row per agency or school of the snapshot: headcount per category, largest first."""
    c = StaffingCount
    sums = [
        func.sum(case((c.category == cat, c.headcount), else_=0)).label(cat.value)
        for cat in (SC.WORKER, *TEMP_CATEGORIES)
    ]
    stmt = (
        select(c.unit_name, c.unit_type, *sums)
        .where(c.snapshot_id == snapshot.id)
        .group_by(c.unit_name, c.unit_type)
    )
    df = pd.DataFrame(
        session.execute(stmt).all(), columns=["unit_name", "unit_type", *UNIT_COLUMNS]
    )
    df = df.astype(dict.fromkeys(UNIT_COLUMNS, "int64"))
    df["unit_type"] = df["unit_type"].map(lambda u: UnitType(u).value)
    df["temp"] = df[list(UNIT_COLUMNS[1:])].sum(axis=1)
    df["total"] = df["worker"] + df["temp"]
    return df.sort_values(["total", "unit_name"], ascending=[False, True], ignore_index=True)


def _today() -> date:
    return datetime.now(ZoneInfo(get_settings().timezone)).date()


def _latest_any(session: Session) -> StaffingSnapshot | None:
    stmt = select(StaffingSnapshot).order_by(StaffingSnapshot.as_of.desc()).limit(1)
    return session.execute(stmt).scalars().first()


def shown_label(as_of: date, label: str, lang: str) -> str:
    """A snapshot's label as typed, but none in English where it only names its own date in
    the 民國 calendar (112年2月底, 115年12月31日): the date is shown beside it anyway."""
    roc = {format_roc(as_of), format_roc(as_of, "long"), f"{roc_year(as_of)}年{as_of.month}月底"}
    return "" if lang != "zh-TW" and label.strip() in roc else label


def _check_copy(
    session: Session, as_of: date, label: str, today: date, lang: str
) -> tuple[StaffingSnapshot, str]:
    """The snapshot to copy and the new label; SnapshotRefused when the copy may not be made."""
    if len(label) > 60:
        raise SnapshotRefused(t("staff.copy.label_too_long", lang, n=len(label)))
    latest = _latest_any(session)
    if latest is None:
        raise SnapshotRefused(t("staff.copy.nothing", lang))
    taken = select(StaffingSnapshot.id).where(StaffingSnapshot.as_of == as_of)
    if session.execute(taken).first() is not None:
        raise SnapshotRefused(t("staff.copy.exists", lang, date=long_date(as_of, lang)))
    if as_of <= latest.as_of:
        raise SnapshotRefused(
            t("staff.copy.not_after", lang, date=long_date(as_of, lang),
              latest=long_date(latest.as_of, lang))
        )  # fmt: skip
    if as_of > today:
        raise SnapshotRefused(
            t("staff.copy.future", lang, date=long_date(as_of, lang), today=long_date(today, lang))
        )
    # The stored label and note are the council report's words: zh-TW in either language.
    return latest, label or format_roc(as_of, "long")


def copy_snapshot(
    session: Session,
    actor: Actor,
    as_of: date,
    label: str,
    *,
    today: date | None = None,
    lang: str = "zh-TW",
) -> int:
    """A new snapshot as of as_of holding a copy of every count of the latest snapshot.

    One transaction, every row audited under one batch (so 異動紀錄 shows the copy as one
    save). Refused (SnapshotRefused, in lang) when as_of is taken, not after the latest snapshot
    or after today (Asia/Taipei); PermissionDenied when the actor may not edit staffing.
    """
    if not (can_edit(actor, "staffing_snapshot") and can_edit(actor, "staffing_count")):
        raise PermissionDenied(t("staff.copy.denied", lang, user=actor.username))
    try:
        hold_write_lock(session, "staffing_snapshot", "staffing_count")
        latest, label = _check_copy(session, as_of, label.strip(), today or _today(), lang)
        counts = StaffingCount.__table__
        snapshots = AuditedWriter(session, actor, StaffingSnapshot.__table__)
        rows = AuditedWriter(session, actor, counts, batch=snapshots.batch)
        note = t("staff.copy.note", date=format_roc(latest.as_of, "long"))
        new_id = snapshots.insert(dict(as_of=as_of, label=label, is_baseline=False, note=note))
        copied = ("unit_name", "unit_type", "category", "budget_source", "headcount", "note")
        source = select(*(counts.c[k] for k in copied)).where(counts.c.snapshot_id == latest.id)
        for row in session.execute(source.order_by(counts.c.id)).mappings().all():
            rows.insert(dict(row) | {"snapshot_id": new_id})
        snapshots.stamp()  # the snapshot table's stamp, no commit yet
        rows.commit()  # the counts' stamp, then one commit for everything
    except SnapshotRefused:
        session.rollback()
        raise
    except SQLAlchemyError as exc:
        session.rollback()
        detail = str(getattr(exc, "orig", exc)).splitlines()[0]
        raise SnapshotRefused(t("staff.copy.failed", lang, detail=detail)) from exc
    return int(new_id)
