"""Monthly staffing snapshots (month ends of the span) for 72 agencies and 16 schools.

The same for every N: the demo's cells and trend (db.seed.staffing), with the demo's single
各區公所（合計） row split into Kaohsiung's 38 district offices by population, so each month's
totals stay on the demo's line. Month ends that already have a snapshot (the demo's end of
February and August) are left alone, and no snapshot is a baseline (the demo has the one).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from db.models import UnitType
from db.seed.common import allocate
from db.seed.scale_common import Span, created_at
from db.seed.staffing import _cells, _value

TOTAL_UNIT = "各區公所（合計）"
# district, population in ten thousands (2023, rounded): the split's weights
# fmt: off
DISTRICTS: tuple[tuple[str, float], ...] = (
    ("鹽埕", 2.2), ("鼓山", 14.0), ("左營", 19.5), ("楠梓", 19.3), ("三民", 33.0), ("新興", 4.9),
    ("前金", 2.6), ("苓雅", 16.3), ("前鎮", 18.1), ("旗津", 2.7), ("小港", 15.2), ("鳳山", 35.5),
    ("林園", 6.8), ("大寮", 10.9), ("大樹", 4.1), ("大社", 3.4), ("仁武", 9.2), ("鳥松", 4.3),
    ("岡山", 9.7), ("橋頭", 3.8), ("燕巢", 2.8), ("田寮", 0.7), ("阿蓮", 2.7), ("路竹", 5.1),
    ("湖內", 2.9), ("茄萣", 2.9), ("永安", 1.4), ("彌陀", 1.8), ("梓官", 3.5), ("旗山", 3.5),
    ("美濃", 3.8), ("六龜", 1.2), ("甲仙", 0.6), ("杉林", 1.1), ("內門", 1.4), ("茂林", 0.2),
    ("桃源", 0.4), ("那瑪夏", 0.3),
)
# fmt: on
NOTE = "每月員額統計（擴充資料）"
COLUMNS = (
    "snapshot_id", "unit_name", "unit_type", "category", "budget_source", "headcount", "note",
    "created_at", "updated_at", "version",
)  # fmt: skip


def snapshot_specs(span: Span, taken: set[date]) -> list[dict[str, Any]]:
    """A snapshot for every month end of the span that has none yet."""
    return [
        dict(as_of=d, label=f"{d.year - 1911}年{d.month}月底", is_baseline=False, note=NOTE,
             created_at=created_at(d, -5), updated_at=created_at(d, -5), version=1)
        for d in span.months()
        if d not in taken
    ]  # fmt: skip


def _cells_of(cells: list[tuple], as_of: date) -> Iterator[tuple]:
    """Every unit's headcount per category and source on a day, districts split out."""
    weights = [w for _name, w in DISTRICTS]
    for unit, unit_type, category, source, base, now, note in cells:
        headcount = _value(base, now, as_of, category)
        if unit != TOTAL_UNIT:
            yield unit, unit_type, category, source, headcount, note
            continue
        for (district, _w), share in zip(DISTRICTS, allocate(headcount, weights), strict=True):
            yield f"{district}區公所", UnitType.AGENCY, category, source, share, note


def counts(snapshots: list[tuple[int, date]]) -> Iterator[Any]:
    """(fraction done, rows) per snapshot."""
    cells = _cells()
    for k, (snapshot_id, as_of) in enumerate(snapshots):
        made = created_at(as_of, -5)  # compiled in the first days of the next month
        rows = [
            (snapshot_id, unit, unit_type.value, category.value, source.value, headcount, note,
             made, made, 1)
            for unit, unit_type, category, source, headcount, note in _cells_of(cells, as_of)
        ]  # fmt: skip
        yield (k + 1) / len(snapshots), rows
