"""使用者管理 links a city account to a workspace account, refuses one already linked elsewhere
in zh-TW, and unlinks it; each change reaches the accounts table."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from core.kernel.config import get_settings
from db.engine import make_engine
from db.models import User
from tests.apptest import edit_account


def _subject(username: str) -> str | None:
    engine = make_engine(get_settings().url)
    with Session(engine) as session:
        found = session.scalar(select(User.directory_subject).where(User.username == username))
    engine.dispose()
    return found


def _submit(app, label: str):
    next(b for b in app.button if b.label == label).click().run()
    assert not app.exception
    return app


def test_an_admin_links_refuses_a_taken_one_and_unlinks(app):
    page = edit_account(app, "t.fleet")
    assert "尚未設定市府帳號登入" in " ".join(c.value for c in page.caption)
    field = next(f for f in page.text_input if f.label.startswith("市府帳號"))
    field.input("Fleet.Lead@KCG.gov.tw")
    _submit(page, "儲存連結")
    assert "已將「t.fleet」連結到市府帳號" in page.success[0].value
    assert _subject("t.fleet") == "fleet.lead@kcg.gov.tw"

    page = edit_account(page, "t.viewer")
    field = next(f for f in page.text_input if f.label.startswith("市府帳號"))
    field.input("fleet.lead@kcg.gov.tw")
    _submit(page, "儲存連結")
    assert "已連結到帳號「t.fleet」" in page.error[0].value
    assert _subject("t.viewer") is None

    page = edit_account(page, "t.fleet")
    _submit(page, "解除連結")
    assert "已解除「t.fleet」的市府帳號連結" in page.success[0].value
    assert _subject("t.fleet") is None
