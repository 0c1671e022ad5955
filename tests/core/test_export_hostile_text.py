"""Every exporter over a demo database whose text holds control characters (a Word paste from
before the editor refused them): none crashes, no file holds a control character, and the
spreadsheets carry no live formula, the hidden one (\\x01=HYPERLINK…) shown neutralised.

The values go straight into the database with SQL (the editor refuses them now). PostgreSQL
cannot store NUL in text, so NUL is put in on SQLite only.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import fields, is_dataclass
from datetime import date
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
from icalendar import Calendar
from sqlalchemy import Connection, Engine, select, text
from sqlmodel import AutoString, Session, SQLModel

from core.briefing import build as briefing
from core.briefing.charts import CHARTS
from core.calendar import ics
from core.editing import tables
from core.fleet import reports as fleet_reports
from core.gifts import register as gift_register
from core.kernel.charts import export_spec, to_svg
from core.kernel.periods import REPORT_PERIOD
from core.kernel.text_safety import CONTROL, FORMULA_STARTS
from core.transfer import table_io as transfer
from db.engine import make_engine
from db.models import Trip
from tests.conftest import BACKENDS, database_copy

HIDDEN = '\x01=HYPERLINK("http://x.test","會議資料")'
SHOWN = HIDDEN[1:]  # what a document reads once the control character is gone
NEUTRALISED = "'" + SHOWN  # what a spreadsheet cell reads: text, never a formula
START, END = REPORT_PERIOD.start, REPORT_PERIOD.end
# Not staff's text: accounts, the audit trail, photo bookkeeping, and codes code looks up.
UNTOUCHED_TABLES = {"audit_log", "table_stamp", "app_user", "auth_session", "reception_photo"}
UNTOUCHED_COLUMNS = {("partner_city", "country_code"), ("partner_city", "region"),
                     ("partner_city", "timezone")}  # fmt: skip
# (table, column, the row: its first one in the report period, or first of all)
HIDDEN_AT = [
    ("exchange_event", "title", "start_date >= :start AND start_date <= :end"),
    ("reception", "organisation", "visit_date >= :start AND visit_date <= :end"),
    ("gift_received", "donor", "received_on >= :start AND received_on <= :end"),
    ("trip", "requesting_agency", "starts_at >= :start AND trip_type = 'loan'"),
    ("venue_booking", "title", "starts_at >= :start"),
    ("vehicle", "model_name", "1 = 1"),
    ("gift_item", "name", "1 = 1"),
    ("venue", "name", "1 = 1"),
]
XML_ESCAPE = re.compile(r"_x00[01][0-9A-Fa-f]_")  # how python-pptx writes a control character


def _text_columns() -> Iterator[tuple[str, str, int]]:
    for name, table in SQLModel.metadata.tables.items():
        if name in UNTOUCHED_TABLES:
            continue
        for column in table.columns:
            # AutoString: staff's text; enums and rollup keys are other types
            if isinstance(column.type, AutoString) and (name, column.name) not in UNTOUCHED_COLUMNS:
                yield name, column.name, column.type.length


def poison(conn: Connection, *, nul: bool) -> None:
    """Control characters after the first character of every non-empty text; HIDDEN in the
    cells of HIDDEN_AT."""
    mid = "\x0b\x1f\x7f" + ("\x00" if nul else "")
    for table, column, length in _text_columns():
        conn.execute(
            text(
                f"UPDATE {table} SET {column} = substr({column}, 1, 1) || :mid"
                f" || substr({column}, 2, {length - 1 - len(mid)}) WHERE {column} <> ''"
            ),
            {"mid": mid},
        )
    for table, column, where in HIDDEN_AT:
        first = conn.execute(
            text(f"SELECT id FROM {table} WHERE {where} ORDER BY {where.split()[0]}, id LIMIT 1"),
            {"start": START, "end": END},
        ).scalar_one()
        conn.execute(text(f"UPDATE {table} SET {column} = :v WHERE id = :id"),
                     {"v": HIDDEN, "id": first})  # fmt: skip


@pytest.fixture(scope="module", params=BACKENDS)
def bureau(request, tmp_path_factory) -> Iterator[Engine]:
    """The demo data with control characters in every text column."""
    directory = tmp_path_factory.mktemp("controls")
    with database_copy(request.param, request, directory, demo=True) as url:
        engine = make_engine(url)
        with engine.begin() as conn:
            poison(conn, nul=request.param == "sqlite")
        yield engine
        engine.dispose()


@pytest.fixture(scope="module")
def built(bureau: Engine) -> briefing.Briefing:
    """The briefing with every option, charts drawn once for the three formats.

    vl-convert aborts the whole process on a control character in a chart's text, so the specs
    are checked before anything is drawn."""
    request = briefing.BriefingRequest(START, END, items=frozenset(briefing.ALL_OPTIONS))
    with Session(bureau) as session:
        content = briefing.build_briefing(session, request)
    for figure in content.all_figures():
        _no_control_in_spec(figure.chart)
    briefing.render_charts(content)
    return content


def _no_control_in_spec(chart: Any) -> None:
    found = CONTROL.search(json.dumps(export_spec(chart), ensure_ascii=False))
    assert found is None, f"a chart's text holds {found.group()!r}"


# --- the exporters: each gives (kind, file) -------------------------------------------------

Export = Callable[[Session, pytest.FixtureRequest], tuple[str, Any]]


def _table(name: str, fmt: str) -> Export:
    def export(session: Session, _request) -> tuple[str, Any]:
        frame = transfer.export_frame(session, tables.SPECS[name], REPORT_PERIOD)
        write = transfer.to_csv_bytes if fmt == "csv" else transfer.to_xlsx_bytes
        return fmt, write(frame)

    return export


def _loan_month(session: Session) -> date:
    starts = session.scalars(select(Trip.starts_at).where(Trip.requesting_agency == HIDDEN)).one()
    return date(starts.year, starts.month, 1)


def _briefing(fmt: str) -> Export:
    return lambda _session, request: (fmt, briefing.render(request.getfixturevalue("built"), fmt))


def _chart(key: str) -> Export:
    def export(session: Session, _request) -> tuple[str, Any]:
        chart = CHARTS[key](session, REPORT_PERIOD, "zh-TW")
        _no_control_in_spec(chart)  # before vl-convert sees it (see `built`)
        return "svg", to_svg(chart).encode()

    return export


def _ics_one_city(session: Session, _request) -> tuple[str, Any]:
    city = session.execute(text("SELECT min(city_id) FROM reception")).scalar_one()
    name = ics.file_name(session, city, START, END)
    assert CONTROL.search(name) is None, name
    return "ics", ics.build_ics(session, START, END, city_id=city)


EXPORTERS: dict[str, tuple[Export, str | None]] = {
    **{
        f"table.{name}.{fmt}": (_table(name, fmt), NEUTRALISED if name in {
            "exchange_event", "reception", "gift_received", "trip", "vehicle", "gift_item",
            "venue", "venue_booking",
        } else None)
        for name in tables.SPECS
        for fmt in ("csv", "xlsx")
    },  # fmt: skip
    "gift_register": (lambda s, _r: ("xlsx", gift_register.register_workbook(s, REPORT_PERIOD)),
                      NEUTRALISED),
    "fleet.loan_statement": (
        lambda s, _r: ("xlsx", fleet_reports.loan_statement_workbook(s, _loan_month(s), 31.5)),
        NEUTRALISED,
    ),
    "fleet.usage_report": (
        lambda s, _r: ("xlsx", fleet_reports.usage_report_workbook(s, date(2023, 1, 1))),
        NEUTRALISED,
    ),
    **{f"briefing.{fmt}": (_briefing(fmt), SHOWN) for fmt in briefing.FORMATS},
    "ics": (lambda s, _r: ("ics", ics.build_ics(s, START, END)), SHOWN),
    "ics.one_city": (_ics_one_city, None),
    **{f"chart.{key}.svg": (_chart(key), None) for key in CHARTS},
}  # fmt: skip


# --- what each kind of file is read with ----------------------------------------------------


def _controls(value: str) -> list[str]:
    return CONTROL.findall(value) + XML_ESCAPE.findall(value)


def _xml_texts(data: bytes) -> list[str]:
    """Every text and attribute value of every XML part of an Office file (or an SVG)."""
    parts = [data]
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [n for n in archive.namelist() if n.endswith((".xml", ".rels"))]
            parts = [archive.read(n) for n in names]
    found = []
    for part in parts:
        for element in ElementTree.fromstring(part).iter():
            found += [element.text or "", element.tail or "", *element.attrib.values()]
    return found


def _sheet_cells(data: bytes) -> list[Any]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    formulas = [c.coordinate for c in cells if c.data_type == "f"]
    assert not formulas, f"live formulas in {formulas}"
    return [c.value for c in cells]


def _number(value: str) -> bool:
    """-157.8583 in a CSV file: Excel reads it as a number, not a formula."""
    try:
        float(value)
    except ValueError:
        return False
    return True


def _csv_cells(data: bytes) -> list[Any]:
    decoded = data.decode("utf-8-sig")
    assert not _controls(decoded)
    return [cell for row in csv.reader(io.StringIO(decoded)) for cell in row]


def _pdf_texts(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def _ics_texts(data: bytes) -> list[str]:
    decoded = data.decode("utf-8")
    assert not _controls(decoded)
    calendar = Calendar.from_ical(decoded)
    return [str(event.get("summary", "")) for event in calendar.walk("VEVENT")] + [decoded]


READERS: dict[str, Callable[[bytes], list[Any]]] = {
    "csv": _csv_cells,
    "xlsx": _sheet_cells,
    "docx": _xml_texts,
    "pptx": _xml_texts,
    "svg": _xml_texts,
    "pdf": _pdf_texts,
    "ics": _ics_texts,
}
SPREADSHEETS = {"csv", "xlsx"}


@pytest.mark.parametrize("name", EXPORTERS)
def test_exporter_writes_no_control_character_and_no_live_formula(bureau, request, name):
    export, expected = EXPORTERS[name]
    with Session(bureau) as session:
        kind, data = export(session, request)
    values = READERS[kind](data)
    texts = [v for v in values if isinstance(v, str)]
    assert texts, "the file holds no text"
    bad = [v for v in texts if _controls(v)]
    assert not bad, f"control characters in {bad[:3]}"
    if kind in SPREADSHEETS:
        live = [v for v in texts if v.startswith(FORMULA_STARTS) and not _number(v)]
        assert not live, f"cells Excel would run as formulas: {live[:3]}"
        if kind == "xlsx":
            assert any(isinstance(v, int | float) for v in values), "numbers became text"
    if kind in ("docx", "pptx"):
        texts = ["".join(texts)]  # a run may hold part of a sentence
    if expected is not None:
        assert any(expected in v for v in texts), f"{expected!r} is not in the file"
        assert kind not in SPREADSHEETS or expected in texts, "the formula is not a cell of its own"


def _texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _texts(v)
    elif is_dataclass(value):
        for f in fields(value):
            yield from _texts(getattr(value, f.name))


def test_the_briefing_the_page_previews_holds_no_control_character(built):
    texts = list(_texts(built))
    assert not [v for v in texts if CONTROL.search(v)]
    assert any(SHOWN in v for v in texts)
