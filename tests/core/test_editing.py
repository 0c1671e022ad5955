"""The edit pipeline saves all or nothing, audits each row, refuses stale versions and outsiders."""

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session, SQLModel

from core.editing.pipeline import (
    Actor,
    EditorState,
    PermissionDenied,
    can_edit,
    restore_version,
    save_changes,
)
from db.models import AuditAction, AuditEntry, TableStamp, Vehicle, Venue, VenueBooking
from tests.conftest import dump_tables

ADMIN = Actor("root", "admin")
VENUES_LEAD = Actor("alice", "lead", frozenset({"venues"}))
FLEET_LEAD = Actor("bob", "lead", frozenset({"fleet"}))
VIEWER = Actor("carol", "viewer")


def _venue(session: Session, name: str, capacity: int = 50) -> int:
    venue = Venue(centre="siwei", name=name, kind="meeting_room", capacity=capacity)
    session.add(venue)
    session.commit()
    return venue.id


def _booking(session: Session, venue_id: int, day: int = 1, attendees: int = 10) -> int:
    booking = VenueBooking(
        venue_id=venue_id,
        starts_at=datetime(2023, 3, day, 9),
        ends_at=datetime(2023, 3, day, 11),
        title=f"會議 {day}",
        organiser_agency="行國處",
        purpose="meeting",
        kind="meeting",
        attendees=attendees,
    )
    session.add(booking)
    session.commit()
    return booking.id


def _rows(session: Session, model: type[SQLModel]) -> list[dict[str, Any]]:
    """The page of rows as the editor loads them."""
    table = model.__table__
    result = session.execute(select(table).order_by(table.c.id)).mappings()
    rows = [dict(r) for r in result]
    session.rollback()
    return rows


def _new_booking(venue_id: int, **changes: Any) -> dict[str, Any]:
    row = dict(
        venue_id=venue_id,
        starts_at="2023-04-01T14:00:00",
        ends_at="2023-04-01T16:00:00",
        title="新場次",
        organiser_agency="觀光局",
        purpose="lecture",
        kind="event",
        attendees=80,
    )
    return row | changes


@pytest.fixture
def venues(session: Session) -> list[int]:
    # Large rooms: these tests are about the pipeline, not the capacity rule.
    return [_venue(session, "第一會議室", 120), _venue(session, "第二會議室", 100)]


def test_valid_batch_writes_edits_inserts_deletes_with_audit_and_stamp(session, venues):
    first, second = _booking(session, venues[0], 1), _booking(session, venues[0], 2)
    rows = _rows(session, VenueBooking)
    state = EditorState(rows, {0: {"attendees": 25}}, [_new_booking(venues[1], attendees=15)], [1])
    result = save_changes(session, VenueBooking, state, actor=VENUES_LEAD)
    assert result.ok, result.messages()
    edited = session.get(VenueBooking, first)
    assert (edited.attendees, edited.version) == (25, 2)
    assert session.get(VenueBooking, second) is None
    (new_id,) = result.inserted_ids
    assert session.get(VenueBooking, new_id).organiser_agency == "觀光局"
    entries = session.exec(select(AuditEntry).order_by(AuditEntry.id)).scalars().all()
    assert [e.action for e in entries] == [
        AuditAction.UPDATE,
        AuditAction.INSERT,
        AuditAction.DELETE,
    ]
    assert {e.batch_id for e in entries} == {result.batch_id}
    assert entries[0].before["attendees"] == 10 and entries[0].after["attendees"] == 25
    assert entries[0].after["starts_at"] == "2023-03-01T09:00:00"
    assert entries[2].after is None and entries[2].before["id"] == second
    stamp = session.exec(select(TableStamp)).scalars().one()
    assert (stamp.table_name, stamp.stamp) == ("venue_booking", 1)


def test_one_bad_row_writes_nothing(session, venues):
    _booking(session, venues[0], 1)
    _booking(session, venues[0], 2)
    rows = _rows(session, VenueBooking)
    before = dump_tables(session)
    state = EditorState(
        rows,
        {0: {"attendees": 30}, 1: {"attendees": -1}},
        [_new_booking(venues[0])],
        [],
    )
    result = save_changes(session, VenueBooking, state, actor=ADMIN)
    assert not result.ok
    assert [(e.position, e.field) for e in result.errors] == [(1, "attendees")]
    assert result.errors[0].message == "第 2 列「人數」不可小於 0"
    assert dump_tables(session) == before


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"organiser_agency": "   "}, "organiser_agency", "新增第 1 列「申請機關」不可空白"),
        ({"attendees": float("nan")}, "attendees", "NaN"),
        ({"attendees": float("inf")}, "attendees", "NaN"),
        ({"venue_id": 999}, "venue_id", "不存在"),
        ({"purpose": "party"}, "purpose", "不是可選的項目"),
        ({"ends_at": "2023-04-01T13:00:00"}, "ends_at", "必須晚於"),
        ({"starts_at": "0112-04-01T14:00:00"}, "starts_at", "1950"),
    ],
)
def test_invalid_values_get_zh_messages(session, venues, changes, field, message):
    before = dump_tables(session)
    state = EditorState([], added_rows=[_new_booking(venues[0]) | changes])
    result = save_changes(session, VenueBooking, state, actor=ADMIN)
    assert not result.ok
    assert [e.field for e in result.errors] == [field]
    assert message in result.errors[0].message
    assert result.errors[0].position == "new #1"
    assert dump_tables(session) == before


