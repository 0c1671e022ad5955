"""The car pool (incl. the 9-seat 禮賓車), drivers and trips 2020–2026 (770 + 51 in the period)."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from functools import cache
from itertools import accumulate
from typing import Any

from sqlmodel import Session

from db.models import Driver, FuelType, Trip, TripPurpose, TripType, Vehicle, VehicleKind
from db.seed.common import (
    AGENCIES,
    SeedContext,
    activity,
    add_flush,
    bulk,
    chunks,
    days,
    rng,
)

VK, FT, TP = VehicleKind, FuelType, TripPurpose
DISPATCH_IN_PERIOD, LOANS_IN_PERIOD = 770, 51  # the report's figures
DISPATCH_PER_MONTH, LOANS_PER_MONTH = 90, 6

# plate, kind, model, seats, fuel, km per litre
# fmt: off
VEHICLES: tuple[tuple, ...] = (
    ("RDA-3301", VK.SEDAN, "Toyota Corolla Altis", 5, FT.GASOLINE, 13.5),
    ("RDA-3302", VK.SEDAN, "Toyota Corolla Altis", 5, FT.GASOLINE, 13.5),
    ("RDB-1218", VK.SEDAN, "Toyota Camry Hybrid", 5, FT.HYBRID, 19.5),
    ("RDB-1219", VK.SEDAN, "Toyota Camry Hybrid", 5, FT.HYBRID, 19.5),
    ("RBF-6025", VK.SEDAN, "Nissan Sentra", 5, FT.GASOLINE, 14.0),
    ("RBF-6026", VK.SEDAN, "Nissan Sentra", 5, FT.GASOLINE, 14.0),
    ("RCK-7710", VK.SEDAN, "Toyota Corolla Cross Hybrid", 5, FT.HYBRID, 21.0),
    ("RAM-8832", VK.VAN, "Toyota Hiace", 11, FT.DIESEL, 9.5),
    ("RAM-8833", VK.VAN, "Mitsubishi Delica", 8, FT.GASOLINE, 9.0),
    ("RCH-2207", VK.VAN, "Ford Tourneo Custom", 9, FT.DIESEL, 10.5),
    ("RCH-2208", VK.VAN, "Toyota Sienta", 7, FT.GASOLINE, 14.5),
    ("RFG-5566", VK.VIP_VAN, "Toyota Granvia 9人座禮賓車", 9, FT.GASOLINE, 8.0),
)
# fmt: on
VIP = len(VEHICLES) - 1
WEEKEND_CARS = (0, 7)  # a sedan and a van stay on call at weekends
# fmt: off
DRIVERS = (
    "陳建宏", "林志明", "黃俊傑", "張家豪", "李文雄", "王振義", "吳明德", "劉國華", "蔡宗翰",
    "楊世昌", "許正雄", "鄭永福",
)
# fmt: on
# destination, km range, duration range in hours, weight (near ones far more often)
# fmt: off
DESTS: tuple[tuple[str, int, int, float, float, int], ...] = (
    ("高雄市議會", 6, 14, 1, 2, 14),
    ("鳳山行政中心", 16, 26, 1.5, 3, 14),
    ("高雄國際航空站", 14, 24, 1, 2, 8),
    ("高鐵左營站", 12, 20, 1, 2, 8),
    ("行政院南部聯合服務中心", 8, 16, 1, 2, 6),
    ("駁二藝術特區", 8, 14, 1, 2, 6),
    ("衛武營國家藝術文化中心", 12, 20, 1, 3, 5),
    ("岡山區公所", 40, 56, 2, 3, 4),
    ("林園區公所", 40, 60, 2, 3, 3),
    ("茄萣區公所", 50, 70, 2, 3, 2),
    ("旗山區公所", 70, 90, 3, 4, 3),
    ("美濃區公所", 84, 110, 3, 5, 2),
    ("甲仙區公所", 130, 160, 5, 7, 1),
    ("那瑪夏區公所", 200, 250, 7, 9, 1),
    ("屏東縣政府", 50, 70, 2, 4, 3),
    ("臺南市政府", 80, 110, 3, 5, 3),
)
# fmt: on
# fmt: off
DISPATCH_PURPOSES = (
    (TP.OFFICIAL, 40),
    (TP.OFFICIALS, 25),
    (TP.DOCUMENTS, 15),
    (TP.EVENT_SUPPORT, 12),
    (TP.OTHER, 3),
)
# fmt: on
# fmt: off
LOAN_AGENCIES = (
    "經濟發展局", "觀光局", "海洋局", "文化局", "教育局", "運動發展局", "民政局", "新聞局",
    "農業局", "衛生局",
)
# fmt: on
Cand = tuple[date, int, int, int, int]  # day, vehicle, start minute, end minute, destination


@cache
def _dest_weights(max_hours: float) -> tuple[list[int], list[int]]:
    """The destinations reachable within max_hours and their cumulative weights."""
    idx = [i for i, d in enumerate(DESTS) if d[3] <= max_hours]
    return idx, list(accumulate(DESTS[i][5] for i in idx))


def _dest(r: random.Random, max_hours: float = 24) -> int:
    # cum_weights draws exactly what weights= would (random.choices accumulates them the same
    # way): worked out once, not on each of the 110,000 calls.
    idx, cum = _dest_weights(max_hours)
    return r.choices(idx, cum_weights=cum)[0]


def _candidates(start: date, end: date, r: random.Random) -> tuple[list[Cand], list[Cand]]:
    """Per car and day a chain of trips that never overlap: (pool cars, the VIP van)."""
    pool: list[Cand] = []
    vip: list[Cand] = []
    for d in days(start, end - timedelta(days=1)):
        weekend = d.weekday() >= 5
        for v in range(len(VEHICLES) - 1):
            if weekend and v not in WEEKEND_CARS:
                continue
            # Never before 08:00, so a day's trips fall on that day in UTC as well.
            t = r.choice((480, 510, 540))
            while True:
                di = _dest(r)
                lo, hi = DESTS[di][3], DESTS[di][4]
                dur = 30 * r.randint(int(lo * 2), int(hi * 2))
                if t + dur > 21 * 60:
                    break
                pool.append((d, v, t, t + dur, di))
                t += dur + r.choice((30, 60, 90))
        # The VIP van goes out in half-day or whole-day blocks, weekends included.
        blocks = ((480, 720), (780, 1080)) if r.random() < 0.6 else ((480, 1080),)
        for a, b in blocks:
            vip.append((d, VIP, a, b, _dest(r, (b - a) / 60)))
    return pool, vip


def _row(
    c: Cand, kind: TripType, purpose: TripPurpose, agency: str, r: random.Random, note: str = ""
) -> dict[str, Any]:
    d, v, a, b, di = c
    name, km_lo, km_hi = DESTS[di][0], DESTS[di][1], DESTS[di][2]
    seats = VEHICLES[v][3]
    row = {
        "vehicle_id": v,
        "driver_id": None,
        "trip_type": kind,
        "purpose": purpose,
        "starts_at": datetime.combine(d, time()) + timedelta(minutes=a),
        "ends_at": datetime.combine(d, time()) + timedelta(minutes=b),
        "requesting_agency": agency,
        "destination": name,
        "passengers": r.randint(1, min(4, seats - 1))
        if kind == TripType.DISPATCH
        else r.randint(3, seats),
        "km": round(r.uniform(km_lo, km_hi), 1),
        "tolls": 0,
        "parking": 0,
        "cleaning": 0,
        "note": note,
    }
    if kind == TripType.LOAN:
        # The borrowing agency pays tolls, parking and cleaning (and fuel by km, computed later).
        row.update(
            tolls=r.choice((0, 0, 40, 80, 120)) if km_hi > 40 else 0,
            parking=r.choice((0, 60, 100, 200)),
            cleaning=r.choice((300, 500)),
            note="借用機關負擔油資、清潔費、過路費、停車費及駕駛加班費",
        )
    return row


def _dispatch(c: Cand, r: random.Random) -> dict[str, Any]:
    purpose = r.choices([p for p, _w in DISPATCH_PURPOSES], [w for _p, w in DISPATCH_PURPOSES])[0]
    agency = "行政暨國際處" if r.random() < 0.5 else r.choice(AGENCIES)
    return _row(c, TripType.DISPATCH, purpose, agency, r)


def _trips(ctx: SeedContext, r: random.Random) -> list[dict[str, Any]]:
    guest_days = sorted({d for d, _k, car in ctx.reception_dates if car})
    rows: list[dict[str, Any]] = []
    for start, end, is_period in chunks():
        pool, vip = _candidates(start, end, r)
        first_block = {c[0]: c for c in reversed(vip)}  # the morning block of each day
        forced = [first_block[d] for d in guest_days if start <= d < end]
        taken = set(forced)
        vip_free = [c for c in vip if c not in taken]
        if is_period:
            n_disp, n_loan = DISPATCH_IN_PERIOD, LOANS_IN_PERIOD
        else:
            f = activity(start, end, r)
            n_disp, n_loan = round(DISPATCH_PER_MONTH * f), round(LOANS_PER_MONTH * f)
        n_disp = max(n_disp, len(forced))
        for c in forced:  # the VIP van fetches the day's foreign guests
            rows.append(
                _row(c, TripType.DISPATCH, TP.FOREIGN_GUESTS, "行政暨國際處", r, "接待外賓")
            )
        rows += [_dispatch(c, r) for c in r.sample(pool, n_disp - len(forced))]
        for c in r.sample(vip_free, min(n_loan, len(vip_free))):
            purpose = TP.FOREIGN_GUESTS if r.random() < 0.8 else TP.OFFICIALS
            rows.append(_row(c, TripType.LOAN, purpose, r.choice(LOAN_AGENCIES), r))
    return rows


def load(session: Session, ctx: SeedContext) -> None:
    cars = [
        Vehicle(plate=p, kind=k, model_name=m, seats=s, fuel_type=f, km_per_litre=kpl)
        for p, k, m, s, f, kpl in VEHICLES
    ]
    drivers = [Driver(name=n, phone=f"07-3368333#{2301 + i}") for i, n in enumerate(DRIVERS)]
    add_flush(session, [*cars, *drivers])
    r = rng("fleet")
    rows = _trips(ctx, r)
    # One roster per day: car i is driven by drivers[perm[i]], so no driver is ever double-booked.
    roster: dict[date, list[int]] = {}
    for row in rows:
        d = row["starts_at"].date()
        if d not in roster:
            perm = list(range(len(drivers)))
            rng(f"fleet.roster.{d.isoformat()}").shuffle(perm)
            roster[d] = perm
        row["driver_id"] = drivers[roster[d][row["vehicle_id"]]].id
        row["vehicle_id"] = cars[row["vehicle_id"]].id
    rows.sort(key=lambda t: (t["starts_at"], t["vehicle_id"]))
    bulk(session, Trip, rows)
