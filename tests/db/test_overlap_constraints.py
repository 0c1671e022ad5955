"""PostgreSQL backs the no-overlap rules with exclusion constraints: a save that got past the
rules (a server racing another) is refused by the database, with a zh-TW message."""

from datetime import datetime

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.editing import registry
from core.editing.pipeline import Actor, EditorState, save_changes
from db.models import Driver, Trip, Vehicle, Venue, VenueBooking

ADMIN = Actor("ada", "admin", frozenset())


@pytest.fixture
def pg_session(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("exclusion constraints are PostgreSQL's; SQLite relies on the rules")
    with Session(engine) as session:
        yield session


def _booking(venue_id: int, start: int, end: int, status: str = "approved") -> dict:
    return dict(
        venue_id=venue_id, starts_at=datetime(2026, 12, 1, start),
        ends_at=datetime(2026, 12, 1, end), organiser_agency="民政局", purpose="meeting",
        kind="meeting", attendees=5, status=status,
    )  # fmt: skip


@pytest.fixture
def room(pg_session) -> int:
    venue = Venue(centre="siwei", name="第二會議室", kind="meeting_room", capacity=30)
    pg_session.add(venue)
    pg_session.commit()
    pg_session.execute(insert(VenueBooking).values(**_booking(venue.id, 9, 12)))
    pg_session.commit()
    return venue.id


def test_overlapping_active_bookings_are_refused_by_the_database(pg_session, room):
    with pytest.raises(IntegrityError) as raised:
        pg_session.execute(insert(VenueBooking).values(**_booking(room, 11, 13)))
    assert raised.value.orig.sqlstate == "23P01"
    pg_session.rollback()
    # touching ends, and a cancelled booking on the same slot, are fine
    pg_session.execute(insert(VenueBooking).values(**_booking(room, 12, 13)))
    pg_session.execute(insert(VenueBooking).values(**_booking(room, 10, 11, "cancelled")))
    pg_session.commit()


def test_a_save_past_the_rules_gets_the_overlap_message_and_changes_nothing(
    pg_session, room, monkeypatch
):
    monkeypatch.setitem(registry.RULES, "venue_booking", ())
    before = pg_session.scalar(select(func.count()).select_from(VenueBooking))
    pg_session.rollback()
    state = EditorState([], added_rows=[_booking(room, 10, 11)])
    result = save_changes(pg_session, VenueBooking, state, actor=ADMIN)
    assert not result.ok
    assert "時段重疊" in " ".join(result.messages())
    assert pg_session.scalar(select(func.count()).select_from(VenueBooking)) == before


def test_a_vehicle_or_driver_in_two_trips_is_refused_by_the_database(pg_session):
    van, car, driver = (
        Vehicle(plate="KAB-1", kind="vip_van", seats=9),
        Vehicle(plate="KAB-2", kind="sedan", seats=5),
        Driver(name="陳司機"),
    )
    pg_session.add_all([van, car, driver])
    pg_session.commit()

    def trip(vehicle: int, driver_id: int | None, start: int, end: int) -> dict:
        return dict(
            vehicle_id=vehicle, driver_id=driver_id, starts_at=datetime(2026, 12, 2, start),
            ends_at=datetime(2026, 12, 2, end), trip_type="dispatch", requesting_agency="行國處",
            purpose="official", km=10,
        )  # fmt: skip

    pg_session.execute(insert(Trip).values(**trip(van.id, driver.id, 9, 12)))
    pg_session.commit()
    for clash in (trip(van.id, None, 11, 13), trip(car.id, driver.id, 8, 10)):
        with pytest.raises(IntegrityError):
            pg_session.execute(insert(Trip).values(**clash))
        pg_session.rollback()
    # two trips without a driver on different cars at the same time are fine
    pg_session.execute(insert(Trip).values(**trip(car.id, None, 9, 12)))
    pg_session.commit()
