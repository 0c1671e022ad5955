"""Fleet use per vehicle and agency, utilisation, the 禮賓車 charge, the monthly XLSX files."""

import re
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlmodel import Session

from core.figures.compute import fleet_figures
from core.fleet import usage as fleet
from core.fleet.reports import (
    STATEMENT_COLUMNS,
    USAGE_COLUMNS,
    loan_statement_workbook,
    loan_trip_options,
    usage_report_workbook,
)
from core.i18n.labels import enum_label, t
from core.kernel import monthly
from core.kernel.periods import REPORT_PERIOD, Period
from db.models import Driver, Trip, TripPurpose, TripType, Vehicle, VehicleKind

WEEK = Period(date(2023, 1, 2), date(2023, 1, 8))  # Monday to Sunday: 5 working days
JANUARY = date(2023, 1, 1)
D, L = TripType.DISPATCH, TripType.LOAN
VIP = VehicleKind.VIP_VAN


def _car(plate: str, kind: VehicleKind, kpl: float, in_service: bool = True) -> Vehicle:
    return Vehicle(plate=plate, kind=kind, seats=9, km_per_litre=kpl, in_service=in_service)


def _trip(car: Vehicle, start: str, end: str, kind: TripType, agency: str, km: float, **kw):
    return Trip(
        vehicle_id=car.id, starts_at=datetime.fromisoformat(start),
        ends_at=datetime.fromisoformat(end), trip_type=kind, requesting_agency=agency,
        purpose=kw.pop("purpose", TripPurpose.OFFICIAL), km=km, **kw,
    )  # fmt: skip


@pytest.fixture
def cars(session: Session) -> dict[str, Vehicle]:
    """A sedan, the 禮賓車, a retired van with a trip this week and one without any."""
    cars = {
        "sedan": _car("TST-0001", VehicleKind.SEDAN, 12.5),
        "vip": _car("TST-0009", VehicleKind.VIP_VAN, 8.0),
        "old": _car("TST-0004", VehicleKind.VAN, 10.0, in_service=False),
        "gone": _car("TST-0003", VehicleKind.VAN, 10.0, in_service=False),
    }
    driver = Driver(name="測試駕駛")
    session.add_all([*cars.values(), driver])
    session.flush()
    a, v, old = cars["sedan"], cars["vip"], cars["old"]
    session.add_all([
        _trip(a, "2023-01-02 07:00", "2023-01-02 09:00", D, "行政暨國際處", 20),  # 1 h at work
        _trip(a, "2023-01-03 17:00", "2023-01-03 19:30", D, "民政局", 30),  # 1 h
        _trip(a, "2023-01-07 10:00", "2023-01-07 12:00", D, "行政暨國際處", 10),  # Saturday
        _trip(a, "2023-01-05 13:00", "2023-01-05 14:00", L, "觀光局", 8, cleaning=500),
        _trip(v, "2023-01-04 08:00", "2023-01-04 18:00", L, "經濟發展局", 12.5,
              tolls=40, parking=60, cleaning=500, destination="高雄國際航空站"),
        # Thursday 09:00 to Friday 12:00: 9 h + 4 h inside the working window
        _trip(v, "2023-01-05 09:00", "2023-01-06 12:00", L, "觀光局", 100,
              tolls=80, cleaning=500, destination="臺南市政府", driver_id=driver.id),
        _trip(v, "2023-01-06 13:00", "2023-01-06 15:00", D, "行政暨國際處", 5),
        _trip(old, "2023-01-02 10:00", "2023-01-02 11:00", D, "民政局", 7),
        # outside the week, inside January: on the statement and the usage report only
        _trip(v, "2023-01-16 08:00", "2023-01-16 12:00", L, "觀光局", 0, cleaning=300),
        _trip(a, "2023-01-09 08:00", "2023-01-09 10:00", D, "民政局", 50),
        _trip(v, "2023-02-01 08:00", "2023-02-01 12:00", L, "觀光局", 40, cleaning=500),
    ])  # fmt: skip
    session.commit()
    return cars


def test_working_days_and_months():
    assert fleet.working_days(WEEK) == 5
    assert fleet.working_days(fleet.month_period(JANUARY)) == 22
    by_loop = sum(
        1 for i in range((REPORT_PERIOD.end - REPORT_PERIOD.start).days + 1)
        if date.fromordinal(REPORT_PERIOD.start.toordinal() + i).weekday() < 5
    )  # fmt: skip
    assert fleet.working_days(REPORT_PERIOD) == by_loop == 184
    assert fleet.month_period(date(2024, 2, 10)) == Period(date(2024, 2, 1), date(2024, 2, 29))
    months = fleet.months_in(REPORT_PERIOD)
    assert (len(months), months[0], months[-1]) == (9, date(2022, 7, 1), date(2023, 3, 1))


