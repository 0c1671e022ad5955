"""Version conflicts of a save: rows someone else changed or deleted after they were loaded,
with who changed them last and both values, and rows as the audit log stores them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, select
from sqlmodel import Session

from core.editing.errors import row_label
from core.i18n.labels import message_lang, t
from core.kernel.roc_dates import format_datetime
from db.models import AuditEntry

TAIPEI = ZoneInfo("Asia/Taipei")


@dataclass(frozen=True)
class Conflict:
    """A row someone else changed (or deleted) after it was loaded: their value and yours."""

    row_id: int
    field: str | None
    theirs: Any
    yours: Any
    message: str


def image(row: Any) -> dict[str, Any]:
    return {key: jsonable(value) for key, value in dict(row._mapping).items()}


def _last_change(session: Session, table_name: str, row: Any) -> tuple[str, str]:
    """Who changed a row last and when (Asia/Taipei wall time), from the audit log."""
    entry = session.execute(
        select(AuditEntry.username, AuditEntry.at)
        .where(AuditEntry.table_name == table_name, AuditEntry.row_id == row.id)
        .order_by(AuditEntry.id.desc())
        .limit(1)
    ).first()
    user, at = (entry.username, entry.at) if entry else (t("edit.someone"), row.updated_at)
    at = at if at.tzinfo else at.replace(tzinfo=UTC)  # SQLite returns UTC without a zone
    return user, format_datetime(at.astimezone(TAIPEI), message_lang())


def find_conflicts(
    session: Session, table: Table, state: Any, current: dict[int, Any]
) -> list[Conflict]:
    """Edited or deleted rows whose version in the database is not the one loaded."""
    found = []
    for pos in sorted({*state.edited_rows, *state.deleted_rows}):
        loaded = state.rows[pos]
        row = current.get(loaded["id"])
        if row is not None and row.version == loaded["version"]:
            continue
        label = row_label(pos)
        if row is None:
            message = t("edit.conflict_deleted", row=label)
            found.append(Conflict(loaded["id"], None, None, loaded["version"], message))
            continue
        user, when = _last_change(session, table.name, row)
        versions = {"yours": loaded["version"], "theirs": row.version}
        message = t("edit.conflict", row=label, user=user, when=when, **versions)
        edits = state.edited_rows.get(pos, {})
        for name, value in edits.items() or [("version", loaded["version"])]:
            theirs = jsonable(getattr(row, name, None))
            found.append(Conflict(loaded["id"], name, theirs, jsonable(value), message))
    return found


def jsonable(value: Any) -> Any:
    """A value as the audit log stores it: dates as ISO strings, enums as their values."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value
