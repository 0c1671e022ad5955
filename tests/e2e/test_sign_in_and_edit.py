"""In a real browser: each demo role signs in and sees its pages; a lead edits a cell, saves,
reloads and finds it kept and on the history page; sign-out revokes a copied cookie; a lock
after failed sign-ins holds in a new browser."""

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlmodel import Session

from core import auth
from core.labels import t
from db.engine import make_engine
from db.models import AuditEntry, Driver
from tests.e2e.conftest import CHROMIUM, click_tab, settle, shot, sign_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]

ROLES = {
    # username: (password, pages in the sidebar, pages not in it)
    "demo.viewer": ("demo-viewer-2023", ["公務車統計", "員額統計"], ["異動紀錄", "使用者管理"]),
    "demo.fleet": ("demo-fleet-2023", ["公務車統計", "異動紀錄"], ["使用者管理"]),
    "demo.intl": ("demo-intl-2023", ["外賓接待紀錄", "異動紀錄"], ["使用者管理"]),
    "demo.gifts": ("demo-gifts-2023", ["禮品管理", "異動紀錄"], ["使用者管理"]),
    "demo.staffing": ("demo-staffing-2023", ["員額統計", "異動紀錄"], ["使用者管理"]),
    "demo.admin": ("demo-admin-2023", ["異動紀錄", "使用者管理"], []),
}
VIEW = {"width": 1500, "height": 1000}
LOCKED_PASSWORD = "e2e-locked-pass-1"


def _sidebar(page) -> str:
    return page.locator("[data-testid='stSidebar']").inner_text()


def _grid_cells(grid, n: int) -> list[str]:
    """The first n cell texts of a data grid (its accessible table mirrors the canvas)."""
    cells = grid.locator("td")
    return [cells.nth(i).inner_text() for i in range(n)]


def _open_cell_editor(page, grid, *, row: int, column: int):
    """Focus a cell by keyboard from the row's id cell and open its editor.

    A rerun landing between the click and the keys (the sign-in cookie component reports
    back once) can take the grid's focus, so the gesture is repeated until the editor opens.
    """
    for _ in range(5):
        settle(page, 300)
        # Relative to the grid, which Playwright scrolls into view first: a rerun may have
        # moved the page since the grid was found.
        grid.click(position={"x": 60, "y": 52 + 35 * row})  # the id cell (read-only)
        for _ in range(column):
            page.keyboard.press("ArrowRight")
        page.keyboard.press("Enter")  # opens the focused cell's editor
        editor = page.locator("textarea.gdg-input")
        try:
            editor.wait_for(state="visible", timeout=5_000)
            return editor
        except Exception:
            page.keyboard.press("Escape")
    raise AssertionError("the cell editor did not open")


def _save(page, outcome: str = "") -> None:
    """Press 儲存變更 and wait until the save ran: the unsaved-changes line is gone, or the
    expected outcome text is shown. Pressed again only if, some seconds on, the button is still
    there to press and nothing changed (a rerun swallowed the click); a slow save that already
    disabled the button is waited for, not failed."""
    main = page.locator("[data-testid='stMain']")

    def done() -> bool:
        text = main.inner_text()
        return outcome in text if outcome else "列未儲存的變更" not in text

    for _ in range(3):
        button = page.locator("button:visible", has_text="儲存變更")
        if button.count() and button.first.is_enabled():
            button.first.click()
        for _ in range(80):  # up to 20 s for the save's run and the rerun it starts
            page.wait_for_timeout(250)
            if done():
                settle(page, 300)
                return
    shot(page, "save_did_not_run")
    raise AssertionError(f"the save did not run: {main.inner_text()[-300:]}")


def _check_overview(page, username: str) -> None:
    """Sign-in lands on the overview: its to-do lists and tiles, and for leads and
    administrators the changes since their last sign-in (screenshot overview_<user>.png)."""
    main = page.locator("[data-testid='stMain']")
    expect(page.locator("h1", has_text=t("page.overview"))).to_be_visible(timeout=30_000)
    expect(page.locator("[data-testid='stMetric']")).to_have_count(6, timeout=30_000)
    text = main.inner_text()
    for heading in ("ov.follow_ups", "ov.gift_reports", "ov.low_stock", "ov.figures"):
        assert t(heading, n=0).split("（")[0] in text, heading
    assert "「橋見2023」亞太城市桌曆" in text  # below its threshold in the demo data
    assert (t("ov.changes") in text) == (username != "demo.viewer")
    page.set_viewport_size({"width": 1500, "height": 1900})
    shot(page, f"overview_{username}")
    page.set_viewport_size(VIEW)