def test_save_refuses_stale_version_and_keeps_the_other_users_value(session, venues):
    booking = _booking(session, venues[0])
    rows = _rows(session, VenueBooking)
    theirs = save_changes(
        session, VenueBooking, EditorState(rows, {0: {"attendees": 40}}), actor=VENUES_LEAD
    )
    assert theirs.ok
    before = dump_tables(session)
    mine = save_changes(
        session, VenueBooking, EditorState(rows, {0: {"attendees": 5}}), actor=ADMIN
    )
    assert not mine.ok
    (conflict,) = mine.conflicts
    assert (conflict.row_id, conflict.field, conflict.theirs, conflict.yours) == (
        booking,
        "attendees",
        40,
        5,
    )
    assert conflict.message.startswith("第 1 列已被 alice 於 ")
    assert "（版本 1 → 2）" in conflict.message
    assert dump_tables(session) == before
    assert session.get(VenueBooking, booking).attendees == 40


def test_double_submit_writes_once(session, venues):
    _booking(session, venues[0])
    state = EditorState(_rows(session, VenueBooking), {0: {"title": "改名"}}, [], [])
    assert save_changes(session, VenueBooking, state, actor=ADMIN).ok
    again = save_changes(session, VenueBooking, state, actor=ADMIN)
    assert not again.ok and again.conflicts
    assert len(session.exec(select(AuditEntry)).scalars().all()) == 1


def test_stale_delete_is_refused(session, venues):
    _booking(session, venues[0])
    rows = _rows(session, VenueBooking)
    assert save_changes(session, VenueBooking, EditorState(rows, deleted_rows=[0]), actor=ADMIN).ok
    again = save_changes(session, VenueBooking, EditorState(rows, deleted_rows=[0]), actor=ADMIN)
    assert not again.ok and again.conflicts[0].message.startswith("第 1 列已被他人刪除")


@pytest.mark.parametrize("actor", [VIEWER, FLEET_LEAD], ids=["viewer", "other_lead"])
def test_outsiders_cannot_save(session, venues, actor):
    _booking(session, venues[0])
    before = dump_tables(session)
    state = EditorState(_rows(session, VenueBooking), {0: {"attendees": 1}}, [], [0])
    with pytest.raises(PermissionDenied, match="沒有編輯"):
        save_changes(session, VenueBooking, state, actor=actor)
    assert dump_tables(session) == before


def test_permissions_follow_role_and_section():
    assert can_edit(VENUES_LEAD, "venue_booking") and not can_edit(VENUES_LEAD, "trip")
    assert can_edit(ADMIN, "trip") and not can_edit(VIEWER, "venue")
    assert not can_edit(ADMIN, "audit_log")


def test_delete_then_restore_brings_the_row_back(session, venues):
    booking = _booking(session, venues[0])
    rows = _rows(session, VenueBooking)
    assert save_changes(session, VenueBooking, EditorState(rows, deleted_rows=[0]), actor=ADMIN).ok
    entry = session.exec(select(AuditEntry)).scalars().one()
    with pytest.raises(PermissionDenied):
        restore_version(session, entry.id, actor=VENUES_LEAD)
    result = restore_version(session, entry.id, actor=ADMIN)
    assert result.ok, result.messages()
    (restored,) = _rows(session, VenueBooking)
    bookkeeping = ("version", "updated_at")
    assert {k: v for k, v in restored.items() if k not in bookkeeping} == {
        k: v for k, v in rows[0].items() if k not in bookkeeping
    }
    assert restored["id"] == booking and restored["version"] == 2
    last = session.exec(select(AuditEntry).order_by(AuditEntry.id.desc())).scalars().first()
    assert last.action == AuditAction.RESTORE and last.before is None
    assert session.exec(select(TableStamp)).scalars().one().stamp == 2


def test_restore_undoes_an_update(session, venues):
    booking = _booking(session, venues[0], attendees=10)
    rows = _rows(session, VenueBooking)
    state = EditorState(rows, {0: {"attendees": 99}})
    assert save_changes(session, VenueBooking, state, actor=ADMIN).ok
    entry = session.exec(select(AuditEntry)).scalars().one()
    assert restore_version(session, entry.id, actor=ADMIN).ok
    session.expire_all()
    restored = session.get(VenueBooking, booking)
    assert (restored.attendees, restored.version) == (10, 3)


def test_deleting_a_referenced_row_reports_and_writes_nothing(session, venues):
    _booking(session, venues[0])
    before = dump_tables(session)
    state = EditorState(_rows(session, Venue), deleted_rows=[0])
    result = save_changes(session, Venue, state, actor=ADMIN)
    assert not result.ok
    assert result.messages() == [
        "第 1 列仍有 1 筆「場地借用」使用，無法刪除："
        "請先處理那些資料，或改為停用。本次未寫入任何資料"
    ]
    assert dump_tables(session) == before


