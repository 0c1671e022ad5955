"""Cells as staff type them: full-width numbers, Excel serial dates, versions no export holds."""

import csv
import io
from datetime import date, datetime

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import select
from sqlmodel import Session

from core.editing import tables
from core.editing.pipeline import Actor, EditorState, save_changes
from core.transfer import table_io as transfer
from db.models import GiftItem, GiftReceived, Vehicle, Venue, VenueBooking
from tests.conftest import dump_tables

ADMIN = Actor("root", "admin")


def _csv(*lines: str) -> pd.DataFrame:
    return transfer.read_table_file("x.csv", "\n".join(lines).encode())


def _xlsx(*rows: list) -> pd.DataFrame:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return transfer.read_table_file("x.xlsx", out.getvalue())


def _refused(session: Session, model, frame: pd.DataFrame) -> list[str]:
    before = dump_tables(session)
    result = transfer.commit_import(session, model, frame, ADMIN)
    assert not result.ok
    assert dump_tables(session) == before
    return result.messages()


# Full-width digits


def test_full_width_numbers_import_into_number_columns(session):
    frame = _csv(
        "名稱,單價（新臺幣）,安全存量",
        "高雄熊抱枕,５,１２３",
        '野餐墊,"１，２３４","1,000"',
        '桌曆,"1,250",０',
    )
    result = transfer.commit_import(session, GiftItem, frame, ADMIN)
    assert result.ok, result.messages()
    items = session.exec(select(GiftItem).order_by(GiftItem.id)).scalars().all()
    assert [(i.unit_value, i.low_stock_threshold) for i in items] == [
        (5, 123),
        (1234, 1000),
        (1250, 0),
    ]


def test_a_full_width_fraction_is_still_not_an_integer(session):
    messages = _refused(session, GiftItem, _csv("名稱,安全存量", "高雄熊抱枕,５.５"))
    assert messages == ["檔案第 2 列「安全存量」的「5.5」不是整數"]


def test_full_width_ids_and_versions_name_the_row_to_update(session):
    item = GiftItem(name="高雄熊抱枕", low_stock_threshold=3)
    session.add(item)
    session.commit()
    wide = str(item.id).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    frame = _csv("編號,安全存量,版本", f"{wide},－１,１")
    assert _refused(session, GiftItem, frame) == ["檔案第 2 列「安全存量」不可小於 0"]
    frame = _csv("編號,安全存量,版本", f"{wide},１，５００,１")
    assert transfer.commit_import(session, GiftItem, frame, ADMIN).ok
    assert session.get(GiftItem, item.id).low_stock_threshold == 1500


def test_the_editor_takes_full_width_numbers_too(session):
    session.add(GiftItem(name="高雄熊抱枕"))
    session.commit()
    rows = [dict(r) for r in session.execute(select(GiftItem.__table__)).mappings()]
    session.rollback()
    edits = {0: {"low_stock_threshold": "１，２３４", "unit_value": "３０"}}
    result = save_changes(session, GiftItem, EditorState(rows, edits), actor=ADMIN)
    assert result.ok, result.messages()
    item = session.exec(select(GiftItem)).scalar_one()
    assert (item.low_stock_threshold, item.unit_value) == (1234, 30)


# Excel's serial dates

GIFT = ["福岡縣", "陳其邁", "博多人形", 3000]
GIFT_HEADER = ["收受日期", "贈與者（機關）", "受贈人", "說明", "估價（新臺幣）"]


def test_a_serial_number_in_an_xlsx_date_column_is_that_date(session):
    frame = _xlsx(GIFT_HEADER, [45005, *GIFT], [45005.75, *GIFT], [1120315, *GIFT])
    result = transfer.commit_import(session, GiftReceived, frame, ADMIN)
    assert result.ok, result.messages()
    query = select(GiftReceived.received_on).order_by(GiftReceived.id)
    received = session.execute(query).scalars().all()
    assert received == [date(2023, 3, 20), date(2023, 3, 20), date(2023, 3, 15)]


def test_a_serial_number_in_an_xlsx_datetime_column_carries_the_time(session):
    venue = Venue(centre="siwei", name="第一會議室", kind="meeting_room", capacity=50)
    session.add(venue)
    session.commit()
    header = ["場地", "開始", "結束", "申請機關", "用途", "場次類別"]
    row = [venue.id, 45005.375, 45005.5 + 1 / 86400 / 3, "行國處", "會議", "會議"]
    result = transfer.commit_import(session, VenueBooking, _xlsx(header, row), ADMIN)
    assert result.ok, result.messages()
    booking = session.exec(select(VenueBooking)).scalar_one()
    assert (booking.starts_at, booking.ends_at) == (
        datetime(2023, 3, 20, 9),
        datetime(2023, 3, 20, 12),
    )


def test_a_serial_number_in_a_csv_is_explained(session):
    frame = _csv(",".join(GIFT_HEADER), ",".join(["45005", *map(str, GIFT)]))
    assert _refused(session, GiftReceived, frame) == [
        "檔案第 2 列「收受日期」的「45005」看起來是 Excel 的日期序號（112/03/20），"
        "請在 Excel 將該欄設為日期格式後再存檔匯入"
    ]


# Versions


def test_a_version_newer_than_the_record_is_unknown_not_a_conflict(session):
    vehicle = Vehicle(plate="RAM-8832", kind="van", seats=11)
    session.add(vehicle)
    session.commit()
    frame = transfer.export_frame(session, tables.SPECS["vehicle"])
    session.rollback()
    frame["車型"], frame["版本"] = "Toyota Hiace", 9
    text = transfer.to_csv_bytes(frame).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1][-1] == "9"
    messages = _refused(session, Vehicle, transfer.read_table_file("v.csv", text.encode()))
    assert messages == [
        f"檔案第 2 列編號 {vehicle.id} 的「版本」9 不存在：系統中這筆資料目前是版本 1，"
        "檔案的版本較新，表示這一列不是從這筆資料匯出的，請重新匯出後再修改匯入"
    ]


@pytest.mark.parametrize("version", [1, 9])
def test_an_unchanged_row_is_left_alone_whatever_its_version(session, version):
    session.add(Vehicle(plate="RAM-8832", kind="van", seats=11))
    session.commit()
    frame = transfer.export_frame(session, tables.SPECS["vehicle"])
    session.rollback()
    frame["版本"] = version
    result = transfer.preview_import(session, Vehicle, frame, ADMIN)
    assert result.ok and result.unchanged == 1
