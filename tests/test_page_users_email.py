"""使用者管理 sets a colleague's digest e-mail (checked as on 帳號設定, nothing saved on a bad
one, audited), shows when they turned the digest off, and only administrators may set it."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlmodel import Session

from core.accounts import users
from core.editing.pipeline import Actor, PermissionDenied
from core.kernel.config import get_settings
from db.engine import make_engine
from db.models import AuditAction, AuditEntry, User
from tests.apptest import edit_account

UPDATE = AuditAction.UPDATE


def _row(username: str) -> tuple[str | None, bool]:
    engine = make_engine(get_settings().url)
    with Session(engine) as session:
        found = session.execute(
            select(User.email, User.daily_digest).where(User.username == username)
        ).one()
    engine.dispose()
    return found[0], found[1]


def _save(page, address: str):
    next(f for f in page.text_input if f.label == "電子郵件").input(address)
    next(b for b in page.button if b.label == "儲存電子郵件").click().run()
    assert not page.exception
    return page


def test_an_admin_sets_checks_and_clears_a_colleagues_address(app):
    page = _save(edit_account(app, "t.fleet"), "Ｆｌｅｅｔ@kcg.gov.tw")  # typed through an IME
    assert "已更新「t.fleet」的電子郵件" in page.success[0].value
    assert _row("t.fleet") == ("Fleet@kcg.gov.tw", True)
    assert "Fleet@kcg.gov.tw" in page.dataframe[0].value.to_string()

    page = _save(edit_account(page, "t.fleet"), "not an address")
    assert "不是有效的電子郵件地址" in page.error[0].value
    assert _row("t.fleet") == ("Fleet@kcg.gov.tw", True)  # nothing saved

    page = _save(edit_account(page, "t.fleet"), "")
    assert _row("t.fleet") == (None, True)
    engine = make_engine(get_settings().url)
    with Session(engine) as session:
        changes = [
            (e.before.get("email"), e.after.get("email"))
            for e in session.scalars(select(AuditEntry).where(AuditEntry.action == UPDATE))
            if e.table_name == "app_user" and e.before and "email" in e.before
            and e.before.get("email") != e.after.get("email")
        ]  # fmt: skip
    engine.dispose()
    assert changes[-2:] == [(None, "Fleet@kcg.gov.tw"), ("Fleet@kcg.gov.tw", None)]


def test_the_users_own_choice_to_turn_it_off_is_shown(app):
    viewer = Actor("t.viewer", "viewer")
    engine = make_engine(get_settings().url)
    try:
        with Session(engine) as session:
            users.set_own_digest(session, viewer, "v@kcg.gov.tw", False)
        page = edit_account(app, "t.viewer")
        assert any("關閉每日摘要" in c.value for c in page.caption)
    finally:  # the accounts are shared by the other tests of this worker
        with Session(engine) as session:
            users.set_own_digest(session, viewer, "", True)
        engine.dispose()


def test_only_administrators_set_an_address(app):
    app.run()
    before = _row("t.viewer")
    engine = make_engine(get_settings().url)
    with Session(engine) as session, pytest.raises(PermissionDenied):
        users.set_email(session, Actor("t.fleet", "lead", ("fleet",)), "t.viewer", "x@kcg.gov.tw")
    engine.dispose()
    assert _row("t.viewer") == before