# The viewer's and the administrator's every page opens without an error, with a screenshot of
# each in artifacts/screenshots/role_*.png (the page tests take each page as a lead too).
WALKED = ("demo.viewer", "demo.admin")


def _walk_every_page(page, username: str) -> None:
    links = page.locator("[data-testid='stSidebarNav'] a")
    paths = [href.rsplit("/", 1)[-1] for href in (a.get_attribute("href") for a in links.all())]
    assert len(paths) >= 3, paths
    for path in paths:
        page.locator(f"[data-testid='stSidebarNav'] a[href$='/{path}']").click()
        expect(page).to_have_url(re.compile(f"/{path}$"), timeout=30_000)
        settle(page, 100)
        assert page.locator("[data-testid='stException']").count() == 0, path
        shot(page, f"role_{username}_{path}")


@pytest.mark.parametrize("username", ROLES)
def test_each_demo_role_signs_in_to_its_pages(demo_server, browser, username):
    password, shown, hidden = ROLES[username]
    context = browser.new_context(viewport=VIEW)
    page = context.new_page()
    sign_in(page, demo_server, username, password)
    sidebar = _sidebar(page)
    assert all(name in sidebar for name in shown), sidebar
    assert not any(name in sidebar for name in hidden), sidebar
    _check_overview(page, username)
    if username in WALKED:
        _walk_every_page(page, username)
    page.get_by_role("button", name="登出").click()
    # The sign-out's rerun may start after a first settle: wait for the form it draws.
    expect(page.get_by_label("密碼")).to_have_count(1, timeout=30_000)
    expect(page.locator("[data-testid='stMain']")).to_contain_text("已登出", timeout=30_000)
    context.close()


def test_a_lead_edits_saves_reloads_and_finds_it_in_history(demo_server, browser):
    context = browser.new_context(viewport=VIEW)
    page = context.new_page()
    sign_in(page, demo_server, "demo.fleet", ROLES["demo.fleet"][0], "fleet_stats")
    click_tab(page, "車輛")
    settle(page)
    grid = page.locator("[data-testid='stDataFrame']:visible").first
    grid.scroll_into_view_if_needed()
    before = _grid_cells(grid, 4)  # id, plate, kind, model of the first vehicle
    new_model = before[3] + " 改裝"
    _edit_cell(page, grid, 0, 3, new_model)  # 車型 (model) of the first row
    assert "尚有 1 列未儲存的變更" in page.locator("[data-testid='stMain']").inner_text()
    shot(page, "lead_edit_before_save")
    _save(page)
    page.wait_for_selector("[data-testid='stToast']:has-text('已儲存 1 列變更')", timeout=5_000)

    page.reload()
    settle(page, 1200)
    click_tab(page, "車輛")
    settle(page)
    grid = page.locator("[data-testid='stDataFrame']:visible").first
    assert _grid_cells(grid, 4) == [*before[:3], new_model]
    shot(page, "lead_edit_after_reload")

    page.get_by_role("link", name="異動紀錄").click()
    settle(page, 1200)
    history = page.locator("[data-testid='stDataFrame']").first
    first_entry = _grid_cells(history, 7)
    assert first_entry[2:] == ["demo.fleet", "公務車輛", before[0], "修改", "車型"], first_entry
    history.click(position={"x": 18, "y": 52})  # select the newest entry
    settle(page, 1000)
    diff = page.locator("[data-testid='stDataFrame']").nth(1)
    assert _grid_cells(diff, 3) == ["車型", before[3], new_model]
    shot(page, "history_after_lead_edit")
    context.close()


