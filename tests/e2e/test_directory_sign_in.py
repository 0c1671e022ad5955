"""In a real browser, against a real OpenID Connect provider on loopback (tests/oidc_provider.py):
a linked directory account signs in with its workspace role; an unknown or disabled one is
refused in zh-TW and not signed in; sign-out ends the workspace session and the directory
identity, so the next visit shows the sign-in page; the audit log tells which way each came.
Screenshots: artifacts/screenshots/directory_*.png."""

import re
import secrets
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlmodel import Session

from core.accounts import auth, directory
from core.accounts.users import add_user
from core.editing.pipeline import Actor
from db.models import AuditAction, AuditEntry, AuthSession
from tests.e2e.conftest import (
    CHROMIUM,
    POLL_MS,
    app_engine,
    export_venues_with_capacity_raised,
    main_area,
    settle,
    shot,
    sign_in,
    start_app,
    wait_for_signin_cookie,
)
from tests.oidc_provider import Provider, claims_of

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]

VIEW = {"width": 1280, "height": 900}
ADMIN = Actor("root", "admin")
IDENTITY_COOKIE = "_streamlit_user"
BUTTON = "以市府帳號登入"


@pytest.fixture(scope="module")
def provider():
    found = Provider()
    found.start()
    yield found
    found.stop()


@pytest.fixture(scope="module")
def city_server(demo_data_dir, provider, tmp_path_factory):
    """The demo app with [auth] / [auth.city] pointing at the provider; demo.fleet linked to
    the directory's fleet.lead, e2e.off (disabled) to off.user."""
    secrets_file = tmp_path_factory.mktemp("secrets") / "secrets.toml"
    secrets_file.write_text(provider.secrets_toml(secrets.token_urlsafe(32)), encoding="utf-8")
    engine = app_engine(demo_data_dir)
    with Session(engine) as session:
        directory.link(session, ADMIN, "demo.fleet", claims_of("fleet.lead")["email"])
        add_user(session, ADMIN, "e2e.off", "e2e-disabled-pass-1", "viewer")
        directory.link(session, ADMIN, "e2e.off", claims_of("off.user")["email"])
        from core.accounts.users import update_user

        update_user(session, ADMIN, "e2e.off", active=False)
    engine.dispose()
    env = {"DATA_DIR": str(demo_data_dir), "DATABASE_URL": None, "LOAD_DEMO_DATA": None}
    for base in start_app(env, ("--secrets.files", str(secrets_file))):
        provider.redirect_uris.add(f"{base}/oauth2callback")
        yield base


def _entries(data_dir: Path, action: AuditAction) -> list[AuditEntry]:
    engine = app_engine(data_dir)
    with Session(engine) as session:
        found = list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))
    engine.dispose()
    return found


def _identity_cookie(context) -> bool:
    return any(c["name"].startswith(IDENTITY_COOKIE) for c in context.cookies())


