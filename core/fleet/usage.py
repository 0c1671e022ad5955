"""Official cars: use per vehicle and agency (SQL aggregates), utilisation, the 禮賓車 loan charge.

Trips belong to the period in which they start, as in core.figures.compute.fleet_figures, so the
per-vehicle, per-agency and per-month numbers add up to the page's figures.

Utilisation of a vehicle = hours in trips inside the working window (Monday to Friday,
08:00–18:00 Asia/Taipei wall time) ÷ available hours (10 h × the period's Monday-to-Friday
days). National holidays are not deducted; evening and weekend hours still count as trips,
km and hours in use, but not towards utilisation, so it stays within 0–100 %.

The loan charge follows the bureau's rule for the 9-seat 禮賓車: the borrowing agency pays fuel
(km × fuel price ÷ the vehicle's km per litre), tolls, parking and cleaning. Fuel is rounded to
whole NT$ per trip, half up (0.5 → 1), before adding the other items, so each line of a
statement adds up and subtotals are sums of lines. Loans of other cars and dispatch trips are
not charged.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
from sqlalchemy import ColumnElement, DateTime, and_, case, extract, func, or_, select
from sqlmodel import Session

from core.kernel.cache import stamped
from core.kernel.periods import Period, month_period
from db.models import Driver, Trip, TripType, Vehicle, VehicleKind

WORK_START, WORK_END = time(8), time(18)  # the working window of a weekday, for utilisation
WORK_HOURS = 10
CHARGED_KIND = VehicleKind.VIP_VAN


def _in(period: Period) -> ColumnElement[bool]:
    return and_(Trip.starts_at >= period.start_dt, Trip.starts_at < period.end_dt)


def _sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _hours(session: Session) -> ColumnElement[float]:
    """Length of a trip in hours, computed by the database."""
    if _sqlite(session):
        return (func.julianday(Trip.ends_at) - func.julianday(Trip.starts_at)) * 24
    return extract("epoch", Trip.ends_at - Trip.starts_at) / 3600


def _working_hours(session: Session) -> ColumnElement[float]:
    """Hours of a one-day trip inside 08:00–18:00 of its day; 0 on Saturday and Sunday."""
    if _sqlite(session):
        day = func.julianday(func.date(Trip.starts_at))
        lo, hi = day + WORK_START.hour / 24, day + WORK_END.hour / 24
        end, start = func.julianday(Trip.ends_at), func.julianday(Trip.starts_at)
        overlap = func.max(0, func.min(end, hi) - func.max(start, lo)) * 24
        weekday = func.strftime("%w", Trip.starts_at).in_(["1", "2", "3", "4", "5"])
    else:
        day = func.date_trunc("day", Trip.starts_at, type_=DateTime)
        lo = day + timedelta(hours=WORK_START.hour)
        hi = day + timedelta(hours=WORK_END.hour)
        span = func.least(Trip.ends_at, hi) - func.greatest(Trip.starts_at, lo)
        overlap = func.greatest(0, extract("epoch", span)) / 3600
        weekday = extract("isodow", Trip.starts_at) <= 5
    return case((weekday, overlap), else_=0)


def _one_day() -> ColumnElement[bool]:
    return func.date(Trip.starts_at) == func.date(Trip.ends_at)


def working_days(period: Period) -> int:
    """Monday-to-Friday days in the period (national holidays not deducted)."""
    full_weeks, rest = divmod((period.end - period.start).days + 1, 7)
    extra = sum((period.start.weekday() + i) % 7 < 5 for i in range(rest))
    return full_weeks * 5 + extra


def window_hours(start: datetime, end: datetime, period: Period) -> float:
    """Hours of [start, end) inside the working window of the period's weekdays."""
    total, day = 0.0, max(start.date(), period.start)
    while day <= min(end.date(), period.end):
        if day.weekday() < 5:
            lo, hi = datetime.combine(day, WORK_START), datetime.combine(day, WORK_END)
            total += max(0.0, (min(end, hi) - max(start, lo)).total_seconds()) / 3600
        day += timedelta(days=1)
    return total


def _multi_day_hours(session: Session, period: Period) -> dict[int, float]:
    """Working-window hours of trips that run past midnight (rare), per vehicle, in Python."""
    rows = session.execute(
        select(Trip.vehicle_id, Trip.starts_at, Trip.ends_at).where(_in(period), ~_one_day())
    ).all()
    out: dict[int, float] = defaultdict(float)
    for vehicle_id, start, end in rows:
        out[vehicle_id] += window_hours(start, end, period)
    return out


