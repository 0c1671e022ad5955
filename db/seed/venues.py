"""Venues of the 四維 and 鳳山 centres; bookings 2020–2026 never overlap (207/2,041 in period)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session

from db.models import BookingKind, BookingPurpose, BookingStatus, Centre, Venue, VenueBooking
from db.models import VenueKind as VK
from db.seed.common import (
    AGENCIES,
    DEMO_TODAY,
    activity,
    add_flush,
    bulk,
    chunks,
    days,
    rng,
)

P = BookingPurpose
EVENTS_IN_PERIOD, MEETINGS_IN_PERIOD = 207, 2041  # the report's figures
EVENTS_PER_MONTH, MEETINGS_PER_MONTH = 24, 240

# fmt: off
VENUES: tuple[tuple[Centre, str, VK, int], ...] = (
    (Centre.SIWEI, "地下2樓大禮堂", VK.HALL, 800),
    (Centre.SIWEI, "中庭展覽區", VK.EXHIBITION, 200),
    (Centre.SIWEI, "第一會議室", VK.MEETING_ROOM, 60),
    (Centre.SIWEI, "第二會議室", VK.MEETING_ROOM, 40),
    (Centre.SIWEI, "第三會議室", VK.MEETING_ROOM, 30),
    (Centre.SIWEI, "第四會議室", VK.MEETING_ROOM, 120),
    (Centre.FENGSHAN, "禮堂", VK.HALL, 500),
    (Centre.FENGSHAN, "第一會議室", VK.MEETING_ROOM, 80),
    (Centre.FENGSHAN, "第二會議室", VK.MEETING_ROOM, 50),
    (Centre.FENGSHAN, "第三會議室", VK.MEETING_ROOM, 36),
    (Centre.FENGSHAN, "第四會議室", VK.MEETING_ROOM, 20),
)
# fmt: on
ROOMS_EN = {"第一": "1", "第二": "2", "第三": "3", "第四": "4"}
HALLS_EN = {"地下2樓大禮堂": "Auditorium (B2)", "中庭展覽區": "Atrium exhibition area",
            "禮堂": "Auditorium"}  # fmt: skip


def venue_name_en(name: str) -> str:
    """Meeting Room 1 for 第一會議室; the halls by name."""
    if name.endswith("會議室") and name[:2] in ROOMS_EN:
        return f"Meeting Room {ROOMS_EN[name[:2]]}"
    return HALLS_EN.get(name, "")


HALL_SLOTS = ((8, 12), (13, 17), (18, 22))  # the centres' published time slots
EXHIBITION_SLOTS = ((9, 17),)  # an exhibition day is one opening
EVENT_TITLES = {
    P.POLICY: "政令宣導活動",
    P.MARKETING: "市政行銷記者會",
    P.ACADEMIC: "專業研習",
    P.SOCIAL_EDUCATION: "社教講座",
    P.LECTURE: "專題演講",
    P.EXHIBITION: "成果展",
    P.PERFORMANCE: "藝文表演",
}
# fmt: off
MEETING_TITLES = (
    "業務會報", "工作協調會議", "專案推動會議", "預算審查會議", "跨局處聯繫會議", "教育訓練",
    "評選會議", "主管會報",
)
# fmt: on
CEREMONY = (date(2022, 8, 10), 0, (8, 12))  # 2022年績優基層人員表揚, 四維 地下2樓大禮堂
DAEJEON_EXHIBITION = (date(2022, 9, 16), date(2022, 10, 14))
Cand = tuple[date, int, tuple[int, int]]  # day, venue index, (start hour, end hour)


def _event_candidates(start: date, end: date) -> list[Cand]:
    out: list[Cand] = []
    for d in days(start, end - timedelta(days=1)):
        if d.weekday() == 6:
            continue
        for vi, (_c, _n, kind, _cap) in enumerate(VENUES):
            if kind == VK.MEETING_ROOM or (d.weekday() == 5 and kind != VK.HALL):
                continue  # Saturdays: only the halls, for performances
            for slot in EXHIBITION_SLOTS if kind == VK.EXHIBITION else HALL_SLOTS:
                out.append((d, vi, slot))
    return out


def _meeting_candidates(start: date, end: date, r: random.Random) -> list[Cand]:
    """Per room and weekday a chain of 1–3 hour blocks in 08–18 that never overlap."""
    out: list[Cand] = []
    for d in days(start, end - timedelta(days=1)):
        if d.weekday() >= 5:
            continue
        for vi, (_c, _n, kind, _cap) in enumerate(VENUES):
            if kind != VK.MEETING_ROOM:
                continue
            t = 8 + r.choice((0, 0, 0, 1))
            while True:
                length = r.choice((1, 1, 2, 2, 2, 3))
                if t + length > 18:
                    break
                out.append((d, vi, (t, t + length)))
                t += length + r.choice((0, 0, 1))
    return out


def _row(c: Cand, kind: BookingKind, status: BookingStatus, r: random.Random) -> dict[str, Any]:
    d, vi, (h0, h1) = c
    _centre, _name, vkind, cap = VENUES[vi]
    agency = r.choice(AGENCIES)
    if kind == BookingKind.MEETING:
        purpose, title = P.MEETING, agency + r.choice(MEETING_TITLES)
        attendees = r.randint(max(4, cap // 5), cap)
    else:
        purpose = (
            P.EXHIBITION
            if vkind == VK.EXHIBITION
            else r.choice([p for p in EVENT_TITLES if p != P.EXHIBITION])
        )
        title = agency + EVENT_TITLES[purpose]
        attendees = r.randint(cap // 8, cap * 9 // 10)
    return {
        "venue_id": vi,
        "starts_at": datetime.combine(d, time(h0)),
        "ends_at": datetime.combine(d, time(h1)),
        "title": title,
        "organiser_agency": agency,
        "purpose": purpose,
        "kind": kind,
        "attendees": attendees,
        "status": status,
    }


def _forced_events(r: random.Random) -> list[dict[str, Any]]:
    """Bookings the report names: the award ceremony and the Daejeon exhibition days."""
    day, vi, slot = CEREMONY
    ceremony = _row((day, vi, slot), BookingKind.EVENT, BookingStatus.APPROVED, r)
    ceremony.update(
        title="2022年績優基層人員表揚典禮",
        organiser_agency="行政暨國際處",
        purpose=P.POLICY,
        attendees=300,
    )
    rows = [ceremony]
    exh = next(i for i, v in enumerate(VENUES) if v[2] == VK.EXHIBITION)
    for d in days(*DAEJEON_EXHIBITION):
        if d.weekday() < 5 and d != date(2022, 10, 10):  # closed on National Day
            row = _row((d, exh, EXHIBITION_SLOTS[0]), BookingKind.EVENT, BookingStatus.APPROVED, r)
            row.update(
                title="高雄市與大田市締結友好城市5周年紀念展",
                organiser_agency="行政暨國際處",
                attendees=r.randint(60, 180),
            )
            rows.append(row)
    return rows


def _pick(
    kind: BookingKind, cands: list[Cand], n: int, forced: list[dict[str, Any]], r: random.Random
) -> list[dict[str, Any]]:
    """n approved bookings (forced first), plus a few rejected and cancelled applications."""
    taken = {
        (f["starts_at"].date(), f["venue_id"], (f["starts_at"].hour, f["ends_at"].hour))
        for f in forced
    }
    free = [c for c in cands if c not in taken]
    chosen = r.sample(free, n - len(forced))
    rows = forced + [_row(c, kind, BookingStatus.APPROVED, r) for c in chosen]
    # Rejected ones take free slots too; cancelled ones may sit on top of approved ones.
    left = list(set(free) - set(chosen))
    left.sort()
    rows += [_row(c, kind, BookingStatus.REJECTED, r) for c in r.sample(left, n // 40)]
    rows += [_row(c, kind, BookingStatus.CANCELLED, r) for c in r.sample(cands, n // 25)]
    return rows


def load(session: Session) -> None:
    venues = [
        Venue(centre=c, name=n, name_en=venue_name_en(n), kind=k, capacity=cap)
        for c, n, k, cap in VENUES
    ]
    add_flush(session, venues)
    r = rng("venues")
    rows: list[dict[str, Any]] = []
    for start, end, is_period in chunks():
        ev_c = _event_candidates(start, end)
        mt_c = _meeting_candidates(start, end, r)
        if is_period:
            n_ev, n_mt, forced = EVENTS_IN_PERIOD, MEETINGS_IN_PERIOD, _forced_events(r)
        else:
            f = activity(start, end, r)
            n_ev, n_mt, forced = round(EVENTS_PER_MONTH * f), round(MEETINGS_PER_MONTH * f), []
        rows += _pick(BookingKind.EVENT, ev_c, n_ev, forced, r)
        rows += _pick(BookingKind.MEETING, mt_c, n_mt, [], r)
    # Applications from today on are partly still waiting for a decision.
    last = DEMO_TODAY
    for row in rows:
        row["venue_id"] = venues[row["venue_id"]].id
        pending = row["status"] == BookingStatus.APPROVED and row["starts_at"].date() >= last
        if pending and r.random() < 0.3:
            row["status"] = BookingStatus.REQUESTED
    rows.sort(key=lambda b: (b["starts_at"], b["venue_id"]))
    bulk(session, VenueBooking, rows)
