"""User administration: admins only, guard rails on the last admin, audited without hashes."""

import json
import re
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

import core.accounts.auth as auth
import core.accounts.users as users
from core.editing.pipeline import Actor, PermissionDenied
from db.models import AuditAction, AuditEntry, TableStamp, User

PASSWORD = "correct horse 42"
ROOT = Actor("root", "admin")
LEAD = Actor("alice", "lead", frozenset({"fleet"}))
VIEWER = Actor("carol", "viewer")
NOW = datetime(2025, 3, 15, 6, 0, tzinfo=UTC)
README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(autouse=True)
def _fast_bcrypt(monkeypatch):
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)


@pytest.fixture
def root(session):
    return auth.create_user(session, username="root", password=PASSWORD, role="admin")


@pytest.fixture
def alice(session, root):
    return users.add_user(session, ROOT, "alice", PASSWORD, "lead", ["fleet"], "Alice")


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _audit(session) -> list[AuditEntry]:
    rows = list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    session.rollback()
    return rows


ADMIN_CALLS = {
    "list_users": lambda s, a: users.list_users(s, a),
    "get_user": lambda s, a: users.get_user(s, a, "alice"),
    "add_user": lambda s, a: users.add_user(s, a, "dave", PASSWORD, "viewer"),
    "update_user": lambda s, a: users.update_user(s, a, "alice", role="admin"),
    "disable": lambda s, a: users.update_user(s, a, "alice", active=False),
    "reset_password": lambda s, a: users.reset_password(s, a, "alice", "new password 99"),
    "unlock_user": lambda s, a: users.unlock_user(s, a, "alice"),
}


@pytest.mark.parametrize("call", ADMIN_CALLS.values(), ids=ADMIN_CALLS.keys())
@pytest.mark.parametrize("actor", [LEAD, VIEWER], ids=["lead", "viewer"])
def test_non_admins_are_refused_and_nothing_is_written(session, alice, call, actor):
    before = (_count(session, User), _count(session, AuditEntry))
    with pytest.raises(PermissionDenied, match="僅管理者可管理帳號"):
        call(session, actor)
    assert (_count(session, User), _count(session, AuditEntry)) == before


def test_add_user_audits_an_insert_without_the_hash(session, root):
    info = users.add_user(session, ROOT, "bob", PASSWORD, "lead", ["gifts", "fleet"], " 鮑伯 ")
    assert (info.username, info.role, info.sections, info.display_name) == (
        "bob",
        "lead",
        ("fleet", "gifts"),
        "鮑伯",
    )
    (entry,) = _audit(session)
    assert (entry.table_name, entry.row_id, entry.action) == ("app_user", info.id, "insert")
    assert entry.username == "root" and entry.before is None
    assert entry.after["username"] == "bob" and entry.after["role"] == "lead"
    assert "password_hash" not in entry.after
    stamp = session.scalars(select(TableStamp)).one()
    assert (stamp.table_name, stamp.stamp) == ("app_user", 1)


def test_list_users_never_carries_password_hashes(session, alice):
    listed = users.list_users(session, ROOT)
    assert [u.username for u in listed] == ["alice", "root"]
    assert all(not hasattr(u, "password_hash") for u in listed)
    assert "$2b$" not in repr(listed)


def test_update_user_changes_fields_and_audits_before_and_after(session, alice):
    info = users.update_user(session, ROOT, "alice", role="viewer", display_name="艾莉絲")
    assert (info.role, info.display_name, info.sections) == ("viewer", "艾莉絲", ("fleet",))
    entry = _audit(session)[-1]
    assert entry.action == AuditAction.UPDATE and entry.row_id == alice.id
    assert (entry.before["role"], entry.after["role"]) == ("lead", "viewer")
    assert (entry.before["version"], entry.after["version"]) == (1, 2)
    assert "password_hash" not in entry.before and "password_hash" not in entry.after


def test_an_update_that_changes_nothing_writes_nothing(session, alice):
    count = _count(session, AuditEntry)
    users.update_user(session, ROOT, "alice", role="lead", sections=["fleet"], active=True)
    assert _count(session, AuditEntry) == count


