"""International side: partner cities, exchange events, receptions and gifts."""

from __future__ import annotations

from datetime import date, time
from enum import StrEnum

from sqlmodel import Field

from db.models.base import MULTILINE, Tracked, enum_type


class TieType(StrEnum):
    SISTER = "sister"  # 姊妹市
    FRIENDSHIP = "friendship"  # 友好城市
    FRIENDSHIP_EXCHANGE = "friendship_exchange"  # 友好交流
    PARTNER = "partner"  # 夥伴城市


class DatePrecision(StrEnum):
    """How much of a date a source gives: only the year is known for some early ties."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"


class EventKind(StrEnum):
    VISIT_OUT = "visit_out"  # 出訪
    VISIT_IN = "visit_in"  # 來訪
    VIDEO_CALL = "video_call"  # 視訊會議
    EXHIBITION = "exhibition"  # 展覽
    ANNIVERSARY = "anniversary"  # 締盟紀念
    YOUTH = "youth"  # 青年交流
    DONATION = "donation"  # 捐贈
    PROJECT = "project"  # 專案
    OTHER = "other"


class VisitorCategory(StrEnum):
    HEAD_OF_GOVERNMENT = "head_of_government"  # 元首／總理
    MINISTER = "minister"  # 部長／次長
    AMBASSADOR = "ambassador"  # 大使／使節
    REPRESENTATIVE = "representative"  # 駐台代表處
    GOVERNOR_MAYOR = "governor_mayor"  # 首長（知事、市長）
    LEGISLATOR = "legislator"  # 議員
    BUSINESS = "business"  # 商務
    DELEGATION = "delegation"  # 代表團
    OTHER = "other"


class MeetingMode(StrEnum):
    IN_PERSON = "in_person"
    VIDEO = "video"


class PartnerCity(Tracked, table=True):
    """A city tied to Kaohsiung by a twinning or friendship agreement."""

    __tablename__ = "partner_city"
    name_zh: str = Field(max_length=60, unique=True)
    name_original: str = Field(max_length=120)
    name_en: str = Field(max_length=120)
    country: str = Field(max_length=40, index=True)
    country_code: str = Field(max_length=2)
    region: str = Field(max_length=20)
    tie_type: TieType = Field(sa_type=enum_type(TieType))
    signed_on: date = Field(index=True)
    signed_precision: DatePrecision = Field(
        default=DatePrecision.DAY, sa_type=enum_type(DatePrecision)
    )
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    timezone: str = Field(max_length=40)
    note: str = Field(default="", max_length=500, schema_extra=MULTILINE)


class ExchangeEvent(Tracked, table=True):
    """An exchange with partner cities: visit, video call, exhibition, youth programme…"""

    __tablename__ = "exchange_event"
    title: str = Field(max_length=200)
    title_en: str = Field(default="", max_length=200)  # for partner cities; empty: not known
    kind: EventKind = Field(sa_type=enum_type(EventKind))
    start_date: date = Field(index=True)
    # Asia/Taipei wall time of day: start_time on start_date, end_time on end_date; unknown
    # times stay empty (the event is then shown as all-day).
    start_time: time | None = Field(default=None)
    end_date: date = Field(index=True)
    end_time: time | None = Field(default=None)
    location: str = Field(default="", max_length=120)
    participants: str = Field(default="", max_length=500, schema_extra=MULTILINE)
    summary: str = Field(default="", max_length=2000, schema_extra=MULTILINE)
    summary_en: str = Field(default="", max_length=3000, schema_extra=MULTILINE)
    # The tie anniversary this event celebrates with its cities (締盟40周年紀念展 → 40): what a
    # briefing names, since a tie known only to the year has no anniversary day of its own.
    milestone_years: int | None = Field(default=None, ge=1, le=200)
    # The source gives no dates (or no end): the dates are placed in the period and must not be
    # printed as fact (「日期待確認」).
    dates_are_estimates: bool = Field(default=False)


class ExchangeEventCity(Tracked, table=True):
    """Which partner cities an exchange event involves (many to many)."""

    __tablename__ = "exchange_event_city"
    event_id: int = Field(foreign_key="exchange_event.id", ondelete="CASCADE", index=True)
    city_id: int = Field(foreign_key="partner_city.id", ondelete="RESTRICT", index=True)


class Reception(Tracked, table=True):
    """A foreign visitor received by the city (in person or by video), by arrival date."""

    __tablename__ = "reception"
    visit_date: date = Field(index=True)
    start_time: time | None = Field(default=None)  # Asia/Taipei wall time, when known
    # Dates the report does not state are placed in its listing order and marked.
    date_is_estimate: bool = Field(default=False)
    visitor_name_zh: str = Field(max_length=120)
    visitor_name_original: str = Field(default="", max_length=160)
    title: str = Field(default="", max_length=120)
    title_en: str = Field(default="", max_length=120)  # for partner cities; empty: not known
    organisation: str = Field(default="", max_length=160)
    organisation_en: str = Field(default="", max_length=200)
    country: str = Field(max_length=40, index=True)
    category: VisitorCategory = Field(sa_type=enum_type(VisitorCategory))
    is_ally: bool = Field(default=False)
    host_official: str = Field(default="", max_length=60)
    mode: MeetingMode = Field(default=MeetingMode.IN_PERSON, sa_type=enum_type(MeetingMode))
    delegation_size: int = Field(default=1, ge=1, le=1000)
    # Met abroad (the mayor in Tokyo): a meeting, not a visitor to Kaohsiung; it is not counted
    # among the receptions or their countries.
    abroad: bool = Field(default=False)
    topics: str = Field(default="", max_length=500, schema_extra=MULTILINE)
    city_id: int | None = Field(
        default=None, foreign_key="partner_city.id", ondelete="SET NULL", index=True
    )
    summary: str = Field(default="", max_length=2000, schema_extra=MULTILINE)
    summary_en: str = Field(default="", max_length=3000, schema_extra=MULTILINE)
