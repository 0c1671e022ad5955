"""Business rules of the gift tables, run on every save (table editor and import alike).

Stock: no save may take more out of an item than it holds. Register of gifts received: the
退還 date only with disposition 退還, and no report, notice or return date before the gift was
received or after today (Asia/Taipei). 退還 without a return date is allowed: the return is
pending, and core.gifts.ethics.needs_action lists it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import case, func, select
from sqlmodel import Session

from core.editing.validate import Batch, RowError, row_label
from core.gifts import ethics as gift_ethics
from core.i18n.labels import enum_label, message_lang, t
from core.kernel.roc_dates import format_date
from db.models import Disposition, GiftItem, GiftMovement, MovementDirection


def signed(direction: Any, quantity: int) -> int:
    """+quantity for a movement in, -quantity for one out."""
    return quantity if MovementDirection(direction) == MovementDirection.IN else -quantity


def balances(session: Session, item_ids: set[int]) -> dict[int, int]:
    """Quantity on hand of each item as stored (before the batch)."""
    if not item_ids:
        return {}
    amount = case(
        (GiftMovement.direction == MovementDirection.IN, GiftMovement.quantity),
        else_=-GiftMovement.quantity,
    )
    stmt = (
        select(GiftMovement.item_id, func.sum(amount))
        .where(GiftMovement.item_id.in_(item_ids))
        .group_by(GiftMovement.item_id)
    )
    found = {item_id: int(total) for item_id, total in session.execute(stmt).all()}
    return {item_id: found.get(item_id, 0) for item_id in item_ids}


def movement_stock_errors(session: Session, batch: Batch) -> list[RowError]:
    """Each row that takes stock away from an item the whole batch would leave below zero."""
    change: dict[int, int] = defaultdict(int)
    # (position, item id) of every row that lowers an item's stock in this batch
    lowering: list[tuple[int | str, int]] = []
    for pos, row_id in batch.deleted:
        old = batch.current[row_id]
        change[old.item_id] -= signed(old.direction, old.quantity)
        if MovementDirection(old.direction) == MovementDirection.IN:
            lowering.append((pos, old.item_id))
    for pos, (row_id, row) in batch.edited.items():
        old = batch.current[row_id]
        before, after = (
            signed(old.direction, old.quantity),
            signed(row["direction"], row["quantity"]),
        )
        change[old.item_id] -= before
        change[row["item_id"]] += after
        if row["item_id"] == old.item_id:
            if after < before:
                lowering.append((pos, old.item_id))
        else:
            if before > 0:
                lowering.append((pos, old.item_id))
            if after < 0:
                lowering.append((pos, row["item_id"]))
    for pos, row in batch.added:
        amount = signed(row["direction"], row["quantity"])
        change[row["item_id"]] += amount
        if amount < 0:
            lowering.append((pos, row["item_id"]))
    stock = balances(session, set(change))
    short = {item_id for item_id, delta in change.items() if stock[item_id] + delta < 0}
    if not short:
        return []
    names = dict(
        session.execute(select(GiftItem.id, GiftItem.name).where(GiftItem.id.in_(short))).all()
    )
    errors = []
    for pos, item_id in lowering:
        if item_id in short:
            text = t(
                "gift.rule.short",
                row=row_label(pos),
                item=names.get(item_id, item_id),
                stock=stock[item_id],
                after=stock[item_id] + change[item_id],
            )
            errors.append(RowError(pos, "quantity", text))
    return errors


# Dates of a gift received that follow its receipt: none may precede it; none, the receipt
# included, may lie in the future.
FOLLOWING_DATES = ("report_filed_on", "ethics_notified_on", "returned_on")


def received_date_errors(session: Session, batch: Batch) -> list[RowError]:
    """Each added or edited gift whose return, report or notice date cannot be right."""
    today = gift_ethics.today_taipei()
    rows = [(pos, row) for pos, (_id, row) in batch.edited.items()] + list(batch.added)
    return [error for pos, row in rows for error in _date_errors(pos, row, today)]


def _date_errors(pos: int | str, row: dict[str, Any], today: date) -> list[RowError]:
    errors = []
    label = row_label(pos)
    if row.get("returned_on") is not None and row["disposition"] != Disposition.RETURNED:
        disposition = enum_label(Disposition(row["disposition"]))
        text = t("gift.rule.returned_only", row=label, disposition=disposition)
        errors.append(RowError(pos, "returned_on", text))
    received = row["received_on"]
    if received > today:  # a gift is recorded once it has been received, not before
        shown = dict(row=label, field=t("col.received_on"), value=_date_text(received))
        errors.append(
            RowError(pos, "received_on", t("gift.rule.future", today=_date_text(today), **shown))
        )
    for name in FOLLOWING_DATES:
        value = row.get(name)
        if value is None:
            continue
        shown = dict(row=label, field=t(f"col.{name}"), value=_date_text(value))
        if value < received:
            since = dict(received_field=t("col.received_on"), received=_date_text(received))
            text = t("gift.rule.before_received", **since, **shown)
            errors.append(RowError(pos, name, text))
        elif value > today:
            errors.append(
                RowError(pos, name, t("gift.rule.future", today=_date_text(today), **shown))
            )
    return errors


def _date_text(day: date) -> str:
    """A date in a refusal, as the reader's language writes it (民國 in zh-TW)."""
    return format_date(day, message_lang())
