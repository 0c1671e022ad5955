"""Every page renders without an exception and shows the period's figures (AppTest).

Signed-in runs put a live server-side session in session_state before the first run, as the
sign-in form does; the form itself is tested at the end.
"""

import pytest
from sqlmodel import Session

from core.accounts import auth
from db.engine import make_engine
from tests.apptest import PASSWORD, editors, signed_in

PAGES = {
    "pages/overview.py": ["25", "15", "13", "207", "821", "8,015"],
    "pages/sister_cities.py": [],
    "pages/visitor_log.py": [],
    "pages/gift_inventory.py": [],
    "pages/venue_usage.py": ["207", "2,041"],
    "pages/fleet_stats.py": ["770", "51", "821"],
    "pages/staffing_table.py": [],
}


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_with_figures(app, page):
    app.run()
    app.switch_page(page).run()
    assert not app.exception, app.exception
    shown = [m.value for m in app.metric]
    for value in PAGES[page]:
        assert value in shown


def test_staffing_page_shows_the_report_table(app):
    app.run()
    app.switch_page("pages/staffing_table.py").run()
    html = "".join(h.proto.body for h in app.get("html"))
    for cell in ("5,339", "596", "5,935", "591", "630", "1,450", "2,080", "8,015", "29.86%",
                 "39.92%", "57.48%", "112/02/28"):  # fmt: skip
        assert cell in html


def test_english_labels(app):
    app.session_state["lang"] = "en"
    app.run()
    app.switch_page("pages/fleet_stats.py").run()
    assert not app.exception
    assert app.title[0].value == "Fleet statistics"


def test_the_overview_in_english(app):
    app.session_state["lang"] = "en"
    app.run()
    assert not app.exception
    assert app.title[0].value == "Overview"
    shown = " ".join(m.value for m in app.markdown)
    assert "Follow-ups due" in shown and "Stock below threshold" in shown
    assert "Changes since your last sign-in" in [h.value for h in app.subheader]


def test_bad_period_keeps_the_last_good_one(app):
    # AppTest keeps the sidebar's elements of the first run only, so the bad value goes in first.
    app.session_state["period.end"] = "民國0年1月1日"
    app.run()
    assert not app.exception
    assert "沒有民國0年" in app.sidebar.error[0].value
    # The overview's headline figures of the report period (receptions, exchange events…).
    assert [m.value for m in app.metric][:2] == ["25", "15"]


def test_gift_page_warns_of_low_stock(app):
    app.run()
    app.switch_page("pages/gift_inventory.py").run()
    assert any("庫存不足" in w.value and "橋見2023" in w.value for w in app.warning)


def test_anonymous_sees_only_the_sign_in_form(anonymous):
    anonymous.run()
    assert not anonymous.exception
    assert [i.label for i in anonymous.text_input] == ["帳號", "密碼"]
    assert not anonymous.metric and not anonymous.dataframe
    assert not anonymous.title or anonymous.title[0].value == "行國處業務工作台"


def test_wrong_password_is_refused_with_a_message(anonymous):
    anonymous.run()
    anonymous.text_input[0].input("t.viewer")
    anonymous.text_input[1].input("not-the-password")
    anonymous.button[0].click().run()
    assert not anonymous.exception
    assert any("帳號或密碼錯誤" in e.value for e in anonymous.error)
    assert not anonymous.metric


def test_sign_in_through_the_form(anonymous):
    anonymous.run()
    anonymous.text_input[0].input("t.viewer")
    anonymous.text_input[1].input(PASSWORD)
    anonymous.button[0].click().run()
    assert not anonymous.exception
    assert anonymous.session_state["auth.signed_in"]["username"] == "t.viewer"
    assert anonymous.title[0].value == "總覽"  # sign-in lands on the overview
    assert [m.value for m in anonymous.metric][:2] == ["25", "15"]


def test_a_viewer_sees_no_editor(anonymous, accounts):
    at = signed_in(anonymous, accounts, "t.viewer")
    at.run()
    at.switch_page("pages/fleet_stats.py").run()
    assert not at.exception
    assert at.dataframe and not editors(at)


def test_a_lead_edits_only_their_sections(anonymous, accounts):
    at = signed_in(anonymous, accounts, "t.fleet")
    at.run()
    at.switch_page("pages/fleet_stats.py").run()
    assert not at.exception
    assert len(editors(at)) == 3  # trips, vehicles and drivers
    at.switch_page("pages/gift_inventory.py").run()
    assert not at.exception
    assert at.dataframe and not editors(at)


def test_a_revoked_session_returns_to_the_sign_in_form(anonymous, accounts):
    at = signed_in(anonymous, accounts, "t.viewer")
    token = at.session_state["auth.signed_in"]["token"]
    engine = make_engine(accounts)
    with Session(engine) as session:
        auth.revoke_session(session, token, username="t.viewer")
    engine.dispose()
    at.run()
    assert not at.exception
    assert [i.label for i in at.text_input][-2:] == ["帳號", "密碼"]
    assert not at.metric


@pytest.mark.parametrize(
    ("username", "allowed", "refused"),
    [
        ("t.viewer", ["pages/fleet_stats.py"], ["pages/history.py", "pages/users.py"]),
        ("t.fleet", ["pages/history.py"], ["pages/users.py"]),
        ("t.admin", ["pages/history.py", "pages/users.py"], []),
    ],
)
def test_navigation_offers_only_the_pages_of_the_role(
    anonymous, accounts, username, allowed, refused
):
    at = signed_in(anonymous, accounts, username)
    at.run()
    for page in allowed:
        at.switch_page(page).run()
        assert not at.exception and not at.error, (page, at.error)
    for page in refused:
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)


def test_admin_pages_render(app):
    app.run()
    app.switch_page("pages/users.py").run()
    assert not app.exception
    assert "t.viewer" in app.dataframe[0].value.iloc[:, 0].tolist()
    app.switch_page("pages/history.py").run()
    assert not app.exception
    assert app.title[0].value == "異動紀錄"
