"""User administration for admins (list, add, change, disable, reset passwords) and demo accounts.

Every change is written to the audit log (table app_user) in the same transaction, with row
images that never hold the password hash. `python -m core.accounts` is the command line
(core/accounts/cli.py).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pandas as pd
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.accounts import auth
from core.editing import registry
from core.editing.conflicts import image
from core.editing.pipeline import Actor, AuditedWriter, PermissionDenied
from core.i18n.labels import DEFAULT_LANG, LANGUAGES, enum_label, t
from core.kernel.periods import START_PERIODS
from core.kernel.roc_dates import format_datetime
from db.models import AuditAction, User, UserRole, utcnow

log = logging.getLogger(__name__)
SYSTEM_DEMO = Actor(username="system:demo", role="admin")


@dataclass(frozen=True)
class UserInfo:
    """An account as the users page and the CLI show it: never the password hash."""

    id: int
    username: str
    display_name: str
    role: str
    sections: tuple[str, ...]
    active: bool
    failed_attempts: int
    locked_until: datetime | None
    last_login_at: datetime | None
    # The linked city directory account (core.accounts.directory); None: password only.
    directory_subject: str | None = None
    email: str | None = None  # where the daily digest goes (core.notify)
    daily_digest: bool = True  # the user's own choice on 帳號設定

    def is_locked(self, now: datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or utcnow())


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str
    sections: tuple[str, ...]
    display_name: str


# Documented in README.md ("Demo accounts"); they sign in only in demo mode (core.accounts.auth).
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("demo.viewer", "demo-viewer-2023", "viewer", (), "示範檢視者"),
    DemoAccount("demo.fleet", "demo-fleet-2023", "lead", ("fleet",), "示範公務車主管"),
    DemoAccount(
        "demo.intl", "demo-intl-2023", "lead", ("calendar", "visitors"), "示範國際交流主管"
    ),
    DemoAccount("demo.gifts", "demo-gifts-2023", "lead", ("gifts", "venues"), "示範禮品場地主管"),
    DemoAccount("demo.staffing", "demo-staffing-2023", "lead", ("staffing",), "示範員額主管"),
    DemoAccount("demo.admin", "demo-admin-2023", "admin", (), "示範管理者"),
)


def _aware(value: datetime | None) -> datetime | None:
    """SQLite returns stored UTC values without a zone."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _info(user: User) -> UserInfo:
    return UserInfo(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=UserRole(user.role).value,
        sections=tuple(s for s in (user.sections or "").split(",") if s),
        active=bool(user.active),
        failed_attempts=user.failed_attempts,
        locked_until=_aware(user.locked_until),
        last_login_at=_aware(user.last_login_at),
        directory_subject=user.directory_subject,
        email=user.email,
        daily_digest=bool(user.daily_digest),
    )


def _require_admin(actor: Actor) -> None:
    if actor.role != UserRole.ADMIN.value:
        raise PermissionDenied(t("users.denied", user=actor.username))


@contextmanager
def _rollback_on_error(session: Session) -> Iterator[None]:
    try:
        yield
    except Exception:
        session.rollback()
        raise


def _image(session: Session, user_id: int) -> dict[str, Any]:
    """The row as the audit log stores it, without the password hash."""
    session.flush()
    table = User.__table__
    row = session.execute(select(table).where(table.c.id == user_id)).first()
    return {k: v for k, v in image(row).items() if k != "password_hash"}


def _load(session: Session, username: str) -> User:
    """The account, locked until commit and read afresh (not the session's cached copy)."""
    locked = select(User).where(User.username == username).with_for_update()
    user = session.scalar(locked.execution_options(populate_existing=True))
    if user is None:
        raise ValueError(t("users.not_found", username=username))
    return user


def _write(
    session: Session, actor: Actor, user: User, values: dict[str, Any], marker: dict | None = None
) -> UserInfo:
    """Apply the values that differ, audit before/after (+ marker) and commit; no-op if none."""
    changed = {k: v for k, v in values.items() if getattr(user, k) != v}
    if not changed:
        session.rollback()
        return _info(user)
    before = _image(session, user.id)
    for name, value in changed.items():
        setattr(user, name, value)
    user.version += 1
    user.updated_at = utcnow()
    session.add(user)
    after = _image(session, user.id) | (marker or {})
    writer = AuditedWriter(session, actor, User.__table__)
    writer.audit(user.id, AuditAction.UPDATE, before, after)
    writer.commit()  # also bumps app_user's change stamp, so cached user lists go stale
    return _info(user)


