"""Demo data: the report's figures, no double bookings, sane stock, determinism and the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine, func, select
from sqlmodel import Session, SQLModel

import db.models as m
from db.engine import make_engine
from db.seed import is_empty, load_demo_data
from db.seed.common import DEMO_TODAY

ROOT = Path(__file__).resolve().parents[2]
START, END_EXCL = datetime(2022, 7, 1), datetime(2023, 3, 16)


def _fresh(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    SQLModel.metadata.create_all(engine)
    return engine


def _loaded(path: Path) -> Engine:
    engine = _fresh(path)
    with Session(engine) as s:
        load_demo_data(s)
        s.commit()
    return engine


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    eng = _loaded(tmp_path_factory.mktemp("seed") / "demo.db")
    yield eng
    eng.dispose()


@pytest.fixture()
def s(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


def _in_period(model: type[SQLModel], col: sa.ColumnElement) -> list[sa.ColumnElement]:
    return [col >= START, col < END_EXCL]


def _bookings(s: Session, kind: m.BookingKind) -> int:
    b = m.VenueBooking
    return s.scalar(
        select(func.count())
        .select_from(b)
        .where(b.kind == kind, b.status == m.BookingStatus.APPROVED, *_in_period(b, b.starts_at))
    )


def _trips(s: Session, kind: m.TripType) -> int:
    t = m.Trip
    return s.scalar(
        select(func.count()).select_from(t).where(t.trip_type == kind, *_in_period(t, t.starts_at))
    )


def test_period_has_207_events_and_2041_meetings(s: Session) -> None:
    assert _bookings(s, m.BookingKind.EVENT) == 207
    assert _bookings(s, m.BookingKind.MEETING) == 2041


def test_period_has_770_dispatch_and_51_loan_trips(s: Session) -> None:
    assert _trips(s, m.TripType.DISPATCH) == 770
    assert _trips(s, m.TripType.LOAN) == 51


def test_award_ceremony_is_an_event_in_the_siwei_hall(s: Session) -> None:
    b, v = m.VenueBooking, m.Venue
    title = s.scalar(
        select(b.title)
        .join(v, v.id == b.venue_id)
        .where(
            v.name == "地下2樓大禮堂",
            b.starts_at >= datetime(2022, 8, 10),
            b.starts_at < datetime(2022, 8, 11),
        )
    )
    assert title == "2022年績優基層人員表揚典禮"


def _staff(s: Session, as_of: date) -> dict[tuple[str, str, str], int]:
    c, snap = m.StaffingCount, m.StaffingSnapshot
    rows = s.execute(
        select(c.category, c.budget_source, c.unit_type, func.sum(c.headcount))
        .join(snap, snap.id == c.snapshot_id)
        .where(snap.as_of == as_of)
        .group_by(c.category, c.budget_source, c.unit_type)
    ).all()
    return {(str(cat), str(src), str(ut)): n for cat, src, ut, n in rows}


def _total(
    cells: dict, category: str | None = None, source: str | None = None, unit: str | None = None
) -> int:
    return sum(
        n
        for (c, b, u), n in cells.items()
        if (category in (None, c)) and (source in (None, b)) and (unit in (None, u))
    )


def test_staffing_on_2023_02_28_matches_the_report(s: Session) -> None:
    cells = _staff(s, date(2023, 2, 28))
    assert _total(cells, "worker", unit="agency") == 5339
    assert _total(cells, "worker", unit="school") == 596
    assert _total(cells, "assistant") == 591
    assert _total(cells, "contract", "public") == 13
    assert _total(cells, "contract", "central") == 11
    assert _total(cells, "engineer", "engineering") == 15
    assert _total(cells, "other") == 1450
    assert _total(cells) - _total(cells, "worker") == 2080
    assert _total(cells) == 8015


def test_staffing_baseline_and_reduction_percentages(s: Session) -> None:
    base_date = s.scalar(select(m.StaffingSnapshot.as_of).where(m.StaffingSnapshot.is_baseline))
    base, now = _staff(s, base_date), _staff(s, date(2023, 2, 28))
    assert base_date == date(2010, 12, 25)
    assert _total(base, "worker") == 8462
    assert _total(base) - _total(base, "worker") == 3462
    assert _total(base, "assistant") == 1390

    def pct(b: int, n: int) -> float:
        return round((b - n) / b * 100, 2)

    assert pct(_total(base, "worker"), _total(now, "worker")) == 29.86
    assert pct(_total(base) - _total(base, "worker"), _total(now) - _total(now, "worker")) == 39.92
    assert pct(_total(base, "assistant"), _total(now, "assistant")) == 57.48


def test_no_snapshot_between_march_1_and_15_2023(s: Session) -> None:
    snap = m.StaffingSnapshot
    assert not s.scalar(
        select(func.count())
        .select_from(snap)
        .where(snap.as_of.between(date(2023, 3, 1), date(2023, 3, 15)))
    )


def test_temp_staff_reviews_in_period(s: Session) -> None:
    r = m.TempStaffReview
    row = s.execute(
        select(func.count(), func.sum(r.cases), func.sum(r.approved_people)).where(
            r.meeting_date.between(date(2022, 7, 1), date(2023, 3, 15))
        )
    ).one()
    assert tuple(row) == (5, 10, 27)


def _overlaps(s: Session, table: str, key: str, where: str = "1=1") -> int:
    sql = f"""SELECT count(*) FROM {table} a JOIN {table} b
              ON a.{key} = b.{key} AND a.id < b.id
              AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
              WHERE {where.replace("@", "a")} AND {where.replace("@", "b")}"""
    return s.execute(sa.text(sql)).scalar_one()


def test_no_overlapping_active_bookings_per_venue(s: Session) -> None:
    assert _overlaps(s, "venue_booking", "venue_id", "@.status <> 'cancelled'") == 0


def test_no_overlapping_trips_per_vehicle_or_driver(s: Session) -> None:
    assert _overlaps(s, "trip", "vehicle_id") == 0
    assert _overlaps(s, "trip", "driver_id") == 0


def test_attendees_fit_the_venue(s: Session) -> None:
    b, v = m.VenueBooking, m.Venue
    assert not s.scalar(
        select(func.count())
        .select_from(b)
        .join(v, v.id == b.venue_id)
        .where(b.attendees > v.capacity)
    )


def _stock(s: Session) -> tuple[dict[int, int], bool]:
    mv = m.GiftMovement
    rows = s.execute(select(mv.item_id, mv.moved_on, mv.direction, mv.quantity)).all()
    rows.sort(key=lambda r: (r.moved_on, str(r.direction) != "in"))
    stock: dict[int, int] = {}
    ever_negative = False
    for item, _on, direction, qty in rows:
        stock[item] = stock.get(item, 0) + (qty if str(direction) == "in" else -qty)
        ever_negative |= stock[item] < 0
    return stock, ever_negative


def test_stock_never_goes_negative(s: Session) -> None:
    assert _stock(s)[1] is False


def test_some_item_ends_below_its_threshold(s: Session) -> None:
    stock = _stock(s)[0]
    items = s.execute(select(m.GiftItem)).scalars()
    assert any(stock.get(i.id, 0) < i.low_stock_threshold for i in items)


NAMED_DATES = {
    "愛格涅": date(2022, 8, 9),
    "龔薩福": date(2022, 8, 10),
    "孫曉雅": date(2022, 9, 23),
    "龐培歐": date(2022, 9, 27),
    "艾德里安．施里納": date(2022, 11, 30),
    "皮耶": date(2022, 12, 1),
    "碧坎蒂": date(2022, 12, 8),
    "柏安卓": date(2022, 12, 8),
    "潘恩紐": date(2022, 12, 8),
    "歐儒侃": date(2022, 12, 8),
    "潘恩": date(2022, 12, 8),
    "范東亞": date(2022, 12, 8),
    "小池百合子": date(2022, 12, 12),
    "渡邊竜五": date(2022, 12, 17),
    "朗．尼倫伯格": date(2022, 12, 20),
    "蒲島郁夫": date(2023, 1, 13),
    "大西一史": date(2023, 1, 13),
    "萩生田光一": date(2023, 3, 7),
    "服部誠太郎": date(2023, 3, 10),
}
UNDATED = (
    "黃東偉",
    "恩西比",
    "穆姆德",
    "安德生",
    "阿邁德",
    "歐賀曼",
    "凱米．戴伊",
    "馬嘉博",
    "遠藤富士雄",
    "古屋圭司",
    "黃潔宜",
    "一見勝之",
    "菲莉普",
    "林正之",
    "羅瑞",
)


def test_named_visitors_have_their_stated_dates(s: Session) -> None:
    r = m.Reception
    got = {
        row.visitor_name_zh: (row.visit_date, row.date_is_estimate)
        for row in s.execute(select(r)).scalars()
    }
    guests = dict(
        s.execute(
            select(m.ReceptionGuest.name_zh, r.visit_date).join(
                r, r.id == m.ReceptionGuest.reception_id
            )
        ).all()
    )
    for name, day in NAMED_DATES.items():
        # The envoys of 111/12/8 other than its leader are guests of that one reception.
        assert got[name] == (day, False) if name in got else guests[name] == day, name
    for name in UNDATED:
        day, estimate = got[name]
        assert estimate and date(2022, 7, 1) <= day <= date(2023, 3, 15), name


def test_video_calls_are_marked(s: Session) -> None:
    r = m.Reception
    video = set(
        s.execute(
            select(r.visitor_name_zh)
            .where(r.mode == m.MeetingMode.VIDEO)
            .where(r.visit_date >= date(2022, 7, 1))
        ).scalars()
    )
    assert {"艾德里安．施里納", "凱米．戴伊", "朗．尼倫伯格"} <= video


def test_signing_dates_give_the_2022_anniversaries(s: Session) -> None:
    c = m.PartnerCity
    signed = dict(s.execute(select(c.name_en, c.signed_on)).all())
    assert len(signed) == 16
    assert 2022 - signed["San Antonio"].year == 40
    assert 2022 - signed["Brisbane"].year == 25
    assert 2022 - signed["Daejeon"].year == 5


def test_foreign_guest_trips_on_reception_days(s: Session) -> None:
    t = m.Trip
    starts = s.execute(
        select(t.starts_at).where(
            t.purpose == m.TripPurpose.FOREIGN_GUESTS, t.trip_type == m.TripType.DISPATCH
        )
    ).scalars()
    days = {x.date() for x in starts}  # trips start at 08:00 or later: same day in UTC too
    assert {date(2022, 8, 9), date(2022, 12, 8), date(2023, 1, 13)} <= days


def test_overdue_ethics_case_exists(s: Session) -> None:
    g = m.GiftReceived
    assert s.scalar(
        select(func.count())
        .select_from(g)
        .where(
            g.estimated_value > 3000,
            g.ethics_notified_on.is_(None),
            g.received_on >= DEMO_TODAY - timedelta(days=60),
        )
    )


def test_is_empty_is_false_after_loading(s: Session) -> None:
    assert is_empty(s) is False


DUMPED = (m.PartnerCity, m.Reception, m.VenueBooking, m.Trip, m.GiftMovement, m.StaffingCount)


def _dump(engine: Engine) -> dict[str, list[tuple]]:
    out = {}
    with engine.connect() as conn:
        for model in DUMPED:
            cols = [c for c in model.__table__.c if c.name not in ("created_at", "updated_at")]
            out[model.__tablename__] = conn.execute(
                select(*cols).order_by(model.__table__.c.id)
            ).all()
    return out


def test_loading_twice_gives_identical_rows(engine: Engine, tmp_path: Path) -> None:
    other = _loaded(tmp_path / "again.db")
    try:
        assert _dump(engine) == _dump(other)
    finally:
        other.dispose()


def _cli(db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    return subprocess.run(
        [sys.executable, "-m", "db.seed"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_refuses_a_database_with_data(tmp_path: Path) -> None:
    db = tmp_path / "busy.db"
    eng = _fresh(db)
    with Session(eng) as s:
        s.add(m.StaffingSnapshot(as_of=date(2024, 2, 29), label="既有資料"))
        s.commit()
    done = _cli(db)
    assert done.returncode == 2, done.stderr
    assert "已有資料" in done.stderr
    with Session(eng) as s:
        assert s.scalar(select(func.count()).select_from(m.PartnerCity)) == 0
        assert s.scalar(select(func.count()).select_from(m.StaffingSnapshot)) == 1
    eng.dispose()


def test_cli_creates_nothing_without_a_schema(tmp_path: Path) -> None:
    db = tmp_path / "absent.db"
    assert _cli(db).returncode == 1
    assert not db.exists()
