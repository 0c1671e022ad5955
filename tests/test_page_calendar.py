"""The sister-city calendar page renders for a viewer and an administrator (AppTest)."""

from datetime import date

import pytest
from sqlmodel import Session

from core.calendar import ties as cal
from db.engine import make_engine
from tests.apptest import signed_in

PAGE = "pages/sister_cities.py"


@pytest.mark.parametrize("username", ["t.viewer", "t.admin"])
def test_page_renders_with_the_report_figure(anonymous, accounts, username):
    at = signed_in(anonymous, accounts, username)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert [m.value for m in at.metric] == ["15", "1"]
    assert at.multiselect(key="cal.filter.country.zh-TW")
    picker = at.selectbox(key="cal.timeline.pick.zh-TW")
    assert len(picker.options) > 10
    coming = [df.value for df in at.dataframe if "當地時間" in df.value.columns]
    assert coming and any("締盟" in str(c) for c in coming[0].iloc[:, 2])  # anniversaries
    # …each with the city's offset from Taipei on its day (core.kernel.local_time)
    assert all("臺北" in str(c) for c in coming[0]["當地時間"])


def test_directory_filter_narrows_the_cities(app, accounts):
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


def test_english_mode_titles_and_names_are_english(app):
    app.session_state["lang"] = "en"
    app.run()
    app.switch_page(PAGE).run()
    assert not app.exception, app.exception
    coming = [
        " ".join(str(c) for c in df.value.iloc[:, 2])
        for df in app.dataframe
        if "Local time" in df.value.columns
    ]
    assert coming and "anniversary of the tie" in coming[0]
    assert "締盟" not in coming[0]
    picker = app.selectbox(key="cal.timeline.pick.en")
    assert "San Antonio" in " ".join(picker.options)
    assert app.multiselect(key="cal.filter.country.en").placeholder == "All (no filter)"


def _san_antonio_call(url: str) -> tuple[int, int]:
    """(the demo's timed San Antonio video call of March 2027, San Antonio's id)."""
    from sqlmodel import select

    from db.models import ExchangeEvent, PartnerCity

    engine = make_engine(url)
    with Session(engine) as session:
        call = session.scalars(select(ExchangeEvent).where(ExchangeEvent.start_time.is_not(None),
                               ExchangeEvent.title.contains("聖安東尼市"))).one()  # fmt: skip
        city = session.scalars(
            select(PartnerCity).where(PartnerCity.name_en == "San Antonio")
        ).one()
        found = call.id, city.id
    engine.dispose()
    return found


def test_event_details_show_each_citys_local_time(app, accounts):
    call_id, _ = _san_antonio_call(accounts)
    app.session_state["cal.picked"] = f"event-{call_id}"
    app.run()
    app.switch_page(PAGE).run()
    assert not app.exception, app.exception
    shown = " ".join(m.value for m in app.markdown)
    assert "臺北時間 09:00–10:00" in shown
    assert (
        "聖安東尼市：臺北 09:00–10:00／當地 前一日 19:00–20:00（UTC−6，比臺北慢 14 小時）" in shown
    )


def test_the_ics_download_offers_a_city_and_the_dates(app, accounts, monkeypatch):
    _, san_antonio = _san_antonio_call(accounts)
    # "The next 12 months" from a fixed day, so the call of March 2027 stays inside them.
    monkeypatch.setattr("ui.ics_view.today_taipei", lambda: date(2026, 11, 27))
    app.run()
    app.switch_page(PAGE).run()
    city = app.selectbox(key="cal.ics.city.zh-TW")
    assert city.options[0] == "全部城市" and len(city.options) > 10
    assert app.radio(key="cal.ics.range.zh-TW").value == "year"
    city.set_value(san_antonio).run()
    assert not app.exception, app.exception
    counts = [c.value for c in app.caption if c.value.startswith("共 ")]
    assert counts and "交流活動 1" in counts[0]  # the video call of March 2027
    app.radio(key="cal.ics.range.zh-TW").set_value("period").run()
    assert not app.exception, app.exception
    assert [c.value for c in app.caption if c.value.startswith("共 ")] != counts