USAGE_COLUMNS = [
    "vehicle_id", "plate", "kind", "model_name", "fuel_type", "km_per_litre", "in_service",
    "trips", "dispatch", "loans", "km", "hours", "working_hours",
]  # fmt: skip


@stamped("trip", "vehicle")
def vehicle_usage(session: Session, period: Period) -> pd.DataFrame:
    """Per vehicle (in service, or with trips in the period), by plate: trips, km, hours in use,
    working-window hours, available hours, utilisation_pct and estimated fuel litres."""
    trip = and_(Trip.vehicle_id == Vehicle.id, _in(period))
    one_day_work = case((_one_day(), _working_hours(session)), else_=0)
    n = func.count(Trip.id)
    stmt = (
        select(
            Vehicle.id,
            Vehicle.plate,
            Vehicle.kind,
            Vehicle.model_name,
            Vehicle.fuel_type,
            Vehicle.km_per_litre,
            Vehicle.in_service,
            n,
            func.coalesce(func.sum(case((Trip.trip_type == TripType.DISPATCH, 1), else_=0)), 0),
            func.coalesce(func.sum(case((Trip.trip_type == TripType.LOAN, 1), else_=0)), 0),
            func.coalesce(func.sum(Trip.km), 0),
            func.coalesce(func.sum(_hours(session)), 0),
            func.coalesce(func.sum(one_day_work), 0),
        )  # fmt: skip
        .outerjoin(Trip, trip)
        .group_by(Vehicle.id)
        .having(or_(Vehicle.in_service.is_(True), n > 0))
    )
    df = pd.DataFrame(session.execute(stmt).all(), columns=USAGE_COLUMNS)
    # Sorted here: PostgreSQL collations may ignore the hyphen in plates, SQLite does not.
    df = df.sort_values("plate", ignore_index=True)
    extra = _multi_day_hours(session, period)
    df["working_hours"] = df["working_hours"].astype(float) + df["vehicle_id"].map(
        lambda v: extra.get(v, 0.0)
    ).astype(float)
    for col in ("trips", "dispatch", "loans"):
        df[col] = df[col].astype(int)
    df["km"] = df["km"].astype(float).round(1)
    df["hours"] = df["hours"].astype(float).round(2)
    df["working_hours"] = df["working_hours"].astype(float).round(2)
    df["available_hours"] = float(working_days(period) * WORK_HOURS)
    df["utilisation_pct"] = _pct(df["working_hours"], df["available_hours"])
    df["litres"] = (df["km"] / df["km_per_litre"].astype(float)).round(1)
    df["kind"] = df["kind"].map(lambda k: VehicleKind(k).value)
    return df


def _pct(part: pd.Series, whole: pd.Series) -> pd.Series:
    return (100 * part / whole.where(whole > 0)).fillna(0.0).round(2)


def fleet_utilisation(usage: pd.DataFrame) -> float | None:
    """Utilisation of the listed vehicles together: Σ working-window hours ÷ Σ available hours."""
    available = float(usage["available_hours"].sum()) if len(usage) else 0.0
    if available <= 0:
        return None
    return round(100 * float(usage["working_hours"].sum()) / available, 2)


@stamped("trip")
def trips_by_agency(session: Session, period: Period, top: int = 8) -> pd.DataFrame:
    """Trips and km per requesting agency, the top agencies by trips and one row for the rest.

    Columns: agency ("" on the rest row), is_other, agencies (how many the row stands for),
    dispatch, loan, trips, km; largest first, the rest last.
    """
    stmt = (
        select(Trip.requesting_agency, Trip.trip_type, func.count(), func.sum(Trip.km))
        .where(_in(period))
        .group_by(Trip.requesting_agency, Trip.trip_type)
    )
    cols = ["agency", "dispatch", "loan", "km"]
    per: dict[str, list] = {}
    for agency, kind, count, km in session.execute(stmt).all():
        row = per.setdefault(agency, [agency, 0, 0, 0.0])
        row[1 if TripType(kind) == TripType.DISPATCH else 2] += int(count)
        row[3] += float(km or 0)
    df = pd.DataFrame(list(per.values()), columns=cols)
    df["trips"] = df["dispatch"] + df["loan"]
    df = df.sort_values(["trips", "agency"], ascending=[False, True], ignore_index=True)
    df["is_other"], df["agencies"] = False, 1
    if len(df) > top:
        rest = df.iloc[top:]
        other = {"agency": "", "is_other": True, "agencies": len(rest)}
        other |= {c: rest[c].sum() for c in ("dispatch", "loan", "trips", "km")}
        df = pd.concat([df.iloc[:top], pd.DataFrame([other])], ignore_index=True)
    df["km"] = df["km"].astype(float).round(1)
    return df[["agency", "is_other", "agencies", "dispatch", "loan", "trips", "km"]]