def test_sign_out_revokes_a_copied_cookie(demo_server, browser):
    context = browser.new_context(viewport=VIEW)
    page = context.new_page()
    sign_in(page, demo_server, "demo.viewer", ROLES["demo.viewer"][0])
    # The browser stores the cookie a moment after sign-in (a script sets it): wait for it.
    for _ in range(40):
        if any(c["name"] == "bureau_workspace_signin" for c in context.cookies()):
            break
        page.wait_for_timeout(250)
    page.reload()  # signed in again from the cookie alone
    settle(page)
    sign_out = page.get_by_role("button", name="登出")
    expect(sign_out).to_be_visible(timeout=30_000)
    settle(page)
    copied = [c for c in context.cookies() if c["name"] == "bureau_workspace_signin"]
    assert copied
    sign_out.click()
    expect(page.get_by_label("密碼")).to_have_count(1, timeout=30_000)  # signed out on the server
    context.close()

    thief = browser.new_context(viewport=VIEW)
    thief.add_cookies(copied)
    page = thief.new_page()
    page.goto(demo_server)
    settle(page, 1200)
    assert page.get_by_label("密碼").count() == 1
    assert page.get_by_role("button", name="登出").count() == 0
    assert "登入已結束" in page.locator("[data-testid='stMain']").inner_text()
    shot(page, "copied_cookie_after_sign_out")
    thief.close()


def test_a_lock_after_five_failures_holds_in_a_new_browser(demo_server, demo_data_dir, browser):
    context = browser.new_context(viewport=VIEW)
    page = context.new_page()
    page.goto(demo_server)
    settle(page)  # the first run creates the database when this test runs alone
    # An account of its own, so the lock does not get in the way of the other tests.
    engine = make_engine(f"sqlite:///{demo_data_dir / 'workspace.db'}")
    with Session(engine) as session:
        auth.create_user(session, username="e2e.locked", password=LOCKED_PASSWORD, role="viewer")
    engine.dispose()
    for _ in range(5):
        page.get_by_label("帳號").fill("e2e.locked")
        page.get_by_label("密碼").fill("wrong password!")
        page.get_by_role("button", name="登入").click()
        settle(page, 300)
    assert "已鎖定" in page.locator("[data-testid='stMain']").inner_text()
    context.close()

    fresh = browser.new_context(viewport=VIEW)
    page = fresh.new_page()
    sign_in(page, demo_server, "e2e.locked", LOCKED_PASSWORD)
    main = page.locator("[data-testid='stMain']").inner_text()
    shot(page, "locked_in_new_browser")
    assert "已鎖定" in main and page.get_by_role("button", name="登出").count() == 0
    fresh.close()


def test_a_lead_exports_edits_and_imports_a_file(demo_server, browser, tmp_path):
    context = browser.new_context(viewport=VIEW, accept_downloads=True)
    page = context.new_page()
    sign_in(page, demo_server, "demo.gifts", ROLES["demo.gifts"][0], "venue_usage")
    click_tab(page, "場地清單")
    settle(page)
    page.locator("button:visible", has_text="匯出").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="CSV", exact=True).click()
    exported = tmp_path / "venues.csv"
    download.value.save_as(exported)
    text = exported.read_text(encoding="utf-8-sig")
    header, first, *rest = text.splitlines()
    assert header.startswith("編號,") and header.endswith(",版本")
    cells = first.split(",")
    capacity = header.split(",").index("容納人數")
    cells[capacity] = str(int(cells[capacity]) + 7)
    edited = tmp_path / "venues_edited.csv"
    edited.write_text("\n".join([header, ",".join(cells), *rest]) + "\n", encoding="utf-8-sig")

    page.get_by_role("tabpanel", name="場地清單").get_by_text("匯入 CSV／Excel").click()
    page.get_by_role("tabpanel", name="場地清單").locator("input[type='file']").set_input_files(
        str(edited)
    )
    shot(page, "import_uploaded")
    page.get_by_role("button", name="確認匯入").wait_for(timeout=30_000)
    assert "修改 1 筆" in page.locator("[data-testid='stMain']").inner_text()
    shot(page, "import_preview")
    page.get_by_role("button", name="確認匯入").click()
    settle(page, 1200)
    page.reload()
    settle(page, 1200)
    click_tab(page, "場地清單")
    settle(page)
    grid = page.locator("[data-testid='stDataFrame']:visible").first
    assert _grid_cells(grid, len(cells) - 1)[capacity] == cells[capacity]
    context.close()


def _vehicles_grid(page):
    click_tab(page, "車輛")
    settle(page)
    grid = page.locator("[data-testid='stDataFrame']:visible").first
    grid.scroll_into_view_if_needed()
    return grid


