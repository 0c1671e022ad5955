"""The monthly rollups: kept equal to a recount by the triggers whoever writes, and a period's
figures read through them equal a direct count of the rows."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, insert, select, update
from sqlmodel import Session

import db.models as m
from core.figures.compute import fleet_figures, venue_figures
from core.kernel import cache, monthly
from core.kernel.periods import Period, split_months
from core.venues import use as venue_use
from db import rollups
from db.engine import make_engine

BASE = datetime(2031, 1, 1)  # after the demo data: the rows written here stand alone
SPACING = timedelta(days=50)  # each row of a venue / vehicle starts this far after the last
STATUSES = [s.value for s in m.BookingStatus]


@pytest.fixture
def demo(demo_db_url: str) -> Iterator[Session]:
    """A session on a database of this test's own holding the demo data."""
    engine = make_engine(demo_db_url)
    cache.clear()
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


def _differences(session: Session) -> list[str]:
    return rollups.differences(session.connection())


def _booking(rng: random.Random, venue_id: int, slot: int) -> dict:
    """A booking in its own 50-day slot of a venue, up to 45 days long (so often over a month's
    end and sometimes over two), so no two of one venue overlap."""
    starts = BASE + slot * SPACING + timedelta(minutes=30 * rng.randrange(0, 96))
    ends = starts + timedelta(minutes=30 * rng.choice([1, 3, 8, 48, 400, 2000]))
    return dict(
        venue_id=venue_id, starts_at=starts, ends_at=ends, title=f"rollup {slot}",
        organiser_agency="行政暨國際處", purpose=rng.choice(list(m.BookingPurpose)).value,
        kind=rng.choice(list(m.BookingKind)).value, attendees=10,
        status=rng.choices(STATUSES, weights=[1, 6, 1, 1])[0],
    )  # fmt: skip


def _trip(rng: random.Random, vehicle_id: int, slot: int) -> dict:
    starts = BASE + slot * SPACING + timedelta(hours=rng.randrange(0, 24 * 40))
    return dict(
        vehicle_id=vehicle_id, starts_at=starts, ends_at=starts + timedelta(hours=3),
        trip_type=rng.choice(list(m.TripType)).value, requesting_agency="行政暨國際處",
        purpose=rng.choice(list(m.TripPurpose)).value, km=round(rng.uniform(0, 300), 1),
    )  # fmt: skip


def test_the_migration_counted_the_rows_already_there_and_the_demo_load_is_counted(demo):
    assert _differences(demo) == []
    kept = demo.scalar(select(func.sum(m.VenueBookingMonth.bookings)))
    approved = demo.scalar(
        select(func.count())
        .select_from(m.VenueBooking)
        .where(m.VenueBooking.status == m.BookingStatus.APPROVED)
    )
    assert kept == approved > 0
    assert demo.scalar(select(func.sum(m.TripMonth.trips))) == demo.scalar(
        select(func.count()).select_from(m.Trip)
    )


