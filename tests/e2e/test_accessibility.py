"""In a real browser, WCAG 2.1 (無障礙網頁規範): axe-core finds no serious or critical violation
on the sign-in page nor on any page a demo account may open, and sign-in, the sidebar's search
and a table's save work by keyboard alone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from sqlmodel import Session

from core.accounts.users import DEMO_ACCOUNTS, DemoAccount
from core.editing import registry
from core.i18n.labels import t, tn
from db.models import Vehicle
from tests.e2e.conftest import (
    CHROMIUM,
    POLL_MS,
    app_engine,
    assert_no_error,
    choose,
    main_area,
    new_run,
    settle,
    shot,
    sign_in,
    wait_for_signin_cookie,
)
from ui import navigation

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]

VIEW = {"width": 1500, "height": 1000}
AXE = Axe()
# WCAG 2.0 and 2.1, levels A and AA: what the government's accessibility rules ask for (axe's
# best-practice rules, such as heading order, are left out).
WCAG = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
BLOCKING = {"serious", "critical"}
# Violations in Streamlit's own markup, which the app cannot change: (rule, a CSS selector the
# element must match, why). Anything else the app fixes.
ALLOWED = (
    ("list", "ul[data-testid='stSidebarNavItems']",
     "Streamlit's sidebar navigation puts each section's heading and links in a <div> in the <ul>"),
    ("listitem", "[data-testid='stSidebarNavItems'] li",
     "so the navigation's <li>s sit in that <div>, not directly in a <ul>"),
    ("svg-img-alt", "[data-testid='stMetricChart'] svg g[role='graphics-symbol']:empty",
     "st.metric's sparkline (Vega) holds an empty group for highlighted points, with no title"),
    ("duplicate-id-active", "[data-testid='stDataFrame'] td[id^='glide-cell-']",
     "every data grid names its accessible cells glide-cell-<column>-<row>: two grids repeat them"),
)  # fmt: skip


# Pages drawn alike for every signed-in account: the viewer's and the administrator's visits
# cover them.
SAME_FOR_EVERY_ROLE = {"pages/briefing.py", "pages/account.py"}


def _drawn_as_for_another(account: DemoAccount) -> set[str]:
    """The pages a lead need not visit: those drawn alike for everyone, and the function pages
    (a section's page is drawn for its lead as for the administrator, with the same editors
    (core.editing.pipeline.can_edit), and for other leads as for the viewer). A lead visits
    the overview and 異動紀錄, which show what the lead's sections hold, with the lead's sidebar."""
    if account.role != "lead":
        return set()
    return SAME_FOR_EVERY_ROLE | {s.page for s in registry.sections()}


def pages_of(account: DemoAccount) -> list[tuple[str, str]]:
    """(address, h1 title) of the pages the account's sidebar lists (ui.navigation, as the
    frame builds it) whose drawing is the account's own."""
    skip = _drawn_as_for_another(account)
    return [
        (navigation.url_path(path), t(label))
        for items in navigation.sections().values()
        for path, label, _ in items
        if navigation.allowed(path, account.role) and path not in skip
    ]


VISITS = [(a, url, title) for a in DEMO_ACCOUNTS for url, title in pages_of(a)]


# --- axe ---------------------------------------------------------------------------------------


# For each [axe's selector of an element, the selectors allowed for its rule]: whether the element
# matches one of them (a node inside a frame, whose selector is a list of two, never does).
MATCHES = """pairs => pairs.map(([target, allowed]) => {
  const el = target.length === 1 ? document.querySelector(target[0]) : null;
  return !!el && allowed.some(selector => el.matches(selector));
})"""


def _not_allowed(page, violation: dict) -> list[dict]:
    """The violation's elements that ALLOWED does not allow (one round trip to the page)."""
    allowed = [selector for rule, selector, _ in ALLOWED if rule == violation["id"]]
    nodes = violation["nodes"]
    if not allowed:
        return nodes
    matched = page.evaluate(MATCHES, [[node["target"], allowed] for node in nodes])
    return [node for node, ok in zip(nodes, matched, strict=True) if not ok]


