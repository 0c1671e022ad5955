"""Business rules of the visitor log, run on every save (table editor and import alike).

Follow-ups: a 完成日期 only on a row marked 已完成, and a row marked 已完成 only with its
完成日期 (the pipeline has no place to fill today in, and today is often not the day the task
was done); the date neither before the reception's date nor after today (Asia/Taipei).
Receptions: one that still has delegation members, follow-ups, photos or gift records is not
deleted (the database would drop or unlink them without an audit entry, and leave the photo
files behind), and its date may not move past a follow-up's 完成日期.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, SQLModel

from core.editing.validate import Batch, RowError, row_label
from core.i18n.labels import message_lang, t
from core.kernel.roc_dates import format_date
from core.visitors import receptions as visitors
from db.models import (
    GiftMovement,
    GiftReceived,
    Reception,
    ReceptionFollowUp,
    ReceptionGuest,
    ReceptionPhoto,
)

# What may hang off a reception, in the order a refusal names it: (model, label key of "n …").
ATTACHED: tuple[tuple[type[SQLModel], str], ...] = (
    (ReceptionGuest, "vis.rule.count.guests"),
    (ReceptionFollowUp, "vis.rule.count.follow_ups"),
    (ReceptionPhoto, "vis.rule.count.photos"),
    (GiftMovement, "vis.rule.count.gift_movements"),
    (GiftReceived, "vis.rule.count.gifts_received"),
)
# Deleted in the detail view (接待明細); gift records are unlinked on the gift page instead.
IN_DETAIL_VIEW = (ReceptionGuest, ReceptionFollowUp, ReceptionPhoto)


def follow_up_errors(session: Session, batch: Batch) -> list[RowError]:
    """Each added or edited follow-up whose 已完成 and 完成日期 do not agree or cannot be right."""
    rows = [(pos, row) for pos, (_id, row) in batch.edited.items()] + list(batch.added)
    if not rows:
        return []
    ids = {row["reception_id"] for _, row in rows}
    stmt = select(Reception.id, Reception.visit_date, Reception.date_is_estimate)
    receptions = {r.id: r for r in session.execute(stmt.where(Reception.id.in_(ids)))}
    today = visitors.taipei_today()
    errors: list[RowError] = []
    for pos, row in rows:
        errors += _follow_up_row_errors(pos, row, receptions.get(row["reception_id"]), today)
    return errors


def _follow_up_row_errors(
    pos: int | str, row: dict[str, Any], reception: Any, today: date
) -> list[RowError]:
    label, done_on = row_label(pos), row.get("done_on")
    names = dict(done_field=t("col.done"), done_on_field=t("col.done_on"))
    if done_on is None:
        if row.get("done"):
            text = t("vis.rule.done_without_date", row=label, today=_date_text(today), **names)
            return [RowError(pos, "done_on", text)]
        return []
    errors = []
    if not row.get("done"):
        text = t("vis.rule.done_on_not_done", row=label, value=_date_text(done_on), **names)
        errors.append(RowError(pos, "done", text))
    shown = dict(row=label, field=t("col.done_on"), value=_date_text(done_on))
    if reception is not None and done_on < reception.visit_date:
        hint = t("vis.rule.estimate_hint") if reception.date_is_estimate else ""
        visit = _date_text(reception.visit_date)
        text = t("vis.rule.done_before_reception", id=reception.id, visit=visit, hint=hint, **shown)
        errors.append(RowError(pos, "done_on", text))
    elif done_on > today:
        text = t("vis.rule.done_future", today=_date_text(today), **shown)
        errors.append(RowError(pos, "done_on", text))
    return errors


def reception_errors(session: Session, batch: Batch) -> list[RowError]:
    """Deleted receptions that still have rows attached; dates moved past a follow-up's end."""
    return _attached_errors(session, batch) + _moved_date_errors(session, batch)


def _attached_errors(session: Session, batch: Batch) -> list[RowError]:
    """One error per deleted reception that something still points at, naming what and how many.

    save_changes holds the deleted rows FOR UPDATE (PostgreSQL) or the write lock (SQLite)
    before the rules run, so a follow-up or photo added meanwhile waits and then fails its
    foreign key instead of being dropped by the cascade.
    """
    ids = [row_id for _pos, row_id in batch.deleted]
    if not ids:
        return []
    counts: dict[int, list[tuple[type[SQLModel], int]]] = defaultdict(list)
    for model, _key in ATTACHED:
        column = model.reception_id  # type: ignore[attr-defined]
        stmt = select(column, func.count()).where(column.in_(ids)).group_by(column)
        for reception_id, n in session.execute(stmt):
            counts[reception_id].append((model, int(n)))
    keys = dict(ATTACHED)
    errors = []
    for pos, row_id in batch.deleted:
        found = counts.get(row_id)
        if not found:
            continue
        items = "、".join(t(keys[model], n=n) for model, n in found)
        in_detail = any(model in IN_DETAIL_VIEW for model, _ in found)
        in_gifts = any(model not in IN_DETAIL_VIEW for model, _ in found)
        hint = {(True, False): "detail", (False, True): "gifts"}.get((in_detail, in_gifts), "both")
        text = t(
            "vis.rule.reception_attached",
            row=row_label(pos),
            id=row_id,
            items=items,
            hint=t(f"vis.rule.hint.{hint}"),
        )
        errors.append(RowError(pos, None, text))
    return errors


def _moved_date_errors(session: Session, batch: Batch) -> list[RowError]:
    """Edited receptions whose new date is after the 完成日期 of one of their follow-ups."""
    moved = {
        row_id: (pos, row["visit_date"])
        for pos, (row_id, row) in batch.edited.items()
        if row["visit_date"] != batch.current[row_id].visit_date
    }
    if not moved:
        return []
    f = ReceptionFollowUp
    stmt = (
        select(f.reception_id, func.min(f.done_on))
        .where(f.reception_id.in_(list(moved)), f.done_on.is_not(None))
        .group_by(f.reception_id)
    )
    errors = []
    for reception_id, first_done in session.execute(stmt):
        pos, visit_date = moved[reception_id]
        if first_done is not None and first_done < visit_date:
            text = t(
                "vis.rule.visit_after_done",
                row=row_label(pos),
                id=reception_id,
                value=_date_text(visit_date),
                done=_date_text(first_done),
            )
            errors.append(RowError(pos, "visit_date", text))
    return errors


def _date_text(day: date) -> str:
    """A date in a refusal, as the reader's language writes it (民國 in zh-TW)."""
    return format_date(day, message_lang())