def _edit_cell(page, grid, row: int, column: int, value: str) -> None:
    """Type value into a cell until the page counts it as an unsaved change."""
    main = page.locator("[data-testid='stMain']")
    for _ in range(3):
        editor = _open_cell_editor(page, grid, row=row, column=column)
        editor.fill(value)
        editor.press("Enter")
        settle(page)
        if "列未儲存的變更" in main.inner_text():
            return
    shot(page, "edit_not_registered")
    raise AssertionError(f"the edit did not register: {main.inner_text()[-300:]}")


def test_a_conflicting_save_shows_both_values_and_keeps_mine_on_request(demo_server, browser):
    first, second = (browser.new_context(viewport=VIEW) for _ in range(2))
    admin, lead = first.new_page(), second.new_page()
    sign_in(admin, demo_server, "demo.admin", ROLES["demo.admin"][0], "fleet_stats")
    sign_in(lead, demo_server, "demo.fleet", ROLES["demo.fleet"][0], "fleet_stats")
    admin_grid, lead_grid = _vehicles_grid(admin), _vehicles_grid(lead)
    row = _grid_cells(lead_grid, 8 * 2)[8:]  # the second vehicle, as both loaded it
    theirs, mine = row[3] + "（管理者改）", row[3] + "（主管改）"

    _edit_cell(admin, admin_grid, 1, 3, theirs)
    _save(admin)
    _edit_cell(lead, lead_grid, 1, 3, mine)
    _save(lead, "已被他人修改")
    main = lead.locator("[data-testid='stMain']").inner_text()
    assert "已被他人修改" in main and "demo.admin" in main  # who changed it, by username
    conflict = lead.locator("[data-testid='stDataFrame']:visible").nth(1)
    assert _grid_cells(conflict, 4) == [f"#{row[0]}", "車型", theirs, mine]
    shot(lead, "conflict_shown")

    lead.get_by_role("button", name="以我的修改覆寫最新資料").click()
    settle(lead, 1200)
    lead.reload()
    settle(lead, 1200)
    assert _grid_cells(_vehicles_grid(lead), 16)[8:12] == [*row[:3], mine]
    admin.get_by_role("link", name="異動紀錄").click()
    settle(admin, 1200)
    history = _grid_cells(admin.locator("[data-testid='stDataFrame']").first, 14)
    # Newest first: the lead's overwrite, then the administrator's change; neither is lost.
    assert [history[2], history[5], history[9], history[12]] == [
        "demo.fleet", "修改", "demo.admin", "修改",
    ]  # fmt: skip
    first.close()
    second.close()


def test_a_double_clicked_save_writes_a_new_row_once(demo_server, demo_data_dir, browser):
    """A new driver typed into the blank last row, then 儲存變更 double-clicked: one driver,
    one audit entry."""
    name = f"雙擊測試 {uuid.uuid4().hex[:6]}"
    context = browser.new_context(viewport=VIEW)
    page = context.new_page()
    sign_in(page, demo_server, "demo.fleet", ROLES["demo.fleet"][0], "fleet_stats")
    click_tab(page, "駕駛")
    settle(page)
    # Searched for the new name: no driver matches, so the grid's only row is the blank one.
    search = page.locator("[data-testid='stMain'] input[aria-label='搜尋']:visible").first
    search.fill(name)
    search.press("Enter")
    settle(page)
    grid = page.locator("[data-testid='stDataFrame']:visible").first
    grid.scroll_into_view_if_needed()
    engine = make_engine(f"sqlite:///{demo_data_dir / 'workspace.db'}")
    _edit_cell(page, grid, 0, 1, name)  # 姓名 of the blank row
    shot(page, "double_click_before_save")
    page.locator("button:visible", has_text="儲存變更").dblclick()
    expect(page.locator("[data-testid='stToast']", has_text="已儲存 1 列變更")).to_have_count(
        1, timeout=30_000
    )
    settle(page, 1500)
    with Session(engine) as session:
        ids = session.scalars(select(Driver.id).where(Driver.name == name)).all()
        entries = session.scalars(
            select(AuditEntry.id).where(
                AuditEntry.table_name == "driver", AuditEntry.row_id.in_(ids)
            )
        ).all()
    engine.dispose()
    assert len(ids) == 1 and len(entries) == 1, (ids, entries)
    assert page.locator("[data-testid='stToast']", has_text="已儲存 0").count() == 0
    assert "列未儲存的變更" not in page.locator("[data-testid='stMain']").inner_text()
    shot(page, "double_click_after_save")
    context.close()
