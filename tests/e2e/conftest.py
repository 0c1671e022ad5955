"""Browser tests: a real app process and Debian's chromium driven by Playwright."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from functools import cache
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
# Counts the app's script runs in each page (see settle).
RUNS_JS = (Path(__file__).parent / "runs.js").read_text()
# How often a wait_for_function looks again. Playwright's default, at every animation frame,
# keeps Chromium drawing 60 frames a second while a test waits: ~8 % of a core per page.
POLL_MS = 40
# Screenshots land here (git-ignored) for people to look at after a run.
SHOTS = ROOT / "artifacts" / "screenshots"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(env: dict[str, str | None], args: tuple[str, ...] = ()) -> Iterator[str]:
    """Run streamlit_app.py on a free loopback port until the generator is closed (args: more
    options for `streamlit run`, e.g. --secrets.files)."""
    port = _free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--server.headless", "true", *args]  # fmt: skip
    # Unset what the caller sets to None (e.g. LOAD_DEMO_DATA, to get the default).
    full = {k: v for k, v in {**os.environ, **env}.items() if v is not None}
    proc = subprocess.Popen(cmd, cwd=ROOT, env=full,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                if urllib.request.urlopen(f"{base}/_stcore/health", timeout=1).status == 200:
                    break
            except OSError:
                time.sleep(0.25)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    """A data folder the app's own start has prepared once (migrations, demo data, demo
    accounts), as the quick start's first run leaves it: each module's server starts on a copy
    instead of loading the demo data again on its first page (15–30 s on a busy machine)."""
    directory = tmp_path_factory.mktemp("demo_template")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "LOAD_DEMO_DATA")}
    # The demo accounts open on the council report's period, whose figures the browser tests
    # check (a new account opens on the running half-year: tests/test_page_account.py).
    prepare = (
        "from sqlmodel import Session\n"
        "from core.accounts.users import DEMO_ACCOUNTS, set_own_start_period\n"
        "from core.editing.pipeline import Actor\n"
        "from db.bootstrap import prepare_database\n"
        "engine = prepare_database()\n"
        "with Session(engine) as session:\n"
        "    for account in DEMO_ACCOUNTS:\n"
        "        set_own_start_period(session, Actor(account.username, 'viewer'), 'report')\n"
        "engine.dispose()\n"
    )
    subprocess.run([sys.executable, "-c", prepare], cwd=ROOT, check=True,
                   env={**env, "DATA_DIR": str(directory)})  # fmt: skip
    return directory


@pytest.fixture(scope="module")
def demo_data_dir(tmp_path_factory, demo_template) -> Path:
    directory = tmp_path_factory.mktemp("demo_data")
    shutil.copytree(demo_template, directory, dirs_exist_ok=True)  # modes kept (0700/0600)
    return directory


@pytest.fixture(scope="module")
def demo_server(demo_data_dir) -> Iterator[str]:
    """The README's quick start: the embedded SQLite default, demo data and demo accounts."""
    env = {"DATA_DIR": str(demo_data_dir), "DATABASE_URL": None, "LOAD_DEMO_DATA": None}
    yield from start_app(env)


@pytest.fixture(scope="package")
def browser():
    """One Chromium for the browser tests of a worker: a launch and its first page cost about
    6 s of CPU more than a new context of a running browser (tests isolate by context). Closed
    when they are done (package scope, they run together), not at the session's end: Playwright's
    sync API keeps an event loop running in the thread, and a later asyncio.run() (the load
    client's tests) would refuse to start beside it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        watched = WatchedBrowser(browser)
        WatchedBrowser.live.append(watched)
        yield watched
        WatchedBrowser.live.remove(watched)
        browser.close()


@pytest.fixture(scope="module", autouse=True)
def _close_module_contexts() -> Iterator[None]:
    """The browser outlives a module, its servers do not: what a module's tests left open is
    closed with them, so no page goes on calling a stopped server."""
    yield
    for browser in WatchedBrowser.live:
        for context in browser.contexts:
            context.close()


class WatchedBrowser:
    """The browser, whose every page keeps count of the app's runs (runs.js) for settle()."""

    live: list[WatchedBrowser] = []  # the worker's browser, once launched

    def __init__(self, browser) -> None:
        self._browser = browser

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        context.add_init_script(RUNS_JS)
        return context

    def new_page(self, **options):
        page = self._browser.new_page(**options)
        page.add_init_script(RUNS_JS)  # before its first navigation, so for all of them
        return page

    def __getattr__(self, name: str):
        return getattr(self._browser, name)


def settle(page, timeout: int = 90_000) -> None:
    """Wait until the page has settled: every run its actions asked for (a click, an Enter, a
    page change, a reload) has finished and been drawn, and no rerun follows (the app's own
    st.rerun(), the sign-in page's cookie component reporting back once drawn). State, not
    time: window.__settled() of runs.js, polled every POLL_MS (not at each animation frame:
    that keeps Chromium drawing 60 frames a second for as long as a test waits)."""
    page.wait_for_function("() => window.__settled()", timeout=timeout, polling=POLL_MS)


def runs_asked(page) -> int:
    """How many script runs the page has asked the server for so far (runs.js)."""
    return page.evaluate("() => window.__runs.asked")


def settle_after(page, asked: int, timeout: int = 30_000) -> None:
    """Wait until the page asks for more runs than `asked` (some widgets ask a moment after
    the action: a grid's edit, a component's value), then settle."""
    page.wait_for_function(
        "n => window.__runs.asked > n", arg=asked, timeout=timeout, polling=POLL_MS
    )
    settle(page)


