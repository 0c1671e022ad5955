"""Export and import of tables: files safe for Excel, imports through the edit pipeline."""

import codecs
import csv
import io
from datetime import date, datetime, time
from typing import Any

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from core.editing import tables
from core.editing.pipeline import Actor, EditorState, PermissionDenied, save_changes
from core.i18n.labels import messages_in
from core.kernel.periods import Period
from core.transfer import table_io as transfer
from core.transfer.table_io import ImportProblem
from db.models import (
    AuditAction,
    AuditEntry,
    Disposition,
    ExchangeEvent,
    GiftReceived,
    Reception,
    TableStamp,
    Venue,
    VenueBooking,
)
from tests.conftest import dump_tables

ADMIN = Actor("root", "admin")
VENUES_LEAD = Actor("alice", "lead", frozenset({"venues"}))
GIFTS_LEAD = Actor("gina", "lead", frozenset({"gifts"}))
VIEWER = Actor("carol", "viewer")
BOOKINGS = tables.SPECS["venue_booking"]
MARCH = Period(date(2023, 3, 1), date(2023, 3, 31))
HEADER = "場地,開始,結束,活動／會議名稱,申請機關,用途,場次類別,人數"


def _venue(session: Session, name: str, capacity: int = 50) -> int:
    venue = Venue(centre="siwei", name=name, kind="meeting_room", capacity=capacity)
    session.add(venue)
    session.commit()
    return venue.id


def _booking(session: Session, venue_id: int, when: datetime, title: str, **extra: Any) -> int:
    booking = VenueBooking(
        venue_id=venue_id,
        starts_at=when,
        ends_at=when.replace(hour=when.hour + 2),
        title=title,
        organiser_agency="行國處",
        purpose="meeting",
        kind="meeting",
        attendees=10,
        **extra,
    )
    session.add(booking)
    session.commit()
    return booking.id


def _audit_count(session: Session) -> int:
    count = session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    session.rollback()
    return count


def _csv(text: str, encoding: str = "utf-8") -> pd.DataFrame:
    return transfer.read_table_file("bookings.csv", text.encode(encoding))


def _issues(result: transfer.ImportPreview) -> list[tuple]:
    return [(i.line, i.field, i.message) for i in result.issues]


@pytest.fixture
def venues(session: Session) -> list[int]:
    # Large rooms: these tests are about the pipeline, not the capacity rule.
    return [_venue(session, "第一會議室", 120), _venue(session, "第二會議室", 100)]


@pytest.fixture
def bookings(session: Session, venues: list[int]) -> list[int]:
    """Two bookings in March 2023 and one in April."""
    return [
        _booking(session, venues[0], datetime(2023, 3, 1, 9), "週會"),
        _booking(session, venues[1], datetime(2023, 3, 2, 14), "=HYPERLINK(1)"),
        _booking(session, venues[0], datetime(2023, 4, 3, 9), "四月會議"),
    ]


# Export


def test_export_holds_every_row_of_the_filter_as_the_table_shows_it(session, bookings):
    frame = transfer.export_frame(session, BOOKINGS, MARCH)
    assert list(frame.columns) == [
        "編號",
        "場地",
        "開始",
        "結束",
        "活動／會議名稱",
        "申請機關",
        "用途",
        "場次類別",
        "人數",
        "狀態",
        "版本",
    ]
    assert frame["編號"].tolist() == [bookings[1], bookings[0]]  # newest first, April left out
    first = frame.iloc[1]
    assert (first["場地"], first["開始"], first["結束"]) == (
        "四維行政中心 第一會議室",
        "112/03/01 09:00",
        "112/03/01 11:00",
    )
    assert (first["用途"], first["狀態"], first["版本"]) == ("會議", "核准", 1)
    searched = transfer.export_frame(session, BOOKINGS, None, "四月", lang="en")
    assert searched["ID"].tolist() == [bookings[2]]
    assert searched["Version"].tolist() == [1]


def test_export_is_not_limited_to_one_page(session, venues):
    for day in range(1, 31):
        _booking(session, venues[0], datetime(2023, 3, day, 9), f"會議 {day}")
    assert len(transfer.export_frame(session, BOOKINGS, MARCH)) == 30


