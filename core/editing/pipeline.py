"""The edit pipeline: permission, validation, version check, one audited transaction per save."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError
from sqlmodel import Session, SQLModel

from core.editing import registry
from core.editing.conflicts import Conflict, find_conflicts, image
from core.editing.integrity import values_in_the_way
from core.editing.validate import (
    Batch,
    RowError,
    editable_fields,
    rule_errors,
    validate_changes,
    validate_row,
)
from core.i18n.labels import t
from core.kernel import cache
from db.models import AuditAction, AuditEntry, TableStamp, utcnow

# Which section lead may edit each table (core.editing.registry); tables missing here
# (audit_log…) are never edited.
TABLE_SECTIONS = registry.TABLE_SECTIONS


@dataclass(frozen=True)
class Actor:
    """Who saves: role is 'viewer', 'lead' or 'admin'; a lead edits only their sections."""

    username: str
    role: str
    sections: frozenset[str] = frozenset()


class PermissionDenied(PermissionError):
    """The actor may not make this change; the message is zh-TW."""


@dataclass
class EditorState:
    """What st.data_editor reports, plus the page of rows it was given (each with id, version)."""

    rows: list[dict[str, Any]]
    edited_rows: dict[int, dict[str, Any]] = field(default_factory=dict)
    added_rows: list[dict[str, Any]] = field(default_factory=list)
    deleted_rows: list[int] = field(default_factory=list)


@dataclass
class SaveResult:
    ok: bool
    errors: list[RowError] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    batch_id: str | None = None
    inserted_ids: list[int] = field(default_factory=list)

    def messages(self) -> list[str]:
        return [e.message for e in self.errors] + [c.message for c in self.conflicts]


class _Refused(Exception):
    """Raised inside the transaction to roll it back with a result for the caller."""

    def __init__(self, result: SaveResult) -> None:
        self.result = result


def can_edit(actor: Actor, table_name: str) -> bool:
    if table_name not in TABLE_SECTIONS:
        return False
    if actor.role == "admin":
        return True
    return actor.role == "lead" and TABLE_SECTIONS[table_name] in actor.sections


def check_edit(actor: Actor, table_name: str) -> None:
    """Raise PermissionDenied (zh-TW, naming the table as staff know it) unless allowed."""
    if not can_edit(actor, table_name):
        label = t(f"history.table.{table_name}")  # the table's name as staff know it
        raise PermissionDenied(t("edit.denied", user=actor.username, table=label))


@dataclass
class AuditedWriter:
    """Writes of one save: each change is audited under the save's batch id.

    Public for core modules that write outside the table editor (photos, users, staffing):
    their rows get the same audit entries, version bumps and table change stamp.
    """

    session: Session
    actor: Actor
    table: Table
    batch: str = field(default_factory=lambda: uuid.uuid4().hex)

    def image(self, row_id: int) -> dict[str, Any]:
        row = self.session.execute(select(self.table).where(self.table.c.id == row_id)).first()
        return image(row)

    def audit(self, row_id: int, action: AuditAction, before: Any, after: Any) -> None:
        entry = dict(at=utcnow(), username=self.actor.username, table_name=self.table.name)
        entry |= dict(row_id=row_id, action=action, before=before, after=after)
        self.session.execute(insert(AuditEntry.__table__).values(**entry, batch_id=self.batch))

    def update(
        self, row_id: int, version: int, values: dict, before: dict, action: AuditAction
    ) -> None:
        """UPDATE … WHERE version = loaded: a save racing past the lock still cannot overwrite."""
        values = values | {"version": version + 1, "updated_at": utcnow()}
        c = self.table.c
        done = self.session.execute(
            update(self.table).where(c.id == row_id, c.version == version).values(**values)
        )
        if done.rowcount != 1:
            raise _Refused(SaveResult(ok=False, errors=[RowError(0, None, t("edit.race"))]))
        self.audit(row_id, action, before, self.image(row_id))

    def set_aside(self, row_id: int, version: int, values: dict[str, Any]) -> None:
        """Give a row temporary unique values, unaudited and with its version kept: the same
        save then writes (and audits) its final values, so only the end state is ever seen."""
        c = self.table.c
        done = self.session.execute(
            update(self.table).where(c.id == row_id, c.version == version).values(**values)
        )
        if done.rowcount != 1:
            raise _Refused(SaveResult(ok=False, errors=[RowError(0, None, t("edit.race"))]))

    def insert(self, values: dict[str, Any], action: AuditAction = AuditAction.INSERT) -> int:
        row_id = self.session.execute(insert(self.table).values(**values)).inserted_primary_key[0]
        self.audit(row_id, action, None, self.image(row_id))
        return row_id

    def delete(self, pos: int, row_id: int, version: int, before: dict) -> None:
        c = self.table.c
        gone = self.session.execute(delete(self.table).where(c.id == row_id, c.version == version))
        if gone.rowcount != 1:
            raise _Refused(SaveResult(ok=False, errors=[RowError(pos, None, t("edit.race"))]))
        self.audit(row_id, AuditAction.DELETE, before, None)

    def commit(self) -> None:
        """Bump the table's change stamp in the same transaction, then commit."""
        self.stamp()
        self.session.commit()
        cache.forget_versions()  # the rest of this run reads what it just saved

    def stamp(self) -> None:
        """Bump the table's change stamp, without committing (a save writing two tables stamps
        the first and commits with the second)."""
        stamps = TableStamp.__table__
        name = self.table.name
        stamp = self.session.execute(
            select(stamps).where(stamps.c.table_name == name).with_for_update()
        ).first()
        if stamp is None:
            self.session.execute(insert(stamps).values(table_name=name, stamp=1))
        else:
            bumped = dict(stamp=stamp.stamp + 1, version=stamp.version + 1, updated_at=utcnow())
            self.session.execute(update(stamps).where(stamps.c.id == stamp.id).values(**bumped))
        cache.forget_versions()


