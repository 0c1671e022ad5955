"""Scale data (python -m db.seed --scale N): counts, linearity, determinism, the app's rules."""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine, func, select
from sqlmodel import Session, SQLModel

import db.models as m
from core.editing.validate import Batch, foreign_key_errors, rule_errors, validate_row
from core.kernel.config import get_settings
from core.staffing.headcount import SOURCES
from db.engine import make_engine
from db.migrate import upgrade_to_head
from db.seed import count_rows
from db.seed import scale_fleet as fleet
from db.seed import scale_venues as venues
from db.seed import scale_visitors as visitors
from db.seed.scale import (
    WRITTEN,
    ScaleRefused,
    ScaleReport,
    check_arguments,
    generate_scale,
    has_scale_data,
)
from db.seed.scale_common import Span
from tests.conftest import BACKENDS, database_copy

ROOT = Path(__file__).resolve().parents[2]
MINIMUMS = {"venue_booking": 10_000, "trip": 3_000, "reception": 500, "gift_movement": 200}
Scaled = tuple[Engine, ScaleReport, dict[str, int]]


@pytest.fixture(scope="module", params=BACKENDS)
def scaled(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """N=1 over the full ten years on an empty database (so the demo data loads first)."""
    directory = tmp_path_factory.mktemp(f"scale_{request.param}")
    with database_copy(request.param, request, directory) as url:
        engine = make_engine(url)
        try:
            with Session(engine) as session:
                report = generate_scale(session, 1)
                counts = count_rows(session)
            yield engine, report, counts
        finally:
            engine.dispose()


def test_n1_gives_at_least_the_stated_minimums(scaled: Scaled) -> None:
    _engine, report, counts = scaled
    for table, least in MINIMUMS.items():
        assert report.rows[table] >= least, table
        assert counts[table] == report.demo_rows[table] + report.rows[table], table


def test_monthly_staffing_for_88_units_without_a_second_baseline(scaled: Scaled) -> None:
    engine, report, _counts = scaled
    snap, c = m.StaffingSnapshot, m.StaffingCount
    assert report.rows["staffing_snapshot"] == 100  # 120 month ends, 20 already in the demo
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(snap).where(snap.is_baseline)) == 1
        units = s.execute(
            select(c.unit_type, func.count(func.distinct(c.unit_name)))
            .join(snap, snap.id == c.snapshot_id)
            .where(snap.note.like("%擴充資料%"))
            .group_by(c.unit_type)
        ).all()
    assert {str(t): k for t, k in units} == {"agency": 72, "school": 16}


def _generated(n: int, years: int = 2) -> dict[str, int]:
    """Rows the pure generators make (no database), with made-up parent ids."""
    span = Span(n, years)
    rooms = list(enumerate(venues.venue_specs(n), start=1))
    cars = [(i, c["kind"], c["seats"]) for i, c in enumerate(fleet.vehicle_specs(n), start=1)]
    return {
        "venue_booking": sum(len(rows) for _, rows in venues.bookings(span, rooms)),
        "trip": sum(len(rows) for _, rows in fleet.trips(span, cars, list(range(1, n + 1)))),
        "reception": sum(len(rows) for _, rows in visitors.receptions(span, {})),
    }


def test_counts_grow_linearly_with_n() -> None:
    one, four, eight = _generated(1), _generated(4), _generated(8)
    for table in one:
        assert 1.9 <= eight[table] / four[table] <= 2.1, table
        assert 3.4 <= four[table] / one[table] <= 4.6, table


def _digest(engine: Engine) -> dict[str, str]:
    """A hash of every generated table's rows in id order (creation times of demo rows vary)."""
    out = {}
    with engine.connect() as conn:
        for name in WRITTEN:
            table = SQLModel.metadata.tables[name]
            cols = [c for c in table.c if c.name not in ("created_at", "updated_at")]
            h = hashlib.sha256()
            for row in conn.execute(select(*cols).order_by(table.c.id)):
                h.update(repr(tuple(row)).encode())
            out[name] = h.hexdigest()
    return out


