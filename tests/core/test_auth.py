"""Sign-in: validated accounts, a database-held lock after repeated failures, audited sessions."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

import core.auth as auth
from db.engine import make_engine
from db.models import AuditAction, AuditEntry, User

PASSWORD = "correct horse 42"
NOW = datetime(2025, 3, 15, 6, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _fast_bcrypt(monkeypatch):
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)


@pytest.fixture
def alice(session):
    return auth.create_user(
        session, username="alice", password=PASSWORD, role="lead", sections=["fleet"]
    )


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _actions(session) -> list[str]:
    return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


@pytest.mark.parametrize(
    ("username", "password", "role", "message"),
    [
        ("bob", "short", "viewer", "密碼至少需要 10 個字元"),
        ("Bob!", PASSWORD, "viewer", "帳號須為 3 至 40 個字元"),
        ("bob", PASSWORD, "owner", "不是有效的角色"),
    ],
)
def test_create_user_refuses_bad_input_in_chinese_and_writes_nothing(
    session, username, password, role, message
):
    with pytest.raises(ValueError, match=message):
        auth.create_user(session, username=username, password=password, role=role)
    assert _count(session, User) == 0


def test_actor_for_user_carries_role_and_sections(alice):
    actor = auth.actor_for(alice)
    assert (actor.username, actor.role, actor.sections) == ("alice", "lead", {"fleet"})


def test_correct_password_succeeds_and_resets_the_counter(session, alice):
    assert not auth.authenticate(session, "alice", "wrong password", now=NOW).ok
    assert alice.failed_attempts == 1
    outcome = auth.authenticate(session, "alice", PASSWORD, now=NOW)
    assert outcome.ok and outcome.user.username == "alice"
    assert outcome.user.failed_attempts == 0
    assert outcome.user.last_login_at is not None


def test_five_wrong_passwords_lock_for_fifteen_minutes(session, alice):
    outcomes = [auth.authenticate(session, "alice", "wrong password", now=NOW) for _ in range(5)]
    assert [o.ok for o in outcomes] == [False] * 5
    assert outcomes[-1].locked_until == NOW + timedelta(minutes=15)
    assert "鎖定" in outcomes[-1].message and "114/03/15 14:15" in outcomes[-1].message
    during = auth.authenticate(session, "alice", PASSWORD, now=NOW + timedelta(minutes=14))
    assert not during.ok and "114/03/15 14:15" in during.message
    after = auth.authenticate(session, "alice", PASSWORD, now=NOW + timedelta(minutes=16))
    assert after.ok


def test_lock_survives_a_new_engine_and_session(session, alice, db_url):
    for _ in range(5):
        auth.authenticate(session, "alice", "wrong password", now=NOW)
    other = make_engine(db_url)
    try:
        with Session(other) as fresh:
            outcome = auth.authenticate(fresh, "alice", PASSWORD, now=NOW + timedelta(minutes=1))
            assert not outcome.ok and outcome.locked_until is not None
    finally:
        other.dispose()


def test_unknown_user_and_wrong_password_give_the_same_message(session, alice):
    unknown = auth.authenticate(session, "mallory", PASSWORD, now=NOW)
    wrong = auth.authenticate(session, "alice", "wrong password", now=NOW)
    assert not unknown.ok and not wrong.ok
    assert unknown.message == wrong.message == "帳號或密碼錯誤"


def test_inactive_user_gets_the_generic_message(session, alice):
    alice.active = False
    session.add(alice)
    session.commit()
    outcome = auth.authenticate(session, "alice", PASSWORD, now=NOW)
    assert not outcome.ok and outcome.message == "帳號或密碼錯誤"


def test_every_attempt_writes_an_audit_row(session, alice):
    auth.authenticate(session, "nobody", PASSWORD, now=NOW)
    for _ in range(5):
        auth.authenticate(session, "alice", "wrong password", now=NOW)
    auth.authenticate(session, "alice", PASSWORD, now=NOW)
    auth.authenticate(session, "alice", PASSWORD, now=NOW + timedelta(minutes=20))
    failure, lockout, success = (
        AuditAction.LOGIN_FAILURE,
        AuditAction.LOCKOUT,
        AuditAction.LOGIN_SUCCESS,
    )
    assert _actions(session) == [failure] * 5 + [lockout, failure, success]
    rows = session.scalars(select(AuditEntry)).all()
    assert {r.table_name for r in rows} == {"app_user"}
    assert rows[0].row_id is None and rows[-1].row_id == alice.id


def test_revoked_session_token_is_not_live(session, alice):
    token = auth.open_session(session, "alice")
    assert auth.session_is_live(session, token)
    assert auth.revoke_session(session, token, username="alice")
    assert not auth.session_is_live(session, token)
    assert _actions(session)[-1] == AuditAction.LOGOUT


def test_expired_session_token_is_not_live(session, alice):
    token = auth.open_session(session, "alice", days=1)
    assert not auth.session_is_live(session, token, now=datetime.now(UTC) + timedelta(days=2))
    assert not auth.session_is_live(session, "no-such-token")
