"""Receptions of foreign visitors: page filters, host classification, details, follow-ups."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import and_, func, or_, select, union
from sqlmodel import Session

from core.editing.tables import SPECS, Filters, TableSpec, filter_clauses
from core.kernel.cache import stamped
from core.kernel.config import get_settings
from core.kernel.periods import Period
from core.kernel.roc_dates import format_date
from db.models import (
    GiftItem,
    GiftMovement,
    GiftReceived,
    MeetingMode,
    PartnerCity,
    Reception,
    ReceptionFollowUp,
    ReceptionGuest,
    ReceptionPhoto,
    VisitorCategory,
)

# Names of the city's mayor and deputy mayors, for host texts that give a name without a title.
MAYOR_NAMES = ("陳其邁",)
DEPUTY_MAYOR_NAMES = ("羅達生",)


def _receptions() -> TableSpec:
    """The reception table's listing spec (core/visitors/tables.py): the page's picker and
    figures filter as its table does. Read when called, since the registry loads after this."""
    return SPECS["reception"]


class HostGroup(StrEnum):
    MAYOR = "mayor"  # 市長
    DEPUTY_MAYOR = "deputy_mayor"  # 副市長
    OTHER = "other"  # 其他（處長等）


class AllyChoice(StrEnum):
    ALL = "all"
    ALLY = "ally"  # 友邦
    NON_ALLY = "non_ally"  # 非友邦


def classify_host(host_official: str) -> HostGroup:
    """Mayor when the mayor hosted (also with others), else deputy mayor, else other."""
    text = " ".join((host_official or "").split())
    lower = text.lower()
    without_deputy = text.replace("副市長", "")
    if "市長" in without_deputy or any(n in text for n in MAYOR_NAMES):
        return HostGroup.MAYOR
    if "mayor" in lower.replace("deputy mayor", "").replace("vice mayor", ""):
        return HostGroup.MAYOR
    if "副市長" in text or "deputy mayor" in lower or "vice mayor" in lower:
        return HostGroup.DEPUTY_MAYOR
    if any(n in text for n in DEPUTY_MAYOR_NAMES):
        return HostGroup.DEPUTY_MAYOR
    return HostGroup.OTHER


def reception_filters(
    categories: list[VisitorCategory] | None = None,
    ally: AllyChoice = AllyChoice.ALL,
    modes: list[MeetingMode] | None = None,
) -> dict[str, list[Any]]:
    """{column: allowed values} for core.editing.tables / ui.editor.table_view; empty means all."""
    filters: dict[str, list[Any]] = {}
    if categories:
        filters["category"] = list(categories)
    if ally != AllyChoice.ALL:
        filters["is_ally"] = [ally == AllyChoice.ALLY]
    if modes:
        filters["mode"] = list(modes)
    return filters


@stamped("reception")
def reception_options(
    session: Session,
    period: Period | None,
    *,
    search: str = "",
    filters: Filters | None = None,
    also: int | None = None,
    lang: str = "zh-TW",
) -> list[tuple[int, str]]:
    """(id, label) of the receptions list_receptions finds, for a picker: four columns read,
    kept until a reception changes (the page's reruns do not read them again). also: one more
    reception listed whatever the filter (the one a link opened)."""
    r = Reception
    found = and_(*filter_clauses(_receptions(), period, search, filters))
    stmt = (
        select(r.id, r.visit_date, r.visitor_name_zh, r.country)
        .where(found if also is None else or_(found, r.id == also))
        .order_by(r.visit_date.desc(), r.id)
    )
    return [
        (rid, f"{format_date(day, lang)} {name}（{country}）")
        for rid, day, name, country in session.execute(stmt).all()
    ]


@stamped("reception", "reception_guest")
def top_countries(session: Session, period: Period, limit: int = 10) -> pd.DataFrame:
    """Countries by number of receptions in the period (ties by name), at most `limit`: each
    country of a delegation counts its reception once; meetings abroad are not visits."""
    clauses = (*filter_clauses(_receptions(), period, ""), Reception.abroad.is_(False))
    countries = union(
        select(Reception.id.label("rid"), Reception.country.label("country")).where(*clauses),
        select(ReceptionGuest.reception_id, ReceptionGuest.country)
        .join(Reception, Reception.id == ReceptionGuest.reception_id)
        .where(*clauses),
    ).subquery()
    n = func.count().label("count")
    stmt = (
        select(countries.c.country, n)
        .group_by(countries.c.country)
        .order_by(n.desc(), countries.c.country)
        .limit(limit)
    )
    return pd.DataFrame(session.execute(stmt).all(), columns=["country", "count"])


@stamped("reception")
def host_shares(session: Session, period: Period) -> pd.DataFrame:
    """Receptions per host group (mayor, deputy mayor, other) with each group's share in %
    (meetings abroad are not receptions)."""
    stmt = (
        select(Reception.host_official, func.count())
        .where(*filter_clauses(_receptions(), period, ""), Reception.abroad.is_(False))
        .group_by(Reception.host_official)
    )
    counts = dict.fromkeys(HostGroup, 0)
    for host, n in session.execute(stmt).all():
        counts[classify_host(host)] += int(n)
    total = sum(counts.values())
    rows = [(g.value, n, round(n / total * 100, 2) if total else 0.0) for g, n in counts.items()]
    return pd.DataFrame(rows, columns=["kind", "count", "share_pct"])


@dataclass
class ReceptionDetail:
    """One reception with what hangs off it: partner city, gifts, photos, follow-ups."""

    reception: Reception
    city: PartnerCity | None
    gifts_given: list[dict[str, Any]] = field(default_factory=list)
    gifts_received: list[GiftReceived] = field(default_factory=list)
    photos: list[ReceptionPhoto] = field(default_factory=list)
    follow_ups: list[ReceptionFollowUp] = field(default_factory=list)


def get_reception_detail(session: Session, reception_id: int) -> ReceptionDetail | None:
    """The reception and everything linked to it by reception_id; None when it does not exist."""
    reception = session.get(Reception, reception_id)
    if reception is None:
        return None
    city = session.get(PartnerCity, reception.city_id) if reception.city_id else None
    given = session.execute(
        select(GiftMovement.moved_on, GiftItem.name, GiftItem.unit, GiftMovement.quantity,
               GiftMovement.counterpart)
        .join(GiftItem, GiftItem.id == GiftMovement.item_id)
        .where(GiftMovement.reception_id == reception_id)
        .order_by(GiftMovement.moved_on, GiftMovement.id)
    ).all()  # fmt: skip
    received = session.execute(
        select(GiftReceived)
        .where(GiftReceived.reception_id == reception_id)
        .order_by(GiftReceived.received_on, GiftReceived.id)
    ).scalars()
    photos = session.execute(
        select(ReceptionPhoto)
        .where(ReceptionPhoto.reception_id == reception_id)
        .order_by(ReceptionPhoto.uploaded_at, ReceptionPhoto.id)
    ).scalars()
    follow_ups = session.execute(
        select(ReceptionFollowUp)
        .where(ReceptionFollowUp.reception_id == reception_id)
        .order_by(ReceptionFollowUp.done, ReceptionFollowUp.due_date, ReceptionFollowUp.id)
    ).scalars()
    return ReceptionDetail(
        reception=reception,
        city=city,
        gifts_given=[dict(r._mapping) for r in given],
        gifts_received=list(received),
        photos=list(photos),
        follow_ups=list(follow_ups),
    )


def taipei_today(now: datetime | None = None) -> date:
    """Today's date on the city's wall clock (settings.timezone, Asia/Taipei)."""
    zone = ZoneInfo(get_settings().timezone)
    return (now.astimezone(zone) if now else datetime.now(zone)).date()


def overdue_follow_ups(session: Session, today: date | None = None) -> list[dict[str, Any]]:
    """Follow-ups not done whose due date is before today (Taipei), oldest due first."""
    today = today or taipei_today()
    f = ReceptionFollowUp
    stmt = (
        select(f.id, f.reception_id, f.action_item, f.owner, f.due_date, Reception.visitor_name_zh,
               Reception.visit_date)
        .join(Reception, Reception.id == f.reception_id)
        .where(f.done.is_(False), f.due_date.is_not(None), f.due_date < today)
        .order_by(f.due_date, f.id)
    )  # fmt: skip
    return [dict(r._mapping) | {"days_overdue": (today - r.due_date).days}
            for r in session.execute(stmt)]  # fmt: skip
