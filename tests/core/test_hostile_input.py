"""Hostile input, case by case, on a copy of the demo database: every case gets a clear zh-TW
message and leaves every table (audit log, change stamps and rollups included) exactly as it
was. The cases go in where staff's input goes in: the table editor's save, a file import, a
photo upload, the sign-in form.

Each case returns the messages the user is shown; the test compares a dump of the whole
database before and after it.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import openpyxl
import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session, SQLModel

from core.accounts import auth
from core.editing import tables
from core.editing.pipeline import Actor, EditorState, PermissionDenied, save_changes
from core.transfer import table_io as transfer
from core.transfer.table_io import ImportProblem
from core.visitors.photos import PhotoRefused, add_photo
from db import models as m
from db.engine import make_engine
from tests.conftest import BACKENDS, database_copy, dump_tables

ADMIN = Actor("root", "admin")
VIEWER = Actor("carol", "viewer")
FLEET_LEAD = Actor("bob", "lead", frozenset({"fleet"}))
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module", params=BACKENDS)
def bureau(request, tmp_path_factory) -> Iterator[Engine]:
    """A database of its own with the demo data: no case may change it."""
    directory = tmp_path_factory.mktemp("hostile")
    with database_copy(request.param, request, directory, demo=True) as url:
        engine = make_engine(url)
        yield engine
        engine.dispose()


@pytest.fixture
def session(bureau: Engine) -> Iterator[Session]:
    with Session(bureau) as session:
        yield session


_BEFORE: dict[str, dict[str, list]] = {}


def _as_loaded(session: Session) -> dict[str, list]:
    """The dump of the database as loaded: the same before every case, since none may change
    it, so it is taken once per database (a case that wrote would fail here, and so would the
    cases after it, each naming the table that differs)."""
    key = str(session.get_bind().url)
    if key not in _BEFORE:
        _BEFORE[key] = dump_tables(session)
    return _BEFORE[key]


# --- what staff's input goes through ----------------------------------------------------------


def _rows(session: Session, model: type[SQLModel], *where: Any) -> list[dict[str, Any]]:
    """A page of rows as the editor loads them (each with id and version)."""
    table = model.__table__
    query = select(table).where(*where).order_by(table.c.id).limit(20)
    rows = [dict(r) for r in session.execute(query).mappings()]
    session.rollback()
    assert rows, f"the demo data has no {model.__tablename__} rows for this case"
    return rows


def _save(session: Session, model: type[SQLModel], state: EditorState, actor=ADMIN) -> list[str]:
    try:
        result = save_changes(session, model, state, actor=actor)
    except PermissionDenied as exc:
        return [str(exc)]
    assert not result.ok, "the save went through"
    return result.messages()


def _edit(model: type[SQLModel], changes: dict[str, Any], *where: Any, actor=ADMIN):
    """Change the first row (of those matching `where`) in the editor and save."""

    def case(session: Session) -> list[str]:
        state = EditorState(_rows(session, model, *where), edited_rows={0: changes})
        return _save(session, model, state, actor)

    return case


def _add(model: type[SQLModel], row: Callable[[Session], dict[str, Any]], actor=ADMIN):
    """Add a row in the editor's blank line and save."""

    def case(session: Session) -> list[str]:
        state = EditorState(_rows(session, model), added_rows=[row(session)])
        return _save(session, model, state, actor)

    return case


def _first(session: Session, model: type[SQLModel], *where: Any) -> Any:
    found = session.execute(select(model).where(*where).order_by(model.id).limit(1)).scalar()
    session.rollback()
    assert found is not None
    return found


def _new_booking(session: Session, **changes: Any) -> dict[str, Any]:
    venue = _first(session, m.Venue)
    row = {
        "venue_id": venue.id, "starts_at": "2023-03-20T09:00:00", "ends_at": "2023-03-20T11:00:00",
        "title": "測試會議", "organiser_agency": "行國處", "purpose": "meeting", "kind": "meeting",
        "attendees": 10,
    }  # fmt: skip
    return row | changes


def _overlapping_booking(session: Session) -> dict[str, Any]:
    taken = _first(session, m.VenueBooking, m.VenueBooking.status == "approved")
    return _new_booking(
        session, venue_id=taken.venue_id, starts_at=taken.starts_at.isoformat(),
        ends_at=taken.ends_at.isoformat(),
    )  # fmt: skip