def hold_write_lock(session: Session, *table_names: str) -> None:
    """Serialise saves of these tables across app processes, before any rule is checked.

    SQLite: take the database's write lock (BEGIN IMMEDIATE). Python's sqlite3 opens a
    transaction only at the first write, so two app processes could both check a rule (no
    overlap, enough stock) on the same data and both write; holding the lock from the first
    read makes a second save wait (busy_timeout) and then check against the first one's rows.

    PostgreSQL: lock the tables' change-stamp rows FOR UPDATE (created if missing), in name
    order so two saves never take them in opposite orders. A second save of the same table
    waits here until the first commits, then checks its rules against the first one's rows,
    instead of both inserting and meeting in the exclusion constraint, where PostgreSQL may
    abort one of them as a deadlock.
    """
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        if not connection.connection.driver_connection.in_transaction:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        return
    stamps = TableStamp.__table__
    names = sorted(set(table_names))
    for name in names:
        missing = pg_insert(stamps).values(table_name=name, stamp=0).on_conflict_do_nothing()
        session.execute(missing)
    held = select(stamps.c.id).where(stamps.c.table_name.in_(names))
    session.execute(held.order_by(stamps.c.table_name).with_for_update()).all()


# PostgreSQL's exclusion_violation: the no-overlap constraints on bookings and trips.
EXCLUSION_VIOLATION = "23P01"
# PostgreSQL aborted the transaction to break a lock cycle, or could not serialise it.
RETRYABLE = {"40P01", "40001"}


def _normalised(state: EditorState) -> EditorState:
    """Integer positions (JSON gives strings); a row both edited and deleted is just deleted."""
    deleted = sorted({int(pos) for pos in state.deleted_rows})
    edited = {int(pos): e for pos, e in state.edited_rows.items() if int(pos) not in deleted}
    return EditorState(state.rows, edited, list(state.added_rows), deleted)


def disconnected(exc: BaseException) -> bool:
    """The connection to the database was lost or could not be made (a PostgreSQL restart, a
    network cut): nothing was written, and the same action a moment later will work, since the
    pool drops the dead connection and checks the next one before use (pool_pre_ping)."""
    if not isinstance(exc, DBAPIError):
        return False
    sqlstate = getattr(exc.orig, "sqlstate", None) or ""
    if exc.connection_invalidated or sqlstate.startswith(("08", "57P")):
        return True  # connection exceptions; an administrator's or a crash's shutdown
    # psycopg reports a refused or dropped connection without a SQLSTATE
    from_psycopg = type(exc.orig).__module__.startswith("psycopg")
    return isinstance(exc, OperationalError) and from_psycopg and not sqlstate


