"""The audit log of every edit made through the table editor, and per-table change stamps."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from db.models.base import Tracked, enum_type, utcnow


class AuditAction(StrEnum):
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"
    RESTORE = "restore"
    LOGIN_SUCCESS = "login_success"
    LOGIN_FAILURE = "login_failure"
    LOCKOUT = "lockout"
    LOGOUT = "logout"


class AuditEntry(Tracked, table=True):
    """One row changed by one save: who, when, and the row before and after (JSON)."""

    __tablename__ = "audit_log"
    at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True), index=True)
    username: str = Field(max_length=60, index=True)
    table_name: str = Field(max_length=60, index=True)
    row_id: int | None = Field(default=None, index=True)
    action: AuditAction = Field(sa_type=enum_type(AuditAction))
    before: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    # All entries written by one save share it, so a save can be shown (or undone) as a whole.
    batch_id: str = Field(max_length=32, index=True)


class TableStamp(Tracked, table=True):
    """A per-table change counter, bumped by every save; caches on any server key on it."""

    __tablename__ = "table_stamp"
    table_name: str = Field(max_length=60, unique=True)
    stamp: int = Field(default=0)