def _wait_until(page, check, timeout_ms: int = 30_000) -> None:
    """Poll a condition the browser cannot see (the provider's own counters)."""
    for _ in range(timeout_ms // POLL_MS):
        if check():
            return
        page.wait_for_timeout(POLL_MS)
    raise AssertionError("condition not reached")


def _through_provider(page, base: str, who: str) -> None:
    """From the sign-in page: the city button, the provider's form, and back to the app."""
    page.goto(base)
    settle(page)
    page.get_by_role("button", name=BUTTON).click()
    field = page.get_by_label("目錄帳號")
    field.wait_for(timeout=30_000)  # the provider's page, reached through /auth/login
    field.fill(who)
    page.get_by_role("button", name="繼續").click()
    # Back through /oauth2callback to the app's root, where the frame takes it on.
    page.wait_for_url(re.compile(re.escape(base) + r"/[^/]*$"), timeout=30_000)
    page.wait_for_function("() => window.__runs !== undefined", polling=POLL_MS)
    settle(page)


def test_the_sign_in_page_offers_the_city_account(city_server, browser):
    for width, name in ((1280, "directory_sign_in_1280"), (390, "directory_sign_in_390")):
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        page.goto(city_server)
        settle(page)
        expect(page.get_by_role("button", name=BUTTON)).to_be_visible()
        expect(page.get_by_role("button", name="登入", exact=True)).to_be_visible()
        shot(page, name)
        context.close()


def test_a_linked_account_signs_in_with_its_role_and_signs_out_of_both(
    city_server, demo_data_dir, provider, browser
):
    context = browser.new_context(viewport=VIEW)
    page = context.new_page()
    _through_provider(page, city_server, "fleet.lead")
    expect(page.get_by_role("button", name="登出")).to_be_visible(timeout=30_000)
    expect(page.locator("h1", has_text="總覽")).to_be_visible(timeout=30_000)
    sidebar = page.locator("[data-testid='stSidebar']")
    expect(sidebar).to_contain_text("業務主管")  # demo.fleet's own role, not the directory's
    expect(sidebar).to_contain_text("公務車統計")
    expect(sidebar).not_to_contain_text("使用者管理")
    wait_for_signin_cookie(page)
    shot(page, "directory_signed_in")
    success = [e for e in _entries(demo_data_dir, AuditAction.LOGIN_SUCCESS)
               if e.username == "demo.fleet"]  # fmt: skip
    assert success and success[-1].after == {
        "via": "directory",
        "directory_subject": "fleet.lead@kcg.gov.tw",
    }
    ended_before = provider.ended

    page.get_by_role("button", name="登出").click()
    # st.logout: through /auth/logout and the provider's end-session back to the sign-in page.
    expect(page.get_by_role("button", name=BUTTON)).to_be_visible(timeout=30_000)
    page.wait_for_function("() => window.__runs !== undefined", polling=POLL_MS)
    settle(page)
    assert not _identity_cookie(context)
    assert provider.ended > ended_before
    engine = app_engine(demo_data_dir)
    with Session(engine) as session:
        rows = session.scalars(select(AuthSession).where(AuthSession.username == "demo.fleet"))
        assert all(row.revoked_at is not None for row in rows)
    engine.dispose()
    assert any(e.username == "demo.fleet" for e in _entries(demo_data_dir, AuditAction.LOGOUT))

    # The next visit asks again: no automatic sign-in from a leftover identity.
    page.goto(city_server)
    settle(page)
    expect(page.get_by_role("button", name=BUTTON)).to_be_visible()
    assert page.get_by_role("button", name="登出").count() == 0
    context.close()


@pytest.mark.parametrize(
    ("who", "message", "reason"),
    [
        ("stranger", "此市府帳號尚未開通本工作台", "not_linked"),
        ("off.user", "此市府帳號連結的工作台帳號已停用", "disabled"),
    ],
)
def test_an_unknown_or_disabled_directory_account_is_refused(
    city_server, demo_data_dir, provider, browser, who, message, reason
):
    context = browser.new_context(viewport=VIEW)
    page = context.new_page()
    ended = provider.ended
    _through_provider(page, city_server, who)
    # Refused, the identity signed out (st.logout's round trip through the provider's
    # end-session), and the reason on the sign-in page of the new browser session after it.
    _wait_until(page, lambda: provider.ended > ended)
    page.wait_for_url(re.compile(re.escape(city_server) + r"/[^/]*$"), timeout=30_000)
    expect(main_area(page)).to_contain_text(message, timeout=30_000)
    expect(page.get_by_role("button", name=BUTTON)).to_be_visible()
    settle(page)
    assert page.get_by_role("button", name="登出").count() == 0
    assert not _identity_cookie(context)
    shot(page, f"directory_refused_{reason}")
    # The reason's cookie is gone once shown: a later visit starts clean.
    page.wait_for_function(
        "name => !document.cookie.includes(name + '=')", arg="bureau_workspace_directory_refused",
        polling=POLL_MS, timeout=30_000,
    )  # fmt: skip
    failures = [e.after for e in _entries(demo_data_dir, AuditAction.LOGIN_FAILURE)
                if (e.after or {}).get("via") == "directory"]  # fmt: skip
    assert {"via": "directory", "directory_subject": f"{who}@kcg.gov.tw", "reason": reason} in (
        failures
    )
    # Another account can be tried at once: the provider asks who it is again.
    page.get_by_role("button", name=BUTTON).click()
    expect(page.get_by_label("目錄帳號")).to_be_visible(timeout=30_000)
    context.close()


def test_a_password_sign_in_still_works_and_is_audited_as_such(city_server, demo_data_dir, browser):
    context = browser.new_context(viewport=VIEW)
    page = context.new_page()
    sign_in(page, city_server, "demo.viewer", "demo-viewer-2023")
    expect(page.get_by_role("button", name="登出")).to_be_visible(timeout=30_000)
    success = [e for e in _entries(demo_data_dir, AuditAction.LOGIN_SUCCESS)
               if e.username == "demo.viewer"]  # fmt: skip
    assert success[-1].after == {"via": "password"}
    assert auth.VIA_PASSWORD == {"via": "password"}
    context.close()


def test_uploads_still_work_with_the_city_sign_in_configured(city_server, browser, tmp_path):
    """[auth] in secrets.toml turns Streamlit's XSRF protection on: a file import (an upload
    the browser must send with the XSRF token) still reaches the app and is checked."""
    context = browser.new_context(viewport=VIEW, accept_downloads=True)
    page = context.new_page()
    sign_in(page, city_server, "demo.gifts", "demo-gifts-2023", "venue_usage")
    expect(page.get_by_role("button", name="登出")).to_be_visible(timeout=30_000)
    edited, _cells, _capacity = export_venues_with_capacity_raised(page, tmp_path, 3)
    panel = page.get_by_role("tabpanel", name="場地清單")
    panel.get_by_text("匯入 CSV／Excel").click()
    panel.locator("input[type='file']").set_input_files(str(edited))
    page.get_by_role("button", name="確認匯入").wait_for(timeout=30_000)
    assert "修改 1 筆" in main_area(page).inner_text()
    context.close()
