"""Helpers of the AppTest page tests (their fixtures are in tests/conftest.py): the app, the test
accounts' password, signing a run in, opening a page, and what a page shows."""

import re
from pathlib import Path

from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from core.accounts import auth
from db.engine import make_engine

APP = Path(__file__).resolve().parent.parent / "streamlit_app.py"
PASSWORD = "pages-test-pass-1"
# The test accounts the `accounts` fixture adds to the shared demo database: (role, sections).
ACCOUNTS = {
    "t.viewer": ("viewer", ()),
    "t.fleet": ("lead", ("fleet",)),
    "t.admin": ("admin", ()),
}


def as_shown(markdown: str) -> str:
    """The text a markdown element shows: the page escapes what staff typed (ui.widgets.plain),
    so AppTest's value of such an element carries backslashes the browser does not show."""
    return re.sub(r"\\(.)", r"\1", markdown)


def add_account(
    session: Session,
    username: str,
    role: str,
    sections: tuple[str, ...] = (),
    *,
    start: str = "report",
) -> None:
    """A test account (the caller makes bcrypt cheap) whose pages open on `start`: the report's
    period by default, whose figures the page tests check (a new account's own default, the
    running half-year, is tested in tests/test_page_account.py)."""
    from core.accounts.users import set_own_start_period
    from core.editing.pipeline import Actor

    auth.create_user(session, username=username, password=PASSWORD, role=role, sections=sections)
    set_own_start_period(session, Actor(username, role), start)


def signed_in(at: AppTest, url: str, username: str) -> AppTest:
    """Put a live server-side session in session_state before the first run, as the sign-in
    form does."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            token = auth.open_session(session, username)
    finally:
        engine.dispose()
    at.session_state["auth.signed_in"] = {"username": username, "token": token}
    return at


def open_page(at: AppTest, page: str) -> AppTest:
    """Run the frame, then switch to page; no exception allowed."""
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def editors(at: AppTest) -> list:
    """The st.data_editor elements on the page (AppTest has no accessor for them)."""
    return [f for f in at.dataframe if f.proto.editing_mode != 0]


def show_tab(at: AppTest, key: str, label: str, lang: str = "zh-TW") -> AppTest:
    """Choose the tab `label` of the page's ui.widgets.tabs(…, key) for the next run: such a
    tab draws its charts or preview only while chosen."""
    from ui.widgets import tab_key

    at.session_state[tab_key(key, lang)] = label
    return at


def edit_account(app: AppTest, username: str) -> AppTest:
    """使用者管理 as an administrator sees it, with `username` chosen in its 角色與業務範圍 tab."""
    app.run()
    app.switch_page("pages/users.py").run()
    app.selectbox(key="users.edit.user").select(username).run()
    assert not app.exception
    return app