def test_unknown_username_is_refused_in_chinese(session, root):
    with pytest.raises(ValueError, match="找不到帳號「nobody」"):
        users.update_user(session, ROOT, "nobody", active=False)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"active": False}, "不可停用自己的帳號"),
        ({"role": "lead", "sections": ["fleet"]}, "不可取消自己"),
    ],
)
def test_admins_cannot_disable_or_demote_themselves(session, root, changes, message):
    users.add_user(session, ROOT, "second", PASSWORD, "admin")
    with pytest.raises(ValueError, match=message):
        users.update_user(session, ROOT, "root", **changes)
    assert session.scalar(select(User).where(User.username == "root")).active


@pytest.mark.parametrize(
    "changes", [{"active": False}, {"role": "viewer"}], ids=["disable", "demote"]
)
def test_the_last_active_admin_is_never_disabled_or_demoted(session, root, changes):
    cli = Actor("cli:ops", "admin")
    with pytest.raises(ValueError, match="最後一位啟用中的管理者"):
        users.update_user(session, cli, "root", **changes)
    # A disabled admin does not count as another admin.
    users.add_user(session, ROOT, "second", PASSWORD, "admin")
    users.update_user(session, ROOT, "second", active=False)
    with pytest.raises(ValueError, match="最後一位啟用中的管理者"):
        users.update_user(session, cli, "root", **changes)
    users.update_user(session, ROOT, "second", active=True)
    info = users.update_user(session, cli, "root", **changes)
    assert (info.role, info.active) != ("admin", True)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: users.add_user(s, ROOT, "dave", PASSWORD, "lead"), "至少需要一個業務範圍"),
        (lambda s: users.update_user(s, ROOT, "alice", sections=[]), "至少需要一個業務範圍"),
        (lambda s: users.update_user(s, ROOT, "alice", sections=["pets"]), "「pets」不是有效"),
        (lambda s: users.update_user(s, ROOT, "alice", role="owner"), "不是有效的角色"),
        (lambda s: users.add_user(s, ROOT, "demo.x", PASSWORD, "viewer"), "保留給示範帳號"),
        (lambda s: users.add_user(s, ROOT, "bench.x", PASSWORD, "admin"), "保留給效能測試"),
        (lambda s: users.update_user(s, ROOT, "alice", display_name="名" * 61), "不可超過 60"),
    ],
)
def test_bad_roles_and_sections_are_refused(session, alice, call, message):
    count = _count(session, AuditEntry)
    with pytest.raises(ValueError, match=message):
        call(session)
    assert _count(session, AuditEntry) == count
    assert users.get_user(session, ROOT, "alice").sections == ("fleet",)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "至少需要 10 個字元"),
        ("密" * 25, "不可超過 72 個位元組"),
        (" leading space pw", "開頭或結尾不可為空白"),
        ("trailing space pw\t", "開頭或結尾不可為空白"),
    ],
)
def test_password_rules_apply_to_new_accounts_and_resets(session, alice, password, message):
    with pytest.raises(ValueError, match=message):
        users.add_user(session, ROOT, "dave", password, "viewer")
    with pytest.raises(ValueError, match=message):
        users.reset_password(session, ROOT, "alice", password)
    with pytest.raises(ValueError, match=message):
        auth.create_user(session, username="erin", password=password, role="viewer")
    assert _count(session, User) == 2


def test_reset_password_lifts_the_lock_and_audits_a_marker(session, alice):
    for _ in range(auth.MAX_FAILED_ATTEMPTS):
        auth.authenticate(session, "alice", "wrong password", now=NOW)
    locked = users.get_user(session, ROOT, "alice")
    assert locked.is_locked(NOW) and not locked.is_locked(NOW + timedelta(minutes=16))
    info = users.reset_password(session, ROOT, "alice", "brand new secret")
    assert (info.failed_attempts, info.locked_until) == (0, None)
    assert auth.authenticate(session, "alice", "brand new secret", now=NOW).ok
    assert not auth.authenticate(session, "alice", PASSWORD, now=NOW).ok
    entry = next(e for e in reversed(_audit(session)) if e.action == AuditAction.UPDATE)
    assert entry.after["password_changed"] is True and "password_changed" not in entry.before
    assert entry.before["locked_until"] is not None and entry.after["locked_until"] is None
    everything = json.dumps([(e.before, e.after) for e in _audit(session)])
    assert "password_hash" not in everything and not re.search(r"\$2[aby]\$", everything)


