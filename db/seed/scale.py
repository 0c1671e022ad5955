"""City-scale history on top of the demo data: `generate_scale(session, n)` (python -m db.seed
--scale N), deterministic and linear in N.

It goes only into an empty database (loading the demo data first) or onto the demo data.
N=1 adds over 2016–2025 about 11,200 venue bookings (two new venues), 3,500 trips (one new
car and driver), 580 receptions and 350 gift movements (twelve new gift items); N=100 adds
1.23M bookings, 357k trips, 60k receptions and 28k gift movements. Monthly staffing
snapshots for 72 agencies and 16 schools (100 month ends, 25,600 counts) are the same for
every N. Everything is written in one transaction and is refused, with
nothing written, when the database already holds scale data.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Table, func, or_, select
from sqlmodel import Session, SQLModel

import db.models as m
from core.editing.pipeline import hold_write_lock
from db import rollups
from db.seed import TABLES, is_empty, load_demo_data
from db.seed import scale_fleet as fleet
from db.seed import scale_gifts as gifts
from db.seed import scale_staffing as staffing
from db.seed import scale_venues as venues
from db.seed import scale_visitors as visitors
from db.seed.cities import CITIES
from db.seed.scale_common import MAX_N, MAX_YEARS, Span, created_at
from db.seed.scale_write import BulkWriter, ProgressFactory, TableResult, analyze, tune_sqlite

__all__ = [
    "MAX_N",
    "MAX_YEARS",
    "WRITTEN",
    "ScaleRefused",
    "ScaleReport",
    "check_arguments",
    "generate_scale",
    "has_demo_data",
    "has_scale_data",
]

WRITTEN = (
    "venue", "venue_booking", "vehicle", "driver", "trip", "reception", "gift_item",
    "gift_movement", "staffing_snapshot", "staffing_count",
)  # fmt: skip


REFUSED = "資料庫已有擴充資料（場地名稱「四維行政中心 第…」），為避免重複，未再產生。"

NOT_DEMO = "資料庫已有資料，但不是示範資料；為避免產生的資料混入實際資料，未產生擴充資料。"
DEMO_HALL = "地下2樓大禮堂"


class ScaleRefused(ValueError):
    """Scale data is already there (or the arguments are wrong); nothing was written."""


@dataclass(frozen=True)
class ScaleReport:
    """What one run wrote: rows and seconds per table, and the demo data if it loaded it."""

    n: int
    years: int
    start: date
    end: date
    results: list[TableResult]
    demo_rows: dict[str, int] = field(default_factory=dict)
    demo_seconds: float = 0.0
    seconds: float = 0.0

    @property
    def rows(self) -> dict[str, int]:
        return {r.table: r.rows for r in self.results}


def has_scale_data(session: Session) -> bool:
    """True when a generated venue (named 「四維行政中心 第…」 or 「鳳山行政中心 第…」) exists."""
    named = or_(*(m.Venue.name.startswith(prefix) for prefix in venues.NAME_PREFIXES))
    return bool(session.scalar(select(func.count()).select_from(m.Venue).where(named)))


def has_demo_data(session: Session) -> bool:
    """True when the demo's 四維 hall is there: scale data goes only on top of the demo."""
    v = m.Venue
    demo_hall = (v.centre == m.Centre.SIWEI) & (v.name == DEMO_HALL)
    return bool(session.scalar(select(func.count()).select_from(v).where(demo_hall)))


