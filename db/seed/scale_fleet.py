"""Scaled fleet: one new car and one new driver per N, and their trips day by day.

Cars form pools of ten with as many drivers; each day a pool's drivers are shuffled over its
cars (one roster a day), and a car's trips that day are one chain, so neither a car nor a
driver is ever in two trips at once. Trips start at 08:00 or later and end by 21:00.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from db.models import FuelType, TripPurpose, TripType, VehicleKind
from db.seed.common import AGENCIES
from db.seed.fleet import DESTS, DISPATCH_PURPOSES, DRIVERS, LOAN_AGENCIES
from db.seed.scale_common import Span, activity, created_at, is_workday, rng

VK, FT, TP = VehicleKind, FuelType, TripPurpose
POOL = 10
PLATE_PREFIX = "KAA-"
# kind, model, seats, fuel, km per litre: the cars of every ten N, in turn
# fmt: off
MODELS: tuple[tuple[VehicleKind, str, int, FuelType, float], ...] = (
    (VK.SEDAN, "Toyota Corolla Altis", 5, FT.GASOLINE, 13.5),
    (VK.VAN, "Toyota Hiace", 11, FT.DIESEL, 9.5),
    (VK.SEDAN, "Toyota Camry Hybrid", 5, FT.HYBRID, 19.5),
    (VK.SEDAN, "Nissan Sentra", 5, FT.GASOLINE, 14.0),
    (VK.VIP_VAN, "Toyota Granvia 9人座禮賓車", 9, FT.GASOLINE, 8.0),
    (VK.SEDAN, "Toyota Corolla Cross Hybrid", 5, FT.HYBRID, 21.0),
    (VK.VAN, "Ford Tourneo Custom", 9, FT.DIESEL, 10.5),
    (VK.TRUCK, "Mitsubishi Canter 3.5噸貨車", 3, FT.DIESEL, 8.5),
    (VK.SEDAN, "Honda Civic", 5, FT.GASOLINE, 14.5),
    (VK.VAN, "Toyota Sienta", 7, FT.GASOLINE, 14.5),
)
SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊"
GIVEN = (
    "志豪", "俊宏", "建志", "文彬", "家銘", "冠宇", "承恩", "振宇", "明哲", "國強", "世明", "志偉",
    "俊男", "信宏", "正雄", "榮華", "永昌", "金龍", "清水", "文雄", "建華", "子豪", "偉倫", "嘉宏",
    "政宏", "志成", "俊賢", "達明", "耀宗", "佳樺", "淑芬", "美玲", "雅婷", "怡君", "惠雯", "秀玲",
    "麗華", "嘉玲", "素貞", "宏達", "勝雄", "昆霖", "柏宏", "智傑", "彥廷", "銘德", "家豪", "進財",
)
# Farther destinations than the demo's, for the odd long day (km is a round trip, ≤ 800).
FAR = (
    ("國立中山大學", 12, 20, 1, 2, 4),
    ("臺中市政府", 380, 430, 7, 9, 0.3),
    ("行政院（臺北）", 700, 760, 11, 12.5, 0.1),
)
# fmt: on
DESTINATIONS = DESTS + FAR
COLUMNS = (
    "vehicle_id", "driver_id", "starts_at", "ends_at", "trip_type", "requesting_agency",
    "purpose", "destination", "passengers", "km", "tolls", "parking", "cleaning", "note",
    "created_at", "updated_at", "version",
)  # fmt: skip
LOAN_NOTE = "借用機關負擔油資、清潔費、過路費、停車費及駕駛加班費"
Car = tuple[int, VehicleKind, int]  # vehicle id, kind, seats


def vehicle_specs(n: int) -> list[dict[str, Any]]:
    specs = []
    for i in range(n):
        kind, model, seats, fuel, kpl = MODELS[i % len(MODELS)]
        specs.append(
            dict(plate=f"{PLATE_PREFIX}{1001 + i:04d}", kind=kind, model_name=model, seats=seats,
                 fuel_type=fuel, km_per_litre=kpl, in_service=True)
        )  # fmt: skip
    return specs


def driver_specs(n: int) -> list[dict[str, Any]]:
    """n distinct names that are not the demo's drivers, each with an extension number."""
    names = [s + g for g in GIVEN for s in SURNAMES if s + g not in DRIVERS]
    if n > len(names):
        raise ValueError(f"at most {len(names)} generated drivers")
    return [dict(name=names[i], phone=f"07-7995678#{3001 + i}", active=True) for i in range(n)]


