"""In a real browser: the pages with tables and editors show 民國 dates in zh-TW and Gregorian
dates in English (screenshots dates_<lang>_<page>.png at 1280 px); edits not yet saved survive a
switch of language and are then saved; the language chosen is still there after a reload."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from core.i18n.labels import t
from tests.e2e.conftest import (
    CHROMIUM,
    assert_no_error,
    choose,
    click_tab,
    main_area,
    new_run,
    settle,
    shot,
    sign_in,
)
from tests.e2e.test_sign_in_and_edit import _edit_cell, _grid_cells, _vehicles_grid

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]

VIEW = {"width": 1280, "height": 2200}  # tall: the tables and editors below the charts show
ROC = re.compile(r"(?<!\d)1[01]\d/\d{2}/\d{2}|民國|(?<!\d)1[01]\d年\d{1,2}月\d{1,2}日")
ISO = re.compile(r"(?<![\w-])20\d\d-\d\d-\d\d(?!\d)")
# Each page, and the tab holding its dated editor (None: the editor is on the page itself).
PAGES = {
    "venue_usage": "ven.tab.bookings",
    "fleet_stats": "fleet.tab.trips",
    "visitor_log": None,
    "gift_inventory": "ui.gift_register",
}
LANGUAGE = "語言 / Language"


def _sidebar(page):
    return page.locator("[data-testid='stSidebar']")


def _switch(page, option: str) -> None:
    choose(page, _sidebar(page), LANGUAGE, option)
    settle(page)


def _scroll_to_tables(page) -> None:
    """The first table or editor at the top, so the shot shows them and not only charts."""
    grid = page.locator("[data-testid='stDataFrame']:visible").first
    expect(grid).to_be_visible(timeout=30_000)
    grid.scroll_into_view_if_needed()
    settle(page)


def test_each_page_shows_the_languages_dates(demo_server, browser):
    context = browser.new_context(viewport=VIEW)
    page = context.new_page()
    sign_in(page, demo_server, "demo.admin", "demo-admin-2023", "venue_usage")
    for lang, option in (("zh-TW", "繁體中文"), ("en", "English")):
        _switch(page, option)
        for name, tab in PAGES.items():
            page.goto(f"{demo_server}/{name}")
            settle(page)
            assert_no_error(page)
            shot(page, f"dates_{lang}_{name}_top")
            if tab is not None:
                click_tab(page, t(tab, lang))
            _scroll_to_tables(page)
            shot(page, f"dates_{lang}_{name}")
            text = main_area(page).inner_text() + _sidebar(page).inner_text()
            editors = page.locator("[data-testid='stDataFrame']:visible")
            if lang == "en":
                assert not ROC.search(text), (name, ROC.search(text))
                assert editors.count(), name
                assert ISO.search(text), name
            else:
                assert ROC.search(text) and not ISO.search(text), name
    context.close()


def test_unsaved_edits_survive_a_language_switch_and_the_language_a_reload(demo_server, browser):
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    page = context.new_page()
    sign_in(page, demo_server, "demo.fleet", "demo-fleet-2023", "fleet_stats")
    grid = _vehicles_grid(page)
    row = _grid_cells(grid, 8 * 2)[8:]  # the second vehicle
    changed = row[3] + "（語言切換）"
    _edit_cell(page, grid, 1, 3, changed)
    _switch(page, "English")
    click_tab(page, t("ui.vehicle_list", "en"))  # the tabs are new ones, in English
    main = main_area(page)
    expect(main).to_contain_text(t("editor.pending.one", "en"))
    expect(main).to_contain_text(t("editor.other_language", "en"))
    shot(page, "dates_en_unsaved_edit_kept")
    with new_run(page):
        page.locator("button:visible", has_text=t("editor.save", "en")).first.click()
    expect(main).not_to_contain_text(t("editor.pending.one", "en"))
    click_tab(page, t("ui.vehicle_list", "en"))
    grid = page.locator("[data-testid='stDataFrame']:visible").first
    assert changed in _grid_cells(grid, 8 * 2)[8:]
    # The trips' editor now reads in English: dates and times in ISO.
    click_tab(page, t("fleet.tab.trips", "en"))
    trips = page.locator("[data-testid='stDataFrame']:visible").first
    cells = _grid_cells(trips, 12)
    assert any(ISO.match(c) for c in cells) and not any(ROC.search(c) for c in cells), cells
    # A reload is a new session: still English, for this user, until they switch back.
    page.reload()
    settle(page)
    expect(page.locator("h1", has_text=t("page.fleet", "en"))).to_be_visible(timeout=30_000)
    assert not ROC.search(main_area(page).inner_text())
    _switch(page, "繁體中文")
    page.reload()
    settle(page)
    expect(page.locator("h1", has_text=t("page.fleet"))).to_be_visible(timeout=30_000)
    context.close()
