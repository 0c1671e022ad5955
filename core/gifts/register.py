"""The register of gifts received as an XLSX workbook in the layout the ethics office files.

One row per gift under a title row naming the period; gifts given together (same donor, date
and occasion) share a group number and the group's total value, since items presented together
are valued together. The disposition is followed by the day a returned gift went back, then
the 簽報 and 政風 dates. Dates are 民國 (115/11/18); text loses its control characters, then is
neutralised against formula injection (core.kernel.text_safety.spreadsheet_text).
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlmodel import Session

from core.gifts.ethics import gift_register
from core.i18n.labels import enum_label, t
from core.kernel.periods import Period
from core.kernel.roc_dates import format_roc, format_roc_period
from core.kernel.text_safety import spreadsheet_text
from db.models import Disposition

# (label key, width) of each column, in order
COLUMNS: list[tuple[str, int]] = [
    ("gift.col.no", 6),
    ("gift.col.group", 6),
    ("gift.col.received_on", 11),
    ("gift.col.recipient", 12),
    ("gift.col.recipient_title", 10),
    ("gift.col.donor", 24),
    ("gift.col.presenting_person", 14),
    ("gift.col.donor_country", 10),
    ("gift.col.description", 30),
    ("gift.col.estimated_value", 12),
    ("gift.col.group_total", 12),
    ("gift.col.occasion", 24),
    ("gift.col.official_courtesy", 8),
    ("gift.col.donor_has_interest", 8),
    ("gift.col.disposition", 12),
    ("gift.col.returned_on", 11),
    ("gift.col.report_filed_on", 11),
    ("gift.col.ethics_notified_on", 12),
    ("gift.col.location", 16),
    ("gift.col.status", 16),
]


def group_numbers(register: pd.DataFrame) -> list[int]:
    """1, 2, … per (donor, date, occasion), numbered in order of first appearance."""
    numbers: dict[tuple[Any, ...], int] = {}
    out = []
    for row in register.itertuples():
        key = (row.donor, row.received_on, row.occasion)
        out.append(numbers.setdefault(key, len(numbers) + 1))
    return out


def _roc(day: Any) -> str:
    """A 民國 date, or "" (an empty cell) when there is none."""
    return format_roc(day) if day is not None and pd.notna(day) else ""


def _yes(flag: bool) -> str:
    return t("gift.yes") if flag else t("gift.no")


def register_rows(register: pd.DataFrame) -> list[list[Any]]:
    """The body rows of the workbook, zh-TW, dates in the 民國 calendar."""
    groups = group_numbers(register)
    totals = register.groupby(groups)["estimated_value"].sum().to_dict() if groups else {}
    rows = []
    for n, (group, row) in enumerate(zip(groups, register.itertuples(), strict=True), start=1):
        status = t(f"gift.status.{row.ethics_status}", due=_roc(row.report_due))
        values = [
            n,
            group,
            format_roc(row.received_on),
            row.recipient_official,
            row.recipient_title,
            row.donor,
            row.presenting_person,
            row.donor_country,
            row.description,
            int(row.estimated_value),
            int(totals[group]),
            row.occasion,
            _yes(row.official_courtesy),
            _yes(row.donor_has_interest),
            enum_label(row.disposition, enum_cls=Disposition),
            _roc(row.returned_on),
            _roc(row.report_filed_on),
            _roc(row.ethics_notified_on),
            row.location,
            status,
        ]
        rows.append([spreadsheet_text(v) for v in values])
    return rows


def register_workbook(session: Session, period: Period) -> bytes:
    """The period's register of gifts received as XLSX bytes."""
    register = gift_register(session, period)
    wb = Workbook()
    ws = wb.active
    ws.title = t("gift.xlsx.sheet")
    title = t("gift.xlsx.title", period=format_roc_period(period.start, period.end))
    ws.append([spreadsheet_text(title)])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([t(key) for key, _ in COLUMNS])
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for row in register_rows(register):
        ws.append(row)
    value_cols = [i for i, (k, _) in enumerate(COLUMNS, 1) if k.endswith(("value", "total"))]
    for i, (_, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    for col in value_cols:
        for cell in ws[get_column_letter(col)][2:]:
            cell.number_format = "#,##0"
    ws.freeze_panes = "A3"
    ws.print_title_rows = "1:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
