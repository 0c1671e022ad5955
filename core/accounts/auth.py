"""Sign-in without Streamlit: accounts, bcrypt passwords, a lock after repeated failures, sessions.

The failed-attempt counter and the lock live in the database (app_user), so every process and
session sees them. Every sign-in attempt and sign-out is written to the audit log in the same
transaction as the change it records.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import bcrypt
from sqlalchemy import select, update
from sqlmodel import Session

from core.accounts import passwords
from core.editing import registry
from core.editing.pipeline import Actor
from core.i18n.labels import t
from core.kernel.config import get_settings
from core.kernel.roc_dates import format_roc_datetime
from db.models import AuditAction, AuditEntry, AuthSession, User, UserRole, utcnow

MAX_FAILED_ATTEMPTS = 5
LOCK_DURATION = timedelta(minutes=15)
BCRYPT_ROUNDS = 12
USERNAME_PATTERN = re.compile(r"[a-z0-9_.-]{3,40}")
MAX_DISPLAY_NAME = 60  # app_user.display_name
# Demo accounts (users.DEMO_ACCOUNTS) are named demo.*, the benchmark's (bench.account)
# bench.*: they sign in at the form only in demo mode, and administrators cannot create them.
DEMO_PREFIX = "demo."
BENCH_PREFIX = "bench."
RESERVED_PREFIXES = {DEMO_PREFIX: "users.demo_only", BENCH_PREFIX: "users.bench_only"}
TAIPEI = ZoneInfo("Asia/Taipei")

# One per bcrypt cost, so an unknown name costs what a real account's check costs.
_dummy_hashes: dict[int, str] = {}


@dataclass(frozen=True)
class AuthOutcome:
    ok: bool
    user: User | None
    message: str
    locked_until: datetime | None = None


def hash_password(password: str, rounds: int | None = None) -> str:
    """bcrypt of password at `rounds` (default BCRYPT_ROUNDS): checks read the cost from it."""
    cost = BCRYPT_ROUNDS if rounds is None else rounds
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=cost)).decode()


def password_matches(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode(), password_hash.encode())
    except ValueError:  # too long, or a malformed hash
        return False


def _burn_time(password: str) -> None:
    """Check against a dummy hash, so an unknown user takes as long as a wrong password."""
    dummy = _dummy_hashes.get(BCRYPT_ROUNDS)
    if dummy is None:
        dummy = _dummy_hashes.setdefault(BCRYPT_ROUNDS, hash_password(secrets.token_hex(16)))
    password_matches(password, dummy)


def _utc(value: datetime | None) -> datetime | None:
    """Aware UTC; SQLite returns stored UTC values without a zone."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _taipei(value: datetime) -> str:
    return format_roc_datetime(value.astimezone(TAIPEI))


def is_demo_username(username: str) -> bool:
    return username.startswith(DEMO_PREFIX)


def reserved_prefix(username: str) -> str | None:
    """demo. or bench. when the name starts with it: such accounts are not staff's."""
    return next((p for p in RESERVED_PREFIXES if username.startswith(p)), None)


def check_password(password: str, username: str | None = None) -> None:
    """ValueError with one zh-TW sentence unless the password may be set (accounts.passwords)."""
    passwords.check_password(password, username)


def check_role_sections(role: str, sections: Iterable[str]) -> tuple[UserRole, str]:
    """The role and the stored sections text ("fleet,gifts"), or ValueError (zh-TW)."""
    try:
        user_role = UserRole(role)
    except ValueError:
        raise ValueError(t("auth.bad_role", role=role)) from None
    chosen = sorted(set(sections))
    for section in chosen:
        if section not in registry.section_names():
            raise ValueError(t("auth.bad_section", section=section))
    if user_role is UserRole.LEAD and not chosen:
        raise ValueError(t("users.lead_needs_section"))
    return user_role, ",".join(chosen)


def check_display_name(display_name: str) -> str:
    name = display_name.strip()
    if len(name) > MAX_DISPLAY_NAME:
        raise ValueError(t("users.long_name", n=MAX_DISPLAY_NAME))
    return name


def create_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    sections: Iterable[str] = (),
    display_name: str = "",
    commit: bool = True,
    bcrypt_rounds: int | None = None,
) -> User:
    """Validate and add an account; ValueError with a zh-TW message if refused.

    Commits, unless commit=False: then it only flushes, so the caller can audit it in the same
    transaction. bcrypt_rounds: the hash's cost, BCRYPT_ROUNDS unless given.
    """
    if not isinstance(username, str) or not USERNAME_PATTERN.fullmatch(username):
        raise ValueError(t("auth.bad_username"))
    check_password(password, username)
    user_role, sections_text = check_role_sections(role, sections)
    name = check_display_name(display_name)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ValueError(t("auth.username_taken", username=username))
    user = User(
        username=username,
        display_name=name or username,
        password_hash=hash_password(password, bcrypt_rounds),
        role=user_role,
        sections=sections_text,
    )
    session.add(user)
    if not commit:
        session.flush()
        return user
    session.commit()
    session.refresh(user)
    return user


def actor_for(user: User) -> Actor:
    sections = frozenset(s for s in (user.sections or "").split(",") if s)
    return Actor(username=user.username, role=UserRole(user.role).value, sections=sections)


def _audit(
    session: Session,
    username: str,
    action: AuditAction,
    now: datetime,
    *,
    table_name: str = "app_user",
    row_id: int | None = None,
    after: dict | None = None,
) -> None:
    session.add(
        AuditEntry(
            at=now,
            username=username[:60],
            table_name=table_name,
            row_id=row_id,
            action=action,
            batch_id=uuid.uuid4().hex,
            after=after,
        )
    )


