"""The fleet's two monthly XLSX files: the 禮賓車 loan statement and the vehicle usage report.

Both put a title and the 民國 month on top, headers below, then the rows. The statement has one
line per loan with the agency's subtotal after its lines and a grand total at the end; the
usage report has one row per vehicle and a totals row. Totals are the sums of the rows as
shown (each amount rounded first), so the printed columns add up. Text loses its control
characters, then is neutralised against formula injection (text_safety.spreadsheet_text);
amounts are numbers, not formulas.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO
from itertools import groupby
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select
from sqlmodel import Session

from core.fleet.usage import (
    WORK_HOURS,
    ChargedTrip,
    fleet_utilisation,
    vehicle_usage,
    vip_loan_charges,
    working_days,
)
from core.i18n.labels import DEFAULT_LANG, enum_label, t
from core.kernel.cache import stamped
from core.kernel.periods import Period, month_period
from core.kernel.roc_dates import (
    format_date,
    format_datetime,
    format_roc,
    format_roc_month,
    format_roc_period,
)
from core.kernel.text_safety import spreadsheet_text
from db.models import FuelType, Trip, TripType, Vehicle, VehicleKind

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KM, MONEY, HOURS = "#,##0.0", "#,##0", "#,##0.00"

# (label key, width, number format) of each column, in order
STATEMENT_COLUMNS: list[tuple[str, int, str | None]] = [
    ("fleet.col.no", 6, None),
    ("fleet.col.date", 11, None),
    ("fleet.col.time", 13, None),
    ("fleet.col.agency", 16, None),
    ("fleet.col.destination", 22, None),
    ("fleet.col.plate", 11, None),
    ("fleet.col.km", 11, KM),
    ("fleet.col.fuel", 10, MONEY),
    ("fleet.col.tolls", 10, MONEY),
    ("fleet.col.parking", 10, MONEY),
    ("fleet.col.cleaning", 10, MONEY),
    ("fleet.col.total", 11, MONEY),
]
USAGE_COLUMNS: list[tuple[str, int, str | None]] = [
    ("fleet.col.plate", 11, None),
    ("fleet.col.kind", 9, None),
    ("fleet.col.model", 26, None),
    ("fleet.col.fuel_type", 9, None),
    ("fleet.col.km_per_litre", 10, "0.0"),
    ("fleet.col.trips", 8, MONEY),
    ("fleet.col.km", 11, KM),
    ("fleet.col.litres", 12, KM),
    ("fleet.col.hours", 12, HOURS),
    ("fleet.col.utilisation", 10, "0.00"),
]
THIN = Side(style="thin")


def time_span(start: datetime, end: datetime, lang: str = DEFAULT_LANG) -> str:
    """08:00–12:00, or 08:00–112/01/25 12:00 (2023-01-25 12:00 in English) for a trip that
    ends on a later day."""
    until = f"{end:%H:%M}" if end.date() == start.date() else format_datetime(end, lang)
    return f"{start:%H:%M}–{until}"


def trip_label(trip: Any, vehicle: Any, lang: str) -> str:
    """112/01/13 09:00–12:00　觀光局 → 駁二（RDA-3301 禮賓車） — a trip in a picker."""
    when = f"{format_date(trip.starts_at, lang)} {time_span(trip.starts_at, trip.ends_at, lang)}"
    kind = enum_label(vehicle.kind, lang, VehicleKind)
    return f"{when}　{trip.requesting_agency} → {trip.destination}（{vehicle.plate} {kind}）"


@stamped("trip", "vehicle")
def loan_trip_options(session: Session, period: Period, lang: str) -> list[tuple[int, str]]:
    """(id, label) of the period's loan trips (every car), newest first, for the charge
    picker: the columns of the label only, kept until a trip or vehicle changes."""
    stmt = (
        select(Trip.id, Trip.starts_at, Trip.ends_at, Trip.requesting_agency, Trip.destination,
               Vehicle.plate, Vehicle.kind)
        .join(Vehicle, Vehicle.id == Trip.vehicle_id)
        .where(Trip.starts_at >= period.start_dt, Trip.starts_at < period.end_dt,
               Trip.trip_type == TripType.LOAN)
        .order_by(Trip.starts_at.desc(), Trip.id)
    )  # fmt: skip
    return [(row.id, trip_label(row, row, lang)) for row in session.execute(stmt).all()]


@dataclass(frozen=True)
class AgencyBlock:
    """One borrowing agency's lines of a month and their sums."""

    agency: str
    lines: list[ChargedTrip]

    def sum(self, field: str) -> float:
        return sum(getattr(c.charge, field) for c in self.lines)


def statement_blocks(lines: Iterable[ChargedTrip]) -> list[AgencyBlock]:
    """Lines grouped per agency (the lines come sorted by agency)."""
    key = lambda c: c.trip.requesting_agency  # noqa: E731
    return [AgencyBlock(agency, list(group)) for agency, group in groupby(lines, key=key)]


