"""The sister-city calendar page renders for a viewer and an administrator (AppTest)."""

import pytest
from sqlmodel import Session

from core import calendar as cal
from db.engine import make_engine
from tests.test_pages import _signed_in, accounts, anonymous, app, clean_caches  # noqa: F401

PAGE = "pages/sister_cities.py"


@pytest.mark.parametrize("username", ["t.viewer", "t.admin"])
def test_page_renders_with_the_report_figure(anonymous, accounts, username):  # noqa: F811
    at = _signed_in(anonymous, accounts, username)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert [m.value for m in at.metric] == ["15"]
    assert at.multiselect(key="cal.filter.country.zh-TW")
    picker = at.selectbox(key="cal.timeline.pick.zh-TW")
    assert len(picker.options) > 10
    titles = [
        "".join(str(c) for c in df.value.iloc[:, 2])
        for df in at.dataframe
        if len(df.value.columns) == 3
    ]
    assert any("締盟" in text for text in titles)  # the coming-up list has anniversaries


def test_directory_filter_narrows_the_cities(app, accounts):  # noqa: F811
    app.run()
    app.switch_page(PAGE).run()
    app.multiselect(key="cal.filter.country.zh-TW").select("韓國").run()
    assert not app.exception, app.exception
    picker = app.selectbox(key="cal.timeline.pick.zh-TW")
    assert 0 < len(picker.options) < 10
    assert all(o.endswith("市") for o in picker.options)
    engine = make_engine(accounts)
    with Session(engine) as session:
        last = cal.directory(session, ["韓國"])["id"].iloc[-1]
    engine.dispose()
    picker.set_value(int(last)).run()
    assert not app.exception, app.exception
    assert app.selectbox(key="cal.timeline.pick.zh-TW").value is not None


def test_english_mode_titles_and_names_are_english(app):  # noqa: F811
    app.session_state["lang"] = "en"
    app.run()
    app.switch_page(PAGE).run()
    assert not app.exception, app.exception
    coming = [
        " ".join(str(c) for c in df.value.iloc[:, 2])
        for df in app.dataframe
        if len(df.value.columns) == 3
    ]
    assert coming and "anniversary of the tie" in coming[0]
    assert "締盟" not in coming[0]
    picker = app.selectbox(key="cal.timeline.pick.en")
    assert "San Antonio" in " ".join(picker.options)
    assert app.multiselect(key="cal.filter.country.en").placeholder == "All (no filter)"
