"""In a real browser: each demo role signs in and sees its pages; a lead edits a cell, saves,
reloads and finds it kept and on the history page; sign-out revokes a copied cookie; a lock
after failed sign-ins holds in a new browser and shows only to the right password; a user
disabled by the admin loses access and their old cookie stays dead after re-enabling; a lead
changes their password and their older browser is signed out; a typed username is no link."""

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from sqlalchemy import select
from sqlmodel import Session

from core.accounts import auth
from core.i18n.labels import t
from db.engine import make_engine
from db.models import AuditEntry, Driver, User
from tests.e2e.conftest import (
    CHROMIUM,
    SIGNIN_COOKIE,
    choose,
    click_tab,
    export_venues_with_capacity_raised,
    main_area,
    new_run,
    settle,
    shot,
    sign_in,
    wait_for_signin_cookie,
)

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
PHONE = {"width": 390, "height": 844}
LOCKED_PASSWORD = "e2e-locked-pass-1"
OFF_PASSWORD = "e2e-disabled-pass-1"
OLD_PASSWORD, NEW_PASSWORD = "e2e-first-secret-1", "e2e-second-secret-2"
EVIL = "[點我](http://evil.example)"


def _sidebar(page) -> str:
    return page.locator("[data-testid='stSidebar']").inner_text()


def _grid_cells(grid, n: int) -> list[str]:
    """The first n cell texts of a data grid (its accessible table mirrors the canvas)."""
    cells = grid.locator("td")
    return [cells.nth(i).inner_text() for i in range(n)]


def _open_cell_editor(page, grid, *, row: int, column: int):
    """Focus a cell by keyboard from the row's id cell and open its editor (the gesture again
    if the editor did not open: a click the grid took for something else)."""
    for _ in range(5):
        settle(page)
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
    """Press 儲存變更 once the page has settled, and wait for the save's run and the rerun it
    starts: the unsaved-changes line is gone, or the expected outcome text is shown."""
    main = main_area(page)
    with new_run(page):
        page.locator("button:visible", has_text="儲存變更").first.click()
    try:
        if outcome:
            expect(main).to_contain_text(outcome)
        else:
            expect(main).not_to_contain_text("列未儲存的變更")
    except AssertionError:
        shot(page, "save_did_not_run")
        raise


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
        # The address changes once the page's run has started, asked for by the click.
        expect(page).to_have_url(re.compile(f"/{path}$"), timeout=30_000)
        settle(page)
        assert page.locator("[data-testid='stException']").count() == 0, path
        shot(page, f"role_{username}_{path}")


@pytest.mark.parametrize("username", ROLES)
def test_each_demo_role_signs_in_to_its_pages(demo_server, browser, username):
    password, shown, hidden = ROLES[username]
    context = browser.new_context(viewport=VIEW)
    page = context.new_page()
    sign_in(page, demo_server, username, password)
    # The navigation of the role, drawn by the run that signed in (settled by sign_in).
    expect(page.locator("[data-testid='stSidebarNav']")).to_be_visible()
    sidebar = _sidebar(page)
    assert all(name in sidebar for name in shown), sidebar
    assert not any(name in sidebar for name in hidden), sidebar
    _check_overview(page, username)
    if username in WALKED:
        _walk_every_page(page, username)
    with new_run(page):
        page.get_by_role("button", name="登出").click()
    expect(page.get_by_label("密碼")).to_have_count(1)
    expect(page.locator("[data-testid='stMain']")).to_contain_text("已登出")
    context.close()


def test_a_lead_edits_saves_reloads_and_finds_it_in_history(demo_server, browser):
    context = browser.new_context(viewport=VIEW)
    page = context.new_page()
    sign_in(page, demo_server, "demo.fleet", ROLES["demo.fleet"][0], "fleet_stats")
    click_tab(page, "車輛")
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
    settle(page)
    click_tab(page, "車輛")
    grid = page.locator("[data-testid='stDataFrame']:visible").first
    assert _grid_cells(grid, 4) == [*before[:3], new_model]
    shot(page, "lead_edit_after_reload")

    with new_run(page):
        page.get_by_role("link", name="異動紀錄").click()
    history = page.locator("[data-testid='stDataFrame']").first
    first_entry = _grid_cells(history, 8)  # the record named by its plate
    assert first_entry[2:] == ["demo.fleet", "公務車輛", before[0], before[1], "修改", "車型"], (
        first_entry
    )
    with new_run(page):  # the grid reports the selection a moment after the click
        history.click(position={"x": 18, "y": 52})  # select the newest entry
    diff = page.locator("[data-testid='stDataFrame']").nth(1)
    assert _grid_cells(diff, 3) == ["車型", before[3], new_model]
    shot(page, "history_after_lead_edit")
    context.close()