def test_triggers_keep_the_rollups_equal_to_a_recount_through_any_write(demo):
    rng = random.Random(7)
    venue_ids = list(demo.scalars(select(m.Venue.id)))
    vehicle_ids = list(demo.scalars(select(m.Vehicle.id)))
    table, trips = m.VenueBooking.__table__, m.Trip.__table__
    slots = {v: 0 for v in venue_ids}
    for _ in range(120):  # raw inserts (no ORM, no edit pipeline), as a loader or psql would
        venue = rng.choice(venue_ids)
        demo.execute(insert(table).values(**_booking(rng, venue, slots[venue])))
        slots[venue] += 1
    for i, vehicle in enumerate(vehicle_ids * 10):
        demo.execute(insert(trips).values(**_trip(rng, vehicle, i // len(vehicle_ids))))
    demo.flush()
    assert _differences(demo) == []

    ours = list(demo.scalars(select(table.c.id).where(table.c.title.like("rollup %"))))
    for booking_id in rng.sample(ours, 60):
        change = rng.choice(["status", "move", "kind", "title", "venue"])
        values: dict = {}
        if change == "status":
            values["status"] = rng.choice(STATUSES)
        elif change == "move":  # a new end within its slot, over a month's end or not
            starts = demo.scalar(select(table.c.starts_at).where(table.c.id == booking_id))
            values["ends_at"] = starts + timedelta(hours=rng.choice([1, 30, 24 * 20, 24 * 45]))
        elif change == "kind":
            values["kind"] = rng.choice(list(m.BookingKind)).value
        elif change == "title":  # a column the rollups do not count: no trigger work
            values["title"] = "renamed"
        else:
            venue = rng.choice(venue_ids)
            values.update(_booking(rng, venue, slots[venue]))
            slots[venue] += 1
        demo.execute(update(table).where(table.c.id == booking_id).values(**values))
    mine = list(demo.scalars(select(trips.c.id).where(trips.c.starts_at >= BASE)))
    for trip_id in rng.sample(mine, 20):
        demo.execute(
            update(trips)
            .where(trips.c.id == trip_id)
            .values(km=rng.uniform(0, 50), trip_type=rng.choice(list(m.TripType)).value)
        )
    demo.execute(delete(table).where(table.c.id.in_(rng.sample(ours, 30))))
    demo.execute(delete(trips).where(trips.c.id.in_(rng.sample(mine, 10))))
    demo.flush()
    assert _differences(demo) == []

    demo.rollback()  # the writes go, and the rollups' changes with them
    assert _differences(demo) == []
    assert (
        demo.scalar(select(func.count()).select_from(table).where(table.c.starts_at >= BASE)) == 0
    )


def _rows(session: Session) -> tuple[list, list]:
    """(approved bookings, trips) as plain tuples, read once."""
    b, t = m.VenueBooking, m.Trip
    bookings = session.execute(
        select(b.starts_at, b.ends_at, b.kind).where(b.status == m.BookingStatus.APPROVED)
    ).all()
    return bookings, session.execute(select(t.starts_at, t.trip_type, t.km)).all()


def _direct(rows: tuple[list, list], period: Period) -> tuple[dict, dict]:
    """The period's venue and fleet figures counted in Python from every row."""
    lo, hi = period.start_dt, period.end_dt
    events = meetings = 0
    seconds = 0.0
    for starts, ends, kind in rows[0]:
        if lo <= starts < hi:
            events += kind == m.BookingKind.EVENT
            meetings += kind == m.BookingKind.MEETING
        seconds += max(0.0, (min(ends, hi) - max(starts, lo)).total_seconds())
    dispatch = loan = 0
    km = 0.0
    for starts, trip_type, trip_km in rows[1]:
        if lo <= starts < hi:
            dispatch += trip_type == m.TripType.DISPATCH
            loan += trip_type == m.TripType.LOAN
            km += trip_km
    venue = {"venue.events_opened": events, "venue.meeting_bookings": meetings,
             "venue.booked_hours": round(seconds / 3600, 1)}  # fmt: skip
    fleet = {"fleet.dispatch_trips": dispatch, "fleet.loan_trips": loan,
             "fleet.km": round(km, 1)}  # fmt: skip
    return venue, fleet


def _periods(rng: random.Random) -> list[Period]:
    """Whole months, partial months on either side, one day, a day over a month's end, a year,
    ten years, and random ones over the demo years."""
    fixed = [
        Period(date(2023, 1, 1), date(2023, 1, 31)),
        Period(date(2022, 7, 1), date(2023, 3, 15)),
        Period(date(2022, 7, 20), date(2023, 3, 31)),
        Period(date(2022, 9, 14), date(2022, 9, 14)),
        Period(date(2022, 10, 31), date(2022, 11, 1)),
        Period(date(2022, 1, 1), date(2022, 12, 31)),
        Period(date(2016, 1, 1), date(2025, 12, 31)),
    ]
    randoms = []
    for _ in range(12):
        start = date(2021, 1, 1) + timedelta(days=rng.randrange(0, 900))
        randoms.append(Period(start, start + timedelta(days=rng.randrange(0, 400))))
    return fixed + randoms


def test_figures_through_the_rollups_equal_a_direct_count_for_any_period(demo):
    rng = random.Random(11)
    table = m.VenueBooking.__table__
    # Long approved bookings over months' ends in the demo years, in a venue of its own.
    venue = m.Venue(centre=m.Centre.SIWEI, name="彙總測試廳", kind=m.VenueKind.HALL, capacity=50)
    demo.add(venue)
    demo.flush()
    for i in range(8):
        starts = datetime(2022, 6, 20) + timedelta(days=61 * i, hours=rng.randrange(0, 24))
        ends = starts + timedelta(days=rng.choice([3, 15, 40]), minutes=30)
        demo.execute(insert(table).values(
            venue_id=venue.id, starts_at=starts, ends_at=ends, organiser_agency="行國處",
            purpose=m.BookingPurpose.EXHIBITION.value, kind=m.BookingKind.EVENT.value,
            status=m.BookingStatus.APPROVED.value,
        ))  # fmt: skip
    demo.commit()
    cache.clear()
    rows = _rows(demo)
    for period in _periods(rng):
        venue_expected, fleet_expected = _direct(rows, period)
        got_venue, got_fleet = venue_figures(demo, period), fleet_figures(demo, period)
        split = split_months(period)
        assert {k: got_venue[k] for k in venue_expected} == venue_expected, (period, split)
        assert {k: got_fleet[k] for k in fleet_expected} == fleet_expected, (period, split)
        assert venue_use.utilisation(demo, period)["booked_hours"].sum() == pytest.approx(
            venue_expected["venue.booked_hours"], abs=0.06
        )
        assert _by_month(monthly.bookings_by_month(demo, period)) == _direct_months(
            [(s, k, 0.0) for s, _e, k in rows[0]], period
        ), (period, split)
        got = monthly.trips_by_month(demo, period)
        assert _by_month(got) == _direct_months(rows[1], period), (period, split)
        assert round(got["km"].sum(), 1) == fleet_expected["fleet.km"]


def _by_month(frame) -> dict:
    return {
        (m.strftime("%Y-%m"), str(getattr(k, "value", k))): int(n)
        for m, k, n in zip(frame["month"], frame["kind"], frame["count"], strict=True)
    }


def _direct_months(rows: list, period: Period) -> dict:
    """(YYYY-MM, kind) -> how many of rows (start, kind, _) start in the period."""
    out: dict = {}
    for starts, kind, _ in rows:
        if period.start_dt <= starts < period.end_dt:
            key = (starts.strftime("%Y-%m"), str(getattr(kind, "value", kind)))
            out[key] = out.get(key, 0) + 1
    return out


def test_check_and_rebuild_from_the_command_line(demo, demo_db_url, capsys):
    assert rollups.main(["--database-url", demo_db_url]) == 0
    assert "相符" in capsys.readouterr().out
    demo.execute(update(m.VenueBookingMonth).values(seconds=m.VenueBookingMonth.seconds + 60))
    demo.commit()
    assert rollups.main(["--database-url", demo_db_url, "--check"]) == 1
    assert "不符" in capsys.readouterr().out
    assert rollups.main(["--database-url", demo_db_url, "--rebuild"]) == 0
    assert rollups.main(["--database-url", demo_db_url]) == 0
    assert _differences(demo) == []


def test_a_suspended_load_that_fails_leaves_triggers_and_rollups_as_they_were(demo):
    before = demo.execute(select(m.VenueBookingMonth.__table__)).all()
    venue_id = demo.scalar(select(m.Venue.id))
    with pytest.raises(RuntimeError), rollups.suspended(demo):
        demo.execute(
            insert(m.VenueBooking.__table__).values(**_booking(random.Random(1), venue_id, 0))
        )
        raise RuntimeError("the loader failed")
    demo.rollback()
    assert demo.execute(select(m.VenueBookingMonth.__table__)).all() == before
    # The triggers are back: a new approved booking is counted at once.
    row = _booking(random.Random(2), venue_id, 0) | {"status": m.BookingStatus.APPROVED.value}
    demo.execute(insert(m.VenueBooking.__table__).values(**row))
    assert _differences(demo) == []
    assert demo.scalar(select(func.sum(m.VenueBookingMonth.bookings))) == 1 + sum(
        r.bookings for r in before
    )
