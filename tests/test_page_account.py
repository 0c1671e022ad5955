"""變更密碼 through AppTest: every role has the page; a change keeps this sign-in and ends the
others; a refusal says why and changes nothing."""

import pytest
from sqlalchemy import select
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from core.accounts import auth
from db.engine import make_engine
from db.models import User
from tests.apptest import APP, signed_in

PAGE = "pages/account.py"
OLD, NEW = "account-pass-1", "a fresh secret 42"
ROLES = {"p.viewer": ("viewer", ()), "p.lead": ("lead", ("gifts",)), "p.admin": ("admin", ())}


@pytest.fixture
def account_db(db_url, monkeypatch, clean_caches):
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)
    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            for username, (role, sections) in ROLES.items():
                auth.create_user(
                    session, username=username, password=OLD, role=role, sections=sections
                )
    finally:
        engine.dispose()
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("LOAD_DEMO_DATA", "0")
    from core.kernel.config import get_settings

    get_settings.cache_clear()
    return db_url


def _open(url: str, username: str) -> AppTest:
    at = signed_in(AppTest.from_file(str(APP), default_timeout=60), url, username)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _submit(at: AppTest, current: str, new: str, again: str) -> AppTest:
    at.text_input(key="account.current").input(current)
    at.text_input(key="account.new").input(new)
    at.text_input(key="account.again").input(again)
    next(b for b in at.button if b.label == "變更密碼").click().run()
    assert not at.exception, at.exception
    return at


def _live(url: str, token: str) -> bool:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return auth.session_is_live(session, token)
    finally:
        engine.dispose()


@pytest.mark.parametrize("username", ROLES)
def test_every_role_has_the_password_page(account_db, username):
    at = _open(account_db, username)
    assert at.title[0].value == "變更密碼"
    assert [i.label for i in at.text_input if i.key and i.key.startswith("account.")] == [
        "目前的密碼", "新密碼", "再次輸入新密碼",
    ]  # fmt: skip


def test_a_change_keeps_this_sign_in_and_ends_the_others(account_db):
    engine = make_engine(account_db)
    with Session(engine) as session:
        elsewhere = auth.open_session(session, "p.lead")
    at = _submit(_open(account_db, "p.lead"), OLD, NEW, NEW)
    assert any("其他 1 個瀏覽器" in s.value for s in at.success), [s.value for s in at.success]
    here = at.session_state["auth.signed_in"]["token"]
    assert _live(account_db, here) and not _live(account_db, elsewhere)
    at.run()  # still signed in on the next run
    assert at.title[0].value == "變更密碼"
    with Session(engine) as session:
        assert auth.authenticate(session, "p.lead", NEW).ok
        assert not auth.authenticate(session, "p.lead", OLD).ok
    engine.dispose()


@pytest.mark.parametrize(
    ("current", "new", "again", "message"),
    [
        (OLD, NEW, NEW + "x", "兩次輸入的新密碼不一致"),
        ("not the password", NEW, NEW, "目前的密碼不正確"),
        (OLD, "1234567890", "1234567890", "連續"),
    ],
)
def test_a_refusal_says_why_and_changes_nothing(account_db, current, new, again, message):
    engine = make_engine(account_db)
    with Session(engine) as session:
        before = session.scalar(select(User.password_hash).where(User.username == "p.viewer"))
    at = _submit(_open(account_db, "p.viewer"), current, new, again)
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    with Session(engine) as session:
        after = session.scalar(select(User.password_hash).where(User.username == "p.viewer"))
    engine.dispose()
    assert after == before