def test_sign_out_revokes_a_copied_cookie(demo_server, browser):
    context = browser.new_context(viewport=VIEW)
    page = context.new_page()
    sign_in(page, demo_server, "demo.viewer", ROLES["demo.viewer"][0])  # waits for the cookie
    page.reload()  # signed in again from the cookie alone
    settle(page)
    sign_out = page.get_by_role("button", name="登出")
    expect(sign_out).to_be_visible(timeout=30_000)
    copied = [c for c in context.cookies() if c["name"] == "bureau_workspace_signin"]
    assert copied
    with new_run(page):
        sign_out.click()
    expect(page.get_by_label("密碼")).to_have_count(1)  # signed out on the server
    context.close()

    thief = browser.new_context(viewport=VIEW)
    thief.add_cookies(copied)
    page = thief.new_page()
    page.goto(demo_server)
    settle(page)
    assert page.get_by_label("密碼").count() == 1
    expect(page.get_by_role("button", name="登出")).to_have_count(0)
    assert "登入已結束" in page.locator("[data-testid='stMain']").inner_text()
    shot(page, "copied_cookie_after_sign_out")
    thief.close()


def _account(data_dir: Path, username: str, password: str, role: str, sections=()) -> None:
    """An account of the test's own in the server's database (the server made it already)."""
    engine = make_engine(f"sqlite:///{data_dir / 'workspace.db'}")
    try:
        with Session(engine) as session:
            auth.create_user(
                session, username=username, password=password, role=role, sections=sections
            )
    finally:
        engine.dispose()


