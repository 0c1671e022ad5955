"""Visitor-log rules: follow-up done dates agree and are plausible; receptions in use stay."""

import hashlib
import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, SQLModel

from core.editing.pipeline import Actor, AuditedWriter, EditorState, save_changes
from core.transfer import table_io as transfer
from core.visitors import receptions as visitors
from core.visitors.photos import PhotoRefused, add_photo, delete_photo
from db.models import (
    AuditAction,
    AuditEntry,
    GiftItem,
    GiftMovement,
    Reception,
    ReceptionFollowUp,
    ReceptionPhoto,
)
from tests.conftest import dump_tables

VISITORS_LEAD = Actor("alice", "lead", frozenset({"visitors"}))
ADMIN = Actor("root", "admin")
VISIT = date(2023, 1, 13)
TODAY = date(2023, 3, 15)


@pytest.fixture
def today(monkeypatch) -> date:
    """Asia/Taipei today, fixed for the date rules."""
    monkeypatch.setattr(visitors, "taipei_today", lambda now=None: TODAY)
    return TODAY


def _reception(session: Session, name: str = "蒲島郁夫", estimate: bool = False) -> int:
    row = Reception(
        visit_date=VISIT, date_is_estimate=estimate, visitor_name_zh=name, country="日本",
        category="governor_mayor",
    )  # fmt: skip
    session.add(row)
    session.commit()
    return row.id


@pytest.fixture
def reception_id(session: Session) -> int:
    return _reception(session)


def _follow_up(session: Session, reception_id: int, **kw: Any) -> int:
    row = ReceptionFollowUp(reception_id=reception_id, action_item="寄送感謝函", **kw)
    session.add(row)
    session.commit()
    return row.id


def _rows(session: Session, model: type[SQLModel]) -> list[dict[str, Any]]:
    """The page of rows as the editor loads them."""
    table = model.__table__
    rows = [dict(r) for r in session.execute(select(table).order_by(table.c.id)).mappings()]
    session.rollback()
    return rows


def _add(session: Session, reception_id: int, **kw: Any):
    row = {"reception_id": reception_id, "action_item": "函送產業資料", "owner": "國際事務科"}
    state = EditorState(_rows(session, ReceptionFollowUp), added_rows=[row | kw])
    return save_changes(session, ReceptionFollowUp, state, actor=VISITORS_LEAD)


def _refused(result, field: str) -> str:
    assert not result.ok
    [error] = result.errors
    assert error.field == field
    return error.message


# Follow-ups: 已完成 and 完成日期.


def test_a_done_date_without_done_is_refused(session, reception_id, today):
    before = dump_tables(session)
    message = _refused(_add(session, reception_id, done_on=date(2023, 2, 1)), "done")
    assert message == (
        "新增第 1 列：已填完成日期 112/02/01，但未勾選「已完成」；事項已完成請勾選「已完成」，"
        "尚未完成請清空完成日期。"
    )
    assert dump_tables(session) == before


def test_done_without_a_date_is_refused_not_filled_in(session, reception_id, today):
    before = dump_tables(session)
    message = _refused(_add(session, reception_id, done=True), "done_on")
    assert message.startswith("新增第 1 列：勾選「已完成」時須填完成日期")
    assert "112/03/15" in message  # today, as a hint only
    assert dump_tables(session) == before


@pytest.mark.parametrize(
    ("done_on", "expected"),
    [
        (VISIT - timedelta(days=1), "完成日期 112/01/12 早於接待紀錄 #{id} 的接待日期 112/01/13"),
        (TODAY + timedelta(days=1), "完成日期 112/03/16 晚於今天（112/03/15）"),
    ],
    ids=["before-reception", "future"],
)
def test_a_done_date_before_the_reception_or_in_the_future_is_refused(
    session, reception_id, today, done_on, expected
):
    before = dump_tables(session)
    message = _refused(_add(session, reception_id, done=True, done_on=done_on), "done_on")
    assert expected.format(id=reception_id) in message
    assert "推估" not in message
    assert dump_tables(session) == before


def test_an_estimated_reception_date_is_named_in_the_refusal(session, today):
    estimated = _reception(session, "大西一史", estimate=True)
    result = _add(session, estimated, done=True, done_on=VISIT - timedelta(days=3))
    assert "接待日期為推估" in _refused(result, "done_on")


