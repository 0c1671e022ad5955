"""Sign-in with the city's directory accounts (OpenID Connect): claim → workspace account.

The provider only says who someone is: what they may do is the linked workspace account's own
role and sections. An administrator links a directory account to a workspace account by the
value of one claim of the id_token (DIRECTORY_CLAIM, `email` by default), kept in
app_user.directory_subject; one workspace account per directory account. A sign-in that finds
no linked, active account is refused and audited like a refused password, with `via:
"directory"` in the entry's `after`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from core.accounts import auth, users
from core.editing.pipeline import Actor
from core.i18n.labels import t
from core.kernel.config import get_settings
from core.kernel.text_safety import control_name, first_control
from db.models import AuditAction, User, utcnow

MAX_SUBJECT = 255  # app_user.directory_subject
# A directory identity opens a workspace session only this soon after the provider vouched
# for it (the id_token's iat): Streamlit keeps the identity in a cookie for 30 days, and a
# workspace session that has expired, been revoked or ended by an administrator must not be
# reopened from that cookie without the provider being asked again.
FRESH_FOR = timedelta(minutes=5)
CLOCK_SKEW = timedelta(minutes=1)
# Why a directory sign-in was refused (texts directory.refused.<reason>, the audit's reason).
REASONS = ("not_linked", "disabled", "reserved", "no_claim")


@dataclass(frozen=True)
class DirectoryOutcome:
    """A directory sign-in's answer: the workspace account, or why there is none."""

    ok: bool
    username: str | None = None
    reason: str | None = None


def claim_name() -> str:
    return get_settings().directory_claim.strip() or "email"


def normalise(value: Any, claim: str | None = None) -> str:
    """The stored form of a claim's value: trimmed; an e-mail address in lower case (the
    directory may spell it Wang.XM@… one day and wang.xm@… the next)."""
    text = str(value or "").strip()
    return text.lower() if (claim or claim_name()) == "email" else text


def subject_of(claims: Mapping[str, Any]) -> str:
    """The configured claim's value of an identity ("" when the provider did not send it)."""
    claim = claim_name()
    return normalise(claims.get(claim), claim)


def is_fresh(claims: Mapping[str, Any], now: datetime | None = None) -> bool:
    """True when the provider issued the identity within FRESH_FOR (see there)."""
    issued = claims.get("iat")
    if isinstance(issued, bool) or not isinstance(issued, int | float):
        return False
    now = now or datetime.now(UTC)
    at = datetime.fromtimestamp(issued, UTC)
    return now - FRESH_FOR <= at <= now + CLOCK_SKEW


def _refuse(
    session: Session, subject: str, reason: str, now: datetime, user: User | None = None
) -> DirectoryOutcome:
    after = {"via": "directory", "directory_subject": subject, "reason": reason}
    name = user.username if user is not None else (subject or "directory")
    auth._audit(
        session, name, AuditAction.LOGIN_FAILURE, now,
        row_id=user.id if user is not None else None, after=after,
    )  # fmt: skip
    session.commit()
    return DirectoryOutcome(False, user.username if user is not None else None, reason)


def sign_in(
    session: Session,
    claims: Mapping[str, Any],
    *,
    now: datetime | None = None,
    allow_demo: bool | None = None,
) -> DirectoryOutcome:
    """Map a directory identity to its workspace account, audit the attempt and commit.

    The caller opens the workspace session (core.accounts.auth.open_session) on success; the
    account's last_login_at is set here, as a password sign-in sets it. Demo and benchmark
    accounts sign in only in demo mode, as at the form."""
    now = now or utcnow()
    if allow_demo is None:
        allow_demo = get_settings().demo_data
    subject = subject_of(claims)
    if not subject:
        return _refuse(session, "", "no_claim", now)
    user = session.scalar(select(User).where(User.directory_subject == subject))
    if user is None:
        return _refuse(session, subject, "not_linked", now)
    if not user.active:
        return _refuse(session, subject, "disabled", now, user)
    if auth.reserved_prefix(user.username) and not allow_demo:
        return _refuse(session, subject, "reserved", now, user)
    user.last_login_at = now
    session.add(user)
    after = {"via": "directory", "directory_subject": subject}
    auth._audit(session, user.username, AuditAction.LOGIN_SUCCESS, now, row_id=user.id, after=after)
    session.commit()
    return DirectoryOutcome(True, user.username)


def link(session: Session, actor: Actor, username: str, subject: str) -> users.UserInfo:
    """An administrator links (or changes) the directory account of a workspace account;
    audited as an update of the account. ValueError (zh-TW) when the value is empty, too long
    or already linked to another account."""
    users._require_admin(actor)
    value = normalise(subject)
    if not value:
        raise ValueError(t("directory.empty"))
    if len(value) > MAX_SUBJECT:
        raise ValueError(t("directory.too_long", n=MAX_SUBJECT))
    bad = first_control(value)  # a pasted tab or line break would never match a claim
    if bad is not None:
        raise ValueError(t("directory.control", char=control_name(bad)))
    with users._rollback_on_error(session):
        user = users._load(session, username)
        holder = session.scalar(
            select(User.username).where(User.directory_subject == value, User.id != user.id)
        )
        if holder is not None:
            raise ValueError(t("directory.taken", subject=value, username=holder))
        try:
            marker = _sign_out_old_identity(session, actor, user, value)
            return users._write(session, actor, user, {"directory_subject": value}, marker)
        except IntegrityError:  # linked to another account at the same moment
            session.rollback()
            raise ValueError(t("directory.taken_meanwhile", subject=value)) from None


def unlink(session: Session, actor: Actor, username: str) -> users.UserInfo:
    """An administrator removes the link: the account signs in with its password only, and
    whoever is signed in to it is signed out (see _sign_out_old_identity)."""
    users._require_admin(actor)
    with users._rollback_on_error(session):
        user = users._load(session, username)
        marker = _sign_out_old_identity(session, actor, user, None)
        return users._write(session, actor, user, {"directory_subject": None}, marker)


def _sign_out_old_identity(
    session: Session, actor: Actor, user: User, new: str | None
) -> dict | None:
    """A link removed or changed to another city account: the account's sessions end in the
    same transaction (marked in the audit), so a person linked by mistake loses the access
    at once rather than when their session expires. Sessions are not told apart by how they
    were opened, so a password session of the account ends too; an administrator changing
    their own link stays signed in."""
    if user.directory_subject is None or user.directory_subject == new:
        return None
    if actor.username == user.username:
        return None
    return {"sessions_ended": auth.end_sessions(session, user.username)}
