"""City directory sign-in: links made by administrators only, one account per directory
account, claim → account at sign-in, every attempt audited with its way in."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlmodel import Session

import core.accounts.auth as auth
import core.accounts.directory as directory
import core.accounts.users as users
from core.audit import history
from core.editing.pipeline import Actor, PermissionDenied
from core.kernel.config import get_settings
from db.models import AuditAction, AuditEntry, User

PASSWORD = "correct horse 42"
ROOT = Actor("root", "admin")
NOW = datetime(2025, 3, 15, 6, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fast_bcrypt(monkeypatch):
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)


@pytest.fixture
def accounts(session):
    auth.create_user(session, username="root", password=PASSWORD, role="admin")
    users.add_user(session, ROOT, "alice", PASSWORD, "lead", ["fleet"], "Alice")
    users.add_user(session, ROOT, "bob", PASSWORD, "viewer", [], "Bob")


def _entries(session, action: AuditAction) -> list[AuditEntry]:
    rows = list(
        session.scalars(
            select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
        )
    )
    session.rollback()
    return rows


def _claims(email: str, **more) -> dict:
    return {"is_logged_in": True, "sub": "s-" + email, "email": email, **more}


def test_an_admin_links_changes_and_unlinks_audited(session, accounts):
    info = directory.link(session, ROOT, "alice", "  Alice.Wang@KCG.gov.tw ")
    assert info.directory_subject == "alice.wang@kcg.gov.tw"  # e-mail claims: lower case
    directory.link(session, ROOT, "alice", "alice.w@kcg.gov.tw")
    assert directory.unlink(session, ROOT, "alice").directory_subject is None
    updates = [
        e for e in _entries(session, AuditAction.UPDATE) if e.row_id and e.username == "root"
    ]
    pairs = [(e.before["directory_subject"], e.after["directory_subject"]) for e in updates]
    assert pairs == [
        (None, "alice.wang@kcg.gov.tw"),
        ("alice.wang@kcg.gov.tw", "alice.w@kcg.gov.tw"),
        ("alice.w@kcg.gov.tw", None),
    ]
    assert all("password_hash" not in e.after for e in updates)


def test_a_directory_account_links_to_one_workspace_account_only(session, accounts):
    directory.link(session, ROOT, "alice", "shared@kcg.gov.tw")
    with pytest.raises(ValueError, match="已連結到帳號「alice」"):
        directory.link(session, ROOT, "bob", "SHARED@kcg.gov.tw")
    assert session.scalar(select(User.directory_subject).where(User.username == "bob")) is None
    # Linking the same account again changes nothing and is no refusal.
    directory.link(session, ROOT, "alice", "shared@kcg.gov.tw")


def test_the_unique_index_holds_without_the_check(session, accounts):
    """Two administrators at the same moment: the database refuses the second link."""
    from sqlalchemy.exc import IntegrityError

    for name in ("alice", "bob"):
        user = session.scalar(select(User).where(User.username == name))
        user.directory_subject = "same@kcg.gov.tw"
        session.add(user)
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()


@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_link_is_refused(session, accounts, value):
    with pytest.raises(ValueError, match="請輸入市府帳號"):
        directory.link(session, ROOT, "alice", value)


def test_only_administrators_link(session, accounts):
    with pytest.raises(PermissionDenied):
        directory.link(session, Actor("alice", "lead", frozenset({"fleet"})), "alice", "a@x.tw")
    with pytest.raises(PermissionDenied):
        directory.unlink(session, Actor("bob", "viewer"), "alice")


def test_a_linked_account_signs_in_with_its_own_role(session, accounts):
    directory.link(session, ROOT, "alice", "alice@kcg.gov.tw")
    # Whatever role-like claims the directory sends, the workspace account's own apply.
    outcome = directory.sign_in(
        session, _claims("Alice@kcg.gov.tw", roles=["admin"]), now=NOW, allow_demo=False
    )
    assert outcome.ok and outcome.username == "alice"
    user = session.scalar(select(User).where(User.username == "alice"))
    assert user.role == "lead" and user.sections == "fleet"
    assert auth._utc(user.last_login_at) == NOW
    entry = _entries(session, AuditAction.LOGIN_SUCCESS)[-1]
    assert entry.username == "alice" and entry.row_id == user.id
    assert entry.after == {"via": "directory", "directory_subject": "alice@kcg.gov.tw"}


def test_an_unlinked_or_disabled_account_is_refused_and_audited(session, accounts):
    outcome = directory.sign_in(session, _claims("nobody@kcg.gov.tw"), now=NOW)
    assert not outcome.ok and outcome.reason == "not_linked"
    directory.link(session, ROOT, "bob", "bob@kcg.gov.tw")
    users.update_user(session, ROOT, "bob", active=False)
    outcome = directory.sign_in(session, _claims("bob@kcg.gov.tw"), now=NOW)
    assert not outcome.ok and outcome.reason == "disabled"
    outcome = directory.sign_in(session, {"is_logged_in": True, "sub": "x"}, now=NOW)
    assert not outcome.ok and outcome.reason == "no_claim"
    failures = _entries(session, AuditAction.LOGIN_FAILURE)
    assert [(e.username, e.after["via"], e.after["reason"]) for e in failures] == [
        ("nobody@kcg.gov.tw", "directory", "not_linked"),
        ("bob", "directory", "disabled"),
        ("directory", "directory", "no_claim"),
    ]
    assert _entries(session, AuditAction.LOGIN_SUCCESS) == []


def test_the_claim_is_a_setting(session, accounts, monkeypatch):
    monkeypatch.setenv("DIRECTORY_CLAIM", "sub")
    get_settings.cache_clear()
    try:
        directory.link(session, ROOT, "alice", "AbC-123")  # `sub` is kept as it is
        assert directory.sign_in(session, _claims("x@y.tw", sub="AbC-123")).username == "alice"
        assert not directory.sign_in(session, _claims("x@y.tw", sub="abc-123")).ok
    finally:
        get_settings.cache_clear()


def test_a_password_sign_in_is_audited_as_such(session, accounts):
    auth.authenticate(session, "alice", PASSWORD, now=NOW)
    auth.authenticate(session, "alice", "wrong password", now=NOW)
    success = _entries(session, AuditAction.LOGIN_SUCCESS)[-1]
    failure = _entries(session, AuditAction.LOGIN_FAILURE)[-1]
    assert success.after == {"via": "password"} and failure.after == {"via": "password"}


def test_history_shows_the_way_in(session, accounts):
    directory.link(session, ROOT, "alice", "alice@kcg.gov.tw")
    directory.sign_in(session, _claims("alice@kcg.gov.tw"), now=NOW)
    auth.authenticate(session, "bob", PASSWORD, now=NOW)
    entries = _entries(session, AuditAction.LOGIN_SUCCESS)
    frame = history.history_frame(entries, "zh-TW")
    assert list(frame["異動欄位"]) == ["登入方式：市府帳號", "登入方式：密碼"]
    assert list(history.history_frame(entries, "en")["Changed fields"]) == [
        "Signed in by: City account",
        "Signed in by: Password",
    ]
    shown = {c.label: c.after for c in history.diff(entries[0], "zh-TW")}
    assert shown["登入方式"] == "市府帳號" and shown["市府帳號"] == "alice@kcg.gov.tw"


def test_only_a_fresh_identity_counts():
    issued = NOW.timestamp()
    assert directory.is_fresh({"iat": issued}, NOW + timedelta(minutes=4))
    assert not directory.is_fresh({"iat": issued}, NOW + timedelta(minutes=6))
    assert not directory.is_fresh({"iat": issued}, NOW - timedelta(minutes=2))  # from the future
    assert not directory.is_fresh({}, NOW) and not directory.is_fresh({"iat": "1"}, NOW)


def test_the_session_is_the_callers(session: Session, accounts):
    """sign_in commits what it audited: nothing is left pending for the caller."""
    directory.sign_in(session, _claims("nobody@kcg.gov.tw"), now=NOW)
    assert not session.new and not session.dirty


def test_unlinking_or_relinking_signs_the_account_out_everywhere(session, accounts):
    """A city account linked by mistake loses the access at once, not when its session
    expires: removing or changing the link ends the account's sessions (audited); linking an
    account that had no link, or an administrator changing their own, ends none."""
    directory.link(session, ROOT, "alice", "alice@kcg.gov.tw")
    first = auth.open_session(session, "alice")
    assert auth.session_is_live(session, first)
    directory.link(session, ROOT, "alice", "alice.wang@kcg.gov.tw")  # another person's account
    assert not auth.session_is_live(session, first)
    second = auth.open_session(session, "alice")
    directory.unlink(session, ROOT, "alice")
    assert not auth.session_is_live(session, second)
    markers = [e.after.get("sessions_ended") for e in _entries(session, AuditAction.UPDATE)
               if e.after and "directory_subject" in e.after]  # fmt: skip
    assert markers[-2:] == [1, 1]
    third = auth.open_session(session, "alice")
    directory.link(session, ROOT, "alice", "alice@kcg.gov.tw")  # none before: nobody to end
    assert auth.session_is_live(session, third)
    own = auth.open_session(session, "root")
    directory.link(session, ROOT, "root", "root@kcg.gov.tw")
    directory.unlink(session, ROOT, "root")
    assert auth.session_is_live(session, own)


@pytest.mark.parametrize("typed", ["al\tice@kcg.gov.tw", "alice@kcg.gov.tw\u0000", "a\nb@kcg.tw"])
def test_a_link_with_a_control_character_is_refused_and_changes_nothing(session, accounts, typed):
    with pytest.raises(ValueError, match="市府帳號含有不可見的控制字元 U\\+00"):
        directory.link(session, ROOT, "alice", typed)
    session.rollback()
    assert session.scalar(select(User.directory_subject).where(User.username == "alice")) is None