@pytest.mark.parametrize(
    "kw",
    [{}, {"done": True, "done_on": VISIT}, {"done": True, "done_on": TODAY}],
    ids=["open", "done-on-the-visit-day", "done-today"],
)
def test_a_valid_follow_up_is_saved_and_audited(session, reception_id, today, kw):
    result = _add(session, reception_id, **kw)
    assert result.ok, result.messages()
    [row_id] = result.inserted_ids
    saved = session.get(ReceptionFollowUp, row_id)
    assert (saved.done, saved.done_on) == (kw.get("done", False), kw.get("done_on"))
    entry = session.execute(
        select(AuditEntry).where(AuditEntry.table_name == "reception_follow_up")
    ).scalar_one()
    assert (entry.action, entry.row_id, entry.username) == (AuditAction.INSERT, row_id, "alice")


def test_editing_a_follow_up_is_judged_on_the_whole_row(session, reception_id, today):
    _follow_up(session, reception_id, due_date=date(2023, 3, 31))
    rows = _rows(session, ReceptionFollowUp)
    # Ticking 已完成 alone, then with a date before the visit: refused; with a good date: saved.
    tick = EditorState(rows, {0: {"done": True}})
    assert _refused(save_changes(session, ReceptionFollowUp, tick, actor=ADMIN), "done_on")
    early = EditorState(rows, {0: {"done": True, "done_on": "112/01/01"}})
    result = save_changes(session, ReceptionFollowUp, early, actor=ADMIN)
    assert "第 1 列：完成日期 112/01/01 早於" in _refused(result, "done_on")
    good = EditorState(rows, {0: {"done": True, "done_on": "112/03/01"}})
    assert save_changes(session, ReceptionFollowUp, good, actor=ADMIN).ok
    # Clearing 已完成 but keeping the date: refused.
    rows = _rows(session, ReceptionFollowUp)
    untick = EditorState(rows, {0: {"done": False}})
    assert _refused(save_changes(session, ReceptionFollowUp, untick, actor=ADMIN), "done")


def test_the_rule_uses_asia_taipei_today_by_default(session, reception_id):
    today = visitors.taipei_today()
    assert _add(session, reception_id, done=True, done_on=today).ok
    tomorrow = _add(session, reception_id, done=True, done_on=today + timedelta(days=1))
    assert "晚於今天" in _refused(tomorrow, "done_on")


def test_the_import_is_held_to_the_same_rules(session, reception_id, today):
    def frame(*lines: str):
        text = "\n".join(["reception_id,action_item,done,done_on", *lines])
        return transfer.read_table_file("follow_ups.csv", text.encode())

    before = dump_tables(session)
    bad = frame(f"{reception_id},函送資料,否,112/02/01", f"{reception_id},回訪,是,")
    result = transfer.commit_import(session, ReceptionFollowUp, bad, VISITORS_LEAD)
    assert not result.ok
    assert [(i.line, i.field) for i in result.issues] == [(2, "done"), (3, "done_on")]
    assert dump_tables(session) == before
    good = frame(f"{reception_id},函送資料,是,112/02/01")
    assert transfer.commit_import(session, ReceptionFollowUp, good, VISITORS_LEAD).ok


def test_a_reception_date_cannot_move_past_a_done_follow_up(session, reception_id, today):
    _follow_up(session, reception_id, done=True, done_on=date(2023, 2, 1))
    rows = _rows(session, Reception)
    later = EditorState(rows, {0: {"visit_date": "112/02/02"}})
    result = save_changes(session, Reception, later, actor=VISITORS_LEAD)
    assert "已有後續辦理事項於 112/02/01 完成" in _refused(result, "visit_date")
    same_day = EditorState(rows, {0: {"visit_date": "112/02/01"}})
    assert save_changes(session, Reception, same_day, actor=VISITORS_LEAD).ok


# Deleting a reception.


def _image(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, format="PNG")
    return out.getvalue()


def _delete_first_reception(session: Session, actor: Actor = VISITORS_LEAD, **edits: Any):
    rows = _rows(session, Reception)
    state = EditorState(rows, edited_rows=edits.get("edited", {}), deleted_rows=[0])
    return save_changes(session, Reception, state, actor=actor)


def test_a_reception_with_follow_ups_and_photos_is_not_deleted(
    session, reception_id, today, tmp_path
):
    other = _reception(session, "大西一史")
    store = tmp_path / "photos"
    for _ in range(2):
        _follow_up(session, reception_id)
    for colour in ("red", "green", "blue"):
        add_photo(session, reception_id, f"{colour}.png", _image(colour), actor=ADMIN,
                  directory=store)  # fmt: skip
    files = sorted(store.iterdir())
    before = dump_tables(session)
    # The whole save is refused: the valid edit of the other reception is not written either.
    result = _delete_first_reception(session, edited={1: {"topics": "半導體"}})
    assert not result.ok
    assert [(e.position, e.field, e.message) for e in result.errors] == [
        (
            0,
            None,
            f"第 1 列：接待紀錄 #{reception_id} 仍有 2 筆後續辦理事項、3 張照片，"
            "請先於接待明細中刪除後再刪除此筆。",
        )
    ]
    assert dump_tables(session) == before
    assert sorted(store.iterdir()) == files
    assert session.get(Reception, other).topics == ""


