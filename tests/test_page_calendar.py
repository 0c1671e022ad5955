"""The sister-city calendar page renders for a viewer and an administrator (AppTest)."""

import pytest

from tests.test_pages import _signed_in, accounts, anonymous, app, clean_caches  # noqa: F401

PAGE = "pages/sister_cities.py"


@pytest.mark.parametrize("username", ["t.viewer", "t.admin"])
def test_page_renders_with_the_report_figure(anonymous, accounts, username):  # noqa: F811
    at = _signed_in(anonymous, accounts, username)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert [m.value for m in at.metric] == ["15"]
    assert at.multiselect(key="cal.filter.country")
    picker = at.selectbox(key="cal.timeline.pick")
    assert len(picker.options) > 10
    titles = [
        "".join(str(c) for c in df.value.iloc[:, 2])
        for df in at.dataframe
        if len(df.value.columns) == 3
    ]
    assert any("締盟" in text for text in titles)  # the coming-up list has anniversaries


def test_directory_filter_narrows_the_cities(app):  # noqa: F811
    app.run()
    app.switch_page(PAGE).run()
    app.multiselect(key="cal.filter.country").select("韓國").run()
    assert not app.exception, app.exception
    picker = app.selectbox(key="cal.timeline.pick")
    assert 0 < len(picker.options) < 10
    assert all(o.endswith("市") for o in picker.options)
    picker.select_index(len(picker.options) - 1).run()
    assert not app.exception, app.exception
    assert app.selectbox(key="cal.timeline.pick").value is not None
