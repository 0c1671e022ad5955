"""Gifts: stock on hand per item and the period's gift figures."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import case, func, select
from sqlmodel import Session

from core.periods import Period
from db.models import GiftItem, GiftMovement, GiftReceived, MovementDirection


def _signed_quantity():
    return case(
        (GiftMovement.direction == MovementDirection.IN, GiftMovement.quantity),
        else_=-GiftMovement.quantity,
    )


def stock_levels(session: Session) -> pd.DataFrame:
    """Every stock item with its quantity on hand and whether it is below its threshold."""
    on_hand = func.coalesce(func.sum(_signed_quantity()), 0).label("on_hand")
    stmt = (
        select(GiftItem.id, GiftItem.name, GiftItem.unit, GiftItem.low_stock_threshold, on_hand)
        .outerjoin(GiftMovement, GiftMovement.item_id == GiftItem.id)
        .where(GiftItem.active.is_(True))
        .group_by(GiftItem.id, GiftItem.name, GiftItem.unit, GiftItem.low_stock_threshold)
        .order_by(GiftItem.name)
    )
    df = pd.DataFrame(
        session.execute(stmt).all(), columns=["id", "name", "unit", "threshold", "on_hand"]
    )
    df["low"] = df["on_hand"] < df["threshold"]
    return df


def gift_figures(session: Session, period: Period) -> dict[str, int]:
    received = session.execute(
        select(func.count()).where(
            GiftReceived.received_on >= period.start, GiftReceived.received_on <= period.end
        )
    ).scalar_one()
    given = session.execute(
        select(func.coalesce(func.sum(GiftMovement.quantity), 0)).where(
            GiftMovement.direction == MovementDirection.OUT,
            GiftMovement.moved_on >= period.start,
            GiftMovement.moved_on <= period.end,
        )
    ).scalar_one()
    return {"gifts.received": int(received), "gifts.given_out": int(given)}
