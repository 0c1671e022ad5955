"""The audit history (異動紀錄): filtered pages of the audit log, field diffs, row timelines."""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import func, select
from sqlmodel import Session, SQLModel

import db.models  # noqa: F401  (registers every table, so _internal_models() finds them all)
from core.editing import registry
from core.editing.conflicts import image
from core.editing.pipeline import Actor
from core.i18n.labels import DEFAULT_LANG, enum_label, t
from core.kernel.roc_dates import format_date, format_datetime, format_time
from db.models import AuditAction, AuditEntry

TAIPEI = ZoneInfo("Asia/Taipei")
# Changed by every save: shown as the entry's version, not as a changed field.
BOOKKEEPING = ("id", "created_at", "updated_at", "version")
MAX_LIMIT = 500
# The section whose leads read a table's history: every registered table, the edited ones and
# those a function's own code writes (reception photos, audited by core.visitors.photos).
HISTORY_SECTIONS = registry.HISTORY_SECTIONS


@dataclass(frozen=True)
class FieldChange:
    """One field of an audited row: its label and both values as staff read them."""

    field: str
    label: str
    before: str
    after: str

    @property
    def changed(self) -> bool:
        return self.before != self.after


def _utc_bounds(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """Asia/Taipei calendar days [start, end] as a half-open UTC range."""

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time.min, TAIPEI).astimezone(UTC)

    return (
        midnight(start) if start else None,
        midnight(end + timedelta(days=1)) if end else None,
    )


def _conditions(
    table: str | None,
    username: str | None,
    start: date | None,
    end: date | None,
    row_id: int | None,
    actions: Iterable[AuditAction | str] | None,
    tables: Iterable[str] | None = None,
) -> list[Any]:
    conditions: list[Any] = []
    if table:
        conditions.append(AuditEntry.table_name == table)
    conditions += _within(tables)
    if username:
        conditions.append(AuditEntry.username == username)
    if row_id is not None:
        conditions.append(AuditEntry.row_id == row_id)
    if actions is not None:
        conditions.append(AuditEntry.action.in_([AuditAction(a) for a in actions]))
    # SQLite stores the UTC wall time without a zone, so the bounds must be UTC too.
    lo, hi = _utc_bounds(start, end)
    if lo is not None:
        conditions.append(AuditEntry.at >= lo)
    if hi is not None:
        conditions.append(AuditEntry.at < hi)
    return conditions