def test_export_shows_booleans_as_yes_or_no(session):
    session.add(Venue(centre="fengshan", name="禮堂", kind="hall", capacity=300, active=False))
    session.commit()
    frame = transfer.export_frame(session, tables.SPECS["venue"])
    assert frame["啟用"].tolist() == ["否"]
    assert transfer.export_frame(session, tables.SPECS["venue"], lang="en")["Active"].tolist() == [
        "No"
    ]


# Formula injection

RISKY = ["=1+1", "+886 7 1234567", "-abc", "@SUM(A1)", "\tx", "\rx", "\nx", "'kept", "plain"]
NEUTRALISED = ["'" + v for v in RISKY[:-1]] + ["plain"]
INTS = [-5, 0, 3, -1, 2, 7, 9, 11, -100]
FLOATS = [-0.5, 3.25, 0.0, -1e-05, 2.5, 7.75, 9.0, 11.5, -100.125]


def _risky_frame() -> pd.DataFrame:
    return pd.DataFrame({"text": RISKY, "int": INTS, "float": FLOATS})


def test_csv_has_a_bom_neutralises_formulas_and_keeps_numbers():
    data = transfer.to_csv_bytes(_risky_frame())
    assert data.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["text", "int", "float"]
    assert [r[0] for r in rows[1:]] == NEUTRALISED
    assert [r[1] for r in rows[1:]] == ["-5", "0", "3", "-1", "2", "7", "9", "11", "-100"]
    assert [float(r[2]) for r in rows[1:]] == FLOATS and rows[1][2] == "-0.5"


def test_xlsx_neutralises_formulas_keeps_numbers_and_bolds_a_frozen_header():
    book = openpyxl.load_workbook(io.BytesIO(transfer.to_xlsx_bytes(_risky_frame())))
    sheet = book.active
    # openpyxl writes through lxml (installed with python-docx), which keeps a carriage return.
    assert [c.value for c in sheet["A"]][1:] == NEUTRALISED
    assert {c.data_type for c in sheet["A"][1:]} == {"s"}  # no cell is a formula
    assert [c.value for c in sheet["B"]][1:] == INTS
    assert [c.value for c in sheet["C"]][1:] == FLOATS
    assert {c.data_type for c in [*sheet["B"][1:], *sheet["C"][1:]]} == {"n"}
    assert sheet["A1"].font.bold and sheet.freeze_panes == "A2"


def test_xlsx_drops_control_characters_excel_cannot_hold():
    data = transfer.to_xlsx_bytes(pd.DataFrame({"text": ["a\x07b\x00c"]}))
    assert openpyxl.load_workbook(io.BytesIO(data)).active["A2"].value == "abc"


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_neutralised_cells_read_back_as_they_were(suffix):
    write = transfer.to_csv_bytes if suffix == "csv" else transfer.to_xlsx_bytes
    frame = transfer.read_table_file(f"x.{suffix}", write(_risky_frame()))
    assert frame["text"].tolist() == RISKY
    if suffix == "xlsx":
        assert (frame["int"].tolist(), frame["float"].tolist()) == (INTS, FLOATS)
    else:
        assert frame["int"].tolist() == [str(n) for n in INTS]
        assert [float(v) for v in frame["float"]] == FLOATS


# Reading files


def _rows(venues: list[int], attendees: int = 12) -> str:
    """Two new bookings: the first venue by its name, the second by its id."""
    return (
        "四維行政中心 第一會議室,112/03/15 09:00,112/03/15 11:00,月會,觀光局,會議,會議,"
        f"{attendees}\n{venues[1]},2023-03-16 14:00,2023-03-16 16:30,講座,文化局,演講,活動,80\n"
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp950"])
def test_csv_in_utf8_bom_or_big5_imports(session, venues, encoding):
    result = transfer.commit_import(
        session, VenueBooking, _csv(HEADER + "\n" + _rows(venues), encoding), ADMIN
    )
    assert result.ok, result.messages()
    assert (len(result.inserts), len(result.updates), len(result.inserted_ids)) == (2, 0, 2)
    rows = session.exec(select(VenueBooking).order_by(VenueBooking.id)).scalars().all()
    assert [(r.venue_id, r.starts_at, r.title, r.purpose, r.kind, r.attendees) for r in rows] == [
        (venues[0], datetime(2023, 3, 15, 9), "月會", "meeting", "meeting", 12),
        (venues[1], datetime(2023, 3, 16, 14), "講座", "lecture", "event", 80),
    ]
    assert rows[1].ends_at == datetime(2023, 3, 16, 16, 30)


def test_xlsx_imports_with_english_headers_field_names_and_typed_cells(session, venues):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["venue_id", "Starts", "Ends", "Title", "Organiser", "purpose", "kind", "人數"])
    starts = datetime(2023, 3, 15, 9)
    sheet.append([venues[1], starts, "112/03/15 10:00", 2023, "觀光局", "展覽", "Event", 30.0])
    data = io.BytesIO()
    book.save(data)
    frame = transfer.read_table_file("bookings.XLSX", data.getvalue())
    result = transfer.commit_import(session, VenueBooking, frame, VENUES_LEAD)
    assert result.ok, result.messages()
    row = session.get(VenueBooking, result.inserted_ids[0])
    assert (row.venue_id, row.starts_at, row.ends_at) == (
        venues[1],
        datetime(2023, 3, 15, 9),
        datetime(2023, 3, 15, 10),
    )
    assert (row.title, row.purpose, row.kind, row.attendees) == ("2023", "exhibition", "event", 30)


