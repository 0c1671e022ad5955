"""Gifts: stock on hand per item and the period's gift figures."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import case, func, select
from sqlmodel import Session

from core.gifts.ethics import EthicsStatus, gift_register
from core.kernel.cache import stamped
from core.kernel.periods import Period
from db.models import (
    GiftItem,
    GiftKind,
    GiftMovement,
    GiftReceived,
    MovementDirection,
    PartnerCity,
)


def _signed_quantity():
    return case(
        (GiftMovement.direction == MovementDirection.IN, GiftMovement.quantity),
        else_=-GiftMovement.quantity,
    )


@stamped("gift_item", "gift_movement")
def stock_levels(session: Session) -> pd.DataFrame:
    """Every stock item with its quantity on hand, whether it is below its threshold and
    whether an estimated quantity went into it."""
    on_hand = func.coalesce(func.sum(_signed_quantity()), 0).label("on_hand")
    estimated = func.coalesce(func.max(case((GiftMovement.is_estimate, 1), else_=0)), 0)
    stmt = (
        select(
            GiftItem.id,
            GiftItem.name,
            GiftItem.unit,
            GiftItem.low_stock_threshold,
            on_hand,
            estimated.label("estimated"),
            GiftItem.name_en,
        )
        .outerjoin(GiftMovement, GiftMovement.item_id == GiftItem.id)
        .where(GiftItem.active.is_(True))
        .group_by(
            GiftItem.id,
            GiftItem.name,
            GiftItem.unit,
            GiftItem.low_stock_threshold,
            GiftItem.name_en,
        )
        .order_by(GiftItem.name)
    )
    df = pd.DataFrame(
        session.execute(stmt).all(),
        columns=["id", "name", "unit", "threshold", "on_hand", "estimated", "name_en"],
    )
    df["low"] = df["on_hand"] < df["threshold"]
    df["estimated"] = df["estimated"].astype(bool)  # some movement's quantity is an estimate
    return df


@stamped("gift_received", "gift_movement", "gift_item")
def gift_figures(session: Session, period: Period) -> dict[str, int]:
    """Gifts received and given out in the period (relief goods sent are counted apart: they
    are not gifts); received gifts that needed an ethics report (core.gifts.ethics) and how
    many of those were reported."""
    received = session.execute(
        select(func.count()).where(
            GiftReceived.received_on >= period.start, GiftReceived.received_on <= period.end
        )
    ).scalar_one()
    out: dict[tuple[str, bool], int] = {}
    for kind, estimate, quantity in session.execute(
        select(GiftItem.kind, GiftMovement.is_estimate, func.sum(GiftMovement.quantity))
        .join(GiftItem, GiftItem.id == GiftMovement.item_id)
        .where(
            GiftMovement.direction == MovementDirection.OUT,
            GiftMovement.moved_on >= period.start,
            GiftMovement.moved_on <= period.end,
        )
        .group_by(GiftItem.kind, GiftMovement.is_estimate)
    ).all():
        out[(GiftKind(kind), bool(estimate))] = int(quantity or 0)

    def given(kind: GiftKind, *estimates: bool) -> int:
        return sum(out.get((kind, e), 0) for e in estimates)

    register = gift_register(session, period)
    needed = register[register["ethics_status"] != EthicsStatus.NOT_REQUIRED.value]
    made = needed["ethics_status"].isin([EthicsStatus.ON_TIME.value, EthicsStatus.LATE.value])
    return {
        "gifts.received": int(received),
        "gifts.given_out": given(GiftKind.GIFT, False, True),
        "gifts.given_out_estimated": given(GiftKind.GIFT, True),  # of those, estimated
        "gifts.relief_out": given(GiftKind.RELIEF, False, True),
        "gifts.report_required": len(needed),
        "gifts.reported": int(made.sum()),
    }


@stamped("gift_item", "gift_movement")
def stock_history(session: Session) -> pd.DataFrame:
    """Running balance of every active item after each day it moved: item, moved_on, on_hand."""
    stmt = (
        select(GiftItem.name, GiftMovement.moved_on, func.sum(_signed_quantity()))
        .join(GiftMovement, GiftMovement.item_id == GiftItem.id)
        .where(GiftItem.active.is_(True))
        .group_by(GiftItem.name, GiftMovement.moved_on)
        .order_by(GiftItem.name, GiftMovement.moved_on)
    )
    df = pd.DataFrame(session.execute(stmt).all(), columns=["item", "moved_on", "change"])
    df["change"] = df["change"].astype(int)
    df["on_hand"] = df.groupby("item")["change"].cumsum()
    return df[["item", "moved_on", "on_hand"]]


@stamped("gift_movement", "gift_received", "partner_city", "gift_item")
def gift_flows(session: Session, period: Period) -> pd.DataFrame:
    """Gifts received (count) and given (items out) in the period: flow, month, country, count.

    The country of a gift given is its partner city's, when the movement names one; "" otherwise.
    Relief goods sent (gift_item.kind relief) are not gifts and are left out.
    """
    received = session.execute(
        select(GiftReceived.received_on, GiftReceived.donor_country).where(
            GiftReceived.received_on >= period.start, GiftReceived.received_on <= period.end
        )
    ).all()
    given = session.execute(
        select(GiftMovement.moved_on, PartnerCity.country, GiftMovement.quantity)
        .join(GiftItem, GiftItem.id == GiftMovement.item_id)
        .outerjoin(PartnerCity, PartnerCity.id == GiftMovement.city_id)
        .where(
            GiftItem.kind == GiftKind.GIFT,  # relief goods sent are not gifts
            GiftMovement.direction == MovementDirection.OUT,
            GiftMovement.moved_on >= period.start,
            GiftMovement.moved_on <= period.end,
        )
    ).all()
    rows = [("received", day, country or "", 1) for day, country in received]
    rows += [("given", day, country or "", int(qty)) for day, country, qty in given]
    df = pd.DataFrame(rows, columns=["flow", "day", "country", "count"])
    df["month"] = df["day"].map(lambda d: d.replace(day=1))
    return df.groupby(["flow", "month", "country"], as_index=False)["count"].sum()
