"""Streamlit pieces of the fleet page: filters, use per vehicle and agency, the 禮賓車 charges,
and the two monthly XLSX downloads."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from core.fleet import usage as fleet
from core.fleet.charts import agency_chart, utilisation_chart, vehicle_km_chart
from core.fleet.reports import (
    XLSX_MIME,
    loan_statement_workbook,
    loan_trip_options,
    statement_blocks,
    time_span,
    usage_report_workbook,
    usage_rows,
)
from core.i18n.labels import enum_label, enum_options, t
from core.kernel.config import get_settings
from core.kernel.file_names import file_stem
from core.kernel.periods import Period
from core.kernel.roc_dates import format_date, format_month
from db.models import TripPurpose, TripType, VehicleKind
from ui.charts import show_chart
from ui.context import db_session, lang
from ui.widgets import per_language, plain

TOP_AGENCIES = 8
STATES = ("all", "yes", "no")


def _all(lg: str) -> dict[str, Any]:
    return {"placeholder": t("fleet.filter.all", lg)}


def trip_filters() -> dict[str, list[Any]]:
    """Trip type, vehicle, requesting agency and purpose → {column: values} for the trip table."""
    lg = lang()
    with db_session() as session:
        vehicles, agencies = fleet.vehicle_names(session), fleet.agency_names(session)
    types, purposes = enum_options(TripType, lg), enum_options(TripPurpose, lg)
    cols = st.columns([2, 2, 3, 3])
    return {
        "trip_type": cols[0].multiselect(
            t("fleet.filter.trip_type", lg), list(types), format_func=types.get,
            key=per_language("fleet.filter.trip_type"), **_all(lg),
        ),
        "vehicle_id": cols[1].multiselect(
            t("fleet.filter.vehicle", lg), list(vehicles), format_func=vehicles.get,
            key="fleet.filter.vehicle", **_all(lg),
        ),
        "requesting_agency": cols[2].multiselect(
            t("fleet.filter.agency", lg), agencies, key="fleet.filter.agency", **_all(lg)
        ),
        "purpose": cols[3].multiselect(
            t("fleet.filter.purpose", lg), list(purposes), format_func=purposes.get,
            key=per_language("fleet.filter.purpose"), **_all(lg),
        ),
    }  # fmt: skip


def _state(label_key: str, key: str, names: tuple[str, str]) -> list[bool]:
    """A segmented all / yes / no control → [] (all), [True] or [False]."""
    lg = lang()
    texts = {"all": "fleet.state.all", "yes": names[0], "no": names[1]}
    key = per_language(key)
    st.session_state.setdefault(key, "all")  # no default= : a carried-over choice must win
    chosen = st.segmented_control(
        t(label_key, lg), STATES, format_func=lambda s: t(texts[s], lg), key=key
    )
    return {"yes": [True], "no": [False]}.get(chosen or "all", [])


def vehicle_filters() -> dict[str, list[Any]]:
    lg = lang()
    kinds = enum_options(VehicleKind, lg)
    left, right = st.columns([3, 2])
    with left:
        chosen = st.multiselect(
            t("fleet.filter.kind", lg), list(kinds), format_func=kinds.get,
            key=per_language("fleet.filter.kind"), **_all(lg),
        )  # fmt: skip
    with right:
        names = ("fleet.state.in_service", "fleet.state.retired")
        in_service = _state("fleet.filter.in_service", "fleet.filter.in_service", names)
    return {"kind": chosen, "in_service": in_service}


def driver_filters() -> dict[str, list[Any]]:
    names = ("fleet.state.active", "fleet.state.inactive")
    return {"active": _state("fleet.filter.active", "fleet.filter.active", names)}


def usage_frame(usage: pd.DataFrame, lg: str) -> pd.DataFrame:
    """The per-vehicle table as staff read it: labelled columns, vehicle type names."""
    shown = {
        "plate": "fleet.col.plate", "kind": "fleet.col.kind", "trips": "fleet.col.trips",
        "dispatch": "fleet.col.dispatch", "loans": "fleet.col.loans", "km": "fleet.col.km",
        "litres": "fleet.col.litres", "hours": "fleet.col.hours",
        "utilisation_pct": "fleet.col.utilisation",
    }  # fmt: skip
    view = usage.assign(kind=usage["kind"].map(lambda k: enum_label(k, lg, VehicleKind)))
    return view[list(shown)].rename(columns={k: t(v, lg) for k, v in shown.items()})


def _number_formats(lg: str, one: tuple[str, ...], two: tuple[str, ...] = ()) -> dict:
    """Thousands separators; one decimal for km, litres and hours, two for percentages."""
    formats = {k: "%,.1f" for k in one} | {k: "%.2f" for k in two}
    return {
        t(f"fleet.col.{k}", lg): st.column_config.NumberColumn(format=f) for k, f in formats.items()
    }


def statistics(period: Period, usage: pd.DataFrame, agencies: pd.DataFrame) -> None:
    """Use and utilisation per vehicle, trips per requesting agency."""
    lg = lang()
    st.subheader(t("fleet.by_vehicle", lg))
    days = fleet.working_days(period)
    st.caption(plain(t("fleet.utilisation_caption", lg, days=days, hours=days * fleet.WORK_HOURS)))
    if usage.empty:
        st.info(t("fleet.no_trips", lg))
        return
    left, right = st.columns(2)
    show_chart(vehicle_km_chart(usage, lg, period=period), key="fleet.by_vehicle", container=left)
    average = fleet.fleet_utilisation(usage)
    chart = utilisation_chart(usage, average, lg, period=period)
    show_chart(chart, key="fleet.utilisation", container=right)
    st.dataframe(
        usage_frame(usage, lg), hide_index=True, height="content", placeholder="",
        column_config=_number_formats(lg, ("km", "litres", "hours"), ("utilisation",)),
    )  # fmt: skip
    st.subheader(t("fleet.by_agency", lg))
    if agencies.empty:
        st.info(t("fleet.no_trips", lg))
    else:
        chart = agency_chart(agencies, TOP_AGENCIES, lg, period=period)
        show_chart(chart, key="fleet.by_agency")


def charge_detail(period: Period) -> None:
    """Pick a loan trip of the period; show what the borrowing agency pays for it."""
    lg = lang()
    price = get_settings().fuel_price
    st.caption(plain(t("fleet.charge_caption", lg, price=f"{price:g}")))
    st.subheader(t("fleet.charge.heading", lg))
    with db_session() as session:
        options = dict(loan_trip_options(session, period, lg))
    if not options:
        st.info(t("fleet.charge.none", lg))
        return
    chosen = st.selectbox(
        t("fleet.charge.pick", lg), list(options), format_func=lambda i: options.get(i, str(i)),
        key=per_language("fleet.charge.pick"),
    )  # fmt: skip
    try:
        with db_session() as session:
            found = fleet.get_trip_charge(session, chosen, price)
            if found is None:
                st.info(t("fleet.charge.none", lg))
                return
            _show_charge(found, lg)
    except ValueError as exc:  # an impossible fuel price or km per litre: say which
        st.error(plain(str(exc)))


def _show_charge(found: fleet.ChargedTrip, lg: str) -> None:
    trip, vehicle, c = found.trip, found.vehicle, found.charge
    kind = enum_label(vehicle.kind, lg, VehicleKind)
    line = t(
        "fleet.charge.trip", lg,
        when=f"{format_date(trip.starts_at, lg)} {time_span(trip.starts_at, trip.ends_at, lg)}",
        agency=trip.requesting_agency, destination=trip.destination or "—",
        plate=vehicle.plate, kind=kind, driver=found.driver or t("fleet.driver.none", lg),
        km=f"{c.km:g}",
    )  # fmt: skip
    st.markdown(plain(line))
    if not c.chargeable:
        text = t(f"fleet.charge.not_charged.{c.reason}", lg, plate=vehicle.plate, kind=kind)
        st.info(plain(text))
        return
    basis = t(
        "fleet.charge.fuel_basis", lg, km=f"{c.km:g}", price=f"{c.fuel_price:g}",
        kpl=f"{c.km_per_litre:g}", exact=f"{c.fuel_exact.normalize():f}",
    )  # fmt: skip
    recorded = t("fleet.charge.recorded", lg)
    rows = [
        (t("fleet.col.fuel", lg), basis, c.fuel),
        (t("fleet.col.tolls", lg), recorded, c.tolls),
        (t("fleet.col.parking", lg), recorded, c.parking),
        (t("fleet.col.cleaning", lg), recorded, c.cleaning),
        (t("fleet.col.total", lg), t("fleet.charge.sum", lg), c.total),
    ]
    columns = [t(k, lg) for k in ("fleet.charge.item", "fleet.charge.basis", "fleet.charge.amount")]
    st.dataframe(
        pd.DataFrame(rows, columns=columns),
        hide_index=True,
        column_config={columns[2]: st.column_config.NumberColumn(format="%,d")},
        placeholder="",
    )
    st.success(plain(t("fleet.charge.total", lg, agency=trip.requesting_agency, total=c.total)))


def _month_picker(period: Period, label_key: str, key: str) -> date:
    lg = lang()
    key = per_language(key)  # months are named in the language (112年3月, March 2023)
    months = fleet.months_in(period)
    if st.session_state.get(key) not in months:
        st.session_state.pop(key, None)  # a month of an earlier period: start at the last one
    return st.selectbox(
        t(label_key, lg),
        months,
        index=len(months) - 1,
        key=key,
        format_func=lambda m: format_month(m, lg),
    )


def _download(label_key: str, build: Callable[[], bytes], file_name: str) -> None:
    """An XLSX download whose bytes are built only when clicked (no rerun on click)."""
    st.download_button(
        t(label_key, lang()), build, file_name=file_name, mime=XLSX_MIME, key=label_key,
        on_click="ignore", icon=":material/download:",
    )  # fmt: skip


def statement(period: Period) -> None:
    """The month's 禮賓車 loans per borrowing agency, and the statement as XLSX."""
    lg = lang()
    price = get_settings().fuel_price
    st.subheader(t("fleet.statement.heading", lg))
    month = _month_picker(period, "fleet.statement.pick", "fleet.statement.month")
    try:
        with db_session() as session:
            blocks = statement_blocks(fleet.vip_loan_charges(session, month, price))
    except ValueError as exc:
        st.error(plain(str(exc)))
        return
    total = sum(b.sum("total") for b in blocks)
    trips = sum(len(b.lines) for b in blocks)
    summary = t(
        "fleet.statement.summary", lg, month=format_month(month, lg), n=trips,
        agencies=len(blocks), total=total,
    )  # fmt: skip
    st.caption(plain(summary))
    if blocks:
        money = ("fuel", "tolls", "parking", "cleaning", "total")
        rows = [[b.agency, len(b.lines), round(b.sum("km"), 1), *(b.sum(f) for f in money)]
                for b in blocks]  # fmt: skip
        sums = [sum(r[i] for r in rows) for i in range(1, len(rows[0]))]
        rows.append([t("fleet.statement.total", lg), sums[0], round(sums[1], 1), *sums[2:]])
        frame = pd.DataFrame(
            rows, columns=[t(f"fleet.col.{k}", lg) for k in ("agency", "trips", "km", *money)]
        )
        money_formats = _number_formats(lg, ("km",)) | {
            t(f"fleet.col.{k}", lg): st.column_config.NumberColumn(format="%,d")
            for k in ("trips", *money)
        }
        st.dataframe(frame, hide_index=True, column_config=money_formats, placeholder="")

    def xlsx() -> bytes:
        with db_session() as session:
            return loan_statement_workbook(session, month, price)

    name = file_stem("vip_van_statement", month=month)
    _download("fleet.statement.download", xlsx, f"{name}.xlsx")


def usage_report(period: Period) -> None:
    """Per vehicle for a chosen month, and the monthly usage report as XLSX."""
    lg = lang()
    month = _month_picker(period, "fleet.report.pick", "fleet.report.month")
    st.caption(t("fleet.report.caption", lg))
    with db_session() as session:
        rows, totals, _days = usage_rows(session, month, lg)
    keys = ("plate", "kind", "trips", "km", "litres", "hours", "utilisation")
    body = [[r[0], r[1], *r[5:]] for r in rows]  # without model, fuel and km per litre
    frame = pd.DataFrame([*body, [totals[0], "", *totals[1:]]],
                         columns=[t(f"fleet.col.{k}", lg) for k in keys])  # fmt: skip
    formats = _number_formats(lg, ("km", "litres", "hours"), ("utilisation",))
    st.dataframe(frame, hide_index=True, height="content", column_config=formats, placeholder="")

    def xlsx() -> bytes:
        with db_session() as session:
            return usage_report_workbook(session, month)

    _download("fleet.report.download", xlsx, f"{file_stem('fleet_usage', month=month)}.xlsx")