def test_a_reception_a_gift_movement_points_at_is_not_deleted(session, reception_id, today):
    item = GiftItem(name="高雄熊抱枕", unit="個")
    session.add(item)
    session.commit()
    session.add(GiftMovement(item_id=item.id, moved_on=VISIT, direction="in", quantity=5,
                             reception_id=reception_id))  # fmt: skip
    session.commit()
    before = dump_tables(session)
    [error] = _delete_first_reception(session).errors
    assert f"接待紀錄 #{reception_id} 仍有 1 筆禮品進出紀錄" in error.message
    assert "禮品管理" in error.message and "接待明細" not in error.message
    assert dump_tables(session) == before


def test_a_reception_with_nothing_attached_is_deleted_and_audited(session, reception_id):
    other = _reception(session, "大西一史")
    _follow_up(session, other)  # attached to the other reception: no obstacle
    audits = session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    result = _delete_first_reception(session)
    assert result.ok, result.messages()
    assert session.get(Reception, reception_id) is None
    assert session.get(Reception, other) is not None
    entries = session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars().all()
    assert len(entries) == audits + 1
    entry = entries[-1]
    assert (entry.table_name, entry.row_id, entry.action) == (
        "reception",
        reception_id,
        AuditAction.DELETE,
    )
    assert (entry.before["visitor_name_zh"], entry.after) == ("蒲島郁夫", None)


# Photo files go with the last photo row that uses them, and only once the delete is committed.


def _photo_rows(session: Session) -> int:
    count = session.execute(select(func.count()).select_from(ReceptionPhoto)).scalar_one()
    session.rollback()
    return count


def _delete_audits(session: Session) -> int:
    stmt = select(func.count()).where(
        AuditEntry.table_name == "reception_photo", AuditEntry.action == AuditAction.DELETE
    )
    count = session.execute(stmt).scalar_one()
    session.rollback()
    return count


@pytest.fixture
def shared_photo(session: Session, reception_id: int, tmp_path: Path):
    """One picture attached to two receptions: two rows, one file."""
    store = tmp_path / "photos"
    data = _image("red")
    other = _reception(session, "大西一史")
    ids = [
        add_photo(session, rid, "合照.png", data, actor=ADMIN, directory=store).id
        for rid in (reception_id, other)
    ]
    path = store / f"{hashlib.sha256(data).hexdigest()}.png"
    assert path.exists()
    return ids, path


def test_a_photo_file_goes_only_with_its_last_row(session, shared_photo):
    (first, second), path = shared_photo
    delete_photo(session, first, actor=VISITORS_LEAD, directory=path.parent)
    assert path.exists() and _photo_rows(session) == 1
    delete_photo(session, second, actor=VISITORS_LEAD, directory=path.parent)
    assert not path.exists() and _photo_rows(session) == 0
    assert _delete_audits(session) == 2


def test_a_photo_file_stays_when_the_delete_fails(session, shared_photo, monkeypatch):
    (first, second), path = shared_photo
    delete_photo(session, first, actor=VISITORS_LEAD, directory=path.parent)

    def failing_commit(self) -> None:
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(AuditedWriter, "commit", failing_commit)
    with pytest.raises(PhotoRefused, match=f"編號 {second} 的照片未刪除"):
        delete_photo(session, second, actor=VISITORS_LEAD, directory=path.parent)
    assert path.exists() and _photo_rows(session) == 1 and _delete_audits(session) == 1


def test_a_photo_file_is_removed_after_the_commit(session, shared_photo, monkeypatch):
    (first, second), path = shared_photo
    delete_photo(session, first, actor=VISITORS_LEAD, directory=path.parent)
    seen_at_commit = []
    real_commit = AuditedWriter.commit

    def watching_commit(self) -> None:
        seen_at_commit.append(path.exists())
        real_commit(self)

    monkeypatch.setattr(AuditedWriter, "commit", watching_commit)
    delete_photo(session, second, actor=VISITORS_LEAD, directory=path.parent)
    assert seen_at_commit == [True] and not path.exists()
