"""Business rule of the gift stock: no save may take more out of an item than it holds."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import case, func, select
from sqlmodel import Session

from core.editing_validate import RULES, Batch, RowError, row_label
from core.labels import t
from db.models import GiftItem, GiftMovement, MovementDirection


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


RULES[GiftMovement.__tablename__] = movement_stock_errors
