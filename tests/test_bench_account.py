"""The benchmark leaves no usable account behind: bench.admin is made per run with a random
password and removed with its sign-ins when the run ends, on Ctrl-C too."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import Session

from bench import account
from core.accounts import auth
from db.models import AuditAction, AuditEntry, AuthSession, User

ROOT = Path(__file__).resolve().parent.parent
OLD_FIXED = "bench-admin-pass-1"  # what earlier versions of the benchmark set, and left


def _accounts(engine) -> list[User]:
    with Session(engine) as session:
        return list(session.scalars(select(User).where(User.username == account.USERNAME)))


def _live_sessions(engine) -> list[str]:
    with Session(engine) as session:
        tokens = session.scalars(
            select(AuthSession.token_id).where(AuthSession.username == account.USERNAME)
        )
        return [t for t in tokens if auth.session_is_live(session, t)]


def test_the_account_is_made_audited_and_removed_with_its_sign_ins(engine, tmp_path):
    assert account.ensure_account(engine) is True
    (made,) = _accounts(engine)
    assert made.role == "admin" and made.active
    token = account.open_token(engine)
    cookie = account.signin_cookie(engine, tmp_path, "http://127.0.0.1:1")
    assert cookie["name"] == "bureau_workspace_signin" and len(_live_sessions(engine)) == 2
    assert token in _live_sessions(engine)
    assert account.remove_account(engine) is True
    assert _accounts(engine) == [] and _live_sessions(engine) == []
    with Session(engine) as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.table_name == "app_user"))
        audited = [(e.username, e.action) for e in entries]
    assert audited == [("system:bench", AuditAction.INSERT), ("system:bench", AuditAction.DELETE)]


def test_a_fixed_password_left_by_an_older_run_is_replaced(engine, monkeypatch):
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)
    with Session(engine) as session:
        auth.create_user(session, username=account.USERNAME, password=OLD_FIXED, role="admin")
    assert account.ensure_account(engine) is False
    with Session(engine) as session:
        # Refused at the form outside demo mode whatever the password, and the old one is gone.
        assert not auth.authenticate(session, account.USERNAME, OLD_FIXED, allow_demo=True).ok
        assert not auth.authenticate(session, account.USERNAME, OLD_FIXED, allow_demo=False).ok
    account.remove_account(engine)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_run_that_is_stopped_removes_the_account(db_url, engine, stop):
    """`python -m bench` stopped while it measures (Ctrl-C, or SIGTERM from a supervisor)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "bench", "--database-url", db_url, "--only", "pages"]
    run = subprocess.Popen(cmd, cwd=ROOT, env=env, text=True, encoding="utf-8",
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
    lines = []
    try:
        for line in run.stdout:
            lines.append(line)
            if line.startswith("[pages"):  # measuring now, as bench.admin
                assert len(_accounts(engine)) == 1
                run.send_signal(stop)
                break
        lines += run.stdout.readlines()
        run.wait(timeout=120)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert "account bench.admin removed, its sign-ins ended\n" in lines, "".join(lines)
    assert _accounts(engine) == [] and _live_sessions(engine) == []
