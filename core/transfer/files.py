"""CSV and XLSX bytes: write a frame safely for Excel, read an uploaded file into a frame."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import math
import re
import zipfile
from collections.abc import Iterator
from pathlib import PurePath
from typing import IO, Any
from xml.parsers import expat

import numpy as np
import openpyxl
import pandas as pd
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple

from core.i18n.labels import t
from core.kernel.text_safety import (
    CONTROL,
    control_name,
    first_control,
    spreadsheet_text,
    unneutralise,
)

# A whole-table export of the largest demo table (venue_booking, 22,619 rows) is 3.2 MB as CSV
# and 1.2 MB as XLSX and must import again; a file beyond these is refused before it is read.
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 30_000  # data rows, header not counted
MAX_COLUMNS = 100
# An .xlsx is a zip: what its parts unpack to is checked before any is read, so a small file
# that unpacks to gigabytes (a "zip bomb") is refused instead of filling the server's memory.
# A full 5 MB export of 30,000 rows unpacks to well under this.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
# More control characters than this (and than 1 % of the text) make a file binary, not text.
_STRAY_CONTROLS = 8


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
        # A binary file that happens to decode is full of control characters; text holding a
        # few (a NUL, the \x0b of a Word paste) is text: _csv_rows names them and their line.
        if len(CONTROL.findall(text)) > max(_STRAY_CONTROLS, len(text) // 100):
            break
        return text
    raise ImportProblem(t("io.unreadable_csv"))


# Fed to the CSV reader after the file's last line. It comes back as a record of its own,
# unless a quote left open swallowed it into that cell: the reader is then at the end of the
# file inside a quoted cell, which Python's csv (strict=False) would otherwise accept silently.
_END = "\x00\n"
_END_RECORD = ["\x00"]
_BREAK = re.compile(r"\r\n|\r|\n")


def _column(header: list[str], index: int) -> str:
    """「名稱」欄, or 第 3 欄 where the header line gives no name (or is the line itself)."""
    name = header[index].strip() if index < len(header) else ""
    return t("io.column", name=name) if name else t("io.column_n", n=index + 1)


def _line_in(start: int, row: list[str], index: int, offset: int) -> int:
    """The line of the file holding row[index][offset], for a record starting at line start
    (quoted cells may hold line breaks)."""
    before = "".join(row[:index]) + row[index][:offset]
    return start + len(_BREAK.findall(before))


def _check_controls(row: list[str], start: int, header: list[str]) -> None:
    """Refuse a cell holding a control character, naming it, its line and its column."""
    for index, cell in enumerate(row):
        found = first_control(cell, multiline=True)  # tab and line breaks: the field decides
        if found:
            line = _line_in(start, row, index, cell.index(found))
            char, where = control_name(found), _column(header, index)
            raise ImportProblem(t("io.csv_control", line=line, where=where, char=char))


def _unclosed_quote(start: int, row: list[str], header: list[str]) -> ImportProblem:
    """The last cell of the record starting at line start opened a quote that never closes."""
    index = len(row) - 1
    line = _line_in(start, row, index, 0)
    return ImportProblem(t("io.csv_unclosed_quote", line=line, where=_column(header, index)))


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(the line it starts on, its cells) of each record of a CSV text; a quote left open
    is refused, naming the line where it opens."""
    reader = csv.reader(itertools.chain(io.StringIO(text, newline=""), [_END]))
    start, last, header = 1, None, None
    try:
        for row in reader:
            if last is not None:
                yield last
            last = (start, row)
            header = row if header is None else header
            start = reader.line_num + 1
    except csv.Error as exc:  # Python's own wording is English: say it in zh-TW
        raise _csv_error(exc, text, start) from None
    if last is not None and last[1] != _END_RECORD:
        row = last[1]  # the end marker was read into its last cell
        raise _unclosed_quote(last[0], row, [] if header is row else header)


def _csv_error(exc: csv.Error, text: str, start: int) -> ImportProblem:
    if "field larger than field limit" not in str(exc):
        return ImportProblem(t("io.bad_csv", line=start, detail=t("io.csv_malformed")))
    # A quote left open makes the rest of a long file one huge cell: an odd number of quotes
    # from the record's first line to the end says so (quoted cells hold them in pairs).
    rest = "".join(io.StringIO(text, newline="").readlines()[start - 1 :])
    if rest.count('"') % 2:
        return ImportProblem(t("io.csv_unclosed_quote_near", line=start))
    detail = t("io.csv_cell_too_large", limit=f"{csv.field_size_limit():,}")
    return ImportProblem(t("io.bad_csv", line=start, detail=detail))