def _guard_admins(session: Session, actor: Actor, user: User, role: str, active: bool) -> None:
    """Nobody disables or demotes themselves, and one active admin always remains."""
    admin = UserRole.ADMIN.value
    if not (user.role == admin and user.active) or (role == admin and active):
        return
    if user.username == actor.username:
        raise ValueError(t("users.self_disable" if not active else "users.self_demote"))
    # FOR UPDATE on the other admins: two admins demoting each other at once cannot both pass.
    others = session.scalars(
        select(User.id)
        .where(User.role == UserRole.ADMIN, User.active.is_(True), User.id != user.id)
        .with_for_update()
    ).all()
    if not others:
        raise ValueError(t("users.last_admin", username=user.username))


def list_users(session: Session, actor: Actor) -> list[UserInfo]:
    """Every account, by username."""
    _require_admin(actor)
    return [_info(u) for u in session.scalars(select(User).order_by(User.username))]


def get_user(session: Session, actor: Actor, username: str) -> UserInfo:
    """One account; ValueError (zh-TW) if there is none."""
    _require_admin(actor)
    with _rollback_on_error(session):
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise ValueError(t("users.not_found", username=username))
        return _info(user)


def add_user(
    session: Session,
    actor: Actor,
    username: str,
    password: str,
    role: str,
    sections: Iterable[str] = (),
    display_name: str = "",
) -> UserInfo:
    """Create an account (validated as core.accounts.auth.create_user) and audit it as an insert."""
    _require_admin(actor)
    prefix = auth.reserved_prefix(username)
    if prefix == auth.DEMO_PREFIX:
        raise ValueError(t("users.demo_reserved", prefix=prefix))
    if prefix == auth.BENCH_PREFIX:
        raise ValueError(t("users.bench_reserved", prefix=prefix))
    with _rollback_on_error(session):
        user = auth.create_user(
            session,
            username=username,
            password=password,
            role=role,
            sections=sections,
            display_name=display_name,
            commit=False,
        )
        writer = AuditedWriter(session, actor, User.__table__)
        writer.audit(user.id, AuditAction.INSERT, None, _image(session, user.id))
        writer.commit()
    return _info(user)


def update_user(
    session: Session,
    actor: Actor,
    username: str,
    *,
    role: str | None = None,
    sections: Iterable[str] | None = None,
    display_name: str | None = None,
    active: bool | None = None,
) -> UserInfo:
    """Change role, sections, display name or active flag; None leaves a field as it is.

    Disabling ends every sign-in of the account in the same transaction, so enabling it again
    does not bring an old cookie back to life: its owner signs in anew.
    """
    _require_admin(actor)
    with _rollback_on_error(session):
        user = _load(session, username)
        current = [s for s in (user.sections or "").split(",") if s]
        new_role, new_sections = auth.check_role_sections(
            user.role if role is None else role, current if sections is None else sections
        )
        new_active = user.active if active is None else bool(active)
        _guard_admins(session, actor, user, new_role.value, new_active)
        values: dict[str, Any] = {"role": new_role, "sections": new_sections, "active": new_active}
        if display_name is not None:
            values["display_name"] = auth.check_display_name(display_name) or user.username
        marker = None
        if user.active and not new_active:
            marker = {"sessions_ended": auth.end_sessions(session, username)}
        return _write(session, actor, user, values, marker)


def reset_password(session: Session, actor: Actor, username: str, new_password: str) -> UserInfo:
    """Set a new password and lift any lock; audited with a marker, never the hash."""
    _require_admin(actor)
    auth.check_password(new_password, username)
    new_hash = auth.hash_password(new_password)  # before the row lock: bcrypt is slow
    with _rollback_on_error(session):
        user = _load(session, username)
        values = {"password_hash": new_hash, "failed_attempts": 0, "locked_until": None}
        # Whoever knew the old password is signed out everywhere, in the same transaction.
        ended = auth.end_sessions(session, username)
        marker = {"password_changed": True, "sessions_ended": ended}
        return _write(session, actor, user, values, marker)


