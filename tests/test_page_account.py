"""帳號設定 through AppTest: every role has the page; a password change keeps this sign-in and
ends the others; a refusal says why and changes nothing; the period pages open on is kept per
user (the running half-year by default)."""

import pytest
from sqlalchemy import select
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from core.accounts import auth
from db.engine import make_engine
from db.models import AuditEntry, User
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
    assert at.title[0].value == "帳號設定"
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
    assert at.title[0].value == "帳號設定"
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


def test_pages_open_on_the_running_half_year_until_another_start_period_is_saved(account_db):
    from datetime import date

    from core.kernel.periods import half_year_of
    from core.kernel.roc_dates import format_roc

    this_half = half_year_of(date.today())
    at = _open(account_db, "p.viewer")
    assert at.session_state["period"] == this_half  # today's work is in view
    [radio] = at.radio
    assert radio.value == "this_half"
    radio.set_value("report")
    next(b for b in at.button if b.label == "儲存期間設定").click().run()
    assert not at.exception, at.exception
    assert any("已儲存：登入後先顯示「議會報告期間" in s.value for s in at.success)
    assert at.session_state["period"].start == date(2022, 7, 1)  # this session too
    at.switch_page("pages/overview.py").run()
    assert at.text_input(key="period.start").value == "111/07/01"
    engine = make_engine(account_db)
    with Session(engine) as session:
        user = session.scalars(select(User).where(User.username == "p.viewer")).one()
        assert user.start_period == "report"
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.table_name == "app_user").order_by(
                AuditEntry.id.desc()).limit(1)
        ).one()  # fmt: skip
        assert (entry.before["start_period"], entry.after["start_period"]) == (
            "this_half", "report",
        )  # fmt: skip
    engine.dispose()
    # A new sign-in opens on the saved choice; another user still on the half-year.
    again = _open(account_db, "p.viewer")
    assert again.session_state["period"].end == date(2023, 3, 15)
    other = _open(account_db, "p.lead")
    assert other.session_state["period"] == this_half
    other.switch_page("pages/overview.py").run()
    assert other.text_input(key="period.start").value == format_roc(this_half.start)


def test_typed_dates_move_the_preset_box_to_custom(account_db):
    at = _open(account_db, "p.viewer")
    at.switch_page("pages/overview.py").run()
    [preset] = [s for s in at.selectbox if s.key and s.key.startswith("period.preset.")]
    preset.set_value("ui.preset.report").run()
    assert at.text_input(key="period.start").value == "111/07/01"
    at.text_input(key="period.start").set_value("111/08/01").run()
    assert not at.exception, at.exception
    [preset] = [s for s in at.selectbox if s.key and s.key.startswith("period.preset.")]
    assert preset.value == "ui.preset.custom"
    at.text_input(key="period.start").set_value("111/07/01").run()
    [preset] = [s for s in at.selectbox if s.key and s.key.startswith("period.preset.")]
    assert preset.value == "ui.preset.report"


def test_the_language_is_the_users_and_a_new_sign_in_opens_in_it(account_db):
    from datetime import date

    from core.kernel.periods import half_year_of

    start = half_year_of(date.today()).start
    at = _open(account_db, "p.viewer")
    at.switch_page("pages/overview.py").run()
    assert at.title[0].value == "總覽"
    assert at.text_input(key="period.start").value == f"{start.year - 1911}/{start:%m/%d}"
    at.selectbox(key="lang.box").set_value("en").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Overview"
    # The sidebar's dates follow: what was typed in 民國 is now the same day in ISO.
    assert at.text_input(key="period.start").value == start.isoformat()
    engine = make_engine(account_db)
    with Session(engine) as session:
        assert session.scalars(
            select(User.language).where(User.username == "p.viewer")
        ).one() == "en"  # fmt: skip
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.table_name == "app_user").order_by(
                AuditEntry.id.desc()).limit(1)
        ).one()  # fmt: skip
        assert (entry.username, entry.before["language"], entry.after["language"]) == (
            "p.viewer", None, "en",
        )  # fmt: skip
    engine.dispose()
    # A reload is a new browser session: signed in again, the pages open in English; another
    # user, who never chose, in zh-TW; the sign-in form itself stays as it was.
    again = _open(account_db, "p.viewer")
    assert again.session_state["lang"] == "en" and again.title[0].value == "Account settings"
    again.switch_page("pages/overview.py").run()
    assert again.title[0].value == "Overview"
    assert again.text_input(key="period.start").value == start.isoformat()
    other = _open(account_db, "p.lead")
    assert other.title[0].value == "帳號設定"
    anonymous = AppTest.from_file(str(APP), default_timeout=60)
    anonymous.run()
    assert [i.label for i in anonymous.text_input] == ["帳號", "密碼"]
    # Switching back is kept as well.
    again.selectbox(key="lang.box").set_value("zh-TW").run()
    assert again.title[0].value == "總覽"
    assert _open(account_db, "p.viewer").title[0].value == "帳號設定"


def test_the_digest_address_is_checked_saved_and_the_digest_turned_off(account_db):
    at = _open(account_db, "p.lead")
    [email] = [i for i in at.text_input if i.label == "電子郵件"]
    [toggle] = [x for x in at.toggle if x.label == "寄給我每日摘要"]
    assert email.value == "" and toggle.value is True
    email.input("wang@kcg")
    next(b for b in at.button if b.label == "儲存郵件設定").click().run()
    assert not at.exception, at.exception
    assert any("「wang@kcg」不是有效的電子郵件地址" in e.value for e in at.error)
    engine = make_engine(account_db)

    def saved() -> tuple[str | None, bool]:
        with Session(engine) as session:
            user = session.scalars(select(User).where(User.username == "p.lead")).one()
            return user.email, user.daily_digest

    assert saved() == (None, True)  # nothing saved
    [email] = [i for i in at.text_input if i.label == "電子郵件"]
    email.input("wang@kcg.gov.tw")
    [toggle] = [x for x in at.toggle if x.label == "寄給我每日摘要"]
    toggle.set_value(False)
    next(b for b in at.button if b.label == "儲存郵件設定").click().run()
    assert not at.exception, at.exception
    assert any("不會寄每日摘要給您" in s.value for s in at.success)
    assert saved() == ("wang@kcg.gov.tw", False)
    with Session(engine) as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.table_name == "app_user").order_by(
                AuditEntry.id.desc()).limit(1)
        ).one()  # fmt: skip
        assert entry.username == "p.lead"
        assert (entry.before["email"], entry.after["email"]) == (None, "wang@kcg.gov.tw")
        assert (entry.before["daily_digest"], entry.after["daily_digest"]) == (True, False)
    engine.dispose()