def _dest(r: random.Random, max_hours: float = 24) -> int:
    idx = [i for i, d in enumerate(DESTINATIONS) if d[3] <= max_hours]
    return r.choices(idx, weights=[DESTINATIONS[i][5] for i in idx])[0]


def _trip(
    car: Car, driver: int, d: date, a: int, b: int, di: int, loan: bool, r: random.Random
) -> tuple:
    vid, kind, seats = car
    name, km_lo, km_hi = DESTINATIONS[di][:3]
    tolls = parking = cleaning = 0
    note = ""
    if loan:
        trip_type, agency = TripType.LOAN, r.choice(LOAN_AGENCIES)
        purpose = TP.FOREIGN_GUESTS if r.random() < 0.8 else TP.OFFICIALS
        passengers = r.randint(min(3, seats), seats)
        tolls = r.choice((0, 0, 40, 80, 120)) if km_hi > 40 else 0
        parking, cleaning, note = r.choice((0, 60, 100, 200)), r.choice((300, 500)), LOAN_NOTE
    else:
        trip_type = TripType.DISPATCH
        agency = "行政暨國際處" if r.random() < 0.5 else r.choice(AGENCIES)
        if kind is VK.TRUCK:
            purpose = r.choice((TP.DOCUMENTS, TP.EVENT_SUPPORT))
        elif kind is VK.VIP_VAN:
            purpose = r.choice((TP.FOREIGN_GUESTS, TP.OFFICIALS))
        else:
            purpose = r.choices(*zip(*DISPATCH_PURPOSES, strict=True))[0]
        passengers = r.randint(1, max(1, min(4, seats - 1)))
    day = datetime.combine(d, time())
    made = created_at(d, 3)  # requested a few days ahead
    return (
        vid, driver, day + timedelta(minutes=a), day + timedelta(minutes=b), trip_type.value,
        agency, purpose.value, name, passengers, round(r.uniform(km_lo, km_hi), 1), tolls,
        parking, cleaning, note, made, made, 1,
    )  # fmt: skip


def _chain(car: Car, driver: int, d: date, k: int, r: random.Random) -> list[tuple]:
    """Up to k dispatch trips one after another from 08:00–09:00, back by 21:00."""
    out = []
    t = r.choice((480, 510, 540))
    for _ in range(k):
        di = _dest(r)
        lo, hi = DESTINATIONS[di][3], DESTINATIONS[di][4]
        dur = 30 * r.randint(int(lo * 2), int(hi * 2))
        if t + dur > 1260:
            break
        out.append(_trip(car, driver, d, t, t + dur, di, False, r))
        t += dur + r.choice((30, 60, 90))
    return out


def _loan(car: Car, driver: int, d: date, r: random.Random) -> list[tuple]:
    """A car lent to another agency for a half or a whole day, with its driver."""
    blocks = ((480, 720), (780, 1080)) if r.random() < 0.6 else ((480, 1080),)
    return [_trip(car, driver, d, a, b, _dest(r, (b - a) / 60), True, r) for a, b in blocks]


def _car_day(car: Car, driver: int, d: date, r: random.Random) -> list[tuple]:
    vip = car[1] is VK.VIP_VAN
    if not is_workday(d):  # on call at weekends and holidays
        if r.random() < (0.1 if vip else 0.08):
            return _loan(car, driver, d, r) if vip else _chain(car, driver, d, 1, r)
        return []
    if r.random() < 0.05:  # in the garage, or the driver on leave
        return []
    lent = 0.25 if vip else 0.0 if car[1] is VK.TRUCK else 0.03
    if r.random() < lent * activity(d):
        return _loan(car, driver, d, r)
    k = r.choices((0, 1, 2, 3, 4), (15, 40, 30, 12, 3))[0]
    k = sum(1 for _ in range(k) if r.random() < activity(d))
    return _chain(car, driver, d, k, r)


def trips(span: Span, cars: list[Car], drivers: list[int]) -> Iterator[Any]:
    """(fraction done, rows) per day: every car's trips with the day's roster of drivers."""
    r = rng("trip", span.n)
    for i, d in span.days():
        rows: list[tuple] = []
        for p0 in range(0, len(cars), POOL):
            pool = list(range(p0, min(p0 + POOL, len(cars))))
            roster = pool[:]
            r.shuffle(roster)
            for ci, di in zip(pool, roster, strict=True):
                rows += _car_day(cars[ci], drivers[di], d, r)
        yield (i + 1) / span.total_days, rows