def _db_error(exc: SQLAlchemyError) -> SaveResult:
    if disconnected(exc):
        return SaveResult(ok=False, errors=[RowError(0, None, t("edit.db_disconnected"))])
    if getattr(getattr(exc, "orig", None), "sqlstate", None) == EXCLUSION_VIOLATION:
        # A save racing from another server got past the overlap rules; the constraint held.
        return SaveResult(ok=False, errors=[RowError(0, None, t("rule.db_overlap"))])
    if getattr(getattr(exc, "orig", None), "sqlstate", None) in RETRYABLE:
        return SaveResult(ok=False, errors=[RowError(0, None, t("edit.db_retry"))])
    detail = str(getattr(exc, "orig", exc)).splitlines()[0]
    key = "edit.db_integrity" if isinstance(exc, IntegrityError) else "edit.db_error"
    return SaveResult(ok=False, errors=[RowError(0, None, t(key, detail=detail))])


def _bad_positions(state: EditorState) -> SaveResult | None:
    """Positions that are not integers or not rows of the page: refused before any read."""
    bad = []
    for pos in [*state.edited_rows, *state.deleted_rows]:
        try:
            inside = 0 <= int(pos) < len(state.rows)
        except (TypeError, ValueError):
            inside = False
        if not inside:
            text = t("edit.position_out_of_range", position=pos, total=len(state.rows))
            bad.append(RowError(pos, None, text))
    return SaveResult(ok=False, errors=bad) if bad else None


def save_changes(
    session: Session,
    model: type[SQLModel],
    state: EditorState,
    *,
    actor: Actor,
    dry_run: bool = False,
) -> SaveResult:
    """Apply the editor's changes in one transaction, all or nothing, with an audit entry each.

    dry_run runs every check and write (so version conflicts and database constraints are
    found) and then rolls back: the result says whether the save would succeed, but its
    batch_id and inserted_ids are None and empty, since nothing was kept.
    """
    table: Table = model.__table__  # type: ignore[attr-defined]
    check_edit(actor, table.name)
    if not (state.edited_rows or state.added_rows or state.deleted_rows):
        return SaveResult(ok=True)
    out_of_range = _bad_positions(state)
    if out_of_range:
        return out_of_range
    state = _normalised(state)
    positions = {*state.edited_rows, *state.deleted_rows}
    version_of = {state.rows[pos]["id"]: state.rows[pos]["version"] for pos in positions}
    writer = AuditedWriter(session, actor, table)
    try:
        hold_write_lock(session, table.name)
        # FOR UPDATE holds these rows (PostgreSQL) until commit; SQLite ignores it.
        locked = select(table).where(table.c.id.in_(list(version_of))).with_for_update()
        current = {row.id: row for row in session.execute(locked)} if version_of else {}
        conflicts = find_conflicts(session, table, state, current)
        if conflicts:
            raise _Refused(SaveResult(ok=False, conflicts=conflicts))
        updates, inserts, errors = validate_changes(session, model, state, current)
        if errors:
            raise _Refused(SaveResult(ok=False, errors=errors))
        deleted = [state.rows[pos]["id"] for pos in state.deleted_rows]
        # Unique values passed between rows (a swap, a deleted car's plate): the database
        # checks each statement on its own, so the rows giving a value up move aside first.
        for row_id, aside in values_in_the_way(table, updates, current, deleted, inserts).items():
            writer.set_aside(row_id, version_of[row_id], aside)
        for row_id, values in updates.items():
            before = image(current[row_id])
            writer.update(row_id, version_of[row_id], values, before, AuditAction.UPDATE)
        inserted = [writer.insert(values) for values in inserts]
        for pos in state.deleted_rows:
            row_id = state.rows[pos]["id"]
            writer.delete(pos, row_id, version_of[row_id], image(current[row_id]))
        if dry_run:
            session.rollback()
            return SaveResult(ok=True)
        writer.commit()
    except _Refused as refused:
        session.rollback()
        return refused.result
    except SQLAlchemyError as exc:
        session.rollback()
        return _db_error(exc)
    return SaveResult(ok=True, batch_id=writer.batch, inserted_ids=inserted)


