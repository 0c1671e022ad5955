"""In a real browser, a new server's first request to a page URL still goes through the frame."""

from pathlib import Path

import pytest

from tests.e2e.conftest import CHROMIUM, settle, shot

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