def _gift_csv(*rows: str) -> pd.DataFrame:
    header = (
        "收受日期,贈與者（機關）,受贈人,說明,估價（新臺幣）,公務禮儀,處理方式,知會政風日期,外賓接待"
    )
    return transfer.read_table_file("gifts.csv", "\n".join([header, *rows]).encode())


def test_values_read_roc_dates_labels_booleans_names_and_blanks(session):
    visit = Reception(visit_date=date(2023, 3, 10), visitor_name_zh="服部誠太郎", country="日本")
    visit.category = "governor_mayor"
    session.add(visit)
    session.commit()
    frame = _gift_csv(
        "民國112年3月15日,福岡縣,陳其邁,博多人形,3000,是,歸公,112.3.17,服部誠太郎",
        "2023-03-16,福岡縣,羅達生,茶具,1500,false,returned,,",
        "1120317,福岡縣,張硯卿,書籤,100,0,Donated to charity,,",
    )
    result = transfer.commit_import(session, GiftReceived, frame, GIFTS_LEAD)
    assert result.ok, result.messages()
    gifts = session.exec(select(GiftReceived).order_by(GiftReceived.id)).scalars().all()
    assert [
        (g.received_on, g.official_courtesy, g.disposition, g.ethics_notified_on, g.reception_id)
        for g in gifts
    ] == [
        (date(2023, 3, 15), True, Disposition.TO_AGENCY, date(2023, 3, 17), visit.id),
        (date(2023, 3, 16), False, Disposition.RETURNED, None, None),
        (date(2023, 3, 17), False, Disposition.DONATED, None, None),
    ]
    assert gifts[0].presenting_person == ""  # a column the file leaves out gets its default


def test_unreadable_values_name_the_file_line_and_field(session):
    frame = _gift_csv(
        "112/02/30,福岡縣,陳其邁,人形,3000,是,歸公,,",
        "112/03/01,福岡縣,陳其邁,人形,3000,是,歸公,,不存在的訪客",
        "112/03/01,福岡縣,陳其邁,人形,3000,也許,歸公,,",
        "112/03/01,福岡縣,陳其邁,人形,3000,是,銷毀,,",
        "112/03/01,福岡縣,陳其邁,人形,3000,是,歸公,12:00,",
    )
    before = dump_tables(session)
    result = transfer.preview_import(session, GiftReceived, frame, ADMIN)
    assert not result.ok
    # Lines 2 and 3 fail while reading; lines 4–6 are the pipeline's new rows 1–3.
    assert _issues(result) == [
        (2, "received_on", "檔案第 2 列「收受日期」有誤：「112/02/30」：2 月沒有 30 日。"),
        (
            3,
            "reception_id",
            "檔案第 3 列「外賓接待」找不到「不存在的訪客」，請填系統中的名稱或編號",
        ),
        (4, "official_courtesy", "檔案第 4 列「公務禮儀」的「也許」格式不正確"),
        (5, "disposition", "檔案第 5 列「處理方式」的「銷毀」不是可選的項目"),
        (
            6,
            "ethics_notified_on",
            "檔案第 6 列「知會政風日期」有誤：「12:00」不是可辨識的日期，"
            "請輸入如 112年3月15日、112/03/15、112.3.15 或 1120315。",
        ),
    ]
    assert dump_tables(session) == before


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("x.csv", bytes(range(256)) * 8, "無法讀取 CSV 檔"),
        ("x.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "無法讀取 CSV 檔"),
        ("x.csv", codecs.BOM_UTF16_LE + "名稱".encode("utf-16-le"), "UTF-16"),
        ("x.xlsx", bytes(range(256)) * 8, "無法讀取 Excel 檔"),
        ("x.xlsx", b"PK\x03\x04broken zip", "無法讀取 Excel 檔"),
        ("x.csv", b"", "檔案是空的"),
        ("x.csv", b"\n\n", "檔案是空的"),
        ("x.csv", "場地,開始\n".encode(), "只有標題列"),
        ("x.xls", b"whatever", "只接受 .csv 或 .xlsx"),
        ("x.csv", b"a,b\n1,2,3\n", "檔案第 2 列的欄位比標題列多"),
        ("x.csv", b"a,,b\n1,2,3\n", "第 2 欄沒有欄名"),
        ("x.csv", b"a,a\n1,2\n", "「a」重複"),
        ("x.csv", b"a\n" + b"1\n" * (transfer.MAX_ROWS + 1), "請分批匯入"),
        ("x.csv", b"a\n" + b"x" * transfer.MAX_BYTES, "檔案太大"),
    ],
)
def test_unreadable_files_get_a_zh_message(filename, data, message):
    with pytest.raises(ImportProblem, match=message):
        transfer.read_table_file(filename, data)


