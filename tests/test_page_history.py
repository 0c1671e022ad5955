"""異動紀錄 and the sidebar through AppTest: a lead reads only their sections' tables, typed
usernames and display names are shown as typed (never as a link or bold)."""

import re
from datetime import UTC, datetime

import pytest
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from core.accounts import auth
from db.engine import make_engine
from db.models import AuditAction, AuditEntry
from tests.apptest import APP, signed_in

PAGE = "pages/history.py"
EVIL = "[點我](http://evil.example)"
MARKUP_NAME = "**粗體** [連結](http://evil.example)"
AT = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
# An unescaped markdown link: [text](target) without a backslash before the brackets.
LINK = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(")


def _entry(session: Session, username: str, table: str, action: AuditAction, row_id=1) -> None:
    session.add(
        AuditEntry(
            at=AT, username=username, table_name=table, row_id=row_id, action=action, batch_id="b"
        )
    )


@pytest.fixture
def history_db(db_url, monkeypatch, clean_caches):
    """An empty database with an admin, a fleet lead, and entries of three sections and a
    failed sign-in whose typed username is a markdown link."""
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)
    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            auth.create_user(session, username="h.admin", password="history-pass-1", role="admin")
            auth.create_user(
                session, username="h.fleet", password="history-pass-1", role="lead",
                sections=["fleet"], display_name=MARKUP_NAME,
            )  # fmt: skip
            _entry(session, "h.admin", "trip", AuditAction.UPDATE)
            _entry(session, "h.admin", "venue", AuditAction.DELETE)
            _entry(session, "gifts.lead", "gift_item", AuditAction.DELETE, row_id=7)
            _entry(session, EVIL, "app_user", AuditAction.LOGIN_FAILURE, row_id=None)
            session.commit()
    finally:
        engine.dispose()
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("LOAD_DEMO_DATA", "0")
    from core.kernel.config import get_settings

    get_settings.cache_clear()
    return db_url


def _history(url: str, username: str) -> AppTest:
    at = signed_in(AppTest.from_file(str(APP), default_timeout=60), url, username)
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def _listed_tables(at: AppTest) -> list[str]:
    return at.dataframe[0].value["資料表"].tolist()


def test_a_lead_reads_only_the_tables_of_their_sections(history_db):
    at = _history(history_db, "h.fleet")
    assert _listed_tables(at) == ["派車紀錄"]
    table_filter, user_filter = at.selectbox[:2]
    assert table_filter.options == ["全部", "派車紀錄"]
    # Who changed what elsewhere, and what was typed at the sign-in form, are not listed.
    assert user_filter.options == ["全部", "h.admin"]


def test_an_administrator_reads_every_table_and_the_sign_in_events(history_db):
    at = _history(history_db, "h.admin")
    assert sorted(_listed_tables(at)) == sorted(["派車紀錄", "場地", "禮品品項", "帳號"])
    assert EVIL in at.selectbox[1].options


def test_a_typed_username_is_shown_as_typed_not_as_a_link(history_db):
    at = _history(history_db, "h.admin")
    frame = at.dataframe[0].value
    row = frame.index[frame["使用者"] == EVIL][0]
    at.session_state["history.list.1"] = {"selection": {"rows": [int(row)], "columns": []}}
    at.run()
    assert not at.exception, at.exception
    by = [c.value for c in at.caption if "紀錄 #" in c.value]
    assert len(by) == 1 and "evil.example" in by[0]
    assert not LINK.search(by[0]), by[0]


def test_a_display_name_with_markdown_shows_literally_in_the_sidebar(history_db):
    at = _history(history_db, "h.fleet")
    badge = next(m.value for m in at.sidebar.markdown if "evil.example" in m.value)
    inner = badge.removeprefix("**").removesuffix("**")  # the badge itself is bold
    assert not LINK.search(inner) and "**" not in inner, badge
    assert re.sub(r"\\(.)", r"\1", inner).startswith(MARKUP_NAME)