def _csv_rows(data: bytes) -> Iterator[list[Any]]:
    header: list[str] | None = None
    for start, row in _records(_decode(data)):
        _check_controls(row, start, header or [])
        header = row if header is None else header
        yield row


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


# A formula's start tag in a sheet's XML (<f>, <f t="shared" …/>, <x:f>): most files hold none,
# and only those that do are parsed a second time, cell by cell.
_FORMULA_TAG = re.compile(rb"<(?:[\w.-]+:)?f[\s/>]")


def _has_formula(source: IO[bytes]) -> bool:
    tail = b""
    while chunk := source.read(1 << 20):
        if _FORMULA_TAG.search(tail + chunk):
            return True
        tail = chunk[-64:]
    return False


class _Found(Exception):
    """Stops the scan at the first formula without a value."""


def _local(name: str) -> str:
    return name.rpartition(":")[2]  # x:c → c (tags are matched without their namespace)


class _FormulaScan:
    """Finds the first formula cell of a sheet's XML that holds no computed value.

    Excel and LibreOffice save a formula's last value next to it (<v>), which data_only reads;
    a file written by a script (openpyxl) holds the formula alone, which reads as a blank.
    Expat's callbacks, few of them: only the values of formula cells are read as text.
    """

    def __init__(self) -> None:
        self.parser = expat.ParserCreate()
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.row = self.column = 0
        self.ref: str | None = None
        self.formula = self.value = self.text = self.empty_is_value = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = _local(name)
        if tag == "c":
            self.ref, self.column = attrs.get("r"), self.column + 1
            self.formula = self.value = self.text = False
            # An empty <v> is a saved value only for text (a formula that gave "").
            self.empty_is_value = attrs.get("t") == "str"
        elif tag == "row":
            self.row, self.column = int(attrs.get("r") or self.row + 1), 0
        elif tag == "f":
            self.formula = True
        elif tag == "v" and self.formula:
            self.value = True
            self.parser.CharacterDataHandler = self.characters

    def characters(self, data: str) -> None:
        self.text = self.text or bool(data.strip())

    def end(self, name: str) -> None:
        tag = _local(name)
        if tag == "v":
            self.parser.CharacterDataHandler = None
        elif tag == "c" and self.formula and not (self.text or self.value and self.empty_is_value):
            raise _Found

    def run(self, source: IO[bytes]) -> tuple[int, int] | None:
        try:
            self.parser.ParseFile(source)
        except _Found:
            return coordinate_to_tuple(self.ref) if self.ref else (self.row, self.column)
        return None


def _uncached_formula(sheet: Any) -> tuple[int, int] | None:
    """(row, column) of the first formula cell the file holds no computed value for."""
    with sheet._get_source() as source:  # openpyxl's read-only sheet: its part of the zip
        if not _has_formula(source):
            return None
    with sheet._get_source() as source:
        return _FormulaScan().run(source)


def _formula_problem(sheet: Any, row: int, column: int) -> ImportProblem:
    header = next(sheet.iter_rows(max_row=1, values_only=True), ())
    names = ["" if c is None else str(c) for c in header] if row > 1 else []
    cell = f"{get_column_letter(column)}{row}"
    where = _column(names, column - 1)
    return ImportProblem(t("io.xlsx_uncached_formula", row=row, where=where, cell=cell))


def _xlsx_rows(data: bytes) -> Iterator[list[Any]]:
    _check_unpacked_size(data)
    # Any failure inside openpyxl (bad zip, missing part, bad XML) means the same to staff.
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ImportProblem(t("io.unreadable_xlsx")) from None
    try:
        try:
            sheet = book.worksheets[0]
            # A sheet's declared size (<dimension>) would pad every row to it: a forged
            # A1:XFD1048576 makes 16,384 cells of each row. Only the cells it holds are read.
            sheet.reset_dimensions()
            uncached = _uncached_formula(sheet)
        except Exception:
            raise ImportProblem(t("io.unreadable_xlsx")) from None
        if uncached:
            raise _formula_problem(sheet, *uncached)  # never a blank where a formula stood
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
