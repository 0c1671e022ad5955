"""A user changes their own password: the current one is asked for (a wrong one counts
towards the lock), the policy applies, every OTHER sign-in ends, and it is audited."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlmodel import Session

import core.accounts.auth as auth
import core.accounts.users as users
from core.editing.pipeline import Actor
from db.models import AuditAction, AuditEntry, User

OLD, NEW = "correct horse 42", "a brand new secret 7"
ALICE = Actor("alice", "lead", frozenset({"fleet"}))
NOW = datetime(2025, 3, 15, 6, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fast_bcrypt(monkeypatch):
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)


@pytest.fixture
def alice(session: Session) -> User:
    return auth.create_user(
        session, username="alice", password=OLD, role="lead", sections=["fleet"]
    )


def _entries(session: Session) -> list[AuditEntry]:
    rows = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    session.rollback()
    return rows


def test_the_new_password_works_and_only_this_sign_in_stays(session, alice):
    here, *elsewhere = [auth.open_session(session, "alice") for _ in range(3)]
    auth.create_user(session, username="bob", password=OLD, role="viewer")
    bobs = auth.open_session(session, "bob")
    assert users.change_own_password(session, ALICE, OLD, NEW, keep_token=here) == 2
    assert [auth.session_is_live(session, t) for t in (here, *elsewhere, bobs)] == [
        True, False, False, True,
    ]  # fmt: skip
    assert auth.authenticate(session, "alice", NEW, now=NOW).ok
    assert not auth.authenticate(session, "alice", OLD, now=NOW).ok


def test_the_change_is_audited_as_the_users_own_without_the_hash(session, alice):
    token = auth.open_session(session, "alice")
    users.change_own_password(session, ALICE, OLD, NEW, keep_token=token)
    (entry,) = _entries(session)
    assert (entry.username, entry.table_name, entry.row_id) == ("alice", "app_user", alice.id)
    assert entry.action == AuditAction.UPDATE
    assert entry.after["password_changed"] is True and entry.after["sessions_ended"] == 0
    shown = json.dumps([entry.before, entry.after])
    assert "password_hash" not in shown and not re.search(r"\$2[aby]\$", shown)


@pytest.mark.parametrize(
    ("current", "new", "message"),
    [
        ("not my password", NEW, "目前的密碼不正確"),
        (OLD, OLD, "與目前的密碼相同"),
        (OLD, "alice-forever-1", "帳號名稱"),
        (OLD, "aaaaaaaaaaaa", "重複"),
        (OLD, "short", "至少需要 10 個字元"),
    ],
)
def test_a_refused_change_changes_nothing(session, alice, current, new, message):
    token = auth.open_session(session, "alice")
    before = alice.password_hash
    with pytest.raises(ValueError, match=message):
        users.change_own_password(session, ALICE, current, new, keep_token=token)
    session.expire_all()
    assert session.scalar(select(User.password_hash).where(User.id == alice.id)) == before
    assert auth.session_is_live(session, token)
    assert not [e for e in _entries(session) if e.action == AuditAction.UPDATE]


def test_wrong_current_passwords_count_towards_the_lock(session, alice):
    """A borrowed, signed-in browser cannot try passwords here faster than at the form."""
    token = auth.open_session(session, "alice")
    for _ in range(auth.MAX_FAILED_ATTEMPTS - 1):
        with pytest.raises(ValueError, match="不正確"):
            users.change_own_password(session, ALICE, "guess 1234", NEW, keep_token=token, now=NOW)
    with pytest.raises(ValueError, match="鎖定"):
        users.change_own_password(session, ALICE, "guess 1234", NEW, keep_token=token, now=NOW)
    with pytest.raises(ValueError, match="鎖定至"):  # even the right one, while locked
        users.change_own_password(session, ALICE, OLD, NEW, keep_token=token, now=NOW)
    assert _entries(session)[-1].action == AuditAction.LOCKOUT
    later = NOW + timedelta(minutes=16)
    assert users.change_own_password(session, ALICE, OLD, NEW, keep_token=token, now=later) == 0


@pytest.mark.parametrize("username", ["demo.viewer", "bench.admin"])
def test_demo_and_benchmark_passwords_stay_as_they_are(session, username):
    auth.create_user(session, username=username, password=OLD, role="viewer")
    with pytest.raises(ValueError, match="不可變更"):
        users.change_own_password(session, Actor(username, "viewer"), OLD, NEW, keep_token=None)