def test_window_hours_clip_to_weekdays_0800_1800_and_the_period():
    start, end = datetime(2023, 1, 5, 9), datetime(2023, 1, 9, 9)  # Thu 09:00 to Mon 09:00
    assert fleet.window_hours(start, end, WEEK) == 9 + 10  # Thu, Fri; weekend; Monday is out
    assert fleet.window_hours(datetime(2023, 1, 7, 8), datetime(2023, 1, 7, 18), WEEK) == 0


def test_use_per_vehicle(session, cars):
    usage = fleet.vehicle_usage(session, WEEK).set_index("plate")
    assert list(usage.index) == ["TST-0001", "TST-0004", "TST-0009"]  # retired, unused: left out
    sedan, old, vip = (usage.loc[p] for p in usage.index)
    assert (sedan.trips, sedan.dispatch, sedan.loans) == (4, 3, 1)
    assert (vip.trips, vip.dispatch, vip.loans) == (3, 1, 2)
    assert (sedan.km, vip.km, old.km) == (68.0, 117.5, 7.0)
    assert (sedan.hours, vip.hours, old.hours) == (7.5, 39.0, 1.0)
    assert (sedan.working_hours, vip.working_hours, old.working_hours) == (3.0, 25.0, 1.0)
    assert set(usage["available_hours"]) == {50.0}
    assert (sedan.utilisation_pct, vip.utilisation_pct, old.utilisation_pct) == (6.0, 50.0, 2.0)
    assert (sedan.litres, vip.litres) == (round(68 / 12.5, 1), round(117.5 / 8, 1))
    assert fleet.fleet_utilisation(usage) == round(100 * 29 / 150, 2)


def test_an_empty_period_lists_the_cars_in_service_at_zero(session, cars):
    usage = fleet.vehicle_usage(session, Period(date(2030, 1, 1), date(2030, 1, 31)))
    assert list(usage["plate"]) == ["TST-0001", "TST-0009"]
    assert usage[["trips", "km", "hours", "utilisation_pct"]].to_numpy().sum() == 0
    assert fleet.fleet_utilisation(usage) == 0.0
    assert fleet.fleet_utilisation(usage.iloc[0:0]) is None


def test_agencies_top_n_and_the_rest(session, cars):
    full = fleet.trips_by_agency(session, WEEK, top=10)
    assert list(full["agency"]) == ["行政暨國際處", "民政局", "觀光局", "經濟發展局"]
    assert list(full["trips"]) == [3, 2, 2, 1]
    assert not full["is_other"].any()
    top = fleet.trips_by_agency(session, WEEK, top=2)
    assert list(top["agency"]) == ["行政暨國際處", "民政局", ""]  # ties: by name
    rest = top.iloc[-1]
    assert (rest.is_other, rest.agencies, rest.dispatch, rest.loan, rest.trips, rest.km) == (
        True, 2, 0, 3, 3, 120.5,
    )  # fmt: skip
    assert top["trips"].sum() == full["trips"].sum() == 8
    assert fleet.agency_names(session) == sorted(["行政暨國際處", "民政局", "觀光局", "經濟發展局"])


def _vehicle(kind: VehicleKind, kpl: float = 8.0) -> Vehicle:
    return Vehicle(id=1, plate="RFG-5566", kind=kind, seats=9, km_per_litre=kpl)


def _loan(km: float, kind: TripType = L, **kw) -> Trip:
    return Trip(
        id=7, vehicle_id=1, starts_at=datetime(2023, 1, 4, 8), ends_at=datetime(2023, 1, 4, 12),
        trip_type=kind, requesting_agency="經濟發展局", purpose=TripPurpose.FOREIGN_GUESTS,
        km=km, **kw,
    )  # fmt: skip


def test_charge_is_fuel_rounded_half_up_plus_tolls_parking_cleaning():
    c = fleet.loan_charge(_loan(12.5, tolls=40, parking=60, cleaning=500), _vehicle(VIP), 30)
    assert c.chargeable and c.fuel_exact == Decimal("46.875")
    assert (c.fuel, c.tolls, c.parking, c.cleaning, c.total) == (47, 40, 60, 500, 647)
    assert c.litres == 12.5 / 8