def _start(ws: Worksheet, title: str, lines: list[str], columns: list) -> None:
    """Title (bold, centred, merged) and the lines under it, then the bold header row."""
    width = len(columns)
    for i, text in enumerate([title, *lines], start=1):
        ws.append([spreadsheet_text(text)])
        ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=width)
        cell = ws.cell(i, 1)
        cell.font = Font(bold=True, size=14) if i == 1 else Font(size=10)
        cell.alignment = Alignment(horizontal="center" if i == 1 else "left", wrap_text=True)
    ws.append([t(key) for key, _, _ in columns])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
        cell.border = Border(bottom=THIN)
    ws.freeze_panes = f"A{ws.max_row + 1}"  # a string: ws.cell() would add a row
    ws.print_title_rows = f"{ws.max_row}:{ws.max_row}"
    for i, (_, col_width, _) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col_width


def _finish(ws: Worksheet, columns: list, first_body_row: int) -> bytes:
    for i, (_, _, fmt) in enumerate(columns, start=1):
        if fmt:
            for (cell,) in ws.iter_rows(min_row=first_body_row, min_col=i, max_col=i):
                cell.number_format = fmt
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToHeight = 0
    out = BytesIO()
    ws.parent.save(out)
    return out.getvalue()


def _sum_row(ws: Worksheet, label: str, values: list[Any], bold_cols: int) -> None:
    ws.append([spreadsheet_text(label), *[None] * (bold_cols - 1), *values])
    row = ws.max_row
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=bold_cols)
    for cell in ws[row]:
        cell.font = Font(bold=True)
        cell.border = Border(top=THIN)
    ws.cell(row, 1).alignment = Alignment(horizontal="right")


def _amounts(block: AgencyBlock | list[AgencyBlock]) -> list[Any]:
    blocks = block if isinstance(block, list) else [block]
    km = round(sum(b.sum("km") for b in blocks), 1)
    money = [int(sum(b.sum(f) for b in blocks)) for f in ("fuel", "tolls", "parking", "cleaning")]
    return [km, *money, sum(money)]


def loan_statement_workbook(session: Session, month: date, fuel_price: float) -> bytes:
    """The month's 禮賓車 loans per borrowing agency, with subtotals and a grand total."""
    blocks = statement_blocks(vip_loan_charges(session, month, fuel_price))
    wb = Workbook()
    ws = wb.active
    ws.title = t("fleet.statement.sheet")
    info = [
        t("fleet.statement.month", month=format_roc_month(month)),
        t("fleet.statement.basis", price=f"{fuel_price:g}"),
    ]
    _start(ws, t("fleet.statement.title"), info, STATEMENT_COLUMNS)
    first = ws.max_row + 1
    n = 0
    for block in blocks:
        for line in block.lines:
            n += 1
            trip, c = line.trip, line.charge
            ws.append([spreadsheet_text(v) for v in (
                n, format_roc(trip.starts_at), time_span(trip.starts_at, trip.ends_at),
                trip.requesting_agency, trip.destination, line.vehicle.plate, round(c.km, 1),
                c.fuel, c.tolls, c.parking, c.cleaning, c.total,
            )])  # fmt: skip
        _sum_row(ws, t("fleet.statement.subtotal", agency=block.agency), _amounts(block), 6)
    if not blocks:
        ws.append([t("fleet.statement.none")])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=12)
    _sum_row(ws, t("fleet.statement.total"), _amounts(blocks), 6)
    return _finish(ws, STATEMENT_COLUMNS, first)


def usage_rows(
    session: Session, month: date, lang: str = DEFAULT_LANG
) -> tuple[list[list[Any]], list[Any], int]:
    """(one row per vehicle, the totals row, working days) of the month's usage report."""
    period = month_period(month)
    usage = vehicle_usage(session, period)
    rows = [
        [
            r.plate,
            enum_label(r.kind, enum_cls=VehicleKind),
            r.model_name,
            enum_label(r.fuel_type, enum_cls=FuelType),
            float(r.km_per_litre),
            int(r.trips),
            float(r.km),
            float(r.litres),
            float(r.hours),
            float(r.utilisation_pct),
        ]  # fmt: skip
        for r in usage.itertuples()
    ]
    utilisation = fleet_utilisation(usage)
    totals = [
        t("fleet.report.total", lang),
        sum(r[5] for r in rows),
        round(sum(r[6] for r in rows), 1),
        round(sum(r[7] for r in rows), 1),
        round(sum(r[8] for r in rows), 2),
        utilisation if utilisation is not None else 0.0,
    ]
    return rows, totals, working_days(period)


def usage_report_workbook(session: Session, month: date) -> bytes:
    """Per vehicle for the month: trips, km, estimated fuel, hours in use, utilisation; totals."""
    period = month_period(month)
    rows, totals, days = usage_rows(session, month)
    wb = Workbook()
    ws = wb.active
    ws.title = t("fleet.report.sheet")
    title = t("fleet.report.title", month=format_roc_month(month))
    span = t("fleet.report.period", period=format_roc_period(period.start, period.end))
    _start(ws, title, [span], USAGE_COLUMNS)
    first = ws.max_row + 1
    for row in rows:
        ws.append([spreadsheet_text(v) for v in row])
    _sum_row(ws, totals[0], totals[1:], 5)
    ws.append([t("fleet.report.note", days=days, hours=days * WORK_HOURS)])
    note = ws.max_row
    ws.merge_cells(start_row=note, start_column=1, end_row=note, end_column=len(USAGE_COLUMNS))
    ws.cell(note, 1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.cell(note, 1).font = Font(size=10)
    ws.row_dimensions[note].height = 45
    return _finish(ws, USAGE_COLUMNS, first)