def restore_version(session: Session, audit_id: int, *, actor: Actor) -> SaveResult:
    """Put a row back as it was before an update or delete; admins only, audited as restore."""
    if actor.role != "admin":
        raise PermissionDenied(t("edit.denied_restore", user=actor.username))
    entry = session.get(AuditEntry, audit_id)
    if entry is None or entry.before is None or entry.row_id is None:
        session.rollback()
        return SaveResult(
            ok=False, errors=[RowError(0, None, t("edit.not_restorable", id=audit_id))]
        )
    if entry.table_name not in TABLE_SECTIONS:
        # Accounts, sign-ins, photos' files…: kept by their own functions, not restored here.
        session.rollback()
        text = t("edit.not_restorable_table", id=audit_id, table=entry.table_name)
        return SaveResult(ok=False, errors=[RowError(0, None, text)])
    model = registry.model_for(entry.table_name)
    table: Table = model.__table__  # type: ignore[attr-defined]
    row_id, writer = entry.row_id, AuditedWriter(session, actor, table)
    given = {k: entry.before.get(k) for k in editable_fields(model)}
    # The row goes back exactly as it was saved, text rules added since then notwithstanding.
    values, errors = validate_row(model, 0, given, stored=given)
    if values is None:
        session.rollback()
        return SaveResult(ok=False, errors=errors)
    try:
        hold_write_lock(session, table.name)
        locked = select(table).where(table.c.id == row_id).with_for_update()
        current = session.execute(locked).first()
        if current is not None and not _same_row(current, entry.before):
            # SQLite gave the deleted row's id to a newer row; restoring would overwrite it.
            text = t("edit.id_reused", id=audit_id, row=row_id)
            raise _Refused(SaveResult(ok=False, errors=[RowError(0, None, text)]))
        # The business rules judge the restored row as they judge a save (no overlap, stock).
        batch = (
            Batch(edited={}, added=[(0, values)], deleted=[], current={})
            if current is None
            else Batch(
                edited={0: (row_id, values)}, added=[], deleted=[], current={row_id: current}
            )  # fmt: skip
        )
        errors = rule_errors(session, table.name, batch)
        if errors:
            raise _Refused(SaveResult(ok=False, errors=errors))
        if current is None:
            # Re-insert the deleted row under its id, with a version it never had before.
            extra = {"id": row_id, "version": _max_version(session, entry) + 1}
            if entry.before.get("created_at"):
                extra["created_at"] = datetime.fromisoformat(entry.before["created_at"])
            writer.insert(values | extra, AuditAction.RESTORE)
        else:
            before = image(current)
            writer.update(row_id, current.version, values, before, AuditAction.RESTORE)
        writer.commit()
    except _Refused as refused:
        session.rollback()
        return refused.result
    except SQLAlchemyError as exc:
        session.rollback()
        return _db_error(exc)
    return SaveResult(ok=True, batch_id=writer.batch)


def _same_row(current: Any, before: dict[str, Any]) -> bool:
    """The stored row is the one the audit image shows (same creation time), not a newer row
    that was given the same id."""
    created = before.get("created_at")
    if not created:
        return True
    stored = current.created_at
    return stored.replace(tzinfo=None) == datetime.fromisoformat(created).replace(tzinfo=None)


def _max_version(session: Session, entry: AuditEntry) -> int:
    """The highest version the audit log saw for this row, so a restored row never reuses one."""
    images = session.execute(
        select(AuditEntry.before, AuditEntry.after).where(
            AuditEntry.table_name == entry.table_name, AuditEntry.row_id == entry.row_id
        )
    ).all()
    versions = [int(i["version"]) for pair in images for i in pair if i and "version" in i]
    return max(versions, default=1)
