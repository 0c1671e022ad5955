"""An out movement larger than the stock is refused, judged over the whole save."""

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session

from core.editing import Actor, EditorState, save_changes
from db.models import GiftItem, GiftMovement

GIFTS_LEAD = Actor("gina", "lead", frozenset({"gifts"}))


def _item(session: Session, name: str) -> int:
    item = GiftItem(name=name, unit="個", low_stock_threshold=2)
    session.add(item)
    session.commit()
    return item.id


def _move(session: Session, item_id: int, direction: str, quantity: int, day: int = 1) -> int:
    move = GiftMovement(
        item_id=item_id, moved_on=date(2026, 11, day), direction=direction, quantity=quantity
    )
    session.add(move)
    session.commit()
    return move.id


def _new(item_id: int, direction: str, quantity: int, day: int = 20) -> dict[str, Any]:
    return {
        "item_id": item_id,
        "moved_on": date(2026, 11, day),
        "direction": direction,
        "quantity": quantity,
        "counterpart": "日本熊本市訪團",
    }


def _rows(session: Session) -> list[dict[str, Any]]:
    table = GiftMovement.__table__
    rows = [dict(r) for r in session.execute(select(table).order_by(table.c.id)).mappings()]
    session.rollback()
    return rows


def _on_hand(session: Session, item_id: int) -> int:
    moves = session.execute(select(GiftMovement).where(GiftMovement.item_id == item_id)).scalars()
    total = sum(m.quantity if m.direction == "in" else -m.quantity for m in moves)
    session.rollback()
    return total


@pytest.fixture
def bears(session: Session) -> int:
    item_id = _item(session, "高雄熊抱枕")
    _move(session, item_id, "in", 10)
    return item_id


def _save(session: Session, state: EditorState):
    return save_changes(session, GiftMovement, state, actor=GIFTS_LEAD)


def test_out_within_stock_is_saved(session, bears):
    result = _save(session, EditorState(_rows(session), added_rows=[_new(bears, "out", 10)]))
    assert result.ok, result.messages()
    assert _on_hand(session, bears) == 0


def test_out_above_stock_is_refused_with_item_and_stock(session, bears):
    result = _save(session, EditorState(_rows(session), added_rows=[_new(bears, "out", 11)]))
    assert not result.ok
    assert result.messages() == [
        "新增第 1 列：高雄熊抱枕 現有庫存 10，本次存檔後將為 -1，"
        "出庫數量不可超過庫存，請修正數量或先登錄入庫。"
    ]
    assert _on_hand(session, bears) == 10


def test_several_out_rows_of_one_item_add_up(session, bears):
    added = [_new(bears, "out", 6), _new(bears, "out", 5)]
    result = _save(session, EditorState(_rows(session), added_rows=added))
    assert not result.ok
    assert [e.position for e in result.errors] == ["new #1", "new #2"]
    assert all("高雄熊抱枕" in m and "現有庫存 10" in m for m in result.messages())
    assert len(_rows(session)) == 1


def test_an_in_row_in_the_same_save_covers_the_out(session, bears):
    added = [_new(bears, "out", 12), _new(bears, "in", 5)]
    assert _save(session, EditorState(_rows(session), added_rows=added)).ok
    assert _on_hand(session, bears) == 3


def test_other_items_are_judged_separately(session, bears):
    mats = _item(session, "野餐墊")
    added = [_new(bears, "out", 3), _new(mats, "out", 1)]
    result = _save(session, EditorState(_rows(session), added_rows=added))
    assert [e.position for e in result.errors] == ["new #2"]
    assert "野餐墊 現有庫存 0" in result.messages()[0]


def test_raising_an_out_quantity_beyond_stock_is_refused(session, bears):
    _move(session, bears, "out", 4)
    rows = _rows(session)
    result = _save(session, EditorState(rows, edited_rows={1: {"quantity": 11}}))
    assert not result.ok
    assert result.errors[0].position == 1 and "第 2 列" in result.messages()[0]
    ok = _save(session, EditorState(_rows(session), edited_rows={1: {"quantity": 10}}))
    assert ok.ok, ok.messages()


def test_turning_an_in_row_into_out_is_refused(session, bears):
    result = _save(session, EditorState(_rows(session), edited_rows={0: {"direction": "out"}}))
    assert not result.ok
    assert "本次存檔後將為 -10" in result.messages()[0]


def test_moving_an_out_row_to_another_item_is_judged_on_that_item(session, bears):
    mats = _item(session, "野餐墊")
    _move(session, bears, "out", 2)
    result = _save(session, EditorState(_rows(session), edited_rows={1: {"item_id": mats}}))
    assert not result.ok and "野餐墊" in result.messages()[0]


def test_deleting_an_in_row_that_stock_was_given_from_is_refused(session, bears):
    _move(session, bears, "out", 4)
    result = _save(session, EditorState(_rows(session), deleted_rows=[0]))
    assert not result.ok
    assert result.errors[0].position == 0 and "本次存檔後將為 -4" in result.messages()[0]
    # deleting the out row as well leaves nothing negative
    assert _save(session, EditorState(_rows(session), deleted_rows=[0, 1])).ok


def test_lowering_an_out_quantity_is_always_allowed_even_when_already_short(session, bears):
    # stock that went negative before the rule existed must still be correctable
    _move(session, bears, "out", 15)
    result = _save(session, EditorState(_rows(session), edited_rows={1: {"quantity": 12}}))
    assert result.ok, result.messages()  # still short (-2), but the edit only makes it better
    assert _on_hand(session, bears) == -2
    worse = _save(session, EditorState(_rows(session), edited_rows={1: {"quantity": 13}}))
    assert not worse.ok


def test_stock_history_is_the_running_balance_by_date(session, bears):
    from core.gifts import stock_history

    _move(session, bears, "out", 3, day=5)
    _move(session, bears, "out", 2, day=5)
    _move(session, bears, "in", 4, day=9)
    history = stock_history(session)
    assert list(history["moved_on"]) == [date(2026, 11, 1), date(2026, 11, 5), date(2026, 11, 9)]
    assert list(history["on_hand"]) == [10, 5, 9]
    assert set(history["item"]) == {"高雄熊抱枕"}