def _report(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {v['helpUrl']}")
        for node in v["nodes"][:8]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(
                f"    {' '.join(node['target'])}\n      {node['html'][:200]}\n      {summary}"
            )
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


def assert_accessible(page, name: str) -> None:
    """axe's WCAG 2.1 A/AA rules on the page as drawn: no serious or critical violation but
    the allowed ones (ALLOWED), each listed with its elements in the message."""
    found = AXE.run(page, options=WCAG).response["violations"]
    blocking = []
    for violation in found:
        if violation["impact"] not in BLOCKING:
            continue
        nodes = _not_allowed(page, violation)
        if nodes:
            blocking.append({**violation, "nodes": nodes})
    if blocking:
        shot(page, f"a11y_{name}_violations")
        pytest.fail(f"axe on {name}:\n{_report(blocking)}", pytrace=False)


# Every chart on view has been drawn: Streamlit draws a chart (a metric's sparkline too) once
# the run that holds it has ended, when Vega has loaded; a chart in a tab not shown draws
# nothing and is not on view.
CHARTS_DRAWN = """() => [...document.querySelectorAll(
    '[data-testid="stVegaLiteChart"], [data-testid="stMetricChart"]')]
  .filter(chart => chart.checkVisibility())
  .every(chart => chart.querySelector('svg, canvas'))"""
UNDRAWN = """() => [...document.querySelectorAll(
    '[data-testid="stVegaLiteChart"], [data-testid="stMetricChart"]')]
  .filter(chart => chart.checkVisibility() && !chart.querySelector('svg, canvas'))
  .map(chart => chart.outerHTML.slice(0, 300))"""


class Accounts:
    """One browser context per demo account, signed in through the form once; its later pages
    open signed in by the cookie the form left, in the same tab."""

    def __init__(self, base: str, browser) -> None:
        self.base, self.browser = base, browser
        self.tabs: dict[str, object] = {}

    def open(self, account: DemoAccount, url: str, title: str):
        page = self.tabs.get(account.username)
        if page is None:
            page = self.browser.new_context(viewport=VIEW).new_page()
            self.tabs[account.username] = page
            sign_in(page, self.base, account.username, account.password, url)
        else:
            page.goto(f"{self.base}/{url}")
        # The page's own title, then its run to the end (drawn, nothing left to report back),
        # and its charts.
        expect(main_area(page).locator("h1", has_text=title)).to_be_visible(timeout=60_000)
        settle(page)
        try:
            page.wait_for_function(CHARTS_DRAWN, timeout=30_000, polling=POLL_MS)
        except PlaywrightTimeout:
            shot(page, f"a11y_{account.username}_{url}_charts")
            raise AssertionError(f"{url}: charts not drawn: {page.evaluate(UNDRAWN)}") from None
        return page

    def close(self) -> None:
        for page in self.tabs.values():
            page.context.close()


@pytest.fixture(scope="module")
def accounts(demo_server, browser):
    opened = Accounts(demo_server, browser)
    yield opened
    opened.close()


def test_the_sign_in_page_is_accessible(demo_server, browser):
    page = browser.new_page(viewport=VIEW)
    page.goto(demo_server)
    settle(page)
    expect(page.get_by_label(t("auth.password"))).to_be_visible()
    assert page.evaluate("document.documentElement.lang") == "zh-TW"
    assert_accessible(page, "sign_in")
    # In English the page says so (the frame's script follows the language box).
    choose(page, page.locator("[data-testid='stSidebar']"), "語言 / Language", "English")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_label(t("auth.password", "en"), exact=True)).to_be_visible()
    assert_accessible(page, "sign_in_en")
    page.close()


@pytest.mark.parametrize(
    ("account", "url", "title"), VISITS, ids=[f"{a.username}-{url}" for a, url, _ in VISITS]
)
def test_every_page_of_every_role_is_accessible(accounts, account, url, title):
    page = accounts.open(account, url, title)
    assert_no_error(page)
    assert page.evaluate("document.documentElement.lang") == "zh-TW"
    assert_accessible(page, f"{account.username}_{url}")


# --- by keyboard alone -------------------------------------------------------------------------

# What has the keyboard's focus, as the tests below follow it.
FOCUSED = """() => { const el = document.activeElement;
  return { tag: el.tagName, text: (el.innerText || '').trim(), href: el.getAttribute('href'),
           link: el.matches('a[data-testid="stPageLink-NavLink"]'),
           dialog: !!el.closest('[role="dialog"]'),
           canvas: el.matches('[data-testid="stDataFrame"] canvas') }; }"""


