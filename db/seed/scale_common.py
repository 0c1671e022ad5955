"""Shared pieces of the scale generator: the span, working days, seeded generators, timestamps."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from db.seed.common import SEED

LAST_YEAR = 2025  # the scaled history ends on 2025-12-31
MAX_YEARS = 10
MAX_N = 1000  # N=100 is about 1.5M rows; a typo like 10000 would fill the disk
COVID_LEVEL3 = (date(2021, 5, 15), date(2021, 8, 1))  # 三級警戒: gatherings suspended

# Taiwan's public holidays that move or matter most: Lunar New Year's Eve (five days off from
# it), Dragon Boat and Mid-Autumn Festivals, 2016–2025.
# fmt: off
LUNAR_NEW_YEAR_EVE = (
    date(2016, 2, 7), date(2017, 1, 27), date(2018, 2, 15), date(2019, 2, 4), date(2020, 1, 24),
    date(2021, 2, 11), date(2022, 1, 31), date(2023, 1, 21), date(2024, 2, 9), date(2025, 1, 28),
)
FESTIVALS = (
    date(2016, 6, 9), date(2017, 5, 30), date(2018, 6, 18), date(2019, 6, 7), date(2020, 6, 25),
    date(2021, 6, 14), date(2022, 6, 3), date(2023, 6, 22), date(2024, 6, 10), date(2025, 5, 31),
    date(2016, 9, 15), date(2017, 10, 4), date(2018, 9, 24), date(2019, 9, 13), date(2020, 10, 1),
    date(2021, 9, 21), date(2022, 9, 10), date(2023, 9, 29), date(2024, 9, 17), date(2025, 10, 6),
)
# fmt: on
FIXED_HOLIDAYS = ((1, 1), (2, 28), (4, 4), (4, 5), (10, 10))
HOLIDAYS = frozenset(
    [eve + timedelta(days=k) for eve in LUNAR_NEW_YEAR_EVE for k in range(5)]
    + list(FESTIVALS)
    + [date(y, m, d) for y in range(LAST_YEAR - MAX_YEARS + 1, LAST_YEAR + 1)
       for m, d in FIXED_HOLIDAYS]
)  # fmt: skip


@dataclass(frozen=True)
class Span:
    """The scaled history: the last `years` whole years up to 2025-12-31."""

    n: int
    years: int

    @property
    def start(self) -> date:
        return date(LAST_YEAR - self.years + 1, 1, 1)

    @property
    def end(self) -> date:
        """The last day, inclusive."""
        return date(LAST_YEAR, 12, 31)

    @property
    def total_days(self) -> int:
        return (self.end - self.start).days + 1

    def days(self) -> Iterator[tuple[int, date]]:
        """(index, day) for every day of the span, oldest first."""
        for i in range(self.total_days):
            yield i, self.start + timedelta(days=i)

    def months(self) -> Iterator[date]:
        """The last day of every month of the span."""
        for year in range(self.start.year, LAST_YEAR + 1):
            for month in range(1, 13):
                yield date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def rng(table: str, n: int) -> random.Random:
    """One generator per table and N (str seeds hash with SHA-512: stable across processes)."""
    return random.Random(f"{SEED}:scale:{n}:{table}")


def is_workday(d: date) -> bool:
    return d.weekday() < 5 and d not in HOLIDAYS


def activity(d: date) -> float:
    """How busy a day is compared with an ordinary one: gatherings stopped in the 2021 alert."""
    return 0.35 if COVID_LEVEL3[0] <= d < COVID_LEVEL3[1] else 1.0


def draw_count(expected: float, r: random.Random) -> int:
    """An integer with the given mean and the least spread: floor, plus one by chance."""
    whole = int(expected)
    return whole + (1 if r.random() < expected - whole else 0)


@lru_cache(maxsize=8192)
def created_at(d: date, days_before: int = 0) -> datetime:
    """A row's creation time derived from its own date (09:00 Taipei, days_before earlier):
    deterministic, unlike the clock, and plausible (a booking is applied for weeks ahead)."""
    return datetime(d.year, d.month, d.day, 1, 0, tzinfo=UTC) - timedelta(days=days_before)


def value(member: object) -> object:
    """An enum member as the string stored in its VARCHAR column (COPY needs plain values)."""
    return getattr(member, "value", member)
