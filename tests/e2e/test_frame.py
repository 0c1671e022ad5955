"""In a real browser: a new server's first request to a page URL still goes through the frame;
the sign-in cookie is Secure exactly when the page is served over https."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import CHROMIUM, SIGNIN_COOKIE, settle, shot, sign_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]


def test_first_request_to_a_page_url_is_framed(demo_server, browser):
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    # Streamlit's legacy first run would execute pages/fleet_stats.py directly, past sign-in.
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