def test_garbage_message_is_exactly_the_catalogue_text():
    with pytest.raises(ImportProblem) as raised:
        transfer.read_table_file("x.csv", bytes(range(128, 256)) * 4)
    assert str(raised.value).startswith("無法讀取 CSV 檔：檔案不是 UTF-8 或 Big5 編碼的文字檔")


def test_blank_rows_keep_the_line_numbers(session, venues):
    text = HEADER + "\n,,,,,,,\n" + _rows(venues, attendees=-3)
    result = transfer.preview_import(session, VenueBooking, _csv(text), ADMIN)
    assert [(i.line, i.field) for i in result.issues] == [(3, "attendees")]


def test_times_are_read_as_the_table_editor_reads_them(session, venues):
    rows = _rows(venues).replace("112/03/15 11:00", "112/03/15 25:00").replace("14:00", "")
    result = transfer.preview_import(session, VenueBooking, _csv(HEADER + "\n" + rows), ADMIN)
    expected = (
        "檔案第 2 列「結束」有誤：「112/03/15 25:00」：時間請寫成 24 小時制的 時:分，例如 14:30。"
    )
    assert _issues(result) == [(2, "ends_at", expected)]
    assert result.inserts[0].changes["starts_at"] == datetime(2023, 3, 16)  # a date alone: 00:00


# Headers


def test_unknown_columns_are_listed(session, venues):
    frame = _csv(HEADER + ",顏色,備註欄\n" + _rows(venues).replace("\n", ",紅,x\n"))
    result = transfer.preview_import(session, VenueBooking, frame, ADMIN)
    ((line, field, message),) = _issues(result)
    assert (line, field) == (1, None)
    assert message.startswith("無法辨識的欄位：「顏色」、「備註欄」。可用的欄位：編號、場地、開始")


def test_missing_required_columns_are_listed(session, venues):
    lines = (HEADER + "\n" + _rows(venues)).splitlines()
    dropped = [[c for i, c in enumerate(line.split(",")) if i not in (0, 4)] for line in lines]
    frame = _csv("\n".join(",".join(cells) for cells in dropped))  # no 場地, 申請機關
    result = transfer.preview_import(session, VenueBooking, frame, ADMIN)
    assert _issues(result) == [(1, None, "新增資料缺少必填欄位：「場地」、「申請機關」")]


def test_updates_need_the_version_column(session, bookings):
    frame = _csv(f"編號,人數\n{bookings[0]},99\n")
    result = transfer.preview_import(session, VenueBooking, frame, ADMIN)
    ((line, field, message),) = _issues(result)
    assert (line, field) == (1, None) and message.startswith("檔案有「編號」但沒有「版本」欄")
    frame = _csv(f"編號,人數,版本\n{bookings[0]},99,\n")
    result = transfer.preview_import(session, VenueBooking, frame, ADMIN)
    assert _issues(result) == [
        (
            2,
            "version",
            f"檔案第 2 列有編號 {bookings[0]} 但「版本」空白：修改既有資料須保留匯出時的版本",
        )
    ]