@pytest.mark.parametrize(
    ("km", "price", "kpl", "fuel"),
    [
        (8.2, 30, 12.0, 21),  # exactly 20.5: float arithmetic gives 20.4999…, round() gives 20
        (1, 30, 12.0, 3),  # 2.5 → 3 (half up, not to even)
        (55.6, 30, 8.0, 209),  # 208.5 → 209
        (59.7, 30, 8.0, 224),  # 223.875
        (10, 29.4, 8.0, 37),  # 36.75
        (10, 30, 12.0, 25),  # 25 exactly
        (0.1, 30, 8.0, 0),  # 0.375
    ],
)
def test_fuel_rounding(km, price, kpl, fuel):
    assert fleet.loan_charge(_loan(km), _vehicle(VIP, kpl), price).fuel == fuel


def test_zero_km_pays_only_tolls_parking_and_cleaning():
    c = fleet.loan_charge(_loan(0, parking=100, cleaning=300), _vehicle(VIP), 30)
    assert (c.chargeable, c.fuel, c.total) == (True, 0, 400)


@pytest.mark.parametrize(
    ("trip", "kind", "reason"),
    [
        (_loan(40, cleaning=500), VehicleKind.SEDAN, "not_vip"),
        (_loan(40, cleaning=500), VehicleKind.VAN, "not_vip"),
        (_loan(40, D, cleaning=500), VIP, "dispatch"),
    ],
)
def test_only_loans_of_the_vip_van_are_charged(trip, kind, reason):
    c = fleet.loan_charge(trip, _vehicle(kind), 30)
    assert (c.chargeable, c.reason, c.fuel, c.cleaning, c.total) == (False, reason, 0, 0, 0)


def test_impossible_input_is_refused_in_zh_tw():
    with pytest.raises(ValueError, match="油價須大於 0"):
        fleet.loan_charge(_loan(10), _vehicle(VIP), 0)
    with pytest.raises(ValueError, match="每公升公里數須大於 0"):
        fleet.loan_charge(_loan(10), _vehicle(VIP, 0), 30)
    other = Vehicle(id=2, plate="RDA-3301", kind=VIP, seats=9, km_per_litre=8)
    with pytest.raises(ValueError, match="的車輛不是 RDA-3301"):
        fleet.loan_charge(_loan(10), other, 30)


def test_loan_trips_and_one_trips_charge(session, cars):
    loans = loan_trip_options(session, WEEK, "zh-TW")
    shown = [re.search(r"　(\S+) → .*（(\S+) ", label).groups() for _id, label in loans]
    assert shown == [
        ("觀光局", "TST-0001"),
        ("觀光局", "TST-0009"),
        ("經濟發展局", "TST-0009"),
    ]  # fmt: skip  (newest first)
    found = fleet.get_trip_charge(session, loans[1][0], 30)
    assert found.driver == "測試駕駛"
    assert (found.charge.fuel, found.charge.total) == (375, 375 + 80 + 500)
    sedan = fleet.get_trip_charge(session, loans[0][0], 30)
    assert (sedan.driver, sedan.charge.chargeable, sedan.charge.reason) == ("", False, "not_vip")
    assert fleet.get_trip_charge(session, 10**6, 30) is None


def _rows(data: bytes) -> list[list]:
    ws = load_workbook(BytesIO(data)).active
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_statement_per_agency_with_subtotals_and_total(session, cars):
    rows = _rows(loan_statement_workbook(session, JANUARY, 30))
    assert rows[0][0] == "禮賓車借用費用月結表"
    assert rows[1][0] == "計費月份：112年1月"
    assert "油價每公升 30 元" in rows[2][0]
    assert rows[3] == [t(key) for key, _, _ in STATEMENT_COLUMNS]
    body = rows[4:]
    assert [r[0] for r in body] == [1, "經濟發展局 小計", 2, 3, "觀光局 小計", "總計"]
    assert body[0][1:] == [
        "112/01/04", "08:00–18:00", "經濟發展局", "高雄國際航空站", "TST-0009", 12.5,
        47, 40, 60, 500, 647,
    ]  # fmt: skip
    assert body[2][1:3] == ["112/01/05", "09:00–112/01/06 12:00"]  # ends on the next day
    assert body[2][6:] == [100, 375, 80, 0, 500, 955]
    assert body[3][6:] == [0, 0, 0, 0, 300, 300]  # zero km: cleaning only
    lines = [body[0], body[2], body[3]]
    for r in lines:
        assert r[11] == sum(r[7:11])
    assert body[1][6:] == body[0][6:]
    assert body[4][6:] == [body[2][i] + body[3][i] for i in range(6, 12)]
    assert body[5][6:] == [round(sum(r[i] for r in lines), 1) for i in range(6, 12)]
    assert body[5][11] == 647 + 955 + 300
    # the sedan's loan (not the 禮賓車) and February's loan are not on it
    assert not [r for r in body if r[5] == "TST-0001" or r[1] == "112/02/01"]


