"""Sign-in: user accounts (with the failed-attempt counter and lock) and server-side sessions."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field

from db.models.base import Tracked, enum_type


class UserRole(StrEnum):
    VIEWER = "viewer"
    LEAD = "lead"
    ADMIN = "admin"


class User(Tracked, table=True):
    """One account; `sections` is a comma-separated list of the sections a lead edits."""

    __tablename__ = "app_user"
    # One workspace account per directory account (a unique index: SQLite adds no constraint
    # to an existing table).
    __table_args__ = (sa.Index("uq_app_user_directory_subject", "directory_subject", unique=True),)
    username: str = Field(max_length=40, unique=True)
    display_name: str = Field(default="", max_length=60)
    password_hash: str = Field(max_length=100)
    role: UserRole = Field(default=UserRole.VIEWER, sa_type=enum_type(UserRole))
    sections: str = Field(default="", max_length=200)
    active: bool = Field(default=True)
    # Kept in the database so every process and session sees the same counter and lock.
    failed_attempts: int = Field(default=0, ge=0)
    locked_until: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    last_login_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
    # The period the pages open on after sign-in (core.kernel.periods.START_PERIODS): the
    # running half-year unless the user chose another on 我的帳號.
    start_period: str = Field(default="this_half", max_length=20)
    # The language the pages are shown in (zh-TW or en), as the user last switched the sidebar's
    # box to; None until then (zh-TW). Used at sign-in, so a reload keeps it.
    language: str | None = Field(default=None, max_length=10)
    # Where the daily digest (python -m core.notify) goes; None: no digest can reach them.
    email: str | None = Field(default=None, max_length=254)
    # The user's own choice on 帳號設定: the digest is sent unless they turned it off.
    daily_digest: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    # The city directory's account an administrator linked to this account: the value of the
    # id_token claim DIRECTORY_CLAIM names (core.accounts.directory); None: local sign-in only.
    directory_subject: str | None = Field(default=None, max_length=255)


class DigestDelivery(Tracked, table=True):
    """One daily digest sent to one user for one Taipei day: a second run that day sends none."""

    __tablename__ = "digest_delivery"
    __table_args__ = (sa.UniqueConstraint("username", "day"),)
    username: str = Field(max_length=40, index=True)
    day: date
    sent_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    items: int = Field(default=0, ge=0)


class AuthSession(Tracked, table=True):
    """A signed-in browser session, identified by a random token; revoked on sign-out."""

    __tablename__ = "auth_session"
    token_id: str = Field(max_length=64, unique=True)
    username: str = Field(max_length=40, index=True)
    expires_at: datetime = Field(sa_type=sa.DateTime(timezone=True))
    revoked_at: datetime | None = Field(default=None, sa_type=sa.DateTime(timezone=True))
