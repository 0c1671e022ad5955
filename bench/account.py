"""The benchmark's administrator: made once per database (cheap bcrypt), signed in per run.

Demo accounts sign in only in demo mode, and the scale databases are not in demo mode, so the
benchmark brings its own account rather than switching the app's mode.
"""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlmodel import Session

from core import auth
from core.editing import Actor
from db.models import User

USERNAME = "bench.admin"
PASSWORD = "bench-admin-pass-1"
ACTOR = Actor(username=USERNAME, role="admin")


def ensure_account(engine: Engine) -> bool:
    """Create bench.admin unless it exists; True when it was created (the one write besides
    the save measure, and the sign-in sessions)."""
    with Session(engine) as session:
        if session.scalar(select(User.id).where(User.username == USERNAME)) is not None:
            return False
        original = auth.BCRYPT_ROUNDS
        auth.BCRYPT_ROUNDS = 4  # sign-ins are not what is measured
        try:
            auth.create_user(
                session, username=USERNAME, password=PASSWORD, role="admin",
                display_name="Benchmark",
            )  # fmt: skip
        finally:
            auth.BCRYPT_ROUNDS = original
    return True


def open_token(engine: Engine) -> str:
    """A live server-side session for AppTest runs (what the sign-in form would record)."""
    with Session(engine) as session:
        return auth.open_session(session, USERNAME)