def test_reset_password_signs_the_account_out_everywhere(session, alice, root):
    alices = [auth.open_session(session, "alice") for _ in range(2)]
    roots = auth.open_session(session, "root")
    users.reset_password(session, ROOT, "alice", "brand new secret")
    assert [auth.session_is_live(session, token) for token in alices] == [False, False]
    assert auth.session_is_live(session, roots)


def test_unlock_user_lifts_the_lock(session, alice):
    for _ in range(auth.MAX_FAILED_ATTEMPTS):
        auth.authenticate(session, "alice", "wrong password", now=NOW)
    assert not auth.authenticate(session, "alice", PASSWORD, now=NOW).ok
    info = users.unlock_user(session, ROOT, "alice")
    assert (info.failed_attempts, info.locked_until) == (0, None)
    assert auth.authenticate(session, "alice", PASSWORD, now=NOW).ok
    assert _audit(session)[-2].action == AuditAction.UPDATE


def test_disabled_user_cannot_sign_in_until_enabled(session, alice):
    users.update_user(session, ROOT, "alice", active=False)
    assert not auth.authenticate(session, "alice", PASSWORD, now=NOW).ok
    users.update_user(session, ROOT, "alice", active=True)
    assert auth.authenticate(session, "alice", PASSWORD, now=NOW).ok


def test_disabling_ends_every_sign_in_so_enabling_does_not_revive_old_cookies(session, alice):
    alices = [auth.open_session(session, "alice") for _ in range(2)]
    roots = auth.open_session(session, "root")
    users.update_user(session, ROOT, "alice", active=False)
    assert [auth.session_is_live(session, token) for token in alices] == [False, False]
    users.update_user(session, ROOT, "alice", active=True)
    assert [auth.session_is_live(session, token) for token in alices] == [False, False]
    assert auth.session_is_live(session, roots)  # other accounts keep theirs
    disabled = [e for e in _audit(session) if e.after and e.after.get("active") is False]
    assert [e.after["sessions_ended"] for e in disabled] == [2]
    assert auth.authenticate(session, "alice", PASSWORD, now=NOW).ok  # signs in anew


def test_other_changes_leave_sign_ins_alone(session, alice):
    token = auth.open_session(session, "alice")
    users.update_user(session, ROOT, "alice", display_name="艾莉絲", sections=["fleet", "gifts"])
    assert auth.session_is_live(session, token)
    assert "sessions_ended" not in _audit(session)[-1].after


def test_demo_accounts_are_valid_and_named_demo():
    assert {a.role for a in users.DEMO_ACCOUNTS} == {"viewer", "lead", "admin"}
    for account in users.DEMO_ACCOUNTS:
        assert auth.is_demo_username(account.username)
        auth.check_password(account.password, account.username)
        auth.check_role_sections(account.role, account.sections)


def test_ensure_demo_accounts_is_idempotent(session):
    created = users.ensure_demo_accounts(session)
    assert created == [a.username for a in users.DEMO_ACCOUNTS]
    assert users.ensure_demo_accounts(session) == []
    assert _count(session, User) == len(users.DEMO_ACCOUNTS)
    entries = _audit(session)
    assert [e.action for e in entries] == [AuditAction.INSERT] * len(users.DEMO_ACCOUNTS)
    assert all("password_hash" not in e.after for e in entries)


def test_ensure_demo_accounts_adds_only_the_missing_ones(session):
    account = users.DEMO_ACCOUNTS[0]
    auth.create_user(session, username=account.username, password=PASSWORD, role="viewer")
    assert account.username not in users.ensure_demo_accounts(session)
    assert _count(session, User) == len(users.DEMO_ACCOUNTS)