@pytest.mark.parametrize("backend", BACKENDS)
def test_same_n_gives_identical_rows(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    digests = []
    for k in (1, 2):
        (tmp_path / str(k)).mkdir()
        with database_copy(backend, request, tmp_path / str(k)) as url:
            engine = make_engine(url)
            try:
                with Session(engine) as session:
                    generate_scale(session, 1, years=1)
                digests.append(_digest(engine))
            finally:
                engine.dispose()
    assert digests[0] == digests[1]


def _overlaps(s: Session, table: str, key: str, a: str = "1=1", b: str = "1=1") -> int:
    """Pairs of rows of one key whose intervals share a moment: b starts within a (every
    overlapping pair has one that starts within the other; the index on key, starts_at finds
    it)."""
    sql = f"""SELECT count(*) FROM {table} a JOIN {table} b
              ON a.{key} = b.{key} AND a.id <> b.id
              AND b.starts_at >= a.starts_at AND b.starts_at < a.ends_at
              WHERE {a.replace("@", "a")} AND {b.replace("@", "b")}"""
    return s.execute(sa.text(sql)).scalar_one()


def test_no_active_bookings_overlap_but_some_rejected_ones_do(scaled: Scaled) -> None:
    active = "@.status IN ('requested', 'approved')"
    with Session(scaled[0]) as s:
        assert _overlaps(s, "venue_booking", "venue_id", active, active) == 0
        # Applications turned down because the slot was taken.
        assert _overlaps(s, "venue_booking", "venue_id", active, "@.status = 'rejected'") > 0


def test_no_trips_overlap_per_vehicle_or_driver(scaled: Scaled) -> None:
    with Session(scaled[0]) as s:
        assert _overlaps(s, "trip", "vehicle_id") == 0
        assert _overlaps(s, "trip", "driver_id") == 0


def test_attendees_fit_and_trips_are_plausible(scaled: Scaled) -> None:
    b, v, t, car = m.VenueBooking, m.Venue, m.Trip, m.Vehicle
    with Session(scaled[0]) as s:
        over = select(func.count()).select_from(b).join(v, v.id == b.venue_id)
        assert s.scalar(over.where(b.attendees > v.capacity)) == 0
        assert s.scalar(select(func.max(t.km))) <= get_settings().trip_km_max
        crowded = select(func.count()).select_from(t).join(car, car.id == t.vehicle_id)
        assert s.scalar(crowded.where(t.passengers > car.seats)) == 0
        kinds = dict(s.execute(select(t.trip_type, func.count()).group_by(t.trip_type)).all())
    assert 0.02 < kinds[m.TripType.LOAN] / kinds[m.TripType.DISPATCH] < 0.15


def test_gift_stock_never_goes_below_zero(scaled: Scaled) -> None:
    mv = m.GiftMovement
    with Session(scaled[0]) as s:
        rows = s.execute(select(mv.item_id, mv.moved_on, mv.direction, mv.quantity)).all()
    rows.sort(key=lambda r: (r.moved_on, str(r.direction) != "in"))
    stock: dict[int, int] = {}
    for item, _on, direction, qty in rows:
        stock[item] = stock.get(item, 0) + (qty if str(direction) == "in" else -qty)
        assert stock[item] >= 0, item


def test_budget_sources_fit_their_categories(scaled: Scaled) -> None:
    c = m.StaffingCount
    with Session(scaled[0]) as s:
        pairs = s.execute(select(c.category, c.budget_source).distinct()).all()
    for category, source in pairs:
        assert m.BudgetSource(source) in SOURCES[m.StaffCategory(category)]


_BOOKKEEPING = ("id", "created_at", "updated_at", "version")
# fmt: off
SAMPLED = (m.Venue, m.VenueBooking, m.Vehicle, m.Driver, m.Trip, m.Reception, m.GiftItem,
           m.GiftMovement, m.StaffingSnapshot, m.StaffingCount)
# fmt: on


@pytest.mark.parametrize("model", SAMPLED, ids=lambda model: model.__tablename__)
def test_sampled_rows_pass_the_apps_own_checks(scaled: Scaled, model: type[SQLModel]) -> None:
    """Field limits, foreign keys and the table's business rule, as a save of generated rows
    unchanged (they follow the demo's rows, which the demo's tests check)."""
    engine, report, _counts = scaled
    table = model.__table__
    with Session(engine) as s:
        ids = list(s.execute(select(table.c.id).order_by(table.c.id)).scalars())
        ids = ids[report.demo_rows[table.name] :]
        picked = sorted(random.Random(model.__tablename__).sample(ids, min(150, len(ids))))
        stored = {
            row.id: row for row in s.execute(select(model).where(table.c.id.in_(picked))).scalars()
        }
        edited, checked = {}, []
        for pos, row_id in enumerate(picked):
            values = {
                k: getattr(stored[row_id], k) for k in model.model_fields if k not in _BOOKKEEPING
            }
            row, errors = validate_row(model, pos, values)
            assert errors == [], errors
            edited[pos] = (row_id, row)
            checked.append((pos, row))
        assert foreign_key_errors(s, model, checked) == []
        batch = Batch(edited=edited, added=[], deleted=[], current=stored)
        assert rule_errors(s, table.name, batch) == []


def test_tables_written_have_their_change_stamps_bumped(scaled: Scaled) -> None:
    ts = m.TableStamp
    with Session(scaled[0]) as s:
        stamps = dict(s.execute(select(ts.table_name, ts.stamp)).all())
    assert all(stamps.get(name, 0) >= 1 for name in WRITTEN)


def test_second_run_is_refused_and_changes_nothing(scaled: Scaled) -> None:
    engine, _report, counts = scaled
    with Session(engine) as s:
        assert has_scale_data(s)
        with pytest.raises(ScaleRefused, match="已有擴充資料"):
            generate_scale(s, 2)
    with Session(engine) as s:
        assert count_rows(s) == counts


def test_data_other_than_the_demo_is_left_alone(engine: Engine) -> None:
    with Session(engine) as s:
        s.add(m.StaffingSnapshot(as_of=date(2024, 2, 29), label="既有資料"))
        s.commit()
        with pytest.raises(ScaleRefused, match="不是示範資料"):
            generate_scale(s, 1, years=1)
    with Session(engine) as s:
        counts = count_rows(s)
    assert counts["staffing_snapshot"] == 1
    assert sum(counts.values()) == 1


@pytest.mark.parametrize("n", [0, -3, "abc", 1.5, True, 1001])
def test_bad_n_is_refused_before_anything_is_read(n: Any) -> None:
    with pytest.raises(ScaleRefused, match="必須是"):
        check_arguments(n, 10)


def _cli(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    return subprocess.run(
        [sys.executable, "-m", "db.seed", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_scale_prints_the_summary_and_refuses_a_second_time(tmp_path: Path) -> None:
    db = tmp_path / "scale.db"
    engine = make_engine(f"sqlite:///{db}")
    upgrade_to_head(engine)
    engine.dispose()
    done = _cli("--scale", "1", db=db)
    assert done.returncode == 0, done.stderr
    assert "已產生擴充資料 N=1" in done.stdout and "場地借用" in done.stdout
    assert "已先載入示範資料" in done.stdout
    assert "列/秒" in done.stderr  # the progress bars
    again = _cli("--scale", "1", db=db)
    assert again.returncode == 2
    assert "已有擴充資料" in again.stderr


@pytest.mark.parametrize("n", ["0", "-3", "abc"])
def test_cli_refuses_a_bad_n_in_chinese(
    tmp_path: Path, n: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """In-process (the arguments are refused before any import of the data layer matters)."""
    from core.kernel.config import get_settings
    from db.seed.__main__ import main

    db = tmp_path / "absent.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    get_settings.cache_clear()
    try:
        try:
            code = main(["--scale", n])
        except SystemExit as exit_:  # argparse's own refusal
            code = exit_.code
    finally:
        get_settings.cache_clear()
    assert code == 2
    assert "必須是 1 到" in capsys.readouterr().err
    assert not db.exists()


def test_the_monthly_rollups_match_a_recount_after_the_load(scaled: Scaled):
    """The load writes with the rollups' triggers off and counts them once at the end."""
    from db import rollups

    engine, _report, _counts = scaled
    with engine.connect() as conn:
        assert rollups.differences(conn) == []
        kept = conn.exec_driver_sql("SELECT SUM(trips) FROM trip_month").scalar()
        assert kept == conn.exec_driver_sql("SELECT COUNT(*) FROM trip").scalar()