def _tab_until(page, wanted, most: int = 30) -> dict:
    """Press Tab until the focused element is the wanted one (a test on FOCUSED's answer)."""
    for _ in range(most):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if wanted(focused):
            return focused
    raise AssertionError(f"{most} Tabs did not reach it; last focused: {focused}")


def _account(username: str) -> DemoAccount:
    return next(a for a in DEMO_ACCOUNTS if a.username == username)


def test_signing_in_by_keyboard_alone(demo_server, browser):
    lead = _account("demo.fleet")
    context = browser.new_context(viewport=VIEW)
    page = context.new_page()
    page.goto(f"{demo_server}/account")
    settle(page)
    page.get_by_label(t("auth.username")).focus()  # where a visitor's first Tabs land
    page.keyboard.type(lead.username)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == t("auth.password")
    page.keyboard.type(lead.password)
    with new_run(page):
        page.keyboard.press("Enter")
    expect(page.get_by_role("button", name=t("auth.sign_out"))).to_be_visible(timeout=30_000)
    wait_for_signin_cookie(page)
    expect(main_area(page).locator("h1", has_text=t("page.account"))).to_be_visible()
    assert_no_error(page)
    context.close()


def test_the_sidebar_search_by_keyboard_alone(accounts):
    viewer = _account("demo.viewer")
    page = accounts.open(viewer, "overview", t("page.overview"))
    page.get_by_role("searchbox", name=t("search.label")).focus()
    page.keyboard.type("Brisbane")
    with new_run(page):
        page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(t("search.dialog", query="Brisbane"))
    assert_accessible(page, "search_dialog")
    # The dialog holds the focus: Tab goes from its close button to the first result's link.
    link = _tab_until(page, lambda f: f["link"] and f["dialog"], most=5)
    assert link["text"].endswith("布里斯本市（Brisbane）"), link
    # ... and shows where it is: an outline in the bureau's blue (WCAG 2.4.7), not a faint grey.
    outline = page.evaluate(
        "() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor]; }"
    )
    assert outline == ["solid", 2.0, "rgb(11, 83, 148)"], outline
    shot(page, "a11y_search_dialog_link_focused")
    with new_run(page):
        page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/sister_cities\?table=partner_city&id=\d+$"))
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(main_area(page)).to_contain_text("Brisbane")
    assert_no_error(page)
    assert_accessible(page, "search_record")


def test_a_table_edit_is_saved_by_keyboard_alone(accounts, demo_data_dir):
    lead = _account("demo.fleet")
    page = accounts.open(lead, "fleet_stats", t("page.fleet"))
    # The 車輛 tab by keyboard (drawn in the browser: no run), then Tab through its filters and
    # the grid's toolbar into the grid.
    tab = page.get_by_role("tab", name=t("ui.vehicle_list"), exact=True)
    tab.focus()
    page.keyboard.press("Enter")
    expect(tab).to_have_attribute("aria-selected", "true")
    grid = page.locator("[data-testid='stDataFrame']:visible").first
    cells = grid.locator("td")
    vehicle_id, model = cells.nth(8).inner_text(), cells.nth(11).inner_text()  # row 2: id, 車型
    new_model = f"{model} 鍵盤"
    _tab_until(page, lambda f: f["canvas"])
    # Tabbed into, the grid selects its first cell (the read-only 編號); down one row and right
    # to 車型, where Enter opens the cell's editor with its value.
    for key in ("ArrowDown", "ArrowRight", "ArrowRight", "ArrowRight"):
        page.keyboard.press(key)
    page.keyboard.press("Enter")
    editor = page.locator("textarea.gdg-input")
    expect(editor).to_be_focused()
    expect(editor).to_have_value(model)
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(new_model)
    with new_run(page):  # the grid reports the edit a moment after Enter
        page.keyboard.press("Enter")
    expect(main_area(page)).to_contain_text(tn("editor.pending", 1))
    # On from the grid to 儲存變更 (enabled now that the edit counts), and Enter presses it.
    _tab_until(page, lambda f: f["tag"] == "BUTTON" and f["text"].endswith(t("editor.save")))
    with new_run(page):
        page.keyboard.press("Enter")
    saved = tn("editor.saved", 1)
    expect(page.locator("[data-testid='stToast']", has_text=saved)).to_be_visible()
    shot(page, "a11y_keyboard_save")
    engine = app_engine(demo_data_dir)
    try:
        with Session(engine) as session:
            assert session.get(Vehicle, int(vehicle_id)).model_name == new_model
    finally:
        engine.dispose()
