"""Bookings of one venue and trips of one car or driver never overlap ([start, end), touching
ends allowed); attendees within capacity; km within the per-trip maximum. Every refusal
leaves the database as it was."""

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from core.editing.pipeline import Actor, EditorState, save_changes
from db.models import AuditEntry, Driver, Trip, Vehicle, Venue, VenueBooking

ADMIN = Actor("ada", "admin", frozenset())


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute)


def _rows(session: Session, model) -> list[dict[str, Any]]:
    table = model.__table__
    rows = [dict(r) for r in session.execute(select(table).order_by(table.c.id)).mappings()]
    session.rollback()
    return rows


def _count(session: Session, model) -> int:
    n = session.scalar(select(func.count()).select_from(model))
    session.rollback()
    return n


def _save(session: Session, model, state: EditorState):
    return save_changes(session, model, state, actor=ADMIN)


@pytest.fixture
def rooms(session: Session) -> dict[str, int]:
    hall = Venue(centre="siwei", name="大禮堂", kind="hall", capacity=300)
    room = Venue(centre="siwei", name="第一會議室", kind="meeting_room", capacity=20)
    session.add_all([hall, room])
    session.commit()
    booked = VenueBooking(
        venue_id=room.id, starts_at=at(1, 9), ends_at=at(1, 12), title="主管會報",
        organiser_agency="行國處", purpose="meeting", kind="meeting", attendees=15,
    )  # fmt: skip
    session.add(booked)
    session.commit()
    return {"hall": hall.id, "room": room.id, "booked": booked.id}


def _booking(venue_id: int, start: datetime, end: datetime, **extra) -> dict[str, Any]:
    row = {
        "venue_id": venue_id, "starts_at": start, "ends_at": end, "title": "業務說明會",
        "organiser_agency": "民政局", "purpose": "meeting", "kind": "meeting",
        "attendees": 10, "status": "approved",
    }  # fmt: skip
    return row | extra


def test_back_to_back_bookings_are_allowed(session, rooms):
    before = _booking(rooms["room"], at(1, 8), at(1, 9))
    after = _booking(rooms["room"], at(1, 12), at(1, 13))
    result = _save(
        session, VenueBooking, EditorState(_rows(session, VenueBooking), added_rows=[before, after])
    )
    assert result.ok, result.messages()
    assert _count(session, VenueBooking) == 3


def test_an_overlap_names_the_stored_booking_and_changes_nothing(session, rooms):
    audits = _count(session, AuditEntry)
    clash = _booking(rooms["room"], at(1, 11, 30), at(1, 13))
    result = _save(
        session, VenueBooking, EditorState(_rows(session, VenueBooking), added_rows=[clash])
    )
    assert not result.ok
    text = " ".join(result.messages())
    assert f"#{rooms['booked']}" in text and "第一會議室" in text and "主管會報" in text
    assert "115/12/01 09:00–12:00" in text
    assert (_count(session, VenueBooking), _count(session, AuditEntry)) == (1, audits)


def test_another_venue_or_a_cancelled_booking_does_not_clash(session, rooms):
    other_room = _booking(rooms["hall"], at(1, 10), at(1, 11))
    cancelled = _booking(rooms["room"], at(1, 10), at(1, 11), status="cancelled")
    state = EditorState(_rows(session, VenueBooking), added_rows=[other_room, cancelled])
    assert _save(session, VenueBooking, state).ok


def test_a_requested_booking_holds_its_slot(session, rooms):
    pending = _booking(rooms["hall"], at(2, 13), at(2, 17), status="requested")
    assert _save(
        session, VenueBooking, EditorState(_rows(session, VenueBooking), added_rows=[pending])
    ).ok
    clash = _booking(rooms["hall"], at(2, 16), at(2, 18))
    assert not _save(
        session, VenueBooking, EditorState(_rows(session, VenueBooking), added_rows=[clash])
    ).ok


def test_two_new_rows_of_one_save_clash_with_each_other(session, rooms):
    a = _booking(rooms["hall"], at(3, 9), at(3, 12))
    b = _booking(rooms["hall"], at(3, 11), at(3, 14))
    result = _save(
        session, VenueBooking, EditorState(_rows(session, VenueBooking), added_rows=[a, b])
    )
    assert not result.ok
    assert "新增第 1 列" in " ".join(result.messages())
    assert _count(session, VenueBooking) == 1


def test_moving_a_booking_within_its_own_slot_is_not_a_clash(session, rooms):
    rows = _rows(session, VenueBooking)
    state = EditorState(rows, edited_rows={0: {"ends_at": at(1, 11)}})
    assert _save(session, VenueBooking, state).ok


def test_cancelling_then_rebooking_the_slot_in_one_save(session, rooms):
    rows = _rows(session, VenueBooking)
    again = _booking(rooms["room"], at(1, 9), at(1, 12))
    state = EditorState(rows, edited_rows={0: {"status": "cancelled"}}, added_rows=[again])
    assert _save(session, VenueBooking, state).ok