# How a sign-in came (the `via` of its LOGIN_SUCCESS / LOGIN_FAILURE entry's `after`).
VIA_PASSWORD = {"via": "password"}


def _refused(
    session: Session,
    username: str,
    now: datetime,
    user: User | None,
    message: str,
    locked_until: datetime | None = None,
) -> AuthOutcome:
    _audit(
        session, username, AuditAction.LOGIN_FAILURE, now,
        row_id=user.id if user else None, after=VIA_PASSWORD,
    )  # fmt: skip
    session.commit()
    return AuthOutcome(False, None, message, locked_until)


def count_failure(session: Session, user: User, now: datetime) -> bool:
    """Count one wrong password (not committed); True when it locks the account."""
    # Incremented in SQL so concurrent attempts from other processes are all counted.
    session.execute(
        update(User)
        .where(User.id == user.id)
        .values(failed_attempts=User.failed_attempts + 1, updated_at=now)
    )
    session.refresh(user)
    if user.failed_attempts < MAX_FAILED_ATTEMPTS:
        return False
    user.failed_attempts = 0  # a fresh allowance once the lock has passed
    user.locked_until = now + LOCK_DURATION
    session.add(user)
    _audit(session, user.username, AuditAction.LOCKOUT, now, row_id=user.id)
    return True


def authenticate(
    session: Session,
    username: str,
    password: str,
    *,
    now: datetime | None = None,
    allow_demo: bool | None = None,
) -> AuthOutcome:
    """Check a sign-in attempt, update the counter/lock, audit it and commit.

    An unknown name, a wrong password and a locked or disabled account with a wrong password
    all get the same answer after the same bcrypt work, so the form does not tell which names
    exist; only the right password learns that its account is locked or disabled. Demo and
    benchmark accounts (demo.*, bench.*) sign in only when allow_demo (default: demo mode).
    """
    now = _utc(now) or utcnow()
    if allow_demo is None:
        allow_demo = get_settings().demo_data
    user = session.scalar(select(User).where(User.username == username))
    prefix = reserved_prefix(username)
    if prefix and not allow_demo:
        return _refused(session, username, now, user, t(RESERVED_PREFIXES[prefix]))
    failed = t("auth.failed")
    if user is None:
        _burn_time(password)
        return _refused(session, username, now, None, failed)
    if not password_matches(password, user.password_hash):
        # Counted whatever the account's state: a lock under way (or a disabled account) tells
        # the right password apart, so guesses during the lock must use up the same allowance
        # and extend the lock, or guessing would simply go on while it lasts.
        if count_failure(session, user, now):  # audited as the lockout
            session.commit()
            return AuthOutcome(False, None, failed)
        return _refused(session, username, now, user, failed)
    locked_until = _utc(user.locked_until)
    if locked_until is not None and locked_until > now:
        locked = t("auth.locked_signin", until=_taipei(locked_until))
        return _refused(session, username, now, user, locked, locked_until)
    if not user.active:
        return _refused(session, username, now, user, t("auth.disabled_signin"))

    user.failed_attempts = 0
    user.locked_until = None
    user.last_login_at = now
    session.add(user)
    _audit(session, username, AuditAction.LOGIN_SUCCESS, now, row_id=user.id, after=VIA_PASSWORD)
    session.commit()
    session.refresh(user)
    return AuthOutcome(True, user, t("auth.welcome", name=user.display_name or user.username))


def open_session(
    session: Session,
    username: str,
    *,
    days: float = 1,
    token_id: str | None = None,
    expires_at: datetime | None = None,
) -> str:
    """Record a new signed-in session (commits) and return its token (random unless given)."""
    token_id = token_id or secrets.token_hex(32)
    expires_at = _utc(expires_at) or utcnow() + timedelta(days=days)
    session.add(AuthSession(token_id=token_id, username=username, expires_at=expires_at))
    session.commit()
    return token_id


def session_is_live(session: Session, token_id: str, *, now: datetime | None = None) -> bool:
    """True while the token exists, is not revoked or expired, and its user is active."""
    now = _utc(now) or utcnow()
    row = session.scalar(select(AuthSession).where(AuthSession.token_id == token_id))
    if row is None or row.revoked_at is not None or _utc(row.expires_at) <= now:
        return False
    active = session.scalar(select(User.active).where(User.username == row.username))
    return bool(active)


def end_sessions(session: Session, username: str, *, keep: str | None = None) -> int:
    """Revoke every live session of the user but `keep` (not committed: the caller's change and
    this land together); how many were ended."""
    live = [
        AuthSession.username == username,
        AuthSession.revoked_at.is_(None),
        AuthSession.expires_at > utcnow(),
    ]
    if keep is not None:
        live.append(AuthSession.token_id != keep)
    done = session.execute(update(AuthSession).where(*live).values(revoked_at=utcnow()))
    return int(done.rowcount or 0)


def revoke_session(session: Session, token_id: str, *, username: str) -> bool:
    """Sign out: mark the token revoked and audit it (commits); False if no such live token."""
    now = utcnow()
    row = session.scalar(
        select(AuthSession).where(
            AuthSession.token_id == token_id,
            AuthSession.username == username,
            AuthSession.revoked_at.is_(None),
        )
    )
    if row is None:
        return False
    row.revoked_at = now
    session.add(row)
    _audit(session, username, AuditAction.LOGOUT, now, table_name="auth_session", row_id=row.id)
    session.commit()
    return True
