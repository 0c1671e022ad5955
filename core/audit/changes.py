"""What changed since a user's previous sign-in: other people's edits, from the audit log.

The previous sign-in is the user's last successful sign-in before the current one (the audit
keeps every sign-in). Administrators see the edits to every data table and leads those of their
own sections' tables, as on the history page (history.visible_tables); their own edits are
left out (they know them), and so are sign-in events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlmodel import Session

from core.audit.history import visible_tables
from core.editing.links import RecordLink, record_link
from core.editing.pipeline import TABLE_SECTIONS, Actor
from db.models import AuditAction, AuditEntry

DATA_ACTIONS = (AuditAction.INSERT, AuditAction.UPDATE, AuditAction.DELETE, AuditAction.RESTORE)
RECENT = 20


@dataclass(frozen=True)
class Changes:
    """Edits by others since `since`: how many per table, and the newest RECENT of them."""

    since: datetime | None
    per_table: dict[str, int]
    recent: list[AuditEntry]

    @property
    def total(self) -> int:
        return sum(self.per_table.values())


def previous_sign_in(session: Session, username: str) -> datetime | None:
    """When the user last signed in before the current sign-in (None on a first sign-in)."""
    stmt = (
        select(AuditEntry.at)
        .where(AuditEntry.username == username, AuditEntry.action == AuditAction.LOGIN_SUCCESS)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset(1)
        .limit(1)
    )
    return session.scalar(stmt)


def sees_changes(actor: Actor) -> bool:
    return actor.role in ("lead", "admin")


def changes_since(session: Session, actor: Actor, since: datetime | None) -> Changes:
    """Other users' edits to the data tables the actor may read, after `since` (all of them
    when None)."""
    visible = visible_tables(actor)
    tables = [name for name in TABLE_SECTIONS if visible is None or name in visible]
    where = [
        AuditEntry.table_name.in_(tables),
        AuditEntry.action.in_([a.value for a in DATA_ACTIONS]),
        AuditEntry.username != actor.username,
    ]
    if since is not None:
        where.append(AuditEntry.at > since)
    counts = session.execute(
        select(AuditEntry.table_name, func.count()).where(*where).group_by(AuditEntry.table_name)
    ).all()
    recent = session.scalars(
        select(AuditEntry)
        .where(*where)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(RECENT)
    )
    return Changes(since, {table: int(n) for table, n in counts}, list(recent))


def entry_link(entry: AuditEntry) -> RecordLink | None:
    """The record an entry changed, unless the change deleted it."""
    if entry.row_id is None or entry.action == AuditAction.DELETE:
        return None
    return record_link(entry.table_name, entry.row_id)