def _overlapping_trip(session: Session) -> dict[str, Any]:
    taken = _first(session, m.Trip)
    return {
        "vehicle_id": taken.vehicle_id, "starts_at": taken.starts_at.isoformat(),
        "ends_at": taken.ends_at.isoformat(), "trip_type": "dispatch",
        "requesting_agency": "行國處", "purpose": "official", "km": 10,
    }  # fmt: skip


def _out_beyond_stock(session: Session) -> dict[str, Any]:
    item = _first(session, m.GiftItem)
    return {"item_id": item.id, "moved_on": "2023-03-01", "direction": "out",
            "quantity": 1_000_000, "counterpart": "來訪外賓"}  # fmt: skip


def _duplicate_plate(session: Session) -> dict[str, Any]:
    plate = _first(session, m.Vehicle).plate
    return {"plate": plate, "kind": "sedan", "seats": 5}


def _renamed_like_another_city(session: Session) -> list[str]:
    rows = _rows(session, m.PartnerCity)
    taken = rows[1]["name_zh"]
    return _save(session, m.PartnerCity, EditorState(rows, edited_rows={0: {"name_zh": taken}}))


def _swap_with_a_repeat(session: Session) -> list[str]:
    """Two plates swapped (which saves) and a new car given one of them (which may not)."""
    rows = _rows(session, m.Vehicle)
    first, second = rows[0]["plate"], rows[1]["plate"]
    state = EditorState(
        rows,
        edited_rows={0: {"plate": second}, 1: {"plate": first}},
        added_rows=[{"plate": first, "kind": "sedan", "seats": 5}],
    )
    return _save(session, m.Vehicle, state)


def _stale_edit(session: Session) -> list[str]:
    rows = _rows(session, m.Vehicle)
    rows[0] = rows[0] | {"version": rows[0]["version"] - 1}  # as loaded before someone's save
    return _save(session, m.Vehicle, EditorState(rows, edited_rows={0: {"model_name": "改"}}))


def _delete_vehicle_with_trips(session: Session) -> list[str]:
    used = _first(session, m.Trip).vehicle_id
    rows = _rows(session, m.Vehicle, m.Vehicle.id == used)
    return _save(session, m.Vehicle, EditorState(rows, deleted_rows=[0]))


def _import(filename: str, data: bytes | Callable[[Session], bytes], table: str, actor=ADMIN):
    """Upload a file on the table's import panel and confirm it (what would be written)."""

    def case(session: Session) -> list[str]:
        raw = data(session) if callable(data) else data
        try:
            frame = transfer.read_table_file(filename, raw)
            result = transfer.commit_import(session, tables.SPECS[table].model, frame, actor)
        except (ImportProblem, PermissionDenied) as exc:
            return [str(exc)]
        assert not result.ok, "the import went through"
        return result.messages()

    return case


_EXPORTS: dict[tuple[str, str], list[list[str]]] = {}


def _export(session: Session, table: str) -> list[list[str]]:
    """The header and first five rows of the table's 匯出 CSV (once per database: no case
    changes it)."""
    key = (str(session.get_bind().url), table)
    if key not in _EXPORTS:
        frame = transfer.export_frame(session, tables.SPECS[table])
        session.rollback()
        text = transfer.to_csv_bytes(frame).decode("utf-8-sig")
        _EXPORTS[key] = list(csv.reader(io.StringIO(text)))[:6]
    return _EXPORTS[key]


def _exported(table: str, change: Callable[[list[list[str]]], None] | None = None):
    """The table as its 匯出 CSV gives it, changed as staff would in Excel, as CSV bytes."""

    def build(session: Session) -> bytes:
        lines = [list(line) for line in _export(session, table)]
        if change:
            change(lines)
        out = io.StringIO()
        csv.writer(out).writerows(lines)
        return out.getvalue().encode("utf-8-sig")

    return build


def _exported_text(table: str, change: Callable[[list[str]], None]):
    """The table's 匯出 CSV changed by hand as text (in Notepad, say), line by line."""

    def build(session: Session) -> bytes:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(_export(session, table))
        lines = out.getvalue().split("\n")
        change(lines)
        return "\n".join(lines).encode("utf-8")

    return build


def _open_a_quote(lines: list[str]) -> None:
    lines[2] = '"' + lines[2]  # line 3 of the file: the rest of the file would be one cell


def _nul_in_line_2(lines: list[str]) -> None:
    first, rest = lines[1].split(",", 1)
    lines[1] = f"{first},\x00{rest}"


