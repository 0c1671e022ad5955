"""In a real browser: no page file runs before the sign-in check, whatever it holds, even as
the very first request of a new server; the sign-in cookie is Secure exactly when the page is
served over https."""

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import (
    CHROMIUM,
    ROOT,
    SIGNIN_COOKIE,
    _free_port,
    main_area,
    settle,
    shot,
    sign_in,
    wait_for_signin_cookie,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]

# Not part of the app: what a copy of the app tree leaves out (assets/ is linked, not copied).
NOT_APP = (".git", ".ci", ".benchmarks", "artifacts", "bench", "data", "tests", "assets",
           "__pycache__", ".pytest_cache", ".ruff_cache", ".venv")  # fmt: skip
PROBE = 'import streamlit as st; st.write("PROBE")\n'


@pytest.fixture(scope="module")
def probe_tree(tmp_path_factory) -> Path:
    """A copy of the app tree whose pages/ holds one more file: probe.py, nothing but
    st.write, no lang() and no frame, as a careless new page would be. (A copy: the checkout's
    own pages/ is left alone for the tests that others run from it meanwhile.)"""
    tree = tmp_path_factory.mktemp("probe_tree") / "app"
    shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns(*NOT_APP))
    (tree / "assets").symlink_to(ROOT / "assets")
    (tree / "pages" / "probe.py").write_text(PROBE)
    return tree


@pytest.fixture
def probe_server(probe_tree, demo_template, tmp_path) -> Iterator[str]:
    """`streamlit run streamlit_app.py` in the copy, new for the test, on a copy of the
    prepared demo data folder; nothing has opened a session on it yet."""
    data = tmp_path / "data"
    shutil.copytree(demo_template, data)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "LOAD_DEMO_DATA")}
    env["DATA_DIR"] = str(data)
    port = _free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--server.headless", "true"]  # fmt: skip
    with (tmp_path / "server.log").open("wb") as log:
        proc = subprocess.Popen(cmd, cwd=probe_tree, env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.25)
        else:
            raise AssertionError((tmp_path / "server.log").read_text(errors="replace")[-2000:])
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _shown(page) -> str:
    return page.locator("body").inner_text()


def test_a_page_file_without_the_frame_never_runs(probe_server, browser):
    """Before the frame listed pages in st.navigation, Streamlit ran pages/probe.py for the
    first visitor of a new server who asked for /probe: the page, past sign-in."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.goto(f"{probe_server}/probe")  # the server's first session, straight to the file
    settle(page)
    shot(page, "frame_probe_anonymous")
    assert "PROBE" not in _shown(page)
    expect(page.get_by_label("密碼")).to_be_visible()
    # Signed in, the file is still no page: the frame lists only its own pages (SECTIONS), and
    # an address it does not list opens the overview.
    page.keyboard.press("Escape")  # Streamlit's "Page not found" notice
    page.get_by_label("帳號").fill("demo.admin")
    page.get_by_label("密碼").fill("demo-admin-2023")
    page.get_by_role("button", name="登入").click()
    expect(page.get_by_role("button", name="登出")).to_be_visible(timeout=60_000)
    wait_for_signin_cookie(page)
    for attempt in ("after sign-in", "opened signed in"):
        if attempt == "opened signed in":
            page.goto(f"{probe_server}/probe")
        settle(page)
        expect(main_area(page).locator("h1", has_text="總覽")).to_be_visible(timeout=60_000)
        assert "PROBE" not in _shown(page), attempt
    sidebar = page.locator("[data-testid='stSidebar']").inner_text()
    shot(page, "frame_probe_admin")
    context.close()
    assert "使用者管理" in sidebar and "probe" not in sidebar.lower()


def test_first_request_to_a_page_url_is_framed(demo_server, browser):
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    # The first request of the module's server: the sign-in form, then the page.
    page.goto(f"{demo_server}/fleet_stats")
    settle(page)
    assert page.get_by_label("密碼").count() == 1
    assert page.locator("text=公務車調派車次").count() == 0
    page.get_by_label("帳號").fill("demo.viewer")
    page.get_by_label("密碼").fill("demo-viewer-2023")
    page.get_by_role("button", name="登入").click()
    page.wait_for_selector("text=公務車調派車次", timeout=60_000)  # the requested page opens
    settle(page)
    sidebar = page.locator("[data-testid='stSidebar']").inner_text()
    shot(page, "frame_fleet_stats_viewer")
    page.close()
    # The frame's grouped navigation, not Streamlit's list of files in pages/.
    assert "行政管理" in sidebar and "姊妹市行事曆" in sidebar
    assert "streamlit app" not in sidebar and "fleet stats" not in sidebar


def test_first_page_address_asks_for_sign_in_then_opens_it(demo_server, browser):
    # Every page answers at its own address before and after sign-in (the root opens 總覽).
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{demo_server}/sister_cities")
    settle(page)
    assert page.get_by_text("Page not found").count() == 0
    page.get_by_label("帳號").fill("demo.viewer")
    page.get_by_label("密碼").fill("demo-viewer-2023")
    page.get_by_role("button", name="登入").click()
    page.wait_for_selector("text=交流活動", timeout=60_000)
    settle(page)
    assert page.get_by_text("Page not found").count() == 0
    assert page.locator("h1", has_text="姊妹市行事曆").count() == 1
    page.close()


@pytest.mark.parametrize(("scheme", "secure"), [("https", True), ("http", False)])
def test_the_sign_in_cookie_is_secure_exactly_when_the_page_is_https(browser, scheme, secure):
    """The cookie script of ui.auth run by Chromium on a page served over https (as behind a
    TLS-terminating nginx: the app sees http, the browser https) and over plain http."""
    from datetime import UTC, datetime, timedelta

    from ui.auth import COOKIE_NAME, _cookie_script

    context = browser.new_context()
    expires = datetime.now(UTC) + timedelta(hours=1)
    pages = {
        "/set": _cookie_script(("set", "header.claims.signature", expires)),
        "/delete": _cookie_script(("delete",)),
    }

    def serve(route) -> None:
        path = "/" + route.request.url.split("/", 3)[-1]
        route.fulfill(status=200, content_type="text/html", body=f"<html>{pages[path]}</html>")

    context.route(f"{scheme}://workspace.test/**", serve)
    page = context.new_page()
    page.goto(f"{scheme}://workspace.test/set")
    (cookie,) = [c for c in context.cookies() if c["name"] == COOKIE_NAME]
    assert (cookie["value"], cookie["secure"], cookie["sameSite"]) == (
        "header.claims.signature", secure, "Strict",
    )  # fmt: skip
    page.goto(f"{scheme}://workspace.test/delete")
    assert not [c for c in context.cookies() if c["name"] == COOKIE_NAME]
    context.close()


def test_over_plain_http_the_cookie_is_not_secure_and_signs_in_again(demo_server, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    sign_in(page, demo_server, "demo.viewer", "demo-viewer-2023")
    (cookie,) = [c for c in context.cookies() if c["name"] == SIGNIN_COOKIE]
    assert cookie["secure"] is False  # a Secure cookie over http would have been dropped
    page.reload()
    settle(page)
    expect(page.get_by_role("button", name="登出")).to_be_visible(timeout=30_000)
    context.close()
