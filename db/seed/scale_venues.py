"""Scaled venues and bookings: two new venues per N at the centres, bookings day by day.

Per N: one meeting room, and one hall, meeting room, multi-purpose room or exhibition room in
turn. Active bookings of a venue never overlap (each venue's day is one chain of blocks);
rejected applications sit on a slot that was already approved, as they do in life.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from db.models import BookingKind, BookingPurpose, BookingStatus, Centre, VenueKind
from db.seed.common import AGENCIES
from db.seed.scale_common import HOLIDAYS, Span, activity, created_at, is_workday, rng, value
from db.seed.venues import EVENT_TITLES, MEETING_TITLES

P, S, K = BookingPurpose, BookingStatus, BookingKind
CENTRE_NAMES = {Centre.SIWEI: "四維行政中心", Centre.FENGSHAN: "鳳山行政中心"}
# The marker of scale data: every generated venue's name starts with its centre's name.
NAME_PREFIXES = tuple(f"{name} 第" for name in CENTRE_NAMES.values())
FIRST_NUMBER = 11  # the demo has 第一…第四會議室; generated rooms start at 第11
MEETING_CAPACITIES = (12, 20, 24, 30, 36, 40, 50, 60, 80, 100, 120)
# role, kind, name suffix, capacities: the second venue of each N, in turn
SECOND = (
    ("hall", VenueKind.HALL, "會議廳", (150, 200, 240, 300, 400)),
    ("meeting", VenueKind.MEETING_ROOM, "會議室", MEETING_CAPACITIES),
    ("multi", VenueKind.HALL, "多功能活動室", (60, 80, 120, 150)),
    ("exhibition", VenueKind.EXHIBITION, "展覽室", (80, 100, 150, 200)),
)
SLOTS = ((8, 12), (13, 17), (18, 22))  # the centres' published slots for halls
HALL_ODDS = {"weekday": (0.45, 0.40, 0.25), "saturday": (0.30, 0.35, 0.30)}
# fmt: off
EVENT_PURPOSES = (P.POLICY, P.MARKETING, P.ACADEMIC, P.SOCIAL_EDUCATION, P.LECTURE, P.PERFORMANCE,
                  P.MEETING)
HALL_WEIGHTS = {"hall": (20, 12, 15, 15, 15, 10, 13), "multi": (10, 5, 25, 30, 15, 5, 10),
                "evening": (5, 5, 10, 20, 20, 40, 0)}
# fmt: on
ROOM_EVENTS = (P.LECTURE, P.ACADEMIC, P.SOCIAL_EDUCATION, P.POLICY)
COLUMNS = (
    "venue_id", "starts_at", "ends_at", "title", "organiser_agency", "purpose", "kind",
    "attendees", "status", "created_at", "updated_at", "version",
)  # fmt: skip
Venue = tuple[str, int]  # role, capacity


def venue_specs(n: int) -> list[dict[str, Any]]:
    """The 2·n venues to create, with the role each one's bookings follow (not stored)."""
    numbers: dict[tuple[Centre, str], int] = {}
    specs = []
    for i in range(n):
        first = Centre.SIWEI if i % 2 == 0 else Centre.FENGSHAN
        other = Centre.FENGSHAN if first is Centre.SIWEI else Centre.SIWEI
        caps = MEETING_CAPACITIES
        role, kind, suffix, second_caps = SECOND[i % len(SECOND)]
        for centre, r, k, suf, cap in (
            (first, "meeting", VenueKind.MEETING_ROOM, "會議室", caps[i % len(caps)]),
            (other, role, kind, suffix, second_caps[i // len(SECOND) % len(second_caps)]),
        ):
            number = numbers.get((centre, suf), FIRST_NUMBER)
            numbers[(centre, suf)] = number + 1
            name = f"{CENTRE_NAMES[centre]} 第{number}{suf}"
            specs.append(dict(centre=centre, name=name, kind=k, capacity=cap, role=r))
    return specs


def _at(d: date, minutes: int) -> datetime:
    return datetime.combine(d, time()) + timedelta(minutes=minutes)


def _row(
    vid: int, d: date, span: tuple[int, int], purpose: P, cap: int, status: S, r: random.Random
) -> tuple[Any, ...]:
    agency = r.choice(AGENCIES)
    if purpose is P.MEETING:
        kind, title = K.MEETING, agency + r.choice(MEETING_TITLES)
        attendees = r.randint(max(2, cap // 5), cap)
    else:
        kind, title = K.EVENT, agency + EVENT_TITLES[purpose]
        attendees = r.randint(max(1, cap // 8), cap * 9 // 10)
    made = created_at(d, 14 + d.day % 20)  # applied for 14 days ahead or more
    return (
        vid, _at(d, span[0]), _at(d, span[1]), title, agency, value(purpose), value(kind),
        attendees, value(status), made, made, 1,
    )  # fmt: skip


def _status(r: random.Random) -> S:
    return S.CANCELLED if r.random() < 0.05 else S.APPROVED


def _with_rejection(row: tuple[Any, ...], r: random.Random) -> list[tuple[Any, ...]]:
    """The approved booking, and now and then an application for the same slot, turned down."""
    if row[8] != S.APPROVED.value or r.random() >= 0.03:
        return [row]
    other = r.choice(AGENCIES)
    rejected = (*row[:3], other + row[3][len(row[4]) :], other, *row[5:8], S.REJECTED.value,
                *row[9:])  # fmt: skip
    return [row, rejected]


def _meeting_day(vid: int, cap: int, d: date, r: random.Random) -> list[tuple[Any, ...]]:
    """A chain of 1–3 hour blocks between 08:00 and 18:00, about 3 of them booked."""
    out: list[tuple[Any, ...]] = []
    keep = 0.72 * activity(d)
    t = 480 + r.choice((0, 0, 30, 60))
    while True:
        length = r.choice((60, 60, 90, 120, 120, 180))
        if t + length > 1080:
            return out
        if r.random() < keep:
            purpose = P.MEETING if r.random() < 0.88 else r.choice(ROOM_EVENTS)
            out += _with_rejection(_row(vid, d, (t, t + length), purpose, cap, _status(r), r), r)
        t += length + r.choice((0, 0, 30, 60))


def _hall_day(vid: int, role: str, cap: int, d: date, r: random.Random) -> list[tuple[Any, ...]]:
    """Each published slot booked by chance; a booked morning and afternoon may be one day."""
    odds = HALL_ODDS["saturday" if d.weekday() == 5 else "weekday"]
    booked = [s for s, p in zip(SLOTS, odds, strict=True) if r.random() < p * activity(d)]
    if booked[:2] == [SLOTS[0], SLOTS[1]] and r.random() < 0.2:
        booked = [(8, 17), *booked[2:]]
    out: list[tuple[Any, ...]] = []
    for h0, h1 in booked:
        weights = HALL_WEIGHTS["evening" if h0 >= 18 else role]
        purpose = r.choices(EVENT_PURPOSES, weights)[0]
        row = _row(vid, d, (h0 * 60, h1 * 60), purpose, cap, _status(r), r)
        out += _with_rejection(row, r)
    return out


class _Exhibitions:
    """Exhibitions run for 5–20 opening days, one booking a day, with gaps between them."""

    def __init__(self) -> None:
        self.left: dict[int, tuple[int, str, str]] = {}  # venue id: (days left, title, agency)

    def day(self, vid: int, cap: int, d: date, r: random.Random) -> list[tuple[Any, ...]]:
        days_left, title, agency = self.left.get(vid, (0, "", ""))
        if days_left == 0:
            if r.random() >= 0.25 * activity(d):
                return []
            agency = r.choice(AGENCIES)
            days_left, title = r.randint(5, 20), agency + EVENT_TITLES[P.EXHIBITION]
        self.left[vid] = (days_left - 1, title, agency)
        opens = 600 if d.weekday() == 5 else 540
        made = created_at(d, 30)
        return [
            (vid, _at(d, opens), _at(d, 1020), title, agency, P.EXHIBITION.value,
             K.EVENT.value, r.randint(max(1, cap // 8), cap * 9 // 10), S.APPROVED.value, made,
             made, 1)
        ]  # fmt: skip


def bookings(span: Span, venues: list[tuple[int, dict[str, Any]]]) -> Iterator[Any]:
    """(fraction done, rows) per day of the span, every venue's bookings of that day."""
    r = rng("venue_booking", span.n)
    exhibitions = _Exhibitions()
    for i, d in span.days():
        workday, saturday = is_workday(d), d.weekday() == 5 and d not in HOLIDAYS
        rows: list[tuple[Any, ...]] = []
        for vid, spec in venues:
            role, cap = spec["role"], spec["capacity"]
            if role == "meeting":
                if workday:
                    rows += _meeting_day(vid, cap, d, r)
            elif workday or saturday:
                if role == "exhibition":
                    rows += exhibitions.day(vid, cap, d, r)
                else:
                    rows += _hall_day(vid, role, cap, d, r)
        yield (i + 1) / span.total_days, rows