def _exported_xlsx(table: str, change: Callable[[list[list[str]]], None]):
    """The table's 匯出 CSV saved as .xlsx by a script (openpyxl), changed first."""

    def build(session: Session) -> bytes:
        lines = [list(line) for line in _export(session, table)]
        change(lines)
        book = openpyxl.Workbook()
        for line in lines:
            book.active.append(line)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    return build


def _set(column: str, value: str, row: int = 1):
    def change(lines: list[list[str]]) -> None:
        lines[row][lines[0].index(column)] = value

    return change


def _add_column(name: str):
    def change(lines: list[list[str]]) -> None:
        for i, line in enumerate(lines):
            line.append(name if i == 0 else "x")

    return change


def _drop_column(name: str):
    def change(lines: list[list[str]]) -> None:
        k = lines[0].index(name)
        for line in lines:
            del line[k]
        for line in lines[1:]:
            line[0] = ""  # new rows, so the required column is missing

    return change


def _ragged(lines: list[list[str]]) -> None:
    lines[2] = lines[2] + ["多出來的", "欄位"]


def _duplicate_header(lines: list[list[str]]) -> None:
    lines[0][2] = lines[0][1]


def _zip_bomb() -> bytes:
    """A tiny .xlsx whose sheet unpacks to 300 MB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            block = b"0" * (1 << 20)
            for _ in range(300):
                sheet.write(block)
    return out.getvalue()


def _xlsx_with_columns(n: int) -> bytes:
    book = openpyxl.Workbook()
    book.active.append([f"欄{i}" for i in range(n)])
    book.active.append(list(range(n)))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _photo(filename: str, data: bytes):
    def case(session: Session) -> list[str]:
        reception = _first(session, m.Reception)
        try:
            add_photo(session, reception.id, filename, data, actor=ADMIN)
        except PhotoRefused as exc:
            return [str(exc)]
        raise AssertionError("the photo was stored")

    return case


def _png_header() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\0" * 64


CASES: dict[str, tuple[Callable[[Session], list[str]], str]] = {
    # Required fields, limits and numbers, in the table editor
    "empty_required_text": (_edit(m.VenueBooking, {"organiser_agency": ""}), "不可空白"),
    "whitespace_required_text": (_edit(m.ExchangeEvent, {"title": "   "}), "不可空白"),
    "whitespace_in_a_new_row": (
        _add(m.VenueBooking, lambda s: _new_booking(s, organiser_agency=" \t ")),
        "不可空白",
    ),  # noqa: E501
    "text_over_the_limit": (_edit(m.VenueBooking, {"title": "長" * 201}), "200"),
    "note_over_the_limit": (_edit(m.Trip, {"note": "x" * 501}), "500"),
    "negative_number": (_edit(m.VenueBooking, {"attendees": -5}), "0"),
    "nan": (_edit(m.VenueBooking, {"attendees": math.nan}), "人數"),
    "infinity": (_edit(m.Trip, {"km": math.inf}), "里程"),
    "huge_number": (_edit(m.Trip, {"km": 1e12}), "2000"),
    "huge_integer": (_edit(m.GiftMovement, {"quantity": 10**20}), "數量"),
    # Control characters (PostgreSQL refuses NUL; SQLite would store it): refused alike
    "nul_in_a_text": (_edit(m.Vehicle, {"model_name": "Toyota\x00Hiace"}), "U+0000（NUL）"),
    "word_paste_in_a_summary": (_edit(m.Reception, {"summary": "第一段\x0b第二段"}), "U+000B"),
    "line_break_in_a_plate": (_edit(m.Vehicle, {"plate": "RAM\n8832"}), "只能填一行"),
    "tab_in_a_file": (
        _import("v.csv", _exported("vehicle", _set("車型", "Toyota\tHiace")), "vehicle"),
        "檔案第 2 列「車型」只能填一行",
    ),
    "choice_not_offered": (_edit(m.VenueBooking, {"purpose": "party"}), "不是可選的項目"),
    # Dates
    "end_before_start": (_edit(m.VenueBooking, {"ends_at": "2000-01-01T00:00:00"}), "晚於"),
    "trip_end_before_start": (_edit(m.Trip, {"ends_at": "2000-01-01T00:00:00"}), "晚於"),
    "year_1900": (
        _add(m.VenueBooking, lambda s: _new_booking(s, starts_at="1900-03-20T09:00:00")),
        "1950",
    ),  # noqa: E501
    "year_2200": (_edit(m.ExchangeEvent, {"start_date": "2200-01-01"}), "2100"),
    # Times of day (Asia/Taipei wall time) and partner cities' time zones
    "time_out_of_range": (_edit(m.ExchangeEvent, {"start_time": "25:61"}), "時:分"),
    "time_as_seconds": (_edit(m.ExchangeEvent, {"start_time": 3600}), "時:分"),
    "time_with_a_zone": (_edit(m.Reception, {"start_time": "09:30+08:00"}), "臺北時間"),
    "end_time_without_start": (
        _edit(m.ExchangeEvent, {"end_time": "10:00"}, m.ExchangeEvent.start_time.is_(None)),
        "必須一併填「開始時間」",
    ),
    "end_time_before_start": (
        _edit(
            m.ExchangeEvent,
            {"start_time": "10:00", "end_time": "09:00"},
            m.ExchangeEvent.start_date == m.ExchangeEvent.end_date,
        ),
        "必須晚於",
    ),
    "unknown_time_zone": (_edit(m.PartnerCity, {"timezone": "Mars/Olympus_Mons"}), "IANA"),
    "time_zone_as_a_path": (_edit(m.PartnerCity, {"timezone": "../../etc/passwd"}), "IANA"),
    "bad_time_in_a_file": (
        _import("e.csv", _exported("exchange_event", _set("開始時間", "25:00")), "exchange_event"),
        "時:分",
    ),  # noqa: E501
    "gift_received_in_the_future": (
        _edit(
            m.GiftReceived,
            {"received_on": (date.today() + timedelta(days=30)).isoformat()},
            m.GiftReceived.report_filed_on.is_(None),
            m.GiftReceived.ethics_notified_on.is_(None),
            m.GiftReceived.returned_on.is_(None),
        ),
        "今天",
    ),  # noqa: E501
    # Links, uniqueness, overlaps, stock
    "link_to_a_missing_venue": (
        _add(m.VenueBooking, lambda s: _new_booking(s, venue_id=999_999)),
        "999999",
    ),  # noqa: E501
    "link_to_a_missing_vehicle": (_edit(m.Trip, {"vehicle_id": 999_999}), "999999"),
    "link_to_a_missing_reception": (_edit(m.GiftMovement, {"reception_id": 999_999}), "999999"),
    "duplicate_plate": (_add(m.Vehicle, _duplicate_plate), "重複"),
    "duplicate_city_name": (_renamed_like_another_city, "重複"),
    "swap_with_a_repeat": (_swap_with_a_repeat, "新增第 1 列「車號」"),
    "overlapping_booking": (_add(m.VenueBooking, _overlapping_booking), "已有"),
    "overlapping_trip": (_add(m.Trip, _overlapping_trip), "已有"),
    "gifts_out_beyond_stock": (_add(m.GiftMovement, _out_beyond_stock), "庫存"),
    "delete_a_vehicle_with_trips": (_delete_vehicle_with_trips, "無法刪除"),
    # Who and when
    "stale_version": (_stale_edit, "已被"),
    "viewer_crafted_write": (_edit(m.VenueBooking, {"title": "改"}, actor=VIEWER), "沒有編輯"),
    "other_sections_lead": (_edit(m.VenueBooking, {"title": "改"}, actor=FLEET_LEAD), "沒有編輯"),
    # Files on the import panel
    "roc_year_zero": (
        _import(
            "b.csv", _exported("venue_booking", _set("開始", "0/03/15 09:00")), "venue_booking"
        ),
        "民國",
    ),  # noqa: E501
    "roc_two_digit_year": (
        _import(
            "b.csv", _exported("venue_booking", _set("開始", "12/03/15 09:00")), "venue_booking"
        ),
        "1950",
    ),  # noqa: E501
    "impossible_date": (
        _import(
            "b.csv", _exported("venue_booking", _set("開始", "112/02/30 09:00")), "venue_booking"
        ),
        "開始",
    ),  # noqa: E501
    "unknown_column": (
        _import("b.csv", _exported("venue_booking", _add_column("顏色")), "venue_booking"),
        "無法辨識的欄位",
    ),  # noqa: E501
    "missing_required_column": (
        _import("b.csv", _exported("venue_booking", _drop_column("場地")), "venue_booking"),
        "缺少必填欄位",
    ),  # noqa: E501
    "ragged_rows": (
        _import("b.csv", _exported("venue_booking", _ragged), "venue_booking"),
        "比標題列多",
    ),  # noqa: E501
    "duplicate_header": (
        _import("b.csv", _exported("venue_booking", _duplicate_header), "venue_booking"),
        "重複",
    ),  # noqa: E501
    "version_left_blank": (
        _import("b.csv", _exported("vehicle", _set("版本", "")), "vehicle"),
        "版本」空白",
    ),  # noqa: E501
    "viewer_import": (
        _import("b.csv", _exported("vehicle", _set("車型", "改")), "vehicle", actor=VIEWER),
        "沒有編輯",
    ),  # noqa: E501
    "utf16_file": (_import("b.csv", "場地,開始\n".encode("utf-16"), "venue_booking"), "UTF-16"),
    "neither_utf8_nor_big5": (
        _import("b.csv", bytes(range(128, 256)) * 8, "venue_booking"),
        "Big5",
    ),  # noqa: E501
    "ten_megabytes_of_junk": (
        _import("b.csv", b"\x00junk" * (2 * 1024 * 1024), "venue_booking"),
        "檔案太大",
    ),  # noqa: E501
    "one_huge_cell": (
        _import("b.csv", ("場地,開始\n" + "長" * 200_000 + ",1\n").encode(), "venue_booking"),
        "超過 131,072 個字元",
    ),
    "csv_quote_left_open": (
        _import("v.csv", _exported_text("vehicle", _open_a_quote), "vehicle"),
        "檔案第 3 行「編號」欄開頭的引號",
    ),
    "csv_holding_a_nul": (
        _import("v.csv", _exported_text("vehicle", _nul_in_line_2), "vehicle"),
        "檔案第 2 行「車號」欄含有看不見的控制字元 U+0000（NUL）",
    ),
    "xlsx_formula_without_its_value": (
        _import("v.xlsx", _exported_xlsx("vehicle", _set("座位數", "=5+6")), "vehicle"),
        "（儲存格 E2）是公式",
    ),
    "empty_file": (_import("b.csv", b"", "venue_booking"), "空的"),
    "header_only": (_import("b.csv", "場地,開始\n".encode(), "venue_booking"), "只有標題列"),
    "xls_extension": (
        _import("old.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 100, "venue_booking"),
        ".xlsx",
    ),  # noqa: E501
    "text_named_xlsx": (_import("b.xlsx", "場地,開始\n".encode(), "venue_booking"), "不是 .xlsx"),  # noqa: E501
    "xlsx_zip_bomb": (_import("b.xlsx", _zip_bomb(), "venue_booking"), "解壓縮後超過"),
    "xlsx_too_many_columns": (
        _import("b.xlsx", _xlsx_with_columns(150), "venue_booking"),
        "欄位超過",
    ),  # noqa: E501
    # Photos
    "oversize_photo": (_photo("big.jpg", b"\xff\xd8\xff" + b"\0" * (6 * 1024 * 1024)), "MB"),
    "text_named_jpg": (_photo("notes.jpg", "這不是照片".encode() * 100), "JPEG"),
    "png_that_does_not_decode": (_photo("broken.png", _png_header()), "無法"),
}


@pytest.mark.parametrize("name", CASES)
def test_each_case_is_refused_in_zh_and_changes_nothing(session, name):
    case, phrase = CASES[name]
    before = _as_loaded(session)
    messages = case(session)
    session.rollback()
    assert messages, "no message shown"
    shown = "\n".join(messages)
    assert CJK.search(shown), shown
    assert phrase in shown, shown
    assert dump_tables(session) == before


def test_six_wrong_passwords_lock_the_account_and_change_no_bureau_data(session):
    _BEFORE.pop(str(session.get_bind().url), None)  # this test adds an account: dump again
    auth.create_user(session, username="hostile.user", password="right-pass-2023", role="viewer")
    sign_in_tables = ("app_user", "audit_log", "auth_session", "table_stamp")

    def bureau_data() -> dict[str, list]:
        dump = dump_tables(session)
        return {n: rows for n, rows in dump.items() if n not in sign_in_tables}

    before = bureau_data()
    outcomes = [auth.authenticate(session, "hostile.user", "wrong!") for _ in range(6)]
    assert not any(o.ok for o in outcomes)
    # One answer for every wrong password, locked or not: only the right one learns of a lock.
    assert {o.message for o in outcomes} == {outcomes[0].message} and CJK.search(
        outcomes[0].message
    )
    right = auth.authenticate(session, "hostile.user", "right-pass-2023")
    assert not right.ok and "鎖定" in right.message
    assert bureau_data() == before
    assert len(CASES) >= 40
