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
from sqlalchemy import ColumnElement, and_, func, literal_column, or_, select
from sqlmodel import Session

from core.kernel.cache import stamped
from core.kernel.periods import MonthSplit, Period, month_period, split_months
from db import rollups
from db.models import Driver, Trip, TripType, Vehicle, VehicleKind, VehicleTripMonth
from db.rollups import WORK_END_HOUR, WORK_START_HOUR

# The working window of a weekday, for utilisation (db.rollups keeps the one-day trips'
# seconds inside it in vehicle_trip_month).
WORK_START, WORK_END = time(WORK_START_HOUR), time(WORK_END_HOUR)
WORK_HOURS = WORK_END_HOUR - WORK_START_HOUR
CHARGED_KIND = VehicleKind.VIP_VAN


def _in(period: Period) -> ColumnElement[bool]:
    return _starting(period.start_dt, period.end_dt)


def _starting(lo: datetime, hi: datetime) -> ColumnElement[bool]:
    return and_(Trip.starts_at >= lo, Trip.starts_at < hi)


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


# What vehicle_usage adds up per vehicle, as vehicle_trip_month names it (working_seconds:
# of the one-day trips; trips past midnight are worked out one by one).
SUMMED = ("trips", "dispatch", "loans", "km", "seconds", "working_seconds")
Sums = dict[int, list[float]]  # vehicle id -> the SUMMED values


def _add(sums: Sums, rows) -> None:
    for vehicle_id, *values in rows:
        into = sums.setdefault(vehicle_id, [0.0] * len(values))
        for i, value in enumerate(values):
            into[i] += float(value or 0)  # PostgreSQL sums bigints as numeric (Decimal)


def _sums_from_trips(session: Session, lo: datetime, hi: datetime):
    """Per vehicle, the sums of the trips starting in [lo, hi), as vehicle_trip_month counts
    them (the same SQL, db.rollups.vehicle_trip_values)."""
    dialect = session.get_bind().dialect.name
    row = rollups.vehicle_trip_values(dialect, Trip.__tablename__)
    values = dict(zip(rollups.VEHICLE_TRIP_SUMS, row, strict=True))
    return session.execute(
        select(Trip.vehicle_id, *(func.sum(literal_column(values[name])) for name in SUMMED))
        .where(_starting(lo, hi))
        .group_by(Trip.vehicle_id)
    ).all()


def _sums_from_rollup(session: Session, lo: datetime, hi: datetime):
    """Per vehicle, the sums of the whole months in [lo, hi) from vehicle_trip_month."""
    r = VehicleTripMonth
    return session.execute(
        select(r.vehicle_id, *(func.sum(getattr(r, name)) for name in SUMMED))
        .where(r.month >= lo, r.month < hi)
        .group_by(r.vehicle_id)
    ).all()


def _multi_day_months(session: Session, lo: datetime, hi: datetime) -> list[datetime]:
    """The months in [lo, hi) where some trip ends on a later day than it starts."""
    r = VehicleTripMonth
    found = session.execute(
        select(r.month).where(r.month >= lo, r.month < hi).group_by(r.month)
        .having(func.sum(r.multi_day) != 0)
    ).scalars()  # fmt: skip
    return sorted(found)


def _multi_day_hours(
    session: Session, ranges: list[tuple[datetime, datetime]], period: Period
) -> dict[int, float]:
    """Working-window hours inside the period of the trips that start in `ranges` and run past
    midnight (rare), per vehicle, in Python."""
    if not ranges:
        return {}
    rows = session.execute(
        select(Trip.vehicle_id, Trip.starts_at, Trip.ends_at).where(
            or_(*(_starting(lo, hi) for lo, hi in _merged(ranges))), ~_one_day()
        )
    ).all()
    out: dict[int, float] = defaultdict(float)
    for vehicle_id, start, end in rows:
        out[vehicle_id] += window_hours(start, end, period)
    return out


def _merged(ranges: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    out: list[tuple[datetime, datetime]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(hi, out[-1][1]))
        else:
            out.append((lo, hi))
    return out


USAGE_COLUMNS = [
    "vehicle_id", "plate", "kind", "model_name", "fuel_type", "km_per_litre", "in_service",
    "trips", "dispatch", "loans", "km", "hours", "working_hours",
]  # fmt: skip


@stamped("trip", "vehicle")
def vehicle_usage(session: Session, period: Period) -> pd.DataFrame:
    """Per vehicle (in service, or with trips in the period), by plate: trips, km, hours in use,
    working-window hours, available hours, utilisation_pct and estimated fuel litres.

    The period's whole months come from vehicle_trip_month (kept by triggers), the partial
    months at its edges from the trips themselves, so ten years cost what two months cost;
    trips that run past midnight (counted per month in the rollup) are read one by one, only
    from the months that have them."""
    return _usage(session, period, split_months(period))


def _usage(session: Session, period: Period, split: MonthSplit) -> pd.DataFrame:
    """vehicle_usage over split: its whole months from the rollup, its edges from the trips
    (a split with the whole period as its one edge counts every trip directly)."""
    sums: Sums = {}
    multi_day = list(split.edges)
    if split.months:
        _add(sums, _sums_from_rollup(session, *split.months))
        multi_day += [(m, _next_month(m)) for m in _multi_day_months(session, *split.months)]
    for lo, hi in split.edges:
        _add(sums, _sums_from_trips(session, lo, hi))
    extra = _multi_day_hours(session, multi_day, period)
    vehicles = session.execute(
        select(Vehicle.id, Vehicle.plate, Vehicle.kind, Vehicle.model_name, Vehicle.fuel_type,
               Vehicle.km_per_litre, Vehicle.in_service)
    ).all()  # fmt: skip
    rows = []
    for vehicle in vehicles:
        trips, dispatch, loans, km, seconds, working = sums.get(vehicle.id, [0.0] * len(SUMMED))
        if vehicle.in_service or trips:
            hours, work = seconds / 3600, working / 3600 + extra.get(vehicle.id, 0.0)
            rows.append([*vehicle, trips, dispatch, loans, km, hours, work])
    df = pd.DataFrame(rows, columns=USAGE_COLUMNS)
    # Sorted here: PostgreSQL collations may ignore the hyphen in plates, SQLite does not.
    df = df.sort_values("plate", ignore_index=True)
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


def _next_month(month: datetime) -> datetime:
    return datetime(month.year + month.month // 12, month.month % 12 + 1, 1)


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


@stamped("trip")
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