def _main(page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


def test_a_lock_after_five_failures_holds_in_a_new_browser(demo_server, demo_data_dir, browser):
    context = browser.new_context(viewport=VIEW)
    page = context.new_page()
    page.goto(demo_server)
    settle(page)  # the first run creates the database when this test runs alone
    # An account of its own, so the lock does not get in the way of the other tests.
    _account(demo_data_dir, "e2e.locked", LOCKED_PASSWORD, "viewer")
    for _ in range(5):
        page.get_by_label("帳號").fill("e2e.locked")
        page.get_by_label("密碼").fill("wrong password!")
        with new_run(page):
            page.get_by_role("button", name="登入").click()
    # Locked now, but a wrong password is told no more than it would be for an unknown name.
    assert "帳號或密碼錯誤" in _main(page) and "鎖定" not in _main(page)
    context.close()

    fresh = browser.new_context(viewport=VIEW)
    page = fresh.new_page()
    sign_in(page, demo_server, "e2e.unknown.name", "wrong password!")
    unknown = _main(page)
    sign_in(page, demo_server, "e2e.locked", "wrong password!")
    assert "帳號或密碼錯誤" in unknown and "帳號或密碼錯誤" in _main(page)
    sign_in(page, demo_server, "e2e.locked", LOCKED_PASSWORD)
    main = _main(page)
    shot(page, "locked_in_new_browser")
    assert "密碼正確" in main and "鎖定至" in main
    expect(page.get_by_role("button", name="登出")).to_have_count(0)
    fresh.close()


def test_a_lead_exports_edits_and_imports_a_file(demo_server, browser, tmp_path):
    context = browser.new_context(viewport=VIEW, accept_downloads=True)
    page = context.new_page()
    sign_in(page, demo_server, "demo.gifts", ROLES["demo.gifts"][0], "venue_usage")
    edited, cells, capacity = export_venues_with_capacity_raised(page, tmp_path, 7)

    page.get_by_role("tabpanel", name="場地清單").get_by_text("匯入 CSV／Excel").click()
    page.get_by_role("tabpanel", name="場地清單").locator("input[type='file']").set_input_files(
        str(edited)
    )
    shot(page, "import_uploaded")
    page.get_by_role("button", name="確認匯入").wait_for(timeout=30_000)
    assert "修改 1 筆" in page.locator("[data-testid='stMain']").inner_text()
    shot(page, "import_preview")
    with new_run(page):
        page.get_by_role("button", name="確認匯入").click()
    page.reload()
    settle(page)
    click_tab(page, "場地清單")
    grid = page.locator("[data-testid='stDataFrame']:visible").first
    assert _grid_cells(grid, len(cells) - 1)[capacity] == cells[capacity]
    context.close()


def _vehicles_grid(page):
    click_tab(page, "車輛")
    grid = page.locator("[data-testid='stDataFrame']:visible").first
    grid.scroll_into_view_if_needed()
    return grid


def _edit_cell(page, grid, row: int, column: int, value: str) -> None:
    """Type value into a cell and wait for the run the grid asks for a moment after Enter, in
    which the page counts it as an unsaved change (typed again if it did not register)."""
    main = page.locator("[data-testid='stMain']")
    for _ in range(3):
        editor = _open_cell_editor(page, grid, row=row, column=column)
        editor.fill(value)
        try:
            with new_run(page, timeout=15_000):
                editor.press("Enter")
        except PlaywrightTimeout:
            continue
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

    with new_run(lead):
        lead.get_by_role("button", name="以我的修改覆寫最新資料").click()
    lead.reload()
    settle(lead)
    assert _grid_cells(_vehicles_grid(lead), 16)[8:12] == [*row[:3], mine]
    with new_run(admin):
        admin.get_by_role("link", name="異動紀錄").click()
    history = _grid_cells(admin.locator("[data-testid='stDataFrame']").first, 16)
    # Newest first: the lead's overwrite, then the administrator's change; neither is lost.
    assert [history[2], history[6], history[10], history[14]] == [
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
    # Searched for the new name: no driver matches, so the grid's only row is the blank one.
    search = page.locator("[data-testid='stMain'] input[aria-label='搜尋']:visible").first
    search.fill(name)
    with new_run(page):
        search.press("Enter")
    grid = page.locator("[data-testid='stDataFrame']:visible").first
    grid.scroll_into_view_if_needed()
    engine = make_engine(f"sqlite:///{demo_data_dir / 'workspace.db'}")
    _edit_cell(page, grid, 0, 1, name)  # 姓名 of the blank row
    shot(page, "double_click_before_save")
    page.locator("button:visible", has_text="儲存變更").dblclick()
    # The toast goes after a few seconds: looked for before the runs of both clicks have ended.
    expect(page.locator("[data-testid='stToast']", has_text="已儲存 1 列變更")).to_have_count(
        1, timeout=30_000
    )
    settle(page)
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


def _is_active(data_dir: Path, username: str) -> bool:
    engine = make_engine(f"sqlite:///{data_dir / 'workspace.db'}")
    try:
        with Session(engine) as session:
            return bool(session.scalar(select(User.active).where(User.username == username)))
    finally:
        engine.dispose()


def _set_active(admin, data_dir: Path, username: str, active: bool) -> None:
    """使用者管理 → 角色與業務範圍: tick or untick 啟用 for the account and save; waits until
    the database holds it (a success message of the previous save may still be on screen)."""
    click_tab(admin, "角色與業務範圍")
    panel = admin.get_by_role("tabpanel", name="角色與業務範圍")
    choose(admin, panel, "使用者", username)
    box = panel.get_by_test_id("stCheckbox").filter(has_text="啟用")
    tick = box.locator("input[type='checkbox']")
    if tick.is_checked() != active:
        box.locator("label").first.click()  # in a form: no run until 儲存
    expect(tick).to_be_checked(checked=active)
    with new_run(admin):  # the save's run has ended: the database holds it
        panel.get_by_role("button", name="儲存", exact=True).click()
    assert _is_active(data_dir, username) == active
    shot(admin, f"users_{username}_{'enabled' if active else 'disabled'}")


def _signed_out_at_next_action(page, path: str = "fleet_stats") -> None:
    with new_run(page):
        page.locator(f"[data-testid='stSidebarNav'] a[href$='/{path}']").click()
    expect(page.get_by_label("密碼")).to_have_count(1)
    expect(page.locator("[data-testid='stMain']")).to_contain_text("登入已結束")
    expect(page.get_by_role("button", name="登出")).to_have_count(0)


def test_a_disabled_user_loses_access_and_re_enabling_does_not_revive_the_cookie(
    demo_server, demo_data_dir, browser
):
    first = browser.new_context(viewport=VIEW)
    user = first.new_page()
    user.goto(demo_server)
    settle(user)
    _account(demo_data_dir, "e2e.off", OFF_PASSWORD, "viewer")
    sign_in(user, demo_server, "e2e.off", OFF_PASSWORD)
    expect(user.get_by_role("button", name="登出")).to_be_visible(timeout=30_000)
    old_cookie = [c for c in first.cookies() if c["name"] == SIGNIN_COOKIE]

    second = browser.new_context(viewport=VIEW)
    admin = second.new_page()
    sign_in(admin, demo_server, "demo.admin", ROLES["demo.admin"][0], "users")
    _set_active(admin, demo_data_dir, "e2e.off", False)
    _signed_out_at_next_action(user)  # the signed-in tab's next click
    shot(user, "disabled_user_signed_out")
    _set_active(admin, demo_data_dir, "e2e.off", True)
    first.close()

    again = browser.new_context(viewport=VIEW)
    again.add_cookies(old_cookie)
    page = again.new_page()
    page.goto(demo_server)
    settle(page)
    assert page.get_by_label("密碼").count() == 1
    expect(page.get_by_role("button", name="登出")).to_have_count(0)
    sign_in(page, demo_server, "e2e.off", OFF_PASSWORD)  # the password itself works again
    expect(page.get_by_role("button", name="登出")).to_be_visible(timeout=30_000)
    again.close()
    second.close()


def _change_password(page, current: str, new: str) -> None:
    main = page.locator("[data-testid='stMain']")
    main.get_by_label("目前的密碼", exact=True).fill(current)
    main.get_by_label("新密碼", exact=True).fill(new)
    main.get_by_label("再次輸入新密碼", exact=True).fill(new)
    with new_run(page):
        main.get_by_role("button", name="變更密碼").click()


def test_a_lead_changes_the_password_and_the_older_browser_is_signed_out(
    demo_server, demo_data_dir, browser
):
    older = browser.new_context(viewport=VIEW)
    old_page = older.new_page()
    old_page.goto(demo_server)
    settle(old_page)
    _account(demo_data_dir, "e2e.pwlead", OLD_PASSWORD, "lead", ("fleet",))
    sign_in(old_page, demo_server, "e2e.pwlead", OLD_PASSWORD)
    expect(old_page.get_by_role("button", name="登出")).to_be_visible(timeout=30_000)

    newer = browser.new_context(viewport=VIEW)
    page = newer.new_page()
    sign_in(page, demo_server, "e2e.pwlead", OLD_PASSWORD)
    with new_run(page):
        page.get_by_role("link", name="帳號設定").click()
    expect(page.locator("h1", has_text="帳號設定")).to_be_visible()
    shot(page, "change_password_desktop")
    page.set_viewport_size(PHONE)
    settle(page)
    shot(page, "change_password_390px")
    page.set_viewport_size(VIEW)
    settle(page)

    _change_password(page, OLD_PASSWORD, "1234567890")  # refused: a run of digits
    expect(page.locator("[data-testid='stMain']")).to_contain_text("連續", timeout=30_000)
    _change_password(page, OLD_PASSWORD, NEW_PASSWORD)
    expect(page.locator("[data-testid='stMain']")).to_contain_text(
        "已結束您在其他 1 個", timeout=30_000
    )
    shot(page, "change_password_done")
    _signed_out_at_next_action(old_page)  # the older browser, at its next action
    page.reload()  # this browser stays signed in
    settle(page)
    expect(page.get_by_role("button", name="登出")).to_be_visible(timeout=30_000)
    older.close()
    newer.close()

    fresh = browser.new_context(viewport=VIEW)
    page = fresh.new_page()
    sign_in(page, demo_server, "e2e.pwlead", OLD_PASSWORD)
    assert "帳號或密碼錯誤" in _main(page) and page.get_by_role("button", name="登出").count() == 0
    sign_in(page, demo_server, "e2e.pwlead", NEW_PASSWORD)
    expect(page.get_by_role("button", name="登出")).to_be_visible(timeout=30_000)
    wait_for_signin_cookie(page)
    fresh.close()


def test_a_typed_username_shows_in_history_as_typed_not_as_a_link(demo_server, browser):
    context = browser.new_context(viewport=VIEW)
    page = context.new_page()
    sign_in(page, demo_server, EVIL, "whatever-it-was-1")  # a failed sign-in, audited
    assert "帳號或密碼錯誤" in _main(page)
    context.close()

    admin_context = browser.new_context(viewport=VIEW)
    admin = admin_context.new_page()
    sign_in(admin, demo_server, "demo.admin", ROLES["demo.admin"][0], "history")
    expect(admin.locator("h1", has_text="異動紀錄")).to_be_visible(timeout=30_000)
    choose(admin, admin.locator("[data-testid='stMain']"), "使用者", EVIL)
    grid = admin.locator("[data-testid='stDataFrame']").first
    grid.click(position={"x": 18, "y": 52})  # select the entry (the only one of that name)
    main = admin.locator("[data-testid='stMain']")
    expect(main).to_contain_text("紀錄 #", timeout=30_000)
    shot(admin, "history_typed_username")
    assert EVIL in main.inner_text()  # shown literally, brackets and all
    # No link hides its target behind typed text ("點我"); a bare address may be linked to
    # what it shows (GitHub-flavoured markdown's autolinks), as in the reception details.
    links = main.locator("a[href*='evil.example']").all()
    assert [link.inner_text() for link in links] == [link.get_attribute("href") for link in links]
    assert main.locator("a", has_text="點我").count() == 0
    admin_context.close()
