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

from core.config import get_settings
from core.editing import TABLE_SECTIONS, Actor
from core.labels import t
from core.roc_dates import format_roc_datetime
from db.models import AuditAction, AuditEntry, AuthSession, User, UserRole, utcnow

MAX_FAILED_ATTEMPTS = 5
LOCK_DURATION = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_BYTES = 72  # bcrypt refuses longer passwords
BCRYPT_ROUNDS = 12
USERNAME_PATTERN = re.compile(r"[a-z0-9_.-]{3,40}")
SECTIONS = frozenset(TABLE_SECTIONS.values())
MAX_DISPLAY_NAME = 60  # app_user.display_name
# Demo accounts (core.users.DEMO_ACCOUNTS) are named demo.*; they sign in only in demo mode.
DEMO_PREFIX = "demo."
TAIPEI = ZoneInfo("Asia/Taipei")

_dummy_hash: bytes | None = None


@dataclass(frozen=True)
class AuthOutcome:
    ok: bool
    user: User | None
    message: str
    locked_until: datetime | None = None


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=BCRYPT_ROUNDS)).decode()


def _password_matches(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(password.encode(), password_hash.encode())
    except ValueError:  # too long, or a malformed hash
        return False


def _burn_time(password: str) -> None:
    """Check against a dummy hash, so an unknown user takes as long as a wrong password."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = hash_password(secrets.token_hex(16)).encode()
    _password_matches(password, _dummy_hash.decode())


def _utc(value: datetime | None) -> datetime | None:
    """Aware UTC; SQLite returns stored UTC values without a zone."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _taipei(value: datetime) -> str:
    return format_roc_datetime(value.astimezone(TAIPEI))


def is_demo_username(username: str) -> bool:
    return username.startswith(DEMO_PREFIX)


def check_password(password: str) -> None:
    """ValueError with a zh-TW message unless the password may be set."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(t("auth.short_password", n=MIN_PASSWORD_LENGTH))
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        raise ValueError(t("auth.long_password", n=MAX_PASSWORD_BYTES))
    # streamlit-authenticator strips what is typed before checking it: it could never match.
    if password != password.strip():
        raise ValueError(t("users.password_whitespace"))


def check_role_sections(role: str, sections: Iterable[str]) -> tuple[UserRole, str]:
    """The role and the stored sections text ("fleet,gifts"), or ValueError (zh-TW)."""
    try:
        user_role = UserRole(role)
    except ValueError:
        raise ValueError(t("auth.bad_role", role=role)) from None
    chosen = sorted(set(sections))
    for section in chosen:
        if section not in SECTIONS:
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
) -> User:
    """Validate and add an account; ValueError with a zh-TW message if refused.

    Commits, unless commit=False: then it only flushes, so the caller can audit it in the same
    transaction.
    """
    if not isinstance(username, str) or not USERNAME_PATTERN.fullmatch(username):
        raise ValueError(t("auth.bad_username"))
    check_password(password)
    user_role, sections_text = check_role_sections(role, sections)
    name = check_display_name(display_name)
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ValueError(t("auth.username_taken", username=username))
    user = User(
        username=username,
        display_name=name or username,
        password_hash=hash_password(password),
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
) -> None:
    session.add(
        AuditEntry(
            at=now,
            username=username[:60],
            table_name=table_name,
            row_id=row_id,
            action=action,
            batch_id=uuid.uuid4().hex,
        )
    )


def authenticate(
    session: Session,
    username: str,
    password: str,
    *,
    now: datetime | None = None,
    allow_demo: bool | None = None,
) -> AuthOutcome:
    """Check a sign-in attempt, update the counter/lock, audit it and commit.

    Demo accounts sign in only when allow_demo (default: the settings' demo mode).
    """
    now = _utc(now) or utcnow()
    user = session.scalar(select(User).where(User.username == username))
    if allow_demo is None:
        allow_demo = get_settings().demo_data
    if not allow_demo and is_demo_username(username):
        _audit(session, username, AuditAction.LOGIN_FAILURE, now, row_id=user.id if user else None)
        session.commit()
        return AuthOutcome(False, None, t("users.demo_only"))
    if user is None or not user.active:
        _burn_time(password)
        _audit(session, username, AuditAction.LOGIN_FAILURE, now, row_id=user.id if user else None)
        session.commit()
        return AuthOutcome(False, None, t("auth.failed"))

    locked_until = _utc(user.locked_until)
    if locked_until is not None and locked_until > now:
        _audit(session, username, AuditAction.LOGIN_FAILURE, now, row_id=user.id)
        session.commit()
        return AuthOutcome(False, None, t("auth.locked", until=_taipei(locked_until)), locked_until)

    if not _password_matches(password, user.password_hash):
        # Increment in SQL so concurrent attempts from other processes are all counted.
        session.execute(
            update(User)
            .where(User.id == user.id)
            .values(failed_attempts=User.failed_attempts + 1, updated_at=now)
        )
        session.refresh(user)
        if user.failed_attempts >= MAX_FAILED_ATTEMPTS:
            until = now + LOCK_DURATION
            user.failed_attempts = 0  # a fresh allowance once the lock has passed
            user.locked_until = until
            session.add(user)
            _audit(session, username, AuditAction.LOCKOUT, now, row_id=user.id)
            session.commit()
            message = t("auth.locked_now", n=MAX_FAILED_ATTEMPTS, until=_taipei(until))
            return AuthOutcome(False, None, message, until)
        _audit(session, username, AuditAction.LOGIN_FAILURE, now, row_id=user.id)
        session.commit()
        return AuthOutcome(False, None, t("auth.failed"))

    user.failed_attempts = 0
    user.locked_until = None
    user.last_login_at = now
    session.add(user)
    _audit(session, username, AuditAction.LOGIN_SUCCESS, now, row_id=user.id)
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
