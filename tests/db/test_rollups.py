"""The monthly rollups: kept equal to a recount by the triggers whoever writes, and a period's
figures read through them equal a direct count of the rows."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import Engine, delete, func, insert, inspect, select, update
from sqlmodel import Session

import db.models as m
from core.figures.compute import fleet_figures, venue_figures
from core.fleet import usage as fleet_usage
from core.kernel import cache, monthly
from core.kernel.periods import Period, split_months
from core.venues import use as venue_use
from db import migrate, rollups
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
    trips = demo.scalar(select(func.count()).select_from(m.Trip))
    assert demo.scalar(select(func.sum(m.TripMonth.trips))) == trips
    assert demo.scalar(select(func.sum(m.VehicleTripMonth.trips))) == trips


def test_the_vehicle_rollups_migration_counts_the_trips_already_there(demo):
    """Revision 4c6e1a8f3b57 on a database that has trips (one of them past midnight): counted
    at once, with its triggers on."""
    engine = demo.get_bind()
    demo.close()
    _migrate(engine, command.downgrade, "c5d81e2f4a90")  # its parent
    with Session(engine) as session:
        assert "vehicle_trip_month" not in inspect(session.connection()).get_table_names()
        vehicle_id = session.scalar(select(m.Vehicle.id))
        night = _trip(random.Random(3), vehicle_id, 0)
        night["starts_at"] = datetime(2031, 5, 2, 22)  # a Friday, until Saturday 10:00
        night["ends_at"] = night["starts_at"] + timedelta(hours=12)
        session.execute(insert(m.Trip.__table__).values(**night))
        session.commit()
    _migrate(engine, command.upgrade, "head")
    with Session(engine) as session:
        assert _differences(session) == []
        assert session.scalar(select(func.sum(m.VehicleTripMonth.multi_day))) == 1
        session.execute(insert(m.Trip.__table__).values(**_trip(random.Random(4), vehicle_id, 1)))
        assert _differences(session) == []  # its triggers count a new trip


def _migrate(engine: Engine, step, target: str) -> None:
    with migrate.migration_transaction(engine) as conn:
        config = migrate.alembic_config()
        config.attributes["connection"] = conn
        step(config, target)


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
    trip_slots = dict.fromkeys(vehicle_ids, 10)
    for trip_id in rng.sample(mine, 40):
        change = rng.choice(["km_type", "length", "vehicle", "note"])
        if change == "km_type":
            values = dict(km=rng.uniform(0, 50), trip_type=rng.choice(list(m.TripType)).value)
        elif change == "length":  # past midnight or not, into the next month or not
            starts = demo.scalar(select(trips.c.starts_at).where(trips.c.id == trip_id))
            values = dict(ends_at=starts + timedelta(hours=rng.choice([1, 9, 14, 30, 24 * 4])))
        elif change == "vehicle":  # another car, at a time of its own
            vehicle = rng.choice(vehicle_ids)
            values = _trip(rng, vehicle, trip_slots[vehicle])
            trip_slots[vehicle] += 1
        else:  # a column no rollup counts: no trigger work
            values = dict(note="renamed")
        demo.execute(update(trips).where(trips.c.id == trip_id).values(**values))
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
    _trips_past_midnight(demo, rng)
    demo.commit()
    cache.clear()
    rows = _rows(demo)
    trips = _vehicle_trips(demo)
    for period in _periods(rng):
        assert _usage(fleet_usage.vehicle_usage(demo, period)) == _direct_usage(trips, period), (
            period,
            split_months(period),
        )
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


def _trips_past_midnight(session: Session, rng: random.Random) -> None:
    """A car of its own for trips over midnight, a weekend and a month's end in the demo
    years (the demo data has none): their working hours are worked out trip by trip."""
    car = m.Vehicle(plate="TST-0001", kind=m.VehicleKind.SEDAN, model_name="測試車", seats=5,
                    fuel_type=m.FuelType.GASOLINE, km_per_litre=12.0)  # fmt: skip
    session.add(car)
    session.flush()
    for i in range(40):
        starts = datetime(2021, 1, 3) + timedelta(days=29 * i, minutes=30 * rng.randrange(0, 48))
        ends = starts + timedelta(hours=rng.choice([2, 9, 20, 30, 24 * 3 + 5]))
        session.execute(insert(m.Trip.__table__).values(
            vehicle_id=car.id, starts_at=starts, ends_at=ends, requesting_agency="行國處",
            trip_type=rng.choice(list(m.TripType)).value, purpose=m.TripPurpose.OTHER.value,
            km=round(rng.uniform(5, 400), 1),
        ))  # fmt: skip


def _vehicle_trips(session: Session) -> list:
    t, v = m.Trip, m.Vehicle
    return session.execute(
        select(v.plate, v.in_service, t.starts_at, t.ends_at, t.trip_type, t.km).outerjoin(
            t, t.vehicle_id == v.id
        )
    ).all()


def _direct_usage(trips: list, period: Period) -> dict:
    """plate -> (trips, dispatch, loans, km, hours, working hours) of the trips starting in
    the period, counted in Python trip by trip; vehicles in service or with such trips."""
    sums: dict = {}
    for plate, in_service, starts, ends, trip_type, km in trips:
        row = sums.setdefault(plate, [in_service, 0, 0, 0, 0.0, 0, 0.0])
        if starts is None or not period.start_dt <= starts < period.end_dt:
            continue
        row[1] += 1
        row[2] += trip_type == m.TripType.DISPATCH
        row[3] += trip_type == m.TripType.LOAN
        row[4] += km
        row[5] += int((ends - starts).total_seconds())
        row[6] += fleet_usage.window_hours(starts, ends, period)
    return {
        plate: (n, dispatch, loans, round(km, 1), round(seconds / 3600, 2), round(work, 2))
        for plate, (in_service, n, dispatch, loans, km, seconds, work) in sums.items()
        if in_service or n
    }


def _usage(frame) -> dict:
    columns = ["plate", "trips", "dispatch", "loans", "km", "hours", "working_hours"]
    return {plate: tuple(rest) for plate, *rest in frame[columns].itertuples(index=False)}


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
    capsys.readouterr()
    vehicle_month = m.VehicleTripMonth
    demo.execute(
        update(vehicle_month)
        .where(vehicle_month.month == demo.scalar(select(func.max(vehicle_month.month))))
        .values(working_seconds=vehicle_month.working_seconds + 1800)
    )
    demo.commit()
    assert rollups.main(["--database-url", demo_db_url, "--check"]) == 1
    assert "vehicle_trip_month" in capsys.readouterr().out
    assert rollups.main(["--database-url", demo_db_url, "--rebuild"]) == 0
    assert _differences(demo) == []


def test_a_suspended_load_that_fails_leaves_triggers_and_rollups_as_they_were(demo):
    def kept() -> list:
        return [demo.execute(select(table)).all() for table in _ROLLUP_TABLES]

    before = kept()
    venue_id = demo.scalar(select(m.Venue.id))
    vehicle_id = demo.scalar(select(m.Vehicle.id))
    with pytest.raises(RuntimeError), rollups.suspended(demo):
        demo.execute(
            insert(m.VenueBooking.__table__).values(**_booking(random.Random(1), venue_id, 0))
        )
        demo.execute(insert(m.Trip.__table__).values(**_trip(random.Random(1), vehicle_id, 0)))
        raise RuntimeError("the loader failed")
    demo.rollback()
    assert kept() == before
    # The triggers are back: a new approved booking is counted at once.
    row = _booking(random.Random(2), venue_id, 0) | {"status": m.BookingStatus.APPROVED.value}
    demo.execute(insert(m.VenueBooking.__table__).values(**row))
    assert _differences(demo) == []
    assert demo.scalar(select(func.sum(m.VenueBookingMonth.bookings))) == 1 + sum(
        r.bookings for r in before[0]
    )
    demo.execute(insert(m.Trip.__table__).values(**_trip(random.Random(2), vehicle_id, 0)))
    assert _differences(demo) == []
    assert demo.scalar(select(func.sum(m.VehicleTripMonth.trips))) == 1 + sum(
        r.trips for r in before[2]
    )


_ROLLUP_TABLES = (m.VenueBookingMonth.__table__, m.TripMonth.__table__,
                  m.VehicleTripMonth.__table__)  # fmt: skip