def test_moving_a_booking_onto_another_is_refused(session, rooms):
    other = _booking(rooms["room"], at(1, 14), at(1, 16))
    assert _save(
        session, VenueBooking, EditorState(_rows(session, VenueBooking), added_rows=[other])
    ).ok
    rows = _rows(session, VenueBooking)
    state = EditorState(rows, edited_rows={1: {"starts_at": at(1, 10), "ends_at": at(1, 11)}})
    result = _save(session, VenueBooking, state)
    assert not result.ok and "第 2 列" in " ".join(result.messages())
    assert _rows(session, VenueBooking) == rows


@pytest.mark.parametrize(("attendees", "ok"), [(20, True), (21, False)])
def test_attendees_up_to_the_capacity(session, rooms, attendees, ok):
    row = _booking(rooms["room"], at(4, 9), at(4, 10), attendees=attendees)
    result = _save(
        session, VenueBooking, EditorState(_rows(session, VenueBooking), added_rows=[row])
    )
    assert result.ok is ok
    if not ok:
        assert "可容納的 20 人" in " ".join(result.messages())


@pytest.fixture
def fleet(session: Session) -> dict[str, int]:
    van = Vehicle(plate="KAA-0909", kind="vip_van", seats=9, km_per_litre=8)
    car = Vehicle(plate="KAA-0101", kind="sedan", seats=5)
    wang, lin = Driver(name="王大明"), Driver(name="林小華")
    session.add_all([van, car, wang, lin])
    session.commit()
    trip = Trip(
        vehicle_id=van.id, driver_id=wang.id, starts_at=at(7, 9), ends_at=at(7, 12),
        trip_type="dispatch", requesting_agency="行國處", purpose="foreign_guests",
        destination="高雄展覽館", km=30,
    )  # fmt: skip
    session.add(trip)
    session.commit()
    return {"van": van.id, "car": car.id, "wang": wang.id, "lin": lin.id, "trip": trip.id}


def _trip(vehicle: int, driver: int | None, start: datetime, end: datetime, **extra) -> dict:
    row = {
        "vehicle_id": vehicle, "driver_id": driver, "starts_at": start, "ends_at": end,
        "trip_type": "dispatch", "requesting_agency": "民政局", "purpose": "official",
        "destination": "鳳山行政中心", "passengers": 2, "km": 20,
    }  # fmt: skip
    return row | extra


def test_a_car_in_two_trips_at_once_is_refused(session, fleet):
    row = _trip(fleet["van"], fleet["lin"], at(7, 11), at(7, 13))
    result = _save(session, Trip, EditorState(_rows(session, Trip), added_rows=[row]))
    assert not result.ok
    text = " ".join(result.messages())
    assert "KAA-0909" in text and f"#{fleet['trip']}" in text and "高雄展覽館" in text
    assert _count(session, Trip) == 1


def test_a_driver_in_two_trips_at_once_is_refused(session, fleet):
    row = _trip(fleet["car"], fleet["wang"], at(7, 8), at(7, 10))
    result = _save(session, Trip, EditorState(_rows(session, Trip), added_rows=[row]))
    assert not result.ok and "王大明" in " ".join(result.messages())


def test_trips_touching_ends_and_trips_without_a_driver(session, fleet):
    after = _trip(fleet["van"], fleet["wang"], at(7, 12), at(7, 14))
    no_driver = _trip(fleet["car"], None, at(7, 9), at(7, 12), trip_type="loan")
    other_no_driver = _trip(fleet["car"], None, at(7, 13), at(7, 15), trip_type="loan")
    state = EditorState(_rows(session, Trip), added_rows=[after, no_driver, other_no_driver])
    result = _save(session, Trip, state)
    assert result.ok, result.messages()


@pytest.mark.parametrize(("km", "ok"), [(0, True), (800, True), (800.5, False)])
def test_km_up_to_the_setting(session, fleet, km, ok):
    row = _trip(fleet["car"], fleet["lin"], at(8, 9), at(8, 17), km=km)
    result = _save(session, Trip, EditorState(_rows(session, Trip), added_rows=[row]))
    assert result.ok is ok
    if not ok:
        assert "800 公里" in " ".join(result.messages())


def test_the_km_maximum_is_a_setting(session, fleet, monkeypatch):
    from core.kernel.config import get_settings

    monkeypatch.setenv("TRIP_KM_MAX", "1000")
    get_settings.cache_clear()
    try:
        row = _trip(fleet["car"], fleet["lin"], at(8, 9), at(8, 17), km=900)
        assert _save(session, Trip, EditorState(_rows(session, Trip), added_rows=[row])).ok
    finally:
        monkeypatch.delenv("TRIP_KM_MAX")
        get_settings.cache_clear()


