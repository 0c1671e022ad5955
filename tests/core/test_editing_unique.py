"""Unique values passed between rows in one save (a swap, a rotation) are saved when the end state
is unique; a real repeat is still refused by name, and nothing of the passing shows in the log."""

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session, SQLModel

from core.editing import tables
from core.editing.pipeline import Actor, EditorState, save_changes
from core.transfer import table_io as transfer
from db.models import AuditAction, AuditEntry, Driver, GiftItem, StaffingSnapshot, Vehicle, Venue
from tests.conftest import dump_tables

ADMIN = Actor("root", "admin")


def _add(session: Session, *rows: SQLModel) -> list[int]:
    session.add_all(rows)
    session.commit()
    return [row.id for row in rows]


def _page(session: Session, model: type[SQLModel]) -> list[dict[str, Any]]:
    table = model.__table__
    rows = [dict(r) for r in session.execute(select(table).order_by(table.c.id)).mappings()]
    session.rollback()
    return rows


def _save(session: Session, model: type[SQLModel], edits: dict[int, dict[str, Any]], **kw):
    return save_changes(
        session, model, EditorState(_page(session, model), edits), actor=ADMIN, **kw
    )


def _stored(session: Session, model: type[SQLModel], *names: str) -> list[tuple]:
    table = model.__table__
    query = select(*(table.c[n] for n in names), table.c.version).order_by(table.c.id)
    found = [tuple(r) for r in session.execute(query)]
    session.rollback()
    return found


def _audit(session: Session, batch: str) -> list[tuple]:
    query = select(AuditEntry).where(AuditEntry.batch_id == batch).order_by(AuditEntry.id)
    entries = session.execute(query).scalars().all()
    session.rollback()
    return [(e.row_id, e.action, e.before, e.after) for e in entries]


def _vehicles(session: Session) -> list[int]:
    return _add(
        session,
        Vehicle(plate="RAM-8832", kind="van", seats=11),
        Vehicle(plate="RBF-6025", kind="sedan", seats=5),
    )


def test_two_plates_swapped_in_the_editor_are_saved_and_audited_once_each(session):
    ids = _vehicles(session)
    result = _save(session, Vehicle, {0: {"plate": "RBF-6025"}, 1: {"plate": "RAM-8832"}})
    assert result.ok, result.messages()
    assert _stored(session, Vehicle, "plate") == [("RBF-6025", 2), ("RAM-8832", 2)]
    audit = _audit(session, result.batch_id)
    assert [(row_id, action) for row_id, action, _, _ in audit] == [
        (ids[0], AuditAction.UPDATE),
        (ids[1], AuditAction.UPDATE),
    ]
    assert [(before["plate"], after["plate"]) for _, _, before, after in audit] == [
        ("RAM-8832", "RBF-6025"),
        ("RBF-6025", "RAM-8832"),
    ]
    assert [(before["version"], after["version"]) for _, _, before, after in audit] == [(1, 2)] * 2


def test_a_swap_previews_as_it_saves(session):
    _vehicles(session)
    before = dump_tables(session)
    edits = {0: {"plate": "RBF-6025"}, 1: {"plate": "RAM-8832"}}
    assert _save(session, Vehicle, edits, dry_run=True).ok
    assert dump_tables(session) == before


def test_two_drivers_names_swapped_by_an_import_are_saved(session):
    _add(session, Driver(name="陳建宏", phone="1"), Driver(name="林志明", phone="2"))
    frame = transfer.export_frame(session, tables.SPECS["driver"])
    session.rollback()
    frame["名稱"] = frame["名稱"].map({"陳建宏": "林志明", "林志明": "陳建宏"})
    data = transfer.to_csv_bytes(frame)
    result = transfer.commit_import(session, Driver, transfer.read_table_file("d.csv", data), ADMIN)
    assert result.ok, result.messages()
    assert _stored(session, Driver, "name", "phone") == [("林志明", "1", 2), ("陳建宏", "2", 2)]


