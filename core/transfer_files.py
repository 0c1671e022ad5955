"""CSV and XLSX bytes: write a frame safely for Excel, read an uploaded file into a frame."""

from __future__ import annotations

import codecs
import csv
import io
import math
import re
import zipfile
from collections.abc import Iterator
from pathlib import PurePath
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from core.labels import t
from core.text_safety import spreadsheet_text, unneutralise

# A whole-table export of the largest demo table (venue_booking, 22,619 rows) is 3.2 MB as CSV
# and 1.2 MB as XLSX and must import again; a file beyond these is refused before it is read.
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 30_000  # data rows, header not counted
MAX_COLUMNS = 100
# An .xlsx is a zip: what its parts unpack to is checked before any is read, so a small file
# that unpacks to gigabytes (a "zip bomb") is refused instead of filling the server's memory.
# A full 5 MB export of 30,000 rows unpacks to well under this.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ImportProblem(ValueError):
    """The file as a whole cannot be imported; the message is zh-TW and says why."""


def _cell(value: Any) -> Any:
    """A frame value as a plain Python cell: missing → None, numpy scalars → int/float."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return spreadsheet_text(value)


def _cells(df: pd.DataFrame) -> Iterator[list[Any]]:
    yield [spreadsheet_text(str(c)) for c in df.columns]
    for row in df.itertuples(index=False, name=None):
        yield [_cell(v) for v in row]


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with a BOM, which Excel needs to read Chinese text correctly."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    for row in _cells(df):
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue().encode("utf-8-sig")


def _width(value: Any) -> int:
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)  # CJK takes two columns


def to_xlsx_bytes(df: pd.DataFrame, sheet_title: str = "data") -> bytes:
    """One sheet with a bold, frozen header row; text cells are never formulas."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = sheet_title[:31]
    widths: dict[int, int] = {}
    for row in _cells(df):
        sheet.append(row)
        for i, v in enumerate(row, start=1):
            widths[i] = max(widths.get(i, 0), _width(v))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for i, width in widths.items():
        sheet.column_dimensions[get_column_letter(i)].width = min(width + 2, 50)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _decode(data: bytes) -> str:
    """UTF-8 with a BOM, then strict UTF-8, then Big5 (cp950, what zh-TW Excel saves)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportProblem(t("io.utf16"))
    candidates = ["utf-8-sig"] if data.startswith(codecs.BOM_UTF8) else ["utf-8", "cp950"]
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _CONTROL.search(text):
            break  # a binary file that happens to decode
        return text
    raise ImportProblem(t("io.unreadable_csv"))


def _csv_rows(data: bytes) -> Iterator[list[Any]]:
    reader = csv.reader(io.StringIO(_decode(data), newline=""))
    try:
        yield from reader
    except csv.Error as exc:  # Python's own wording is English: say it in zh-TW
        too_large = "field larger than field limit" in str(exc)
        detail = (
            t("io.csv_cell_too_large", limit=f"{csv.field_size_limit():,}")
            if too_large
            else t("io.csv_malformed")
        )
        raise ImportProblem(t("io.bad_csv", line=reader.line_num, detail=detail)) from None


def _check_unpacked_size(data: bytes) -> None:
    """Refuse an archive whose parts would unpack to more than MAX_UNPACKED_BYTES.

    The sizes are the archive's own declarations; Python's zipfile never unpacks more than a
    part declares, so a part that lies about its size fails as unreadable instead.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(part.file_size for part in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ImportProblem(t("io.unreadable_xlsx")) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise ImportProblem(t("io.xlsx_unpacks_too_large", limit=MAX_UNPACKED_BYTES // 1024**2))


def _xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    _check_unpacked_size(data)
    # Any failure inside openpyxl (bad zip, missing part, bad XML) means the same to staff.
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        # A sheet's declared size (<dimension>) would pad every row to it: a forged
        # A1:XFD1048576 makes 16,384 cells of each row. Only the cells the file holds are read.
        sheet.reset_dimensions()
    except Exception:
        raise ImportProblem(t("io.unreadable_xlsx")) from None
    try:
        yield from (list(row) for row in sheet.iter_rows(values_only=True))
    except Exception:
        raise ImportProblem(t("io.unreadable_xlsx")) from None
    finally:
        book.close()


def _clean(value: Any) -> Any:
    """Blank → None; text stripped and un-neutralised; other cells (numbers, dates) as read."""
    if isinstance(value, str):
        value = value.strip()
        return unneutralise(value) if value else None
    return value


def _trimmed(row: list[Any]) -> list[Any]:
    cells = [_clean(v) for v in row]
    while cells and cells[-1] is None:
        cells.pop()
    return cells


def _header(cells: list[Any], has_data: set[int]) -> list[str]:
    header = ["" if c is None else str(c) for c in cells]
    if len(header) > MAX_COLUMNS:
        raise ImportProblem(t("io.too_many_columns", limit=MAX_COLUMNS))
    seen: set[str] = set()
    for i, name in enumerate(header):
        if not name and i in has_data:
            raise ImportProblem(t("io.blank_header", n=i + 1))
        if name and name in seen:
            raise ImportProblem(t("io.duplicate_header", name=name))
        seen.add(name)
    return header


def _read_rows(rows: Iterator[list[Any]]) -> list[list[Any]]:
    out = []
    for row in rows:
        out.append(_trimmed(row))
        if len(out[-1]) > MAX_COLUMNS:
            raise ImportProblem(t("io.too_many_columns", limit=MAX_COLUMNS))
        if len(out) > MAX_ROWS + 1:
            raise ImportProblem(t("io.too_many_rows", limit=f"{MAX_ROWS:,}"))
    while out and not out[-1]:
        out.pop()  # Excel often leaves empty rows below the data
    return out


def read_table_file(filename: str, data: bytes) -> pd.DataFrame:
    """The data rows of a .csv (UTF-8, UTF-8 with BOM, Big5) or .xlsx file, every cell as read.

    Row k of the frame is line k + 2 of the file (the header is line 1); blank cells are None.
    Raises ImportProblem with a zh-TW message for anything that cannot be read.
    """
    suffix = PurePath(filename).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ImportProblem(t("io.bad_extension", name=filename))
    if not data:
        raise ImportProblem(t("io.empty_file"))
    if len(data) > MAX_BYTES:
        size = f"{len(data) / 1024 / 1024:.1f}"
        raise ImportProblem(t("io.too_large", size=size, limit=MAX_BYTES // 1024 // 1024))
    rows = _read_rows(_csv_rows(data) if suffix == ".csv" else _xlsx_rows(data))
    if not rows:
        raise ImportProblem(t("io.empty_file"))
    if len(rows) == 1:
        raise ImportProblem(t("io.no_data_rows"))
    has_data = {i for row in rows[1:] for i, v in enumerate(row) if v is not None}
    header = _header(rows[0], has_data)
    width = len(header)
    for line, row in enumerate(rows[1:], start=2):
        if len(row) > width:
            raise ImportProblem(t("io.extra_cells", line=line))
    body = [row + [None] * (width - len(row)) for row in rows[1:]]
    frame = pd.DataFrame(body, columns=header, dtype=object)
    # Columns with neither a header nor data (Excel's formatted but empty columns) are dropped.
    return frame.loc[:, [name != "" for name in header]]