def test_statement_of_a_month_without_loans_says_so(session, cars):
    rows = _rows(loan_statement_workbook(session, date(2023, 3, 1), 30))
    assert rows[1][0] == "計費月份：112年3月"
    assert rows[4][0] == "本月無禮賓車借用紀錄。"
    assert rows[5][0] == "總計" and rows[5][6:] == [0, 0, 0, 0, 0, 0]


def test_statement_text_cannot_run_as_a_formula(session, cars):
    v = cars["vip"]
    session.add(_trip(v, "2023-03-02 08:00", "2023-03-02 12:00", L, "=1+1", 10, destination="@x"))
    session.commit()
    row = _rows(loan_statement_workbook(session, date(2023, 3, 1), 30))[4]
    assert row[3:5] == ["'=1+1", "'@x"]


def test_control_characters_leave_the_statement_and_the_usage_report(session, cars):
    # \x7f is not among openpyxl's illegal characters: it reached the file as it was.
    v = cars["vip"]
    v.model_name = "\x7fToyota\x0b Hiace"
    session.add(_trip(v, "2023-03-02 08:00", "2023-03-02 12:00", L, "\x01=1+1", 10,
                      destination="高雄\x7f港\x1f"))  # fmt: skip
    session.commit()
    statement = _rows(loan_statement_workbook(session, date(2023, 3, 1), 30))
    assert statement[4][3:7] == ["'=1+1", "高雄港", "TST-0009", 10]
    assert statement[5][0] == "'=1+1 小計"
    usage = _rows(usage_report_workbook(session, date(2023, 3, 1)))
    assert usage[4][:6] == ["TST-0009", "禮賓車", "Toyota Hiace", "汽油", 8, 1]


def test_usage_report_per_vehicle_with_totals(session, cars):
    rows = _rows(usage_report_workbook(session, JANUARY))
    assert rows[0][0] == "公務車輛使用月報表 112年1月"
    assert rows[1][0] == "統計期間：112年1月1日至112年1月31日"
    assert rows[2] == [t(key) for key, _, _ in USAGE_COLUMNS]
    body, total, note = rows[3:-2], rows[-2], rows[-1]
    assert [r[:2] for r in body] == [["TST-0001", "轎車"], ["TST-0004", "廂型車"],
                                     ["TST-0009", "禮賓車"]]  # fmt: skip
    sedan, vip = body[0], body[2]
    assert sedan[4:] == [12.5, 5, 118, round(118 / 12.5, 1), 9.5, round(100 * 5 / 220, 2)]
    assert vip[5:9] == [4, 117.5, round(117.5 / 8, 1), 43]
    assert total[0] == "合計"
    assert total[5] == sum(r[5] for r in body) == 10
    for i in (6, 7, 8):
        assert total[i] == round(sum(r[i] for r in body), 2)
    assert total[9] == round(100 * (5 + 29 + 1) / (3 * 220), 2)
    assert "22 天" in note[0] and "220 小時" in note[0]


def test_demo_data_has_the_reports_770_51_821(demo_engine):
    with Session(demo_engine) as session:
        figures = fleet_figures(session, REPORT_PERIOD)
        usage = fleet.vehicle_usage(session, REPORT_PERIOD)
        agencies = fleet.trips_by_agency(session, REPORT_PERIOD)
        by_month = monthly.trips_by_month(session, REPORT_PERIOD)
        loans = loan_trip_options(session, REPORT_PERIOD, "zh-TW")
    assert (usage["dispatch"].sum(), usage["loans"].sum(), usage["trips"].sum()) == (770, 51, 821)
    assert (figures["fleet.dispatch_trips"], figures["fleet.loan_trips"]) == (770, 51)
    assert round(usage["km"].sum(), 1) == figures["fleet.km"]
    assert agencies["trips"].sum() == by_month["count"].sum() == figures["fleet.total_trips"]
    assert len(agencies) == 9 and agencies.iloc[-1]["is_other"]
    vip = enum_label(VehicleKind.VIP_VAN, "zh-TW", VehicleKind)
    assert len(loans) == 51 and all(label.endswith(f" {vip}）") for _, label in loans)
    assert 0 < fleet.fleet_utilisation(usage) < 100
    assert usage["utilisation_pct"].between(0, 100).all()
