"""Every page renders without an exception and shows the period's figures (AppTest)."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parent.parent / "streamlit_app.py"
PAGES = {
    "pages/sister_cities.py": [],
    "pages/visitor_log.py": [],
    "pages/gift_inventory.py": [],
    "pages/venue_usage.py": ["207", "2,041"],
    "pages/fleet_stats.py": ["770", "51", "821"],
    "pages/staffing_table.py": [],
}


@pytest.fixture
def app(demo_url, monkeypatch):
    """The app against the demo database, with the process-wide caches emptied."""
    from core.config import get_settings
    from db.engine import get_engine
    from ui.context import _engine

    monkeypatch.setenv("DATABASE_URL", demo_url)
    get_settings.cache_clear()
    get_engine.cache_clear()
    _engine.clear()
    at = AppTest.from_file(str(APP), default_timeout=60)
    yield at
    get_settings.cache_clear()
    get_engine.cache_clear()
    _engine.clear()


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_with_figures(app, page):
    app.run()
    app.switch_page(page).run()
    assert not app.exception, app.exception
    shown = [m.value for m in app.metric]
    for value in PAGES[page]:
        assert value in shown


def test_staffing_page_shows_the_report_table(app):
    app.run()
    app.switch_page("pages/staffing_table.py").run()
    html = "".join(h.proto.body for h in app.get("html"))
    for cell in ("5,339", "596", "5,935", "591", "630", "1,450", "2,080", "8,015", "29.86%",
                 "39.92%", "57.48%", "112.2.28"):  # fmt: skip
        assert cell in html


def test_english_labels(app):
    app.session_state["lang"] = "en"
    app.switch_page("pages/fleet_stats.py").run()
    assert not app.exception
    assert app.title[0].value == "Fleet statistics"


def test_bad_period_keeps_the_last_good_one(app):
    # AppTest keeps the sidebar's elements of the first run only, so the bad value goes in first.
    app.session_state["period.end"] = "民國0年1月1日"
    app.run()
    assert not app.exception
    assert "沒有民國0年" in app.sidebar.error[0].value
    assert [m.value for m in app.metric] == ["15"]  # the report period's exchange events


def test_gift_page_warns_of_low_stock(app):
    app.run()
    app.switch_page("pages/gift_inventory.py").run()
    assert any("庫存不足" in w.value and "橋見2023" in w.value for w in app.warning)