@pytest.mark.parametrize("account", users.DEMO_ACCOUNTS, ids=lambda a: a.username)
def test_demo_accounts_sign_in_only_in_demo_mode(session, account):
    users.ensure_demo_accounts(session)
    assert auth.authenticate(session, account.username, account.password, allow_demo=True).ok
    refused = auth.authenticate(session, account.username, account.password, allow_demo=False)
    assert not refused.ok and "示範模式" in refused.message
    assert _audit(session)[-1].action == AuditAction.LOGIN_FAILURE


def test_demo_sign_in_follows_the_settings_by_default(session, monkeypatch):
    from core.kernel.config import get_settings

    users.ensure_demo_accounts(session)
    account = users.DEMO_ACCOUNTS[0]
    monkeypatch.setenv("DATABASE_URL", "postgresql://example/prod")
    monkeypatch.delenv("LOAD_DEMO_DATA", raising=False)
    get_settings.cache_clear()
    try:
        assert not auth.authenticate(session, account.username, account.password).ok
        monkeypatch.setenv("LOAD_DEMO_DATA", "1")
        get_settings.cache_clear()
        assert auth.authenticate(session, account.username, account.password).ok
    finally:
        get_settings.cache_clear()


def test_prepare_database_adds_demo_accounts_to_an_existing_demo_database(engine, monkeypatch):
    """A demo database made before demo accounts existed gets them on the next start."""
    import db.seed
    from db.bootstrap import prepare_database

    monkeypatch.setattr(db.seed, "is_empty", lambda _session: False)  # demo data already there
    prepare_database(engine, load_demo=False)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(User)) == 0
    for _ in range(2):
        prepare_database(engine, load_demo=True)
    with engine.connect() as conn:
        names = set(conn.scalars(select(User.username)))
    assert names == {a.username for a in users.DEMO_ACCOUNTS}


def test_readme_documents_every_demo_account():
    readme = README.read_text()
    for account in users.DEMO_ACCOUNTS:
        row = next((line for line in readme.splitlines() if f"`{account.username}`" in line), "")
        assert f"`{account.password}`" in row and account.role in row, account.username


def test_users_frame_shows_labels_and_state(session, alice):
    for _ in range(auth.MAX_FAILED_ATTEMPTS):
        auth.authenticate(session, "alice", "wrong password", now=NOW)
    listed = users.list_users(session, ROOT)
    frame = users.users_frame(listed, "en")
    assert list(frame.columns) == [
        "User",
        "Display name",
        "Role",
        "Sections",
        "Status",
        "Last sign-in",
        "City account",
        "E-mail",
    ]
    alice_row = frame.iloc[0].tolist()
    assert alice_row[:4] == ["alice", "Alice", "Section lead", "Fleet"]
    assert users.state_label(listed[0], now=NOW) == "鎖定至 114/03/15 14:15"
    assert users.state_label(listed[0], now=NOW + timedelta(hours=1)) == "啟用"


def test_two_admins_demoting_each_other_leave_one_admin(session, root, engine):
    """PostgreSQL: the guard waits for a concurrent demotion of the other admin and sees it."""
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks: SQLite serialises writers instead")
    users.add_user(session, ROOT, "second", PASSWORD, "admin")
    session.commit()
    outcome: list[BaseException | None] = []
    with Session(engine) as other:
        # Another admin's demotion of root, in progress: root's row is locked.
        held = other.scalar(select(User).where(User.username == "root").with_for_update())

        def demote_second() -> None:
            with Session(engine) as mine:
                try:
                    users.update_user(mine, Actor("root", "admin"), "second", role="viewer")
                    outcome.append(None)
                except ValueError as exc:
                    outcome.append(exc)

        worker = threading.Thread(target=demote_second)
        worker.start()
        time.sleep(0.5)  # let it reach the lock on root's row
        assert worker.is_alive()
        held.role = "viewer"
        other.commit()
        worker.join(timeout=30)
    assert len(outcome) == 1 and "最後一位啟用中的管理者" in str(outcome[0])
    session.expire_all()
    second = session.scalar(select(User).where(User.username == "second"))
    assert (second.role, second.active) == ("admin", True)