def months_in(period: Period) -> list[date]:
    """First days of the months the period touches, in order."""
    out, month = [], period.start.replace(day=1)
    while month <= period.end:
        out.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return out


def agency_names(session: Session) -> list[str]:
    """Every requesting agency on record (for the trip filter)."""
    stmt = select(Trip.requesting_agency).distinct()
    return sorted(a for (a,) in session.execute(stmt) if a)


def vehicle_names(session: Session) -> dict[int, str]:
    """{vehicle id: plate} by plate."""
    return dict(session.execute(select(Vehicle.id, Vehicle.plate).order_by(Vehicle.plate)).all())


@dataclass(frozen=True)
class Charge:
    """What a borrowing agency pays for one trip (NT$); reason says why a trip is not charged."""

    chargeable: bool
    reason: str  # "" when charged; "dispatch" or "not_vip" otherwise
    km: float
    km_per_litre: float
    fuel_price: float
    fuel_exact: Decimal  # km × fuel price ÷ km per litre, before rounding
    fuel: int
    tolls: int
    parking: int
    cleaning: int

    @property
    def litres(self) -> float:
        return self.km / self.km_per_litre

    @property
    def total(self) -> int:
        return self.fuel + self.tolls + self.parking + self.cleaning


def _dec(value: float) -> Decimal:
    return Decimal(str(value))  # the shortest repr, so 12.3 stays 12.3


def loan_charge(trip: Trip, vehicle: Vehicle, fuel_price: float) -> Charge:
    """The charge of one trip: fuel (rounded half up to NT$) + tolls + parking + cleaning when it
    is a loan of the 禮賓車, nothing otherwise. Raises ValueError (zh-TW) on impossible input."""
    if trip.vehicle_id != vehicle.id:
        raise ValueError(f"行程 #{trip.id} 的車輛不是 {vehicle.plate}，無法計算費用。")
    if not fuel_price > 0:
        raise ValueError(f"油價須大於 0 元（目前為 {fuel_price}），請管理者修正 FUEL_PRICE。")
    if not vehicle.km_per_litre > 0:
        raise ValueError(f"車輛 {vehicle.plate} 的每公升公里數須大於 0，請先修正車輛資料。")
    km, kpl = float(trip.km or 0), float(vehicle.km_per_litre)
    reason = ""
    if TripType(trip.trip_type) != TripType.LOAN:
        reason = "dispatch"
    elif VehicleKind(vehicle.kind) != CHARGED_KIND:
        reason = "not_vip"
    if reason:
        return Charge(False, reason, km, kpl, fuel_price, Decimal(0), 0, 0, 0, 0)
    exact = _dec(km) * _dec(fuel_price) / _dec(kpl)
    fuel = int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return Charge(
        True, "", km, kpl, fuel_price, exact, fuel, int(trip.tolls or 0),
        int(trip.parking or 0), int(trip.cleaning or 0),
    )  # fmt: skip


@dataclass(frozen=True)
class ChargedTrip:
    """A trip with its vehicle, driver's name and charge (one line of a statement)."""

    trip: Trip
    vehicle: Vehicle
    driver: str
    charge: Charge


def get_trip_charge(session: Session, trip_id: int, fuel_price: float) -> ChargedTrip | None:
    found = session.execute(
        select(Trip, Vehicle, Driver.name)
        .join(Vehicle, Vehicle.id == Trip.vehicle_id)
        .outerjoin(Driver, Driver.id == Trip.driver_id)
        .where(Trip.id == trip_id)
    ).first()
    if found is None:
        return None
    trip, vehicle, driver = found
    return ChargedTrip(trip, vehicle, driver or "", loan_charge(trip, vehicle, fuel_price))


def vip_loan_charges(session: Session, month: date, fuel_price: float) -> list[ChargedTrip]:
    """The month's loans of the 禮賓車 with their charges, by agency, then time."""
    stmt = (
        select(Trip, Vehicle, Driver.name)
        .join(Vehicle, Vehicle.id == Trip.vehicle_id)
        .outerjoin(Driver, Driver.id == Trip.driver_id)
        .where(
            _in(month_period(month)),
            Trip.trip_type == TripType.LOAN,
            Vehicle.kind == CHARGED_KIND,
        )
    )
    lines = [
        ChargedTrip(t, v, d or "", loan_charge(t, v, fuel_price))
        for t, v, d in session.execute(stmt).all()
    ]
    # Sorted here, not by the database: PostgreSQL collations order Chinese differently.
    return sorted(lines, key=lambda c: (c.trip.requesting_agency, c.trip.starts_at, c.trip.id))