def test_a_file_of_only_some_columns_updates_just_those(session, bookings):
    frame = _csv(f"id,attendees,version\n{bookings[0]},99,1\n")
    result = transfer.commit_import(session, VenueBooking, frame, ADMIN)
    assert result.ok, result.messages()
    row = session.get(VenueBooking, bookings[0])
    assert (row.attendees, row.title, row.version) == (99, "週會", 2)


# Export → edit → import


def _edit_csv(data: bytes, edits: dict[tuple[int, str], str]) -> bytes:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    for (row, header), value in edits.items():
        rows[row][rows[0].index(header)] = value
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _edit_xlsx(data: bytes, edits: dict[tuple[int, str], str]) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    for (row, header), value in edits.items():
        sheet.cell(row=row + 1, column=headers.index(header) + 1, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_export_edit_import_updates_the_row_and_audits_it(session, bookings, suffix):
    write = transfer.to_csv_bytes if suffix == "csv" else transfer.to_xlsx_bytes
    edit = _edit_csv if suffix == "csv" else _edit_xlsx
    data = write(transfer.export_frame(session, BOOKINGS, MARCH))
    # Line 3 of the file is the older booking (newest first): move it and change its size.
    edited = edit(data, {(2, "人數"): "25", (2, "場地"): "四維行政中心 第二會議室"})
    frame = transfer.read_table_file(f"bookings.{suffix}", edited)
    preview = transfer.preview_import(session, VenueBooking, frame, VENUES_LEAD)
    assert preview.ok and (len(preview.updates), preview.unchanged) == (1, 1)
    assert preview.updates[0].line == 3 and set(preview.updates[0].changes) == {
        "attendees",
        "venue_id",
    }
    assert preview.summary() == "新增 0 筆、修改 1 筆、未變更 1 筆"
    result = transfer.commit_import(session, VenueBooking, frame, VENUES_LEAD)
    assert result.ok, result.messages()
    first, second = session.get(VenueBooking, bookings[0]), session.get(VenueBooking, bookings[1])
    assert (first.attendees, first.venue_id, first.version) == (25, second.venue_id, 2)
    assert (second.title, second.version) == ("=HYPERLINK(1)", 1)  # neutralised, read back as is
    (entry,) = session.exec(select(AuditEntry)).scalars().all()
    assert (entry.action, entry.username, entry.row_id, entry.batch_id) == (
        AuditAction.UPDATE,
        "alice",
        bookings[0],
        result.batch_id,
    )
    assert (entry.before["attendees"], entry.after["attendees"]) == (10, 25)
    assert session.exec(select(TableStamp)).scalars().one().stamp == 1


def test_an_unedited_export_imports_as_no_change(session, bookings):
    frame = transfer.read_table_file(
        "x.xlsx", transfer.to_xlsx_bytes(transfer.export_frame(session, BOOKINGS, None, lang="en"))
    )
    result = transfer.commit_import(session, VenueBooking, frame, ADMIN)
    assert result.ok and (len(result.updates), result.unchanged) == (0, 3)
    assert _audit_count(session) == 0


def test_an_english_export_has_gregorian_dates_and_imports_back_edited(session, bookings):
    data = transfer.to_csv_bytes(transfer.export_frame(session, BOOKINGS, MARCH, lang="en"))
    text = data.decode("utf-8-sig")
    assert "2023-03-01 09:00" in text and "112/" not in text
    # The older booking (line 3) an hour later, typed in ISO; a 民國 date reads as well.
    later = {(2, "Starts"): "2023-03-01 10:00", (2, "Ends"): "112/03/01 12:00"}
    frame = transfer.read_table_file("bookings.csv", _edit_csv(data, later))
    result = transfer.commit_import(session, VenueBooking, frame, VENUES_LEAD)
    assert result.ok and (len(result.updates), result.unchanged) == (1, 1), result.messages()
    moved = session.get(VenueBooking, bookings[0])
    assert (moved.starts_at, moved.ends_at) == (datetime(2023, 3, 1, 10), datetime(2023, 3, 1, 12))
    # A date that cannot be read is explained in the reader's language, in Gregorian terms.
    bad = transfer.read_table_file("b.csv", _edit_csv(data, {(2, "Starts"): "3/1 10am"}))
    with messages_in("en"):
        refused = transfer.preview_import(session, VenueBooking, bad, VENUES_LEAD)
    assert not refused.ok
    assert any("YYYY-MM-DD HH:MM" in m for m in refused.messages()), refused.messages()
    assert not any("民國" in m or "列" in m for m in refused.messages())


@pytest.mark.parametrize("encoding", ["utf-8", "cp950"])
def test_an_export_saved_again_as_utf8_or_big5_imports(session, bookings, encoding):
    text = transfer.to_csv_bytes(transfer.export_frame(session, BOOKINGS, None)).decode("utf-8-sig")
    assert "四維行政中心 第一會議室" in text and "'=HYPERLINK(1)" in text
    frame = _csv(text.replace(",週會,", ",週會（改）,"), encoding)
    result = transfer.commit_import(session, VenueBooking, frame, ADMIN)
    assert result.ok and (len(result.updates), result.unchanged) == (1, 2)
    assert session.get(VenueBooking, bookings[0]).title == "週會（改）"


def test_one_invalid_row_among_valid_ones_writes_nothing(session, bookings):
    data = transfer.to_csv_bytes(transfer.export_frame(session, BOOKINGS, MARCH))
    data = _edit_csv(data, {(1, "人數"): "30", (2, "人數"): "-1"})
    new = ",四維行政中心 第一會議室,112/03/20 09:00,112/03/20 10:00,新會議,觀光局,會議,會議,5,,"
    data += (new + "\r\n").encode()  # line 4: a new row (no id, status or version)
    frame = transfer.read_table_file("x.csv", data)
    before, audits = dump_tables(session), _audit_count(session)
    result = transfer.commit_import(session, VenueBooking, frame, ADMIN)
    assert not result.ok
    assert _issues(result) == [(3, "attendees", "檔案第 3 列「人數」不可小於 0")]
    assert (len(result.inserts), len(result.updates)) == (1, 2)
    assert dump_tables(session) == before and _audit_count(session) == audits


def test_a_stale_version_in_the_file_is_a_conflict(session, bookings):
    frame = transfer.export_frame(session, BOOKINGS, MARCH)
    theirs = EditorState([{"id": bookings[0], "version": 1}], {0: {"title": "改名的週會"}}, [], [])
    assert save_changes(session, VenueBooking, theirs, actor=VENUES_LEAD).ok
    frame.loc[frame["編號"] == bookings[0], "人數"] = 40
    before, audits = dump_tables(session), _audit_count(session)
    result = transfer.commit_import(session, VenueBooking, frame, ADMIN)
    assert not result.ok
    ((line, field, message),) = _issues(result)
    assert (line, field) == (3, None)
    assert message.startswith("檔案第 3 列已被 alice 於 ")
    assert "（版本 1 → 2）" in message
    assert dump_tables(session) == before and _audit_count(session) == audits


@pytest.mark.parametrize("run", [transfer.preview_import, transfer.commit_import])
@pytest.mark.parametrize("actor", [VIEWER, GIFTS_LEAD], ids=["viewer", "other_lead"])
def test_outsiders_cannot_import(session, venues, run, actor):
    before = dump_tables(session)
    with pytest.raises(PermissionDenied, match="沒有編輯「場地借用」的權限"):
        run(session, VenueBooking, _csv(HEADER + "\n" + _rows(venues)), actor)
    assert dump_tables(session) == before


def test_preview_writes_nothing_and_finds_database_conflicts(session, venues):
    frame = _csv(HEADER + "\n" + _rows(venues))
    before = dump_tables(session)
    preview = transfer.preview_import(session, VenueBooking, frame, ADMIN)
    assert preview.ok and [p.line for p in preview.inserts] == [2, 3]
    assert dump_tables(session) == before
    # A venue of an existing centre and name: refused by name before the database would.
    venue = {"行政中心": "四維行政中心", "名稱": "第一會議室", "場地類型": "會議室", "容納人數": 10}
    venue_frame = pd.DataFrame([venue])
    preview = transfer.preview_import(session, Venue, venue_frame, ADMIN)
    assert preview.messages() == [
        "檔案第 2 列「行政中心、名稱」的「四維行政中心／第一會議室」已由編號 1 的資料使用，不可重複"
    ]
    assert dump_tables(session) == before


def test_duplicate_and_unknown_ids_are_reported(session, bookings):
    frame = _csv(f"編號,人數,版本\n{bookings[0]},5,1\n{bookings[0]},6,1\n999,7,1\nx,1,1\n")
    result = transfer.preview_import(session, VenueBooking, frame, ADMIN)
    assert _issues(result) == [
        (3, "id", f"檔案第 3 列的編號 {bookings[0]} 與檔案第 2 列重複"),
        (4, "id", "檔案第 4 列的編號 999 不存在（可能已被刪除）；新增資料請將編號留白"),
        (5, "id", "檔案第 5 列「編號」的「x」不是有效的編號（新增資料請留白）"),
    ]


def test_a_name_shared_by_several_rows_needs_an_id_unless_unchanged(session):
    def visit(day: int) -> Reception:
        return Reception(
            visit_date=date(2023, 3, day),
            visitor_name_zh="美國德州經貿訪團",
            country="美國",
            category="business",
        )

    visits = [visit(1), visit(2)]
    session.add_all(visits)
    session.commit()
    gift = GiftReceived(
        received_on=date(2023, 3, 2),
        donor="德州",
        recipient_official="陳其邁",
        description="牛仔帽",
        estimated_value=800,
        reception_id=visits[1].id,
    )
    session.add(gift)
    session.commit()
    frame = transfer.export_frame(session, tables.SPECS["gift_received"])
    # Exported as the editor shows it: the visit's date tells the two apart.
    assert frame["外賓接待"].tolist() == ["112/03/02 美國德州經貿訪團"]
    kept = transfer.commit_import(session, GiftReceived, frame, ADMIN)
    assert kept.ok and kept.unchanged == 1
    frame["編號"] = [None]
    dated = transfer.preview_import(session, GiftReceived, frame, ADMIN)
    assert dated.ok, dated.messages()
    # The name alone, as staff may type it, matches both visits.
    frame["外賓接待"] = ["美國德州經貿訪團"]
    added = transfer.preview_import(session, GiftReceived, frame, ADMIN)
    ids = f"{visits[0].id}、{visits[1].id}"
    assert added.messages() == [
        f"檔案第 2 列「外賓接待」的「美國德州經貿訪團」對應多筆資料（編號 {ids}），請改填編號"
    ]
    # As the table editor shows such a name, or the id alone.
    frame["外賓接待"] = [f"美國德州經貿訪團（#{visits[0].id}）"]
    frame = pd.concat([frame, frame.assign(外賓接待=f"#{visits[1].id}")], ignore_index=True)
    added = transfer.commit_import(session, GiftReceived, frame, ADMIN)
    assert added.ok, added.messages()
    new = [session.get(GiftReceived, i).reception_id for i in added.inserted_ids]
    assert new == [visits[0].id, visits[1].id]


# The edit pipeline


def test_dry_run_checks_everything_and_writes_nothing(session, bookings):
    rows = [{"id": b, "version": 1} for b in bookings]
    new = dict(
        venue_id=session.get(VenueBooking, bookings[0]).venue_id,
        starts_at="2023-05-01T09:00:00",
        ends_at="2023-05-01T10:00:00",
        organiser_agency="觀光局",
        purpose="lecture",
        kind="event",
    )
    state = EditorState(rows, {0: {"attendees": 3}}, [new], [2])
    before = dump_tables(session)
    result = save_changes(session, VenueBooking, state, actor=ADMIN, dry_run=True)
    assert result.ok and result.batch_id is None and result.inserted_ids == []
    assert dump_tables(session) == before
    stale = EditorState([{"id": bookings[0], "version": 7}], {0: {"attendees": 3}})
    refused = save_changes(session, VenueBooking, stale, actor=ADMIN, dry_run=True)
    assert not refused.ok and refused.conflicts[0].message.startswith("第 1 列已被")
    assert dump_tables(session) == before
    assert save_changes(session, VenueBooking, state, actor=ADMIN).ok
    assert session.get(VenueBooking, bookings[2]) is None


@pytest.mark.parametrize(
    ("edited", "deleted", "position"),
    [({3: {"attendees": 1}}, [], 3), ({}, [-1], -1), ({"x": {"attendees": 1}}, [], "x")],
)
def test_a_position_outside_the_loaded_rows_is_refused(
    session, bookings, edited, deleted, position
):
    rows = [{"id": b, "version": 1} for b in bookings]
    before = dump_tables(session)
    result = save_changes(
        session, VenueBooking, EditorState(rows, edited, [], deleted), actor=ADMIN
    )
    assert not result.ok
    (error,) = result.errors
    assert error.position == position
    assert error.message == (
        f"編輯器回報的列位置「{position}」不在載入的 3 列中，本次未寫入任何資料，請重新載入後再儲存"
    )
    assert dump_tables(session) == before


def test_cells_holding_only_spaces_are_blank_for_dates_and_numbers(session):
    from core.transfer.values import CellReader

    reader = CellReader(session, tables.SPECS["gift_received"])
    assert reader.read("ethics_notified_on", "  ") is None
    assert reader.read("ethics_notified_on", "") is None
    assert reader.read("estimated_value", " ") is None
    assert reader.read("description", "  ") == "  "  # text is the pipeline's to judge


@pytest.fixture
def timed_event(session: Session) -> int:
    event = ExchangeEvent(
        title="聖安東尼市視訊會議", kind="video_call", start_date=date(2026, 3, 9),
        end_date=date(2026, 3, 9), start_time=time(9, 0), end_time=time(10, 30),
    )  # fmt: skip
    session.add(event)
    session.commit()
    return event.id


def _event_file(session: Session, suffix: str, change: dict[str, str]) -> pd.DataFrame:
    frame = transfer.export_frame(session, tables.SPECS["exchange_event"])
    session.rollback()
    for column, value in change.items():
        frame[column] = value
    data = transfer.to_csv_bytes(frame) if suffix == ".csv" else transfer.to_xlsx_bytes(frame)
    return transfer.read_table_file(f"events{suffix}", data)


def test_times_export_as_hours_and_minutes(session, timed_event):
    frame = transfer.export_frame(session, tables.SPECS["exchange_event"])
    assert list(frame[["開始時間", "結束時間"]].iloc[0]) == ["09:00", "10:30"]
    english = transfer.export_frame(session, tables.SPECS["exchange_event"], lang="en")
    assert list(english[["Start time", "End time"]].iloc[0]) == ["09:00", "10:30"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_an_edited_time_imports_and_an_unedited_one_is_no_change(session, timed_event, suffix):
    unchanged = transfer.preview_import(session, ExchangeEvent, _event_file(session, suffix, {}),
                                        ADMIN)  # fmt: skip
    assert unchanged.ok and unchanged.unchanged == 1 and not unchanged.updates
    frame = _event_file(session, suffix, {"開始時間": "8:30"})
    result = transfer.commit_import(session, ExchangeEvent, frame, ADMIN)
    assert result.ok, result.messages()
    session.expire_all()
    assert session.get(ExchangeEvent, timed_event).start_time == time(8, 30)


def test_an_excel_time_cell_imports(session, timed_event):
    book = openpyxl.Workbook()
    book.active.append(["編號", "版本", "開始時間"])
    book.active.append([timed_event, 1, time(7, 45)])
    out = io.BytesIO()
    book.save(out)
    frame = transfer.read_table_file("events.xlsx", out.getvalue())
    assert transfer.commit_import(session, ExchangeEvent, frame, ADMIN).ok
    session.expire_all()
    assert session.get(ExchangeEvent, timed_event).start_time == time(7, 45)


@pytest.mark.parametrize("bad", ["25:00", "早上九點", "9.30"])
def test_a_bad_time_in_a_file_is_refused_and_nothing_written(session, timed_event, bad):
    before = dump_tables(session)
    result = transfer.commit_import(
        session, ExchangeEvent, _event_file(session, ".csv", {"開始時間": bad}), ADMIN
    )
    assert not result.ok
    assert _issues(result) == [
        (2, "start_time", f"檔案第 2 列「開始時間」有誤：「{bad}」：時間請寫成 24 小時制的 時:分，"
                          "例如 09:30。"),
    ]  # fmt: skip
    assert dump_tables(session) == before


def test_an_end_time_alone_in_a_file_is_refused(session, timed_event):
    before = dump_tables(session)
    frame = _event_file(session, ".csv", {"開始時間": ""})
    result = transfer.commit_import(session, ExchangeEvent, frame, ADMIN)
    assert not result.ok and "必須一併填「開始時間」" in result.messages()[0]
    assert result.messages()[0].startswith("檔案第 2 列")
    assert dump_tables(session) == before
