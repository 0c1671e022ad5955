"""The gift page renders for a viewer and an administrator, with its warnings (AppTest)."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_pages import (  # noqa: F401
    _editors,
    _signed_in,
    accounts,
    anonymous,
    app,
    clean_caches,
    open_page,
)

PAGE = "pages/gift_inventory.py"


def _open(at: AppTest) -> AppTest:
    return open_page(at, PAGE)


@pytest.mark.parametrize("username", ["t.viewer", "t.admin"])
def test_page_shows_low_stock_and_the_overdue_gift(anonymous, accounts, username):  # noqa: F811
    at = _open(_signed_in(anonymous, accounts, username))
    warnings = [w.value for w in at.warning]
    assert any("「橋見2023」" in w and "庫存不足" in w for w in warnings), warnings
    overdue = [e.value for e in at.error if "逾期未簽報" in e.value]
    assert len(overdue) >= 1
    assert any("115/11/18" in e and "工藝紀念品禮盒" in e and "6,800" in e for e in overdue)
    assert at.multiselect(key="gift.filter.item")
    assert at.multiselect(key="gift.filter.direction")


def test_viewer_gets_no_editor(anonymous, accounts):  # noqa: F811
    at = _open(_signed_in(anonymous, accounts, "t.viewer"))
    assert not [f for f in at.dataframe if f.proto.editing_mode != 0]


def test_admin_gets_the_movement_and_register_editors(app):  # noqa: F811
    at = _open(app)
    assert len([f for f in at.dataframe if f.proto.editing_mode != 0]) == 2


def test_filtering_movements_by_direction_narrows_the_table(app):  # noqa: F811
    at = _open(app)
    at.multiselect(key="gift.filter.direction").select("in").run()
    assert not at.exception, at.exception
