"""In a real browser: the overview (總覽) per role, a record link signed out, and no second run
of the page after sign-in."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from core.labels import t
from core.users import DEMO_ACCOUNTS
from tests.e2e.conftest import CHROMIUM, READY, assert_no_error, settle, shot, sign_in

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]

PASSWORDS = {a.username: a.password for a in DEMO_ACCOUNTS}
TALL = {"width": 1440, "height": 2000}
# The demo data's one gift whose ethics report is overdue (received 115/11/18, NT$6,800).
OVERDUE_GIFT = 36


def _runs_within(page, ms: int) -> int:
    """How many script runs start within ms (the page shows no READY marker while one runs)."""
    started, running = 0, False
    for _ in range(ms // 100):
        now = page.locator(READY).count() == 0
        started += now and not running
        running = now
        page.wait_for_timeout(100)
    return started


@pytest.mark.parametrize("username", ["demo.viewer", "demo.intl", "demo.admin"])
def test_the_overview_opens_after_sign_in_for_each_role(demo_server, browser, username):
    context = browser.new_context(viewport=TALL)
    page = context.new_page()
    try:
        sign_in(page, demo_server, username, PASSWORDS[username])
        main = page.locator("[data-testid='stMain']")
        expect(page.locator("h1", has_text=t("page.overview"))).to_be_visible(timeout=30_000)
        expect(main.get_by_text(t("ov.today_heading"), exact=True)).to_be_visible()
        assert_no_error(page)
        text = main.inner_text()
        for heading in ("ov.follow_ups", "ov.gift_reports", "ov.low_stock"):
            assert t(heading, n=0).split("（")[0] in text, heading
        assert "「橋見2023」亞太城市桌曆" in text  # below its threshold in the demo data
        assert (t("ov.changes") in text) == (username != "demo.viewer")
        assert page.locator("[data-testid='stMetric']").count() == 6
        shot(page, f"overview_{username}")
        # A to-do item opens its record's card on its page.
        main.get_by_role("link", name="「橋見2023」亞太城市桌曆").click()
        expect(page.locator("h1", has_text=t("page.gifts"))).to_be_visible(timeout=30_000)
        expect(page.locator(".st-key-record_card")).to_contain_text(t("history.table.gift_item"))
        assert "table=gift_item" in page.url
    finally:
        context.close()


def test_a_record_link_opened_signed_out_opens_after_sign_in(demo_server, browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    try:
        path = f"gift_inventory?table=gift_received&id={OVERDUE_GIFT}"
        sign_in(page, demo_server, "demo.viewer", PASSWORDS["demo.viewer"], path)
        main = page.locator("[data-testid='stMain']")
        expect(page.locator("h1", has_text=t("page.gifts"))).to_be_visible(timeout=30_000)
        expect(
            main.get_by_text(f"{t('history.table.gift_received')} #{OVERDUE_GIFT}")
        ).to_be_visible()
        card = page.locator(".st-key-record_card")  # st.container(key="record_card")
        expect(card).to_contain_text("工藝紀念品禮盒")
        expect(card).to_contain_text("115/11/18")
        assert page.url.endswith(path)
        # The page is not run again once it has drawn (the sign-in cookie is set by a script,
        # not by a component that reports back): its tabs are there once.
        assert _runs_within(page, 3_000) == 0
        assert page.get_by_role("tab", name=t("ui.gift_stock"), exact=True).count() == 1
        shot(page, "overview_record_link_after_sign_in")
        main.get_by_role("button", name=t("card.close")).click()
        settle(page)
        assert "table=" not in page.url
        assert card.count() == 0
    finally:
        context.close()
