"""Gifts: the stock the bureau gives from, its movements, and the register of gifts received."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlmodel import Field

from db.models.base import MULTILINE, Tracked, enum_type


class MovementDirection(StrEnum):
    IN = "in"  # 入庫
    OUT = "out"  # 出庫


class GiftKind(StrEnum):
    """What a stock item is for: gifts given at receptions and exchanges, or relief goods and
    donations (the Belize hurricane relief), which are not gifts and are counted apart."""

    GIFT = "gift"  # 禮品
    RELIEF = "relief"  # 賑災／捐贈物資


class Disposition(StrEnum):
    """What happened to a gift received (公務員廉政倫理規範)."""

    PENDING = "pending"  # 待處理
    PAID_KEPT = "paid_kept"  # 付費收受
    TO_AGENCY = "to_agency"  # 歸公
    DONATED = "donated"  # 轉贈慈善機構
    RETURNED = "returned"  # 退還
    ON_DISPLAY = "on_display"  # 展示中


class GiftItem(Tracked, table=True):
    """A kind of gift kept in stock, e.g. 高雄熊抱枕."""

    __tablename__ = "gift_item"
    name: str = Field(max_length=80, unique=True)
    name_en: str = Field(default="", max_length=120)  # for partner cities; empty: not known
    description: str = Field(default="", max_length=500)
    kind: GiftKind = Field(default=GiftKind.GIFT, sa_type=enum_type(GiftKind))
    unit: str = Field(default="個", max_length=10)
    unit_value: int = Field(default=0, ge=0, le=10_000_000)  # NT$
    low_stock_threshold: int = Field(default=0, ge=0, le=1_000_000)
    active: bool = Field(default=True)


class GiftMovement(Tracked, table=True):
    """Stock in or out; an out movement names who received it and for which occasion."""

    __tablename__ = "gift_movement"
    item_id: int = Field(foreign_key="gift_item.id", ondelete="RESTRICT", index=True)
    moved_on: date = Field(index=True)
    direction: MovementDirection = Field(sa_type=enum_type(MovementDirection))
    quantity: int = Field(ge=1, le=1_000_000)
    counterpart: str = Field(default="", max_length=160)
    reception_id: int | None = Field(
        default=None, foreign_key="reception.id", ondelete="SET NULL", index=True
    )
    event_id: int | None = Field(
        default=None, foreign_key="exchange_event.id", ondelete="SET NULL", index=True
    )
    city_id: int | None = Field(
        default=None, foreign_key="partner_city.id", ondelete="SET NULL", index=True
    )
    note: str = Field(default="", max_length=500, schema_extra=MULTILINE)
    # The quantity is an estimate (not counted from the books): marked wherever it is summed.
    is_estimate: bool = Field(default=False)


class GiftReceived(Tracked, table=True):
    """One gift received by an official, as the ethics office (政風) registers it."""

    __tablename__ = "gift_received"
    received_on: date = Field(index=True)
    donor: str = Field(max_length=160)  # government or organisation
    presenting_person: str = Field(default="", max_length=120)
    donor_country: str = Field(default="", max_length=40)
    recipient_official: str = Field(max_length=60)
    recipient_title: str = Field(default="", max_length=60)
    description: str = Field(max_length=500)
    estimated_value: int = Field(ge=0, le=100_000_000)  # NT$
    occasion: str = Field(default="", max_length=200)
    official_courtesy: bool = Field(default=True)  # 公務禮儀
    donor_has_interest: bool = Field(default=False)  # 與職務有利害關係
    disposition: Disposition = Field(default=Disposition.PENDING, sa_type=enum_type(Disposition))
    # The day it actually went back, with disposition 退還; empty while the return is pending.
    returned_on: date | None = Field(default=None)
    report_filed_on: date | None = Field(default=None)  # 簽報日期: written report to the superior
    ethics_notified_on: date | None = Field(default=None)
    location: str = Field(default="", max_length=120)
    # Items presented together share a group and are valued together.
    group_ref: str = Field(default="", max_length=40)
    reception_id: int | None = Field(
        default=None, foreign_key="reception.id", ondelete="SET NULL", index=True
    )
    event_id: int | None = Field(
        default=None, foreign_key="exchange_event.id", ondelete="SET NULL", index=True
    )
    city_id: int | None = Field(
        default=None, foreign_key="partner_city.id", ondelete="SET NULL", index=True
    )
