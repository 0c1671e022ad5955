"""Shared helpers for the demo data: seeded generators, bulk inserts, agency names, the period."""

from __future__ import annotations

import os
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

SEED = 20230426  # the report's date: one seed for every generator
PERIOD_START = date(2022, 7, 1)  # 111年7月1日
PERIOD_END = date(2023, 3, 15)  # 112年3月15日 (inclusive)
HISTORY_START = date(2020, 1, 1)


def _demo_today() -> date:
    """The day the demo data is made for: today in Taipei, or DEMO_TODAY (2026-12-07) to make
    the same data on any day. The report's period stays as the report states it; what staff
    work on now (open follow-ups, an ethics report due, bookings waiting for a decision, the
    coming weeks' trips) is placed around this day, so the demo reads the same on any date."""
    fixed = os.environ.get("DEMO_TODAY", "").strip()
    if fixed:
        return date.fromisoformat(fixed)
    return datetime.now(ZoneInfo("Asia/Taipei")).date()


DEMO_TODAY = _demo_today()
# Bookings and trips run six weeks past today: what is planned, as staff see it.
HISTORY_END = DEMO_TODAY + timedelta(days=45)


def weekday_before(day: date) -> date:
    """The day itself, or the Friday before a weekend day."""
    return day - timedelta(days=max(0, day.weekday() - 4))


# The latest reception: a visit 19 days ago (on a weekday), with an ethics report still owed
# for the gift received at it and a thank-you letter due.
RECENT_VISIT = weekday_before(DEMO_TODAY - timedelta(days=19))

# Kaohsiung City Government agencies (real names) that book venues, borrow cars, employ staff.
# fmt: off
AGENCIES: tuple[str, ...] = (
    "民政局", "財政局", "教育局", "經濟發展局", "海洋局", "農業局", "觀光局", "都市發展局",
    "工務局", "水利局", "社會局", "勞工局", "警察局", "消防局", "衛生局", "環境保護局", "交通局",
    "文化局", "捷運工程局", "新聞局", "地政局", "法制局", "兵役處", "原住民事務委員會",
    "客家事務委員會", "行政暨國際處", "人事處", "主計處", "研究發展考核委員會", "政風處",
    "運動發展局", "青年局", "資訊局", "稅捐稽徵處",
)
# fmt: on


def rng(tag: str) -> random.Random:
    """A generator per topic: str seeds hash with SHA-512, so runs and processes agree."""
    return random.Random(f"{SEED}:{tag}")


def days(start: date, end_inclusive: date) -> Iterable[date]:
    d = start
    while d <= end_inclusive:
        yield d
        d += timedelta(days=1)


def in_period(d: date) -> bool:
    return PERIOD_START <= d <= PERIOD_END


def bulk(session: Session, model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> int:
    """Insert many rows in one Core executemany on the session's connection (a third cheaper
    than the ORM's bulk insert); column defaults fill id, timestamps, version."""
    if rows:
        session.connection().execute(sa.insert(model.__table__), list(rows))
    return len(rows)


def add_flush(session: Session, objs: Sequence[SQLModel]) -> None:
    """Insert a few parent rows through the ORM so their ids are known (SQLite and PostgreSQL)."""
    session.add_all(objs)
    session.flush()


def allocate(total: int, weights: Sequence[float]) -> list[int]:
    """Split total into integers proportional to weights that sum exactly (largest remainder)."""
    s = float(sum(weights))
    raw = [total * w / s for w in weights]
    out = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (out[i] - raw[i], i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


@dataclass
class SeedContext:
    """Ids and dates that later generators need from earlier ones."""

    cities: dict[str, int] = field(default_factory=dict)
    events: dict[str, int] = field(default_factory=dict)
    receptions: dict[str, int] = field(default_factory=dict)
    # (visit_date, reception key, in person?) for every reception, for gifts and car trips.
    reception_dates: list[tuple[date, str, bool]] = field(default_factory=list)
    # organisation and country of each reception, so gifts name the real donor.
    reception_orgs: dict[str, tuple[str, str]] = field(default_factory=dict)


def _next_month(d: date) -> date:
    return date(d.year + d.month // 12, d.month % 12 + 1, 1)


def chunks() -> list[tuple[date, date, bool]]:
    """[start, end) pieces of 2020 to six weeks past today: months outside the period, the
    period as one piece."""
    out: list[tuple[date, date, bool]] = []
    d = HISTORY_START
    while d < PERIOD_START:
        nxt = min(_next_month(d), PERIOD_START)
        out.append((d, nxt, False))
        d = nxt
    after = PERIOD_END + timedelta(days=1)
    out.append((PERIOD_START, after, True))
    d = after
    while d <= HISTORY_END:
        nxt = _next_month(d)
        out.append((d, nxt, False))
        d = nxt
    return out


def activity(start: date, end: date, r: random.Random) -> float:
    """Months worth of ordinary activity in [start, end), with the COVID level-3 dip of 2021."""
    factor = (end - start).days / 30.44
    if date(2021, 5, 15) <= start < date(2021, 8, 1):
        factor *= 0.35  # 三級警戒: gatherings suspended
    elif start.month in (1, 2):
        factor *= 0.85  # Lunar New Year holidays
    return factor * r.uniform(0.9, 1.1)
