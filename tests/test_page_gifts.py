"""The gift page renders for a viewer and an administrator, with its warnings (AppTest)."""

from datetime import timedelta

import pytest
from streamlit.testing.v1 import AppTest

from core.kernel.roc_dates import format_roc
from db.seed.common import RECENT_VISIT
from db.seed.gifts_received import RETURNED
from tests.apptest import as_shown, open_page, signed_in

PAGE = "pages/gift_inventory.py"


def _open(at: AppTest) -> AppTest:
    return open_page(at, PAGE)


@pytest.mark.parametrize("username", ["t.viewer", "t.admin"])
def test_page_shows_low_stock_and_the_overdue_gift(anonymous, accounts, username):
    at = _open(signed_in(anonymous, accounts, username))
    warnings = [w.value for w in at.warning]
    assert any("「橋見2023」" in w and "庫存不足" in w for w in warnings), warnings
    overdue = [e.value for e in at.error if "逾期未簽報" in e.value]
    assert len(overdue) >= 1
    received = format_roc(RECENT_VISIT)  # the demo's latest visit
    assert any(received in e and "工藝紀念品禮盒" in e and "6,800" in e for e in overdue)
    assert at.multiselect(key="gift.filter.item.zh-TW")
    assert at.multiselect(key="gift.filter.direction.zh-TW")


def test_needs_action_gives_the_reasons_and_the_return_to_record(anonymous, accounts):
    at = _open(signed_in(anonymous, accounts, "t.viewer"))
    overdue = next(as_shown(e.value) for e in at.error if "工藝紀念品禮盒" in e.value)
    assert overdue.endswith("市價超過 NT$3,000（正常社交禮俗標準）")
    returns = [as_shown(w.value) for w in at.warning if w.value.startswith("待退還：")]
    assert returns == [
        "待退還：115/11/20 公務車保養維修廠商 致贈 車輛管理股股長黃柏翰「茶葉禮盒」，估值 NT$800。"
        "來自有利害關係者、非公務禮儀且超過 NT$500；處理方式為退還，尚未登錄退還日期"
    ]


def test_register_shows_return_and_report_dates_and_the_year_total(anonymous, accounts):
    at = _open(signed_in(anonymous, accounts, "t.viewer"))
    register = next(f.value for f in at.dataframe if "事由及提醒" in f.value.columns)
    assert {"退還日期", "簽報日期", "知會政風日期"} <= set(register.columns)
    returned = register[register["品名及說明"] == "月餅禮盒"].iloc[0]
    sent_back = RETURNED[0][0]  # 74 days before the demo's day, returned the next
    assert (returned["退還日期"], returned["簽報日期"]) == (
        format_roc(sent_back + timedelta(days=1)), format_roc(sent_back),
    )  # fmt: skip
    daejeon = register[register["品名及說明"] == "河回面具"].iloc[0]
    assert daejeon["事由及提醒"] == "同一來源 106 年致贈同一人累計 NT$11,500，超過每年 NT$10,000"
    assert daejeon["簽報狀態"] == "已如期知會政風"


def test_viewer_gets_no_editor(anonymous, accounts):
    at = _open(signed_in(anonymous, accounts, "t.viewer"))
    assert not [f for f in at.dataframe if f.proto.editing_mode != 0]


def test_admin_gets_the_movement_and_register_editors(app):
    at = _open(app)
    assert len([f for f in at.dataframe if f.proto.editing_mode != 0]) == 2


def test_filtering_movements_by_direction_narrows_the_table(app):
    at = _open(app)
    at.multiselect(key="gift.filter.direction.zh-TW").select("in").run()
    assert not at.exception, at.exception


def test_a_saved_row_outside_the_period_is_named_with_a_button_that_shows_it(app):
    from datetime import date

    at = open_page(app, PAGE)
    today = date.today()
    at.session_state["gift_received.editor.outside"] = [today]
    at.run()
    assert not at.exception, at.exception
    shown = [i.value for i in at.info if "不在目前顯示的期間" in i.value]
    assert len(shown) == 1 and format_roc(today) in shown[0] and "111年7月1日" in shown[0]
    button = at.button(key="gift_received.editor.outside.show")
    assert button.label == f"改為顯示 111年7月1日至{format_roc(today, 'long')}"
    button.click().run()
    assert not at.exception, at.exception
    assert at.text_input(key="period.end").value == format_roc(today)
    assert at.text_input(key="period.start").value == "111/07/01"
    assert not [i for i in at.info if "不在目前顯示的期間" in i.value]
