"""In a real browser at a phone's size (390 × 844): every page an administrator's sidebar lists
fits the screen's width in each of its tabs (a wide table or chart scrolls in its own box, never
the page), its first figure tiles sit two per row, the overview's links are not cut short, and
the calendar shows Saturday whole; a screenshot of each page (artifacts/screenshots/phone_*)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from core.accounts.users import DEMO_ACCOUNTS
from core.editing import registry
from core.i18n.labels import t
from tests.e2e.conftest import (
    CHROMIUM,
    POLL_MS,
    assert_no_error,
    choose_tab,
    main_area,
    settle,
    shot,
    sign_in,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]

PHONE = {"width": 390, "height": 844}
PASSWORDS = {a.username: a.password for a in DEMO_ACCOUNTS}
# Pages whose top shows figure tiles (ui.widgets.figure_tiles, the overview's headline).
TILED = {"overview", "sister_cities", "visitor_log", "gift_inventory", "venue_usage",
         "fleet_stats", "staffing_table"}  # fmt: skip
# Pages the frame adds to the registry's function pages for an administrator (frame/main.py).
FRAME_PAGES = {"overview", "briefing", "history", "users", "account"}

# How far the page could scroll sideways: Streamlit scrolls the main area (stMain), not the
# document, so both are measured.
OVERFLOW = """() => {
  const main = document.querySelector("[data-testid='stMain']");
  const doc = document.scrollingElement;
  return {document: doc.scrollWidth - window.innerWidth, main: main.scrollWidth - main.clientWidth};
}"""
# Every Vega chart on show has been drawn (an svg or canvas of some width): a chart is drawn a
# moment after its tab is shown. Not those of a hidden tab or a closed expander (<details>).
CHARTS_DRAWN = """() => [...document.querySelectorAll("[data-testid='stVegaLiteChart']")]
  .filter(c => c.offsetParent !== null && c.closest("details:not([open])") === null)
  .every(c => [...c.querySelectorAll("svg, canvas")]
    .some(g => g.getBoundingClientRect().width > 0))"""
# Labels of page links in the main area that end in "…" (text wider than its box).
CUT_LINKS = """() => [...document.querySelectorAll("[data-testid='stMain'] "
    + "[data-testid='stPageLink-NavLink'] span:has(> [data-testid='stMarkdownContainer'])")]
  .filter(s => s.scrollWidth > s.clientWidth + 1).map(s => s.innerText)"""


def _sidebar_pages(page) -> dict[str, str]:
    """{url path: title} of the sidebar's navigation, in its order (the frame's st.navigation
    for this account)."""
    links = page.locator("[data-testid='stSidebarNav'] a[data-testid='stSidebarNavLink']")
    found = {}
    for link in links.all():
        href = link.get_attribute("href") or ""
        found[href.rstrip("/").rsplit("/", 1)[-1]] = link.locator("p").inner_text().strip()
    return found


def _assert_fits(page, where: str) -> None:
    page.wait_for_function(CHARTS_DRAWN, timeout=30_000, polling=POLL_MS)
    overflow = page.evaluate(OVERFLOW)
    assert overflow["document"] <= 1 and overflow["main"] <= 1, (where, overflow)


def _assert_tiles_two_per_row(page, name: str) -> None:
    tiles = main_area(page).locator("[data-testid='stMetric']")
    if name in TILED:
        assert tiles.count() >= 2, name
    if tiles.count() < 2:
        return
    first, second = tiles.nth(0).bounding_box(), tiles.nth(1).bounding_box()
    assert first and second, name
    assert abs(first["y"] - second["y"]) <= 1, (name, first, second)  # one row
    assert second["x"] >= first["x"] + first["width"], (name, first, second)  # side by side
    assert second["x"] + second["width"] <= PHONE["width"], (name, second)  # on the screen


def _assert_saturday_shown(page) -> None:
    """The month view's 週六 column ends inside the calendar's frame."""
    frame = page.locator("iframe[title='streamlit_calendar.calendar']")
    saturday = page.frame_locator("iframe[title='streamlit_calendar.calendar']").locator(
        ".fc-col-header-cell.fc-day-sat"
    )
    expect(saturday).to_be_visible(timeout=30_000)
    box, outer = saturday.bounding_box(), frame.bounding_box()
    assert box and outer
    assert box["x"] + box["width"] <= outer["x"] + outer["width"] + 1, (box, outer)
    assert outer["x"] + outer["width"] <= PHONE["width"], outer


def _assert_staffing_table_fits(page) -> None:
    """The report's table, scrolled to, set to fit the screen (assets/css/narrow.css), its 總計
    (right-aligned in the last row) in view."""
    table = page.locator("table.staff").first
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    assert box and box["x"] + box["width"] <= PHONE["width"], box
    expect(table.locator("tr.grand")).to_contain_text(t("staff.grand_total"))
    shot(page, "phone_staffing_table_report")


def _each_tab_fits(page, name: str) -> None:
    """The page's (first) row of tabs, each shown in turn (a run for tabs the server follows)."""
    tabs = main_area(page).locator("[data-testid='stTabs']").first.get_by_role("tab")
    for i in range(1, tabs.count()):
        choose_tab(page, tabs.nth(i))
        _assert_fits(page, f"{name} / {tabs.nth(i).inner_text()}")


def test_every_page_fits_a_phone(demo_server, browser):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        sign_in(page, demo_server, "demo.admin", PASSWORDS["demo.admin"])
        pages = _sidebar_pages(page)
        function_pages = {
            Path(file).stem for group in registry.navigation().values() for file, _, _ in group
        }
        assert function_pages | FRAME_PAGES <= set(pages), pages
        for name, title in pages.items():
            page.goto(f"{demo_server}/{name}")
            expect(page.locator("h1", has_text=title)).to_be_visible(timeout=60_000)
            settle(page)
            assert_no_error(page)
            _assert_fits(page, name)
            _assert_tiles_two_per_row(page, name)
            if name == "overview":
                assert page.evaluate(CUT_LINKS) == []
            if name == "sister_cities":
                _assert_saturday_shown(page)
            shot(page, f"phone_{name}")
            if name == "staffing_table":
                _assert_staffing_table_fits(page)
            _each_tab_fits(page, name)
    finally:
        context.close()