def test_a_refused_delete_keeps_the_rest_of_the_save_unwritten(session, venues):
    """The venue with two bookings cannot go; the other venue's rename in the same save waits."""
    _booking(session, venues[0])
    _booking(session, venues[0], day=2)
    before = dump_tables(session)
    venue_rows = _rows(session, Venue)
    state = EditorState(venue_rows, {1: {"name": "改名"}}, [], [0])
    result = save_changes(session, Venue, state, actor=ADMIN)
    assert [e.message.split("，")[0] for e in result.errors] == ["第 1 列仍有 2 筆「場地借用」使用"]
    assert dump_tables(session) == before


def _plates(session: Session) -> list[dict[str, Any]]:
    for plate in ("AAA-0001", "AAA-0002"):
        session.add(Vehicle(plate=plate, kind="sedan", seats=5))
    session.commit()
    return _rows(session, Vehicle)


def test_a_repeated_unique_value_names_the_row_that_has_it(session):
    rows = _plates(session)
    before = dump_tables(session)
    new = {"plate": "AAA-0009", "kind": "sedan", "seats": 5}
    state = EditorState(rows, {1: {"plate": "AAA-0001"}}, [new, new | {"seats": 7}])
    result = save_changes(session, Vehicle, state, actor=ADMIN)
    assert result.messages() == [
        "第 2 列「車號」的「AAA-0001」已由編號 1 的資料使用，不可重複",
        "新增第 2 列「車號」的「AAA-0009」與新增第 1 列相同，不可重複",
    ]
    assert dump_tables(session) == before


def test_a_save_of_thousands_of_rows_is_checked_for_repeats_in_chunks(session):
    # One OR term per row would pass SQLite's limit of 1,000; the check reads CHUNK keys at once.
    rows = _plates(session)
    new = [{"plate": f"BIG-{i:04d}", "kind": "sedan", "seats": 5} for i in range(2_400)]
    assert save_changes(session, Vehicle, EditorState(rows, added_rows=new), actor=ADMIN).ok
    before = dump_tables(session)
    again = [{"plate": f"NEW-{i:04d}", "kind": "van", "seats": 9} for i in range(1_600)]
    again[1_234]["plate"] = "BIG-2399"  # taken by a stored row, in the third chunk
    result = save_changes(session, Vehicle, EditorState(rows, added_rows=again), actor=ADMIN)
    assert result.messages() == [
        f"新增第 1235 列「車號」的「BIG-2399」已由編號 {2_400 + len(rows)} 的資料使用，不可重複"
    ]
    assert dump_tables(session) == before


def test_a_value_given_up_in_the_same_save_can_be_taken(session):
    rows = _plates(session)
    state = EditorState(
        rows, {0: {"plate": "AAA-0003"}}, [{"plate": "AAA-0001", "kind": "van", "seats": 9}]
    )
    assert save_changes(session, Vehicle, state, actor=ADMIN).ok
    plates = session.exec(select(Vehicle.plate).order_by(Vehicle.id)).scalars().all()
    assert plates == ["AAA-0003", "AAA-0002", "AAA-0001"]


def test_two_leads_saving_the_same_row_at_once_one_wins_the_other_sees_the_conflict(
    engine, monkeypatch
):
    """Both loaded the row at version 1 and press Save within the same moment; the business
    rule is slowed down so both saves would pass their checks before either writes. The
    second waits for the write lock, then finds the first one's version: one update, one
    conflict view naming who changed it, no lost update."""
    import threading
    import time

    from core.editing import registry

    with Session(engine) as session:
        booking = _booking(session, _venue(session, "大禮堂", 300))
        rows = _rows(session, VenueBooking)
    (rule,) = registry.RULES["venue_booking"]

    def slow_rule(session, batch):
        errors = rule(session, batch)
        time.sleep(0.4)
        return errors

    monkeypatch.setitem(registry.RULES, "venue_booking", (slow_rule,))
    results: dict[str, Any] = {}

    def save(actor: Actor, attendees: int) -> None:
        with Session(engine) as own:
            state = EditorState(rows, {0: {"attendees": attendees}})
            results[actor.username] = save_changes(own, VenueBooking, state, actor=actor)

    threads = [
        threading.Thread(target=save, args=(ADMIN, 40)),
        threading.Thread(target=save, args=(VENUES_LEAD, 50)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(r.ok for r in results.values()) == [False, True]
    winner = next(name for name, r in results.items() if r.ok)
    (conflict,) = next(r for r in results.values() if not r.ok).conflicts
    assert conflict.row_id == booking and f"已被 {winner} 於" in conflict.message
    with Session(engine) as check:
        kept = check.get(VenueBooking, booking)
        entries = check.exec(select(AuditEntry).where(AuditEntry.row_id == booking)).all()
    assert (kept.attendees, kept.version) == ({"root": 40, "alice": 50}[winner], 2)
    assert len(entries) == 1
