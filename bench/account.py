"""The benchmark's administrator bench.admin: made for one run with a password nobody knows,
removed together with every sign-in it opened when the run ends (bench.run: errors and
Ctrl-C included), so a measured database keeps no account of the benchmark.

Demo accounts sign in only in demo mode, and the scale databases are not in demo mode, so the
benchmark brings its own account rather than switching the app's mode. bench.* names are
refused at the sign-in form outside demo mode (core.accounts.auth), cannot be made by admins
(core.accounts.users): the browsers are handed a sign-in cookie the benchmark signs itself
(signin_cookie), for a session it records as the form would.
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jwt
from sqlalchemy import Engine, select
from sqlmodel import Session

from core.accounts import auth
from core.accounts.session_keys import cookie_signing_key, session_token_id
from core.editing.pipeline import Actor, AuditedWriter
from core.kernel.config import Settings
from db.models import AuditAction, User

USERNAME = "bench.admin"
ACTOR = Actor(username=USERNAME, role="admin")
# Who the audit log names for making and removing the account.
SYSTEM = Actor(username="system:bench", role="admin")
COOKIE_HOURS = 12  # longer than any run; the session is revoked at the end anyway


def _image(writer: AuditedWriter, user_id: int) -> dict[str, Any]:
    return {k: v for k, v in writer.image(user_id).items() if k != "password_hash"}


def ensure_account(engine: Engine) -> bool:
    """Make bench.admin for this run (cheap bcrypt, a random password that is never shown);
    True when none was there, False when one left by a run that was killed is replaced."""
    leftover = remove_account(engine)
    original = auth.BCRYPT_ROUNDS
    auth.BCRYPT_ROUNDS = 4  # sign-ins are not what is measured, and the password is random
    try:
        with Session(engine) as session:
            user = auth.create_user(
                session, username=USERNAME, password=secrets.token_urlsafe(32), role="admin",
                display_name="Benchmark", commit=False,
            )  # fmt: skip
            writer = AuditedWriter(session, SYSTEM, User.__table__)
            writer.audit(user.id, AuditAction.INSERT, None, _image(writer, user.id))
            writer.commit()
    finally:
        auth.BCRYPT_ROUNDS = original
    return not leftover


def remove_account(engine: Engine) -> bool:
    """End every session of bench.admin and delete the account (audited); True if it existed."""
    with Session(engine) as session:
        auth.end_sessions(session, USERNAME)
        user_id = session.scalar(select(User.id).where(User.username == USERNAME))
        if user_id is None:
            session.commit()
            return False
        writer = AuditedWriter(session, SYSTEM, User.__table__)
        before = _image(writer, user_id)
        session.execute(User.__table__.delete().where(User.__table__.c.id == user_id))
        writer.audit(user_id, AuditAction.DELETE, before, None)
        writer.commit()
    return True


def open_token(engine: Engine) -> str:
    """A live server-side session for AppTest runs (what the sign-in form would record)."""
    with Session(engine) as session:
        return auth.open_session(session, USERNAME)


def signin_cookie(engine: Engine, data_dir: Path, base: str) -> dict[str, Any]:
    """A Playwright cookie that signs a browser in as bench.admin on the app server at `base`
    (whose DATA_DIR is data_dir): the JWT ui.auth writes, for a session recorded under the id
    the app derives from it, signed with the key that server uses."""
    from ui.auth import COOKIE_NAME, secret_key

    key = cookie_signing_key(secret_key(), Settings(data_dir=data_dir))
    exp_date = time.time() + COOKIE_HOURS * 3600
    token = session_token_id(key, USERNAME, exp_date)
    with Session(engine) as session:
        expires_at = datetime.fromtimestamp(exp_date, UTC)
        auth.open_session(session, USERNAME, token_id=token, expires_at=expires_at)
    value = jwt.encode({"username": USERNAME, "exp_date": exp_date}, key, "HS256")
    return {"name": COOKIE_NAME, "value": value, "url": base, "sameSite": "Strict"}