@contextmanager
def new_run(page, timeout: int = 30_000) -> Iterator[None]:
    """Around an action that asks for a script run (a button, Enter in a text field, a choice,
    a page link, an edit in a grid): settle first, then wait for the run the action asked for
    and settle again."""
    settle(page)
    asked = runs_asked(page)
    yield
    settle_after(page, asked, timeout)


def sign_in(page, base: str, username: str, password: str, path: str = "") -> None:
    page.goto(f"{base}/{path}")
    settle(page)
    page.get_by_label("帳號").fill(username)
    page.get_by_label("密碼").fill(password)
    with new_run(page):
        page.get_by_role("button", name="登入", exact=True).click()
    if page.get_by_role("button", name="登出").count():  # signed in (not refused or locked)
        wait_for_signin_cookie(page)


SIGNIN_COOKIE = "bureau_workspace_signin"


def wait_for_signin_cookie(page) -> None:
    """The sign-in cookie is set by a script in the page a moment after the sign-in run."""
    page.wait_for_function(
        "name => document.cookie.split('; ').some(c => c.startsWith(name + '='))",
        arg=SIGNIN_COOKIE,
        timeout=30_000,
        polling=POLL_MS,
    )


def shot(page, name: str) -> Path:
    """A screenshot for people to look at, of the page as drawn once its runs have settled
    (as it stands after 15 s if they have not, or on a page without runs.js: a shot of a
    failure is still wanted)."""
    with suppress(PlaywrightError):
        settle(page, timeout=15_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


# --- helpers of the page tests -------------------------------------------------------------------

REPORT_START, REPORT_END = "2022-07-01", "2023-03-15"  # the sidebar's default period
_CLI: dict[Path, subprocess.Popen] = {}


def app_engine(data_dir: Path):
    """The database file the app itself opens on the embedded default (Settings.sqlite_path)."""
    from core.kernel.config import Settings
    from db.engine import make_engine

    return make_engine(f"sqlite:///{Settings(data_dir=data_dir).sqlite_path}")


def start_figures_cli(data_dir: Path) -> None:
    """Start `python -m core.figures --json` for the report period on the server's database.

    Started once a page has drawn (the server has migrated and seeded the file by then), and
    left to run while the browser works.
    """
    if data_dir in _CLI:
        return
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "LOAD_DEMO_DATA")}
    env["DATA_DIR"] = str(data_dir)
    _CLI[data_dir] = subprocess.Popen(
        [sys.executable, "-m", "core.figures", "--start", REPORT_START, "--end", REPORT_END,
         "--json"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def stop_figures_cli(data_dir: Path) -> None:
    """Stop the command if it was started and no test read it."""
    cli = _CLI.pop(data_dir, None)
    if cli is not None and cli.poll() is None:
        cli.kill()
        cli.communicate()


@cache
def cli_figures(data_dir: Path) -> dict:
    start_figures_cli(data_dir)
    out, err = _CLI[data_dir].communicate(timeout=180)
    assert _CLI[data_dir].returncode == 0, err
    return json.loads(out)


def export_venues_with_capacity_raised(
    page, folder: Path, more: int
) -> tuple[Path, list[str], int]:
    """On 場地使用's 場地清單 tab: export the venues as CSV and raise the first venue's capacity
    by `more`; (the edited file, that row's cells, the capacity column's index)."""
    click_tab(page, "場地清單")
    page.locator("button:visible", has_text="匯出").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="CSV", exact=True).click()
    exported = folder / "venues.csv"
    download.value.save_as(exported)
    header, first, *rest = exported.read_text(encoding="utf-8-sig").splitlines()
    assert header.startswith("編號,") and header.endswith(",版本")
    cells = first.split(",")
    capacity = header.split(",").index("容納人數")
    cells[capacity] = str(int(cells[capacity]) + more)
    edited = folder / "venues_edited.csv"
    edited.write_text("\n".join([header, ",".join(cells), *rest]) + "\n", encoding="utf-8-sig")
    return edited, cells, capacity


def main_area(page):
    return page.locator("[data-testid='stMain']")


def assert_no_error(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0, main_area(page).inner_text()
    assert page.get_by_text("Page not found").count() == 0


def choose(page, scope, label: str, option: str) -> None:
    """Pick an option of a selectbox (by its label) and wait for the run it asks for; an
    option already chosen asks for none."""
    box = scope.get_by_role("combobox", name=label, exact=True)
    settle(page)
    if box.input_value() == option:
        return
    box.click()
    with new_run(page):
        page.get_by_role("option", name=option, exact=True).click()
    expect(box).to_have_value(option)


def type_in(page, scope, label: str, value: str) -> None:
    """Type into a text input (by its label), press Enter and wait for the run it asks for."""
    field = scope.get_by_label(label, exact=True)
    settle(page)
    field.fill(value)
    with new_run(page):
        field.press("Enter")
    expect(field).to_have_value(value)


# A tab set the server follows (ui.widgets.tabs: keyed, so Streamlit gives it an st-key-… class)
# reruns the page when another tab is chosen; st.tabs without a key switch in the browser alone.
TRACKED_TABS = """tab => [...tab.closest('[data-testid="stTabs"]').classList]
  .some(name => name.startsWith('st-key-'))"""


def click_tab(page, name: str) -> None:
    """Select the tab called `name` (see choose_tab)."""
    choose_tab(page, page.get_by_role("tab", name=name, exact=True))


def choose_tab(page, tab) -> None:
    """Select a tab (a locator) once the page has settled, and wait for the run it asks for
    if the page's tabs are followed by the server (their hidden charts are drawn only when
    chosen)."""
    settle(page)
    if tab.get_attribute("aria-selected") == "true":
        return
    if tab.evaluate(TRACKED_TABS):
        with new_run(page):
            tab.click()
    else:
        tab.click()
    expect(tab).to_have_attribute("aria-selected", "true")
