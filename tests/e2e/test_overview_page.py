"""In a real browser: a record link opened signed out, no second run of the page after sign-in,
and the overview's links to records (each role's overview: test_sign_in_and_edit)."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from core.accounts.users import DEMO_ACCOUNTS
from core.i18n.labels import t
from core.kernel.roc_dates import format_roc
from db.seed.common import RECENT_VISIT
from tests.e2e.conftest import (
    CHROMIUM,
    app_engine,
    new_run,
    settle,
    shot,
    wait_for_signin_cookie,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]

PASSWORDS = {a.username: a.password for a in DEMO_ACCOUNTS}
# The demo data's one gift whose ethics report is overdue (received at the latest visit,
# 19 days before the day the demo data is made for, NT$6,800).
RECEIVED = format_roc(RECENT_VISIT)


def _overdue_gift(data_dir) -> int:
    from sqlmodel import Session, select

    from db.models import GiftReceived

    engine = app_engine(data_dir)
    with Session(engine) as session:
        found = select(GiftReceived.id).where(
            GiftReceived.received_on == RECENT_VISIT, GiftReceived.estimated_value == 6800
        )
        gift_id = session.scalars(found).one()
    engine.dispose()
    return gift_id


def test_a_record_link_opened_signed_out_opens_after_sign_in(demo_server, demo_data_dir, browser):
    gift_id = _overdue_gift(demo_data_dir)
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    try:
        path = f"gift_inventory?table=gift_received&id={gift_id}"
        page.goto(f"{demo_server}/{path}")
        settle(page)  # the sign-in form, its cookie component's report and that run too
        page.get_by_label("帳號").fill("demo.viewer")
        page.get_by_label("密碼").fill(PASSWORDS["demo.viewer"])
        with new_run(page):
            page.get_by_role("button", name="登入").click()
        wait_for_signin_cookie(page)
        main = page.locator("[data-testid='stMain']")
        expect(page.locator("h1", has_text=t("page.gifts"))).to_be_visible(timeout=30_000)
        expect(main.get_by_text(f"{t('history.table.gift_received')} #{gift_id}")).to_be_visible()
        card = page.locator(".st-key-record_card")  # st.container(key="record_card")
        expect(card).to_contain_text("工藝紀念品禮盒")
        expect(card).to_contain_text(RECEIVED)
        assert page.url.endswith(path)
        settle(page)  # every run asked for has ended and been drawn
        # Nothing on the page reports back once drawn (the sign-in cookie is set by a script,
        # not by a component), so no run follows that would draw the page again: its tabs are
        # there once.
        assert page.locator("iframe[data-testid='stCustomComponentV1']").count() == 0
        assert page.get_by_role("tab", name=t("ui.gift_stock"), exact=True).count() == 1
        shot(page, "overview_record_link_after_sign_in")
        with new_run(page):
            main.get_by_role("button", name=t("card.close")).click()
        assert "table=" not in page.url
        assert card.count() == 0
        # From the overview, a to-do item opens its record's card on its page.
        page.locator("[data-testid='stSidebarNav'] a[href$='/overview']").click()
        expect(page.locator("h1", has_text=t("page.overview"))).to_be_visible(timeout=30_000)
        main.get_by_role("link", name="「橋見2023」亞太城市桌曆").click()
        expect(page.locator("h1", has_text=t("page.gifts"))).to_be_visible(timeout=30_000)
        expect(card).to_contain_text(t("history.table.gift_item"))
        assert "table=gift_item" in page.url
    finally:
        context.close()