def check_arguments(n: object, years: object) -> None:
    """ScaleRefused (zh-TW) unless 1 ≤ n ≤ MAX_N and 1 ≤ years ≤ MAX_YEARS, both integers."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_N:
        raise ScaleRefused(f"規模 N 必須是 1 到 {MAX_N:,} 的整數（收到 {n!r}）。")
    if isinstance(years, bool) or not isinstance(years, int) or not 1 <= years <= MAX_YEARS:
        raise ScaleRefused(f"年數必須是 1 到 {MAX_YEARS} 的整數（收到 {years!r}）。")


def generate_scale(
    session: Session, n: int, *, years: int = MAX_YEARS, progress: ProgressFactory | None = None
) -> ScaleReport:
    """Add the scaled history of the last `years` years to 2025 and commit, in one transaction.

    Loads the demo data first when the database is empty. Raises ScaleRefused (zh-TW) when
    scale data is already present or the data there is not the demo's; on any error
    everything is rolled back. Afterwards the tables written get fresh planner statistics.
    """
    check_arguments(n, years)
    started, span = time.perf_counter(), Span(n, years)
    writer = BulkWriter(session, progress)
    restore = tune_sqlite(writer.conn)
    demo: dict[str, int] = {}
    try:
        # Saves of these tables from the app (and a second run) wait until this one commits.
        hold_write_lock(session, *WRITTEN)
        if has_scale_data(session):
            raise ScaleRefused(REFUSED)
        demo_started = time.perf_counter()
        if is_empty(session):
            demo = load_demo_data(session)
        elif not has_demo_data(session):
            raise ScaleRefused(NOT_DEMO)
        demo_seconds = time.perf_counter() - demo_started
        # The monthly rollups' triggers are off during the bulk writes: counted once at the end.
        with rollups.suspended(session):
            _venues(writer, span)
            _fleet(writer, span)
            _receptions_and_gifts(session, writer, span)
            _staffing(session, writer, span)
        writer.stamp(*([t.__tablename__ for t in TABLES] if demo else []))
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        restore()
    analyze(session, [r.table for r in writer.results] + list(rollups.ROLLUPS))
    seconds = time.perf_counter() - started
    return ScaleReport(n, years, span.start, span.end, writer.results, demo, demo_seconds, seconds)


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


def _parents(specs: list[dict[str, Any]], made: Any, drop: tuple[str, ...] = ()) -> list[dict]:
    return [
        {k: v for k, v in s.items() if k not in drop}
        | {"created_at": made, "updated_at": made, "version": 1}
        for s in specs
    ]


def _venues(writer: BulkWriter, span: Span) -> None:
    specs = venues.venue_specs(span.n)
    rows = _parents(specs, created_at(span.start, 30), drop=("role",))
    ids = writer.insert_returning_ids(_table("venue"), rows)
    batches = venues.bookings(span, list(zip(ids, specs, strict=True)))
    writer.write(_table("venue_booking"), venues.COLUMNS, batches)


def _fleet(writer: BulkWriter, span: Span) -> None:
    made = created_at(span.start, 30)
    cars = fleet.vehicle_specs(span.n)
    car_ids = writer.insert_returning_ids(_table("vehicle"), _parents(cars, made))
    driver_rows = _parents(fleet.driver_specs(span.n), made)
    driver_ids = writer.insert_returning_ids(_table("driver"), driver_rows)
    pool = [(i, c["kind"], c["seats"]) for i, c in zip(car_ids, cars, strict=True)]
    writer.write(_table("trip"), fleet.COLUMNS, fleet.trips(span, pool, driver_ids))


def _receptions_and_gifts(session: Session, writer: BulkWriter, span: Span) -> None:
    by_name = dict(session.execute(select(m.PartnerCity.name_zh, m.PartnerCity.id)).all())
    cities = {key: by_name[zh] for key, zh, *_ in CITIES if zh in by_name}
    before = session.scalar(select(func.max(m.Reception.id))) or 0
    writer.write(_table("reception"), visitors.COLUMNS, visitors.receptions(span, cities))
    r = m.Reception
    new = session.execute(
        select(r.id, r.visit_date, r.mode, r.category, r.organisation, r.city_id,
               r.delegation_size).where(r.id > before).order_by(r.id)
    ).all()  # fmt: skip
    received = [(row[0], row[1], str(row[2]), str(row[3]), *row[4:]) for row in new]
    ids = writer.insert_returning_ids(_table("gift_item"), gifts.item_specs(span))
    writer.write(_table("gift_movement"), gifts.COLUMNS, gifts.movements(span, ids, received))


def _staffing(session: Session, writer: BulkWriter, span: Span) -> None:
    taken = set(session.execute(select(m.StaffingSnapshot.as_of)).scalars())
    specs = staffing.snapshot_specs(span, taken)
    ids = writer.insert_returning_ids(_table("staffing_snapshot"), specs)
    snapshots = [(i, s["as_of"]) for i, s in zip(ids, specs, strict=True)]
    writer.write(_table("staffing_count"), staffing.COLUMNS, staffing.counts(snapshots))