def change_own_password(
    session: Session,
    actor: Actor,
    current_password: str,
    new_password: str,
    *,
    keep_token: str | None,
    now: datetime | None = None,
    lang: str = DEFAULT_LANG,
) -> int:
    """The signed-in user sets a new password (any role); how many OTHER sign-ins were ended.

    The current password is asked for and a wrong one counts towards the lock, as at the
    sign-in form, so a borrowed session cannot try passwords here. The session `keep_token`
    stays signed in; every other one of this user ends. Audited as the user's own update.
    """
    now = now or utcnow()
    if auth.reserved_prefix(actor.username):
        raise ValueError(t("account.reserved", lang))
    auth.check_password(new_password, actor.username)
    with _rollback_on_error(session):
        user = session.scalar(select(User).where(User.username == actor.username))
        if user is None or not user.active:
            raise ValueError(t("users.not_found", lang, username=actor.username))
        if user.locked_until is not None and _aware(user.locked_until) > now:
            until = format_datetime(_aware(user.locked_until).astimezone(auth.TAIPEI), lang)
            raise ValueError(t("account.locked", lang, until=until))
        checked = user.password_hash
        if not auth.password_matches(current_password, checked):
            locked = auth.count_failure(session, user, now)
            session.commit()  # the failure counts even though nothing else changes
            raise ValueError(t("account.locked_now" if locked else "account.wrong_current", lang))
        if new_password == current_password:
            raise ValueError(t("account.same", lang))
        new_hash = auth.hash_password(new_password)  # before the row lock: bcrypt is slow
        user = _load(session, actor.username)
        if user.password_hash != checked:  # changed by someone else meanwhile
            raise ValueError(t("account.changed_meanwhile", lang))
        ended = auth.end_sessions(session, actor.username, keep=keep_token)
        values = {"password_hash": new_hash, "failed_attempts": 0}
        marker = {"password_changed": True, "sessions_ended": ended}
        _write(session, actor, user, values, marker)
    return ended


def own_start_period(session: Session, actor: Actor) -> str:
    """The period the user's pages open on (core.kernel.periods.START_PERIODS)."""
    found = session.scalar(select(User.start_period).where(User.username == actor.username))
    return found if found in START_PERIODS else START_PERIODS[0]


def set_own_start_period(session: Session, actor: Actor, choice: str) -> None:
    """The signed-in user chooses the period their pages open on; audited as their own update."""
    if choice not in START_PERIODS:
        raise ValueError(t("account.bad_start_period", choice=choice))
    with _rollback_on_error(session):
        _write(session, actor, _load(session, actor.username), {"start_period": choice})


def own_language(session: Session, actor: Actor) -> str | None:
    """The language the user last chose for the pages (zh-TW or en); None if never chosen."""
    found = session.scalar(select(User.language).where(User.username == actor.username))
    return found if found in LANGUAGES else None


def set_own_language(session: Session, actor: Actor, lang: str) -> None:
    """The signed-in user switched the pages' language: kept for their next sign-in (a reload,
    another browser); audited as their own update."""
    if lang not in LANGUAGES:
        raise ValueError(t("account.bad_language", lang=lang))
    with _rollback_on_error(session):
        _write(session, actor, _load(session, actor.username), {"language": lang})


# A plausible address (RFC 5321's dot-atom local part and host name; no quoted or IP forms,
# which nobody at the bureau has): enough to catch a typing slip before a digest bounces.
MAX_EMAIL = 254
_EMAIL = re.compile(
    r"(?=[^@]{1,64}@)[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}",
    re.ASCII,
)


def check_email(text: str, lang: str = DEFAULT_LANG) -> str | None:
    """The address as it will be stored (full-width letters typed through an input method made
    half-width), None for an empty field; ValueError (in lang) for one that cannot be an
    address or is longer than MAX_EMAIL."""
    address = unicodedata.normalize("NFKC", text or "").strip()
    if not address:
        return None
    if len(address) > MAX_EMAIL:
        raise ValueError(t("account.long_email", lang, n=MAX_EMAIL))
    if not _EMAIL.fullmatch(address):
        raise ValueError(t("account.bad_email", lang, email=address))
    return address


def own_digest(session: Session, actor: Actor) -> tuple[str, bool]:
    """The user's e-mail address ("" if none) and whether their daily digest is on."""
    found = session.execute(
        select(User.email, User.daily_digest).where(User.username == actor.username)
    ).first()
    return (found[0] or "", bool(found[1])) if found else ("", False)


