"""Gift rules on save: an out movement beyond the stock; return, report and notice dates."""

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session

from core.editing.pipeline import Actor, EditorState, save_changes
from db.models import GiftItem, GiftMovement, GiftReceived

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
    from core.gifts.stock import stock_history

    _move(session, bears, "out", 3, day=5)
    _move(session, bears, "out", 2, day=5)
    _move(session, bears, "in", 4, day=9)
    history = stock_history(session)
    assert list(history["moved_on"]) == [date(2026, 11, 1), date(2026, 11, 5), date(2026, 11, 9)]
    assert list(history["on_hand"]) == [10, 5, 9]
    assert set(history["item"]) == {"高雄熊抱枕"}


# The register of gifts received: return, report and notice dates.

TODAY = date(2026, 11, 26)


@pytest.fixture
def today(monkeypatch) -> date:
    """Asia/Taipei today, fixed for the date rules."""
    from core.gifts import ethics as gift_ethics

    monkeypatch.setattr(gift_ethics, "today_taipei", lambda settings=None: TODAY)
    return TODAY


def _received(**kw: Any) -> dict[str, Any]:
    return {
        "received_on": date(2026, 11, 18),
        "donor": "熊本縣議會",
        "recipient_official": "陳其邁",
        "description": "工藝紀念品禮盒",
        "estimated_value": 6800,
    } | kw


def _gift_rows(session: Session) -> list[dict[str, Any]]:
    table = GiftReceived.__table__
    rows = [dict(r) for r in session.execute(select(table).order_by(table.c.id)).mappings()]
    session.rollback()
    return rows


def _save_gift(session: Session, state: EditorState):
    return save_changes(session, GiftReceived, state, actor=GIFTS_LEAD)


def _add_gift(session: Session, **kw: Any):
    return _save_gift(session, EditorState(_gift_rows(session), added_rows=[_received(**kw)]))


def test_a_returned_gift_saves_with_or_without_its_return_date(session, today):
    pending = _add_gift(session, disposition="returned")
    assert pending.ok, pending.messages()
    back = _add_gift(session, disposition="returned", returned_on="115/11/20")
    assert back.ok, back.messages()
    filed = _add_gift(session, report_filed_on="115/11/19", ethics_notified_on="115/11/19")
    assert filed.ok, filed.messages()
    assert [r["returned_on"] for r in _gift_rows(session)] == [None, date(2026, 11, 20), None]
    assert _gift_rows(session)[2]["report_filed_on"] == date(2026, 11, 19)


def test_a_return_date_needs_the_disposition_returned(session, today):
    result = _add_gift(session, disposition="to_agency", returned_on="115/11/20")
    assert not result.ok
    assert [(e.position, e.field) for e in result.errors] == [("new #1", "returned_on")]
    assert result.messages() == [
        "新增第 1 列：處理方式為「歸公」，不可填退還日期；"
        "禮品已退還請將處理方式改為「退還」，否則請清空退還日期。"
    ]
    assert _gift_rows(session) == []


def test_changing_the_disposition_away_from_returned_keeps_no_return_date(session, today):
    assert _add_gift(session, disposition="returned", returned_on="115/11/20").ok
    edit = EditorState(_gift_rows(session), edited_rows={0: {"disposition": "donated"}})
    result = _save_gift(session, edit)
    assert not result.ok and "處理方式為「轉贈慈善機構」" in result.messages()[0]
    both = {"disposition": "donated", "returned_on": None}
    assert _save_gift(session, EditorState(_gift_rows(session), edited_rows={0: both})).ok


@pytest.mark.parametrize(
    ("field", "label"),
    [
        ("returned_on", "退還日期"),
        ("report_filed_on", "簽報日期"),
        ("ethics_notified_on", "知會政風日期"),
    ],
)
def test_no_date_before_the_gift_was_received(session, today, field, label):
    result = _add_gift(session, disposition="returned", **{field: "115/11/17"})
    assert not result.ok
    assert [(e.position, e.field) for e in result.errors] == [("new #1", field)]
    assert result.messages() == [
        f"新增第 1 列：{label} 115/11/17 早於收受日期 115/11/18，請更正日期。"
    ]
    same_day = _add_gift(session, disposition="returned", **{field: "115/11/18"})
    assert same_day.ok, same_day.messages()


@pytest.mark.parametrize("field", ["returned_on", "report_filed_on", "ethics_notified_on"])
def test_no_date_after_today_in_taipei(session, today, field):
    result = _add_gift(session, disposition="returned", **{field: "115/11/27"})
    assert [(e.position, e.field) for e in result.errors] == [("new #1", field)]
    assert "115/11/27 晚於今天（115/11/26）" in result.messages()[0]
    assert _add_gift(session, disposition="returned", **{field: "115/11/26"}).ok


def test_editing_a_gift_is_judged_on_its_dates_too(session, today):
    assert _add_gift(session).ok
    rows = _gift_rows(session)
    late = _save_gift(session, EditorState(rows, edited_rows={0: {"received_on": "115/11/20"}}))
    assert late.ok  # no dates yet to compare
    rows = _gift_rows(session)
    result = _save_gift(session, EditorState(rows, edited_rows={0: {"report_filed_on": "1151119"}}))
    assert result.messages() == ["第 1 列：簽報日期 115/11/19 早於收受日期 115/11/20，請更正日期。"]


def test_the_rule_uses_asia_taipei_today_by_default(session):
    from core.gifts.ethics import today_taipei

    ok = _add_gift(session, received_on=today_taipei(), report_filed_on=today_taipei())
    assert ok.ok, ok.messages()


def test_a_long_stock_history_is_thinned_to_each_items_month_end_balance():
    import pandas as pd

    from core.gifts.charts import MAX_STOCK_POINTS, stock_chart, thinned_history

    days = pd.date_range("2016-01-01", periods=MAX_STOCK_POINTS, freq="D").date
    history = pd.DataFrame({
        "item": ["甲", "乙"] * MAX_STOCK_POINTS,
        "moved_on": [d for d in days for _ in range(2)],
        "on_hand": range(2 * MAX_STOCK_POINTS),
    })  # fmt: skip
    thin = thinned_history(history)
    months = len({(d.year, d.month) for d in days})
    assert len(thin) == 2 * months
    last_of_jan = thin[(thin["item"] == "甲") & (thin["moved_on"] == date(2016, 1, 31))]
    assert list(last_of_jan["on_hand"]) == [60]  # 甲's balance after its 31st movement
    assert thinned_history(history.head(10)).equals(history.head(10))  # short: as it is
    spec = stock_chart(history, "zh-TW", as_of=date(2026, 1, 1)).to_dict()
    assert len(next(iter(spec["datasets"].values()))) == 2 * months