def query_audit(
    session: Session,
    *,
    table: str | None = None,
    username: str | None = None,
    start: date | None = None,
    end: date | None = None,
    row_id: int | None = None,
    actions: Iterable[AuditAction | str] | None = None,
    tables: Iterable[str] | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[int, list[AuditEntry]]:
    """(matching entries in all, one page of them newest first); start/end are Taipei days.

    `tables` limits the search to those tables (visible_tables: a lead's own sections).
    """
    where = _conditions(table, username, start, end, row_id, actions, tables)
    total = session.scalar(select(func.count()).select_from(AuditEntry).where(*where)) or 0
    page = session.scalars(
        select(AuditEntry)
        .where(*where)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset(max(offset, 0))
        .limit(min(max(limit, 1), MAX_LIMIT))
    )
    return int(total), list(page)


def visible_tables(actor: Actor) -> list[str] | None:
    """The tables whose history the actor reads: None (all of them, sign-in events and account
    changes included) for an administrator, the tables of a lead's own sections (deleted rows
    and who changed what in other sections are not theirs to read), none for a viewer."""
    if actor.role == "admin":
        return None
    if actor.role != "lead":
        return []
    return sorted(name for name, section in HISTORY_SECTIONS.items() if section in actor.sections)


def _within(tables: Iterable[str] | None) -> list[Any]:
    return [] if tables is None else [AuditEntry.table_name.in_(list(tables))]


def audit_users(session: Session, tables: Iterable[str] | None = None) -> list[str]:
    """Every username in the audit log (of those tables, when given), for the filter."""
    stmt = select(AuditEntry.username).where(*_within(tables)).distinct()
    return list(session.scalars(stmt.order_by(AuditEntry.username)))


def audit_tables(session: Session, tables: Iterable[str] | None = None) -> list[str]:
    """Every table named in the audit log (of those tables, when given), for the filter."""
    stmt = select(AuditEntry.table_name).where(*_within(tables)).distinct()
    return list(session.scalars(stmt.order_by(AuditEntry.table_name)))


def row_timeline(session: Session, table: str, row_id: int) -> list[AuditEntry]:
    """Every audited change of one row, oldest first."""
    return list(
        session.scalars(
            select(AuditEntry)
            .where(AuditEntry.table_name == table, AuditEntry.row_id == row_id)
            .order_by(AuditEntry.at, AuditEntry.id)
        )
    )


def is_restorable(entry: AuditEntry) -> bool:
    """True when editing.pipeline.restore_version can put the row back as before this entry."""
    return (
        entry.before is not None
        and entry.row_id is not None
        and entry.table_name in registry.TABLE_SECTIONS
    )


def version_change(entry: AuditEntry) -> tuple[int | None, int | None]:
    """The row's version before and after the entry (None where there is no image)."""
    return (entry.before or {}).get("version"), (entry.after or {}).get("version")


@cache
def _internal_models() -> dict[str, type[SQLModel]]:
    mappers = SQLModel._sa_registry.mappers  # type: ignore[attr-defined]
    return {m.class_.__tablename__: m.class_ for m in mappers if hasattr(m.class_, "__table__")}


def _model(table: str) -> type[SQLModel] | None:
    """The registered table's model, else (accounts, sign-ins) any table's."""
    return registry.model_for(table) or _internal_models().get(table)


def table_label(table: str, lang: str = DEFAULT_LANG) -> str:
    key = f"history.table.{table}"
    label = t(key, lang)
    return table if label == key else label


def record_name(entry: AuditEntry, lang: str = DEFAULT_LANG, *, restored: bool = False) -> str:
    """The record an entry changed, as staff name it: its date and first named field, read
    from the entry itself (so a deleted row keeps its name): 112/01/13 蒲島郁夫, 第三會議室,
    KAA-1234. "" when the row holds no such field (then the id names it). restored: as the
    version before the change names it (what a restore puts back)."""
    data = (entry.before or entry.after or {}) if restored else (entry.after or entry.before or {})
    spec = registry.SPECS.get(entry.table_name)
    day, named = "", ""
    if spec is not None and spec.period_column and data.get(spec.period_column):
        try:
            day = format_date(datetime.fromisoformat(str(data[spec.period_column])), lang)
        except ValueError:
            day = ""
    columns = spec.search if spec is not None else ("username", "name", "title")
    for column in columns:
        value = data.get(column)
        if isinstance(value, str) and value.strip():
            named = " ".join(value.split())
            break
    if not named and entry.table_name == "app_user" and entry.row_id is not None:
        named = entry.username  # a sign-in event: the account it signed in to
    if len(named) > 40:
        named = named[:39] + "…"
    return " ".join(part for part in (day, named) if part)


def record_title(entry: AuditEntry, lang: str = DEFAULT_LANG, *, restored: bool = False) -> str:
    """「112/01/13 蒲島郁夫」（#12）, or #12 when the record has no name; "" without a row."""
    if entry.row_id is None:
        return ""
    name = record_name(entry, lang, restored=restored)
    if not name:
        return f"#{entry.row_id}"
    return f"「{name}」（#{entry.row_id}）" if lang == "zh-TW" else f"“{name}” (#{entry.row_id})"


def field_label(table: str, field: str, lang: str = DEFAULT_LANG) -> str:
    """The column's label for this table (col.<table>.<field>, else col.<field>)."""
    for key in (f"col.{table}.{field}", f"col.{field}", f"history.field.{field}"):
        label = t(key, lang)
        if label != key:
            return label
    return field


def _field_type(table: str, field: str) -> Any:
    """The field's Python type without Optional, or None for an unknown table or field."""
    model = _model(table)
    info = model.model_fields.get(field) if model else None
    if info is None:
        return None
    annotation = info.annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        annotation = next((a for a in typing.get_args(annotation) if a is not type(None)), None)
    return annotation


def _zoned(table: str, field: str) -> bool:
    columns = SQLModel.metadata.tables.get(table)
    column = columns.c.get(field) if columns is not None else None
    return bool(column is not None and getattr(column.type, "timezone", False))


def format_value(table: str, field: str, value: Any, lang: str = DEFAULT_LANG) -> str:
    """A stored (JSON) value as staff read it: dates of the language (民國 in zh-TW), Taipei
    times, enum labels."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return t("history.yes" if value else "history.no", lang)
    kind = _field_type(table, field)
    if isinstance(kind, type) and issubclass(kind, Enum):
        return enum_label(value, lang, kind)
    if kind is datetime and isinstance(value, str):
        moment = datetime.fromisoformat(value)
        if _zoned(table, field):
            # Stored in UTC (SQLite gives it back without the zone): show Taipei time.
            moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(TAIPEI)
        # Columns without a zone (bookings, trips) already hold Taipei wall time.
        return format_datetime(moment, lang)
    if kind is date and isinstance(value, str):
        return format_date(date.fromisoformat(value), lang)
    if kind is time and isinstance(value, str):
        return format_time(time.fromisoformat(value))  # Asia/Taipei wall time
    if table == "app_user" and field in ("via", "reason"):  # how a sign-in came, why refused
        label = t(f"history.{field}.{value}", lang)
        return str(value) if label == f"history.{field}.{value}" else label
    if table == "app_user" and field == "sections":
        return t("ui.list_sep", lang).join(
            t(f"section.{s}", lang) for s in str(value).split(",") if s
        )
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _fields(table: str, before: dict, after: dict) -> list[str]:
    """The image's fields in the table's column order, then any others (markers)."""
    model = _model(table)
    columns = [c.name for c in model.__table__.columns] if model else []
    keys = [k for k in columns if k in before or k in after]
    keys += [k for k in {**before, **after} if k not in keys]
    return [k for k in keys if k not in BOOKKEEPING]


def diff(entry: AuditEntry, lang: str = DEFAULT_LANG) -> list[FieldChange]:
    """Changed fields of an update; every field of an insert, delete or restore."""
    before, after = entry.before or {}, entry.after or {}
    table, changes = entry.table_name, []
    for name in _fields(table, before, after):
        if entry.action == AuditAction.UPDATE and before.get(name) == after.get(name):
            continue
        changes.append(
            FieldChange(
                field=name,
                label=field_label(table, name, lang),
                before=format_value(table, name, before.get(name), lang),
                after=format_value(table, name, after.get(name), lang),
            )
        )
    return changes


def restore_preview(
    session: Session, entry: AuditEntry, lang: str = DEFAULT_LANG
) -> list[FieldChange]:
    """What restoring the entry would change in the record as it is now: each field whose
    stored value differs from the version put back (before = now, after = restored). A deleted
    record has no current values; changes made after this entry are counted too."""
    model = _model(entry.table_name)
    restored = entry.before or {}
    if model is None or entry.row_id is None:
        return []
    table_ = model.__table__  # type: ignore[attr-defined]
    current = session.execute(select(table_).where(table_.c.id == entry.row_id)).first()
    now = image(current) if current is not None else {}  # as the audit log stores a row
    table, changes = entry.table_name, []
    for name in _fields(table, restored, now):
        shown_now = format_value(table, name, now.get(name), lang)
        shown_then = format_value(table, name, restored.get(name), lang)
        if shown_now != shown_then:
            changes.append(FieldChange(name, field_label(table, name, lang), shown_now, shown_then))
    return changes


def _taipei(moment: datetime, lang: str) -> str:
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
    return format_datetime(moment.astimezone(TAIPEI), lang)


SIGN_INS = (AuditAction.LOGIN_SUCCESS, AuditAction.LOGIN_FAILURE)


def _changed_labels(entry: AuditEntry, lang: str) -> str:
    """Labels of the fields an update or restore changed; an insert or delete changes all; a
    sign-in, the way it came (登入方式：市府帳號)."""
    via = (entry.after or {}).get("via")
    if entry.action in SIGN_INS and via:
        shown = format_value(entry.table_name, "via", via, lang)
        return f"{t('history.field.via', lang)}{'：' if lang == 'zh-TW' else ': '}{shown}"
    if entry.action not in (AuditAction.UPDATE, AuditAction.RESTORE):
        return ""
    return "、".join(c.label for c in diff(entry, lang) if c.changed)


def history_frame(entries: list[AuditEntry], lang: str = DEFAULT_LANG) -> pd.DataFrame:
    """One row per entry as the history page lists it: Taipei ROC times, labels, what changed."""
    columns = {
        "id": t("col.id", lang),
        "at": t("col.at", lang),
        "username": t("col.username", lang),
        "table_name": t("col.table_name", lang),
        "row_id": t("col.row_id", lang),
        "record": t("col.record", lang),
        "action": t("col.action", lang),
        "changes": t("history.changes", lang),
    }
    rows = [
        {
            columns["id"]: entry.id,
            columns["at"]: _taipei(entry.at, lang),
            columns["username"]: entry.username,
            columns["table_name"]: table_label(entry.table_name, lang),
            columns["row_id"]: entry.row_id,
            columns["record"]: record_name(entry, lang),
            columns["action"]: enum_label(AuditAction(entry.action), lang),
            columns["changes"]: _changed_labels(entry, lang),
        }
        for entry in entries
    ]
    frame = pd.DataFrame(rows, columns=list(columns.values()))
    # Row ids are missing for failed sign-ins of unknown names: keep the column integer.
    frame[columns["row_id"]] = frame[columns["row_id"]].astype("Int64")
    return frame
