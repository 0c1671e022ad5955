"""Staffing snapshots from 2010 to today (exact at the 2010 baseline and 2023-02-28), reviews."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from db.models import (
    BudgetSource,
    StaffCategory,
    StaffingCount,
    StaffingSnapshot,
    TempStaffReview,
    UnitType,
)
from db.seed.common import (
    AGENCIES,
    DEMO_TODAY,
    PERIOD_END,
    PERIOD_START,
    add_flush,
    allocate,
    bulk,
    rng,
)

SC, BS, UT = StaffCategory, BudgetSource, UnitType
BASELINE, ANCHOR = date(2010, 12, 25), date(2023, 2, 28)
AGENCY_UNITS = (*AGENCIES, "各區公所（合計）")
# fmt: off
SCHOOLS = (
    "高雄市立高雄高級中學", "高雄市立高雄女子高級中學", "高雄市立中正高級工業職業學校",
    "高雄市立三民高級家事商業職業學校", "高雄市立前鎮高級中學", "高雄市立鳳山高級中學",
    "高雄市立岡山高級中學", "高雄市立瑞祥高級中學", "高雄市立新莊高級中學", "高雄市立中山高級中學",
    "高雄市立左營高級中學", "高雄市立五福國民中學", "高雄市立鳳甲國民中學", "高雄市立龍華國民中學",
    "高雄市立前金國民中學", "其他市立國民中小學（合計）",
)
# fmt: on
# Cells pinned by the report (now) with a plausible merger-time value (baseline).
# unit, category, source, baseline, 2023-02-28, note
# fmt: off
PINNED: tuple[tuple[str, SC, BS, int, int, str], ...] = (
    ("衛生局", SC.OTHER, BS.FUND, 338, 302, "醫療藥品基金進用"),
    ("環境保護局", SC.OTHER, BS.PUBLIC, 512, 331, "道路清潔員"),
    ("環境保護局", SC.OTHER, BS.PROGRAMME, 36, 40, "空污計畫人員"),
    ("交通局", SC.OTHER, BS.PUBLIC, 301, 256, "路邊收費服務員"),
)
# fmt: on
# category, source, units eligible, baseline total, 2023-02-28 total (pinned cells excluded).
# Baseline: 工級 8,462; 臨時 3,462 (業務助理 1,390). 2023-02-28: 5,935 and 2,080 (591).
# fmt: off
SPREAD: tuple[tuple[SC, BS, str, int, int], ...] = (
    (SC.WORKER, BS.NONE, "agency", 7566, 5339),
    (SC.WORKER, BS.NONE, "school", 896, 596),
    (SC.ASSISTANT, BS.PUBLIC, "agency", 1390, 591),
    (SC.CONTRACT, BS.PUBLIC, "few", 40, 13),
    (SC.CONTRACT, BS.CENTRAL, "few", 32, 11),
    (SC.ENGINEER, BS.ENGINEERING, "works", 60, 15),
    (SC.OTHER, BS.PUBLIC, "other", 560, 371),
    (SC.OTHER, BS.FUND, "other_fund", 120, 100),
    (SC.OTHER, BS.PROGRAMME, "other_prog", 73, 50),
)
# fmt: on
WORKS = ("工務局", "水利局", "捷運工程局", "都市發展局")
FEW = ("社會局", "勞工局", "經濟發展局", "文化局", "觀光局", "農業局")
OTHER_FUND = ("社會局", "勞工局", "農業局")
OTHER_PROG = ("海洋局", "經濟發展局", "觀光局", "文化局")
# Five review meetings in the period: 10 cases, 27 people approved.
# fmt: off
PERIOD_REVIEWS = (
    (date(2022, 7, 20), 2, 5),
    (date(2022, 9, 21), 2, 6),
    (date(2022, 11, 16), 2, 4),
    (date(2023, 1, 11), 3, 9),
    (date(2023, 3, 8), 1, 3),
)
# fmt: on


def _units(group: str) -> list[tuple[str, UT]]:
    names = {
        "agency": AGENCY_UNITS,
        "school": SCHOOLS,
        "few": FEW,
        "works": WORKS,
        "other": [a for a in AGENCY_UNITS if a not in ("衛生局", "環境保護局", "交通局")],
        "other_fund": OTHER_FUND,
        "other_prog": OTHER_PROG,
    }[group]
    return [(n, UT.SCHOOL if group == "school" else UT.AGENCY) for n in names]


def _cells() -> list[tuple[str, UT, SC, BS, int, int, str]]:
    """Every cell with its baseline and 2023-02-28 headcount; totals match the report."""
    r = rng("staffing.weights")
    cells = [(u, UT.AGENCY, c, s, b, n, note) for u, c, s, b, n, note in PINNED]
    for cat, src, group, base_total, now_total in SPREAD:
        units = _units(group)
        w_now = [r.uniform(0.3, 3.0) for _ in units]
        if group in ("agency", "school"):
            w_now[-1] *= 8 if group == "school" else 4  # the 合計 rows hold most of the staff
        # Shares drift a little between 2010 and 2023, so units do not shrink in lockstep.
        w_base = [w * r.uniform(0.8, 1.25) for w in w_now]
        base, now = allocate(base_total, w_base), allocate(now_total, w_now)
        for (name, ut), b, n in zip(units, base, now, strict=True):
            cells.append((name, ut, cat, src, b, n, ""))
    return cells


def _snapshot_dates() -> list[date]:
    """The end of February and of August each year from 2011 up to today."""
    out = []
    for y in range(2011, DEMO_TODAY.year + 1):
        feb_end = date(y, 3, 1).toordinal() - 1
        out += [d for d in (date.fromordinal(feb_end), date(y, 8, 31)) if d <= DEMO_TODAY]
    return out


def _value(b: int, n: int, as_of: date, cat: SC) -> int:
    if as_of <= ANCHOR:
        f = (as_of - BASELINE).days / (ANCHOR - BASELINE).days
        return round(b + (n - b) * f)
    years = (as_of - ANCHOR).days / 365.25
    rate = 0.02 if cat in (SC.WORKER, SC.ASSISTANT) else 0.01  # 自然退離不新僱
    return round(n * (1 - rate) ** years)


def load(session: Session) -> None:
    snaps = [
        StaffingSnapshot(
            as_of=BASELINE, label="縣市合併基準", is_baseline=True, note="99年12月25日高雄縣市合併"
        )
    ]
    snaps += [
        # Only the baseline and 112年2月底 are the report's: the tables between and after are
        # interpolated, and stored as estimates.
        StaffingSnapshot(as_of=d, label=f"{d.year - 1911}年{d.month}月底", is_estimate=d != ANCHOR)
        for d in _snapshot_dates()
    ]
    add_flush(session, snaps)
    rows: list[dict[str, Any]] = []
    for cell in _cells():
        unit, ut, cat, src, b, n, note = cell
        for s in snaps:
            v = b if s.is_baseline else _value(b, n, s.as_of, cat)
            rows.append(
                {
                    "snapshot_id": s.id,
                    "unit_name": unit,
                    "unit_type": ut,
                    "category": cat,
                    "budget_source": src,
                    "headcount": v,
                    "note": note,
                }
            )
    bulk(session, StaffingCount, rows)
    bulk(session, TempStaffReview, _reviews())


def _reviews() -> list[dict[str, Any]]:
    r = rng("staffing.reviews")
    rows = [
        {"meeting_date": d, "cases": c, "approved_people": p, "note": "臨時人員進用審查會議"}
        for d, c, p in PERIOD_REVIEWS
    ]
    for y in range(2020, DEMO_TODAY.year + 1):
        for m in (1, 3, 5, 7, 9, 11):
            d = date(y, m, 15 + (2 - date(y, m, 15).weekday()) % 7)  # third Wednesday
            if PERIOD_START <= d <= PERIOD_END or d > DEMO_TODAY:
                continue
            cases = r.randint(1, 4)
            rows.append(
                {
                    "meeting_date": d,
                    "cases": cases,
                    "approved_people": cases * r.randint(1, 4),
                    "note": "臨時人員進用審查會議",
                }
            )
    rows.sort(key=lambda x: x["meeting_date"])
    return rows
