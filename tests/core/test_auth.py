"""Sign-in: validated accounts, a database-held lock after repeated failures, audited sessions."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

import core.accounts.auth as auth
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
    # The lock starting says nothing a wrong password for an unknown name would not say.
    assert {(o.message, o.locked_until) for o in outcomes} == {("帳號或密碼錯誤", None)}
    session.refresh(alice)
    assert auth._utc(alice.locked_until) == NOW + timedelta(minutes=15)
    during = auth.authenticate(session, "alice", PASSWORD, now=NOW + timedelta(minutes=14))
    assert not during.ok and "114/03/15 14:15" in during.message
    assert during.locked_until == NOW + timedelta(minutes=15)
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


def _lock(session, username: str) -> None:
    for _ in range(auth.MAX_FAILED_ATTEMPTS):
        auth.authenticate(session, username, "wrong password", now=NOW)


def _disable(session, user) -> None:
    user.active = False
    session.add(user)
    session.commit()


def test_locked_and_disabled_accounts_answer_as_unknown_names_to_a_wrong_password(session):
    """Whoever types a name and a wrong password cannot tell whether the name exists, nor
    whether its account is locked or disabled: the whole outcome is the same."""
    for name in ("locked", "disabled", "plain"):
        auth.create_user(session, username=name, password=PASSWORD, role="viewer")
    _lock(session, "locked")
    _disable(session, session.scalar(select(User).where(User.username == "disabled")))
    later = NOW + timedelta(minutes=1)
    outcomes = {
        name: auth.authenticate(session, name, "wrong password", now=later)
        for name in ("nobody", "locked", "disabled", "plain")
    }
    assert set(outcomes.values()) == {auth.AuthOutcome(False, None, "帳號或密碼錯誤")}, outcomes


def test_only_the_right_password_learns_that_an_account_is_locked_or_disabled(session, alice):
    _lock(session, "alice")
    locked = auth.authenticate(session, "alice", PASSWORD, now=NOW + timedelta(minutes=1))
    assert not locked.ok and locked.user is None
    assert locked.message.startswith("密碼正確") and "鎖定至 114/03/15 14:15" in locked.message
    assert "管理者" in locked.message  # what to do
    _disable(session, alice)
    later = NOW + timedelta(minutes=20)  # the lock has passed; the account is still disabled
    disabled = auth.authenticate(session, "alice", PASSWORD, now=later)
    assert not disabled.ok and disabled.user is None
    assert disabled.message.startswith("密碼正確") and "停用" in disabled.message


def test_guesses_during_a_lock_use_up_the_same_allowance_and_extend_it(session, alice):
    """The right password is told apart during a lock, so guessing must not go on unchecked
    while it lasts: five more wrong passwords lock the account again from the last of them."""
    _lock(session, "alice")
    later = NOW + timedelta(minutes=10)
    for _ in range(auth.MAX_FAILED_ATTEMPTS):
        wrong = auth.authenticate(session, "alice", "wrong password", now=later)
        assert wrong == auth.AuthOutcome(False, None, "帳號或密碼錯誤")
    session.refresh(alice)
    assert auth._utc(alice.locked_until) == later + auth.LOCK_DURATION
    right = auth.authenticate(session, "alice", PASSWORD, now=NOW + timedelta(minutes=16))
    assert not right.ok and right.locked_until == later + auth.LOCK_DURATION
    assert _actions(session).count(AuditAction.LOCKOUT) == 2


def test_every_answer_costs_one_bcrypt_check_of_the_same_cost(session, alice, monkeypatch):
    """The timing is kept alike by doing the same work: one bcrypt check, at the cost real
    hashes have, whether the name is unknown, the password wrong, or the account locked or
    disabled (the check itself is the real bcrypt, only counted)."""
    checked: list[int] = []
    real = auth.bcrypt.checkpw

    def counted(password: bytes, hashed: bytes) -> bool:
        checked.append(int(hashed.split(b"$")[2]))  # the cost in $2b$<cost>$…
        return real(password, hashed)

    monkeypatch.setattr(auth.bcrypt, "checkpw", counted)
    auth.create_user(session, username="off", password=PASSWORD, role="viewer")
    _disable(session, session.scalar(select(User).where(User.username == "off")))
    attempts = [("nobody", PASSWORD), ("alice", "wrong password"), ("off", "wrong password")]
    attempts += [("off", PASSWORD), ("nobody", "wrong password")]
    for username, password in attempts:
        checked.clear()
        auth.authenticate(session, username, password, now=NOW)
        assert checked == [auth.BCRYPT_ROUNDS], username
    _lock(session, "alice")
    for password in ("wrong password", PASSWORD):
        checked.clear()
        auth.authenticate(session, "alice", password, now=NOW + timedelta(minutes=1))
        assert checked == [auth.BCRYPT_ROUNDS]


@pytest.mark.parametrize("username", ["bench.admin", "demo.viewer"])
def test_benchmark_and_demo_names_sign_in_only_in_demo_mode(session, username):
    auth.create_user(session, username=username, password=PASSWORD, role="admin")
    refused = auth.authenticate(session, username, PASSWORD, now=NOW, allow_demo=False)
    assert not refused.ok and refused.user is None
    assert ("效能測試" if username.startswith("bench.") else "示範模式") in refused.message
    assert _actions(session)[-1] == AuditAction.LOGIN_FAILURE
    assert auth.authenticate(session, username, PASSWORD, now=NOW, allow_demo=True).ok


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


def test_end_sessions_ends_every_live_session_but_the_one_kept(session, alice):
    auth.create_user(session, username="bob", password=PASSWORD, role="viewer")
    kept, *others = [auth.open_session(session, "alice") for _ in range(3)]
    bobs = auth.open_session(session, "bob")
    assert auth.end_sessions(session, "alice", keep=kept) == 2
    session.commit()
    assert [auth.session_is_live(session, t) for t in (kept, *others, bobs)] == [
        True, False, False, True,
    ]  # fmt: skip
    assert auth.end_sessions(session, "alice") == 1


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