def test_three_names_rotated_are_saved(session):
    _add(session, GiftItem(name="高雄熊抱枕"), GiftItem(name="野餐墊"), GiftItem(name="桌曆"))
    edits = {0: {"name": "野餐墊"}, 1: {"name": "桌曆"}, 2: {"name": "高雄熊抱枕"}}
    result = _save(session, GiftItem, edits)
    assert result.ok, result.messages()
    assert _stored(session, GiftItem, "name") == [("野餐墊", 2), ("桌曆", 2), ("高雄熊抱枕", 2)]
    assert len(_audit(session, result.batch_id)) == 3


@pytest.mark.parametrize(
    "edits",
    [
        {0: {"name": "第二會議室"}, 1: {"name": "第一會議室"}},  # names within one centre
        {0: {"centre": "fengshan"}, 2: {"centre": "siwei"}},  # centres of one name
    ],
)
def test_a_key_of_two_columns_passed_between_rows_is_saved(session, edits):
    _add(
        session,
        Venue(centre="siwei", name="第一會議室", kind="meeting_room", capacity=50),
        Venue(centre="siwei", name="第二會議室", kind="meeting_room", capacity=50),
        Venue(centre="fengshan", name="第一會議室", kind="meeting_room", capacity=80),
    )
    result = _save(session, Venue, edits)
    assert result.ok, result.messages()
    keys = [(str(c), n) for c, n, _ in _stored(session, Venue, "centre", "name")]
    assert sorted(keys) == [
        ("fengshan", "第一會議室"),
        ("siwei", "第一會議室"),
        ("siwei", "第二會議室"),
    ]


def test_two_snapshot_dates_swapped_are_saved(session):
    _add(
        session,
        StaffingSnapshot(as_of=date(2023, 2, 28), label="112年2月底"),
        StaffingSnapshot(as_of=date(2022, 8, 31), label="111年8月底"),
    )
    edits = {0: {"as_of": "111/08/31"}, 1: {"as_of": "112/02/28"}}
    result = _save(session, StaffingSnapshot, edits)
    assert result.ok, result.messages()
    assert _stored(session, StaffingSnapshot, "as_of") == [
        (date(2022, 8, 31), 2),
        (date(2023, 2, 28), 2),
    ]


def test_a_swap_with_a_real_repeat_is_refused_by_name_and_writes_nothing(session):
    _vehicles(session)
    before = dump_tables(session)
    state = EditorState(
        _page(session, Vehicle),
        edited_rows={0: {"plate": "RBF-6025"}, 1: {"plate": "RAM-8832"}},
        added_rows=[{"plate": "RAM-8832", "kind": "sedan", "seats": 5}],
    )
    result = save_changes(session, Vehicle, state, actor=ADMIN)
    assert result.messages() == ["新增第 1 列「車號」的「RAM-8832」與第 2 列相同，不可重複"]
    assert dump_tables(session) == before


def test_a_value_freed_by_a_row_deleted_in_the_same_save_can_be_taken(session):
    """A car retired and its plate moved to its replacement in one save: the end state is
    unique, so it is saved; the deleted row's id is not given to another."""
    ids = _vehicles(session)
    state = EditorState(_page(session, Vehicle), {1: {"plate": "RAM-8832"}}, [], [0])
    result = save_changes(session, Vehicle, state, actor=ADMIN)
    assert result.ok, result.messages()
    assert _stored(session, Vehicle, "plate") == [("RAM-8832", 2)]
    audit = _audit(session, result.batch_id)
    assert [(row_id, action) for row_id, action, _, _ in audit] == [
        (ids[1], AuditAction.UPDATE),
        (ids[0], AuditAction.DELETE),
    ]
    assert audit[1][2]["plate"] == "RAM-8832"  # the deleted row's image as it was stored


def test_a_deleted_rows_value_can_go_to_a_new_row_of_the_same_save(session):
    ids = _vehicles(session)
    state = EditorState(
        _page(session, Vehicle), {}, [{"plate": "RBF-6025", "kind": "van", "seats": 9}], [1]
    )
    result = save_changes(session, Vehicle, state, actor=ADMIN)
    assert result.ok, result.messages()
    assert _stored(session, Vehicle, "plate") == [("RAM-8832", 1), ("RBF-6025", 1)]
    assert result.inserted_ids[0] not in ids