def test_two_servers_saving_the_same_slot_at_once_keep_one_booking(engine, rooms, monkeypatch):
    """Two processes' saves race: each checks the rule, then writes. The rule is slowed down
    so both would check before either writes; still only one booking of the slot is kept, and
    the refused save gets the rule's own message naming the kept booking: the second save
    waits for the write lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: the table's stamp row)
    and then checks against the first one's row. Without that wait PostgreSQL's exclusion
    constraint would refuse it with a vaguer message, or abort one save as a deadlock."""
    import threading
    import time

    from core.editing import registry

    (rule,) = registry.RULES["venue_booking"]

    def slow_rule(session, batch):
        errors = rule(session, batch)
        time.sleep(0.4)
        return errors

    monkeypatch.setitem(registry.RULES, "venue_booking", (slow_rule,))
    results = []

    def save(title: str) -> None:
        with Session(engine) as own:
            row = _booking(rooms["hall"], at(5, 13), at(5, 17), title=title)
            results.append(
                save_changes(own, VenueBooking, EditorState([], added_rows=[row]), actor=ADMIN)
            )

    threads = [threading.Thread(target=save, args=(name,)) for name in ("甲", "乙")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(r.ok for r in results) == [False, True]
    refused = next(r for r in results if not r.ok)
    message = " ".join(refused.messages())
    assert "重疊" in message
    with Session(engine) as check:
        kept_booking = check.scalars(  # one() fails if both were kept
            select(VenueBooking).where(VenueBooking.venue_id == rooms["hall"])
        ).one()
    # The rule's message (not the constraint's): it names the booking that was kept.
    assert f"#{kept_booking.id}" in message and kept_booking.title in message, message


def test_restoring_a_deleted_booking_onto_a_taken_slot_is_refused(session, rooms):
    from core.editing.pipeline import restore_version

    later = _booking(rooms["hall"], at(9, 9), at(9, 10))  # so the deleted id is not the last
    assert _save(session, VenueBooking, EditorState([], added_rows=[later])).ok
    rows = _rows(session, VenueBooking)
    assert _save(session, VenueBooking, EditorState(rows, deleted_rows=[0])).ok
    deleted = session.scalar(
        select(AuditEntry).where(AuditEntry.action == "delete").order_by(AuditEntry.id.desc())
    )
    session.rollback()
    taken = _booking(rooms["room"], at(1, 10), at(1, 11), title="臨時會議")
    assert _save(session, VenueBooking, EditorState([], added_rows=[taken])).ok
    before = (_rows(session, VenueBooking), _count(session, AuditEntry))
    result = restore_version(session, deleted.id, actor=ADMIN)
    assert not result.ok
    assert "臨時會議" in " ".join(result.messages())
    assert (_rows(session, VenueBooking), _count(session, AuditEntry)) == before


def test_accounts_are_not_restored_from_the_history(session):
    from core.accounts import auth
    from core.editing.pipeline import AuditedWriter, restore_version
    from db.models import User

    user = auth.create_user(session, username="amy", password="a-long-password-1", role="viewer")
    session.commit()
    writer = AuditedWriter(session, ADMIN, User.__table__)
    writer.audit(user.id, "update", {"username": "amy", "role": "admin"}, None)
    session.commit()
    entry = session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))
    result = restore_version(session, entry.id, actor=ADMIN)
    assert not result.ok and "使用者管理" in " ".join(result.messages())
    assert session.get(User, user.id).role == "viewer"


def test_a_deleted_row_whose_id_went_to_a_newer_row_is_not_restored_over_it(session, rooms):
    from core.editing.pipeline import restore_version

    rows = _rows(session, VenueBooking)
    assert _save(session, VenueBooking, EditorState(rows, deleted_rows=[0])).ok
    deleted = session.scalar(
        select(AuditEntry).where(AuditEntry.action == "delete").order_by(AuditEntry.id.desc())
    )
    session.rollback()
    newer = _booking(rooms["hall"], at(6, 9), at(6, 10), title="新的預約")
    result = _save(session, VenueBooking, EditorState([], added_rows=[newer]))
    assert result.ok
    before = _rows(session, VenueBooking)
    restored = restore_version(session, deleted.id, actor=ADMIN)
    if result.inserted_ids == [rooms["booked"]]:  # SQLite reuses the highest deleted id
        assert not restored.ok and "另一筆新資料" in " ".join(restored.messages())
        assert _rows(session, VenueBooking) == before
    else:  # PostgreSQL's sequence never does: the row comes back beside the newer one
        assert restored.ok
        assert len(_rows(session, VenueBooking)) == 2


def test_a_save_postgresql_aborts_as_a_deadlock_asks_to_save_again():
    """40P01 (deadlock) and 40001 (serialisation) become a zh-TW "press Save again" message."""
    from sqlalchemy.exc import OperationalError

    from core.editing.pipeline import _db_error

    class Aborted(Exception):
        sqlstate = "40P01"

    result = _db_error(OperationalError("INSERT …", {}, Aborted("deadlock detected")))
    assert not result.ok
    assert "再按一次儲存" in " ".join(result.messages())