def set_own_digest(
    session: Session, actor: Actor, email: str, daily_digest: bool, lang: str = DEFAULT_LANG
) -> None:
    """The signed-in user sets their e-mail address and turns the daily digest (python -m
    core.notify) on or off; audited as their own update. A bad address saves nothing."""
    address = check_email(email, lang)
    with _rollback_on_error(session):
        values = {"email": address, "daily_digest": bool(daily_digest)}
        _write(session, actor, _load(session, actor.username), values)


def set_email(
    session: Session, actor: Actor, username: str, email: str, lang: str = DEFAULT_LANG
) -> UserInfo:
    """An administrator sets (or clears) a colleague's digest address, checked as on 帳號設定;
    audited. Whether the digest is sent stays the user's own choice."""
    _require_admin(actor)
    address = check_email(email, lang)
    with _rollback_on_error(session):
        return _write(session, actor, _load(session, username), {"email": address})


def unlock_user(session: Session, actor: Actor, username: str) -> UserInfo:
    """Lift the lock after repeated failed sign-ins and reset the counter."""
    _require_admin(actor)
    with _rollback_on_error(session):
        user = _load(session, username)
        return _write(session, actor, user, {"failed_attempts": 0, "locked_until": None})


# The demo accounts' passwords are printed in the README, so a slow hash guards nothing there;
# bcrypt's lowest cost makes the six of them take milliseconds instead of 1.5–3 s of a first
# start. (A check reads the cost from the hash; every other account keeps BCRYPT_ROUNDS.)
DEMO_BCRYPT_ROUNDS = 4


def ensure_demo_accounts(session: Session) -> list[str]:
    """Create the demo accounts that are missing (audited); returns the usernames created."""
    names = [a.username for a in DEMO_ACCOUNTS]
    existing = set(session.scalars(select(User.username).where(User.username.in_(names))))
    missing = [a for a in DEMO_ACCOUNTS if a.username not in existing]
    if not missing:
        session.rollback()
        return []
    writer = AuditedWriter(session, SYSTEM_DEMO, User.__table__)
    try:
        for account in missing:
            user = auth.create_user(
                session,
                username=account.username,
                password=account.password,
                role=account.role,
                sections=account.sections,
                display_name=account.display_name,
                commit=False,
                bcrypt_rounds=DEMO_BCRYPT_ROUNDS,
            )
            writer.audit(user.id, AuditAction.INSERT, None, _image(session, user.id))
        writer.commit()
    except (IntegrityError, ValueError) as exc:
        # Another process starting at the same moment created them first.
        session.rollback()
        log.warning("demo accounts not created: %s", exc)
        return []
    return [a.username for a in missing]


def state_label(user: UserInfo, lang: str = DEFAULT_LANG, now: datetime | None = None) -> str:
    """啟用, 停用 or 鎖定至 114/03/15 14:15 (Taipei time)."""
    if not user.active:
        return t("users.state.disabled", lang)
    if user.locked_until is not None and user.is_locked(now):
        until = format_datetime(user.locked_until.astimezone(auth.TAIPEI), lang)
        return t("users.state.locked", lang, until=until)
    return t("users.state.active", lang)


def users_frame(found: list[UserInfo], lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """The accounts as the users page lists them: labelled columns, labels, Taipei times."""
    columns = [
        "username", "display_name", "role", "sections", "state", "last_login_at",
        "directory_subject", "email",
    ]  # fmt: skip
    labels = [t("users.state" if c == "state" else f"col.{c}", lang) for c in columns]
    rows = [
        [
            user.username,
            user.display_name,
            enum_label(user.role, lang, UserRole),
            t("ui.list_sep", lang).join(t(f"section.{s}", lang) for s in user.sections),
            state_label(user, lang),
            format_datetime(user.last_login_at.astimezone(auth.TAIPEI), lang)
            if user.last_login_at
            else "",
            user.directory_subject or "",
            user.email or "",
        ]
        for user in found
    ]
    return pd.DataFrame(rows, columns=labels)


def section_options(lang: str = DEFAULT_LANG) -> dict[str, str]:
    """{section: label} for a multiselect, in the order of the bureau's pages."""
    return {s: t(f"section.{s}", lang) for s in registry.section_names()}
