"""Text in the editor and in imports: control characters refused alike on both databases, line
breaks and tabs only in the fields the models mark multi-line."""

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session, SQLModel

from core.editing.pipeline import TABLE_SECTIONS, Actor, EditorState, save_changes
from core.editing.validate import editable_fields, is_multiline
from core.transfer import table_io as transfer
from db.models import Reception, Vehicle
from tests.conftest import dump_tables

ADMIN = Actor("root", "admin")
PASTED = "常見於從 Word 或網頁貼上的文字，請刪除後再儲存"

# Declared once, in the models (db.models.base.MULTILINE): this is what they declare.
MULTILINE = {
    ("exchange_event", "participants"),
    ("exchange_event", "summary"),
    ("exchange_event", "summary_en"),
    ("gift_movement", "note"),
    ("partner_city", "note"),
    ("reception", "summary"),
    ("reception", "summary_en"),
    ("reception", "topics"),
    ("reception_follow_up", "note"),
    ("staffing_count", "note"),
    ("staffing_snapshot", "note"),
    ("temp_staff_review", "note"),
    ("trip", "note"),
}


def _edited_models() -> list[type[SQLModel]]:
    return [
        mapper.class_
        for mapper in SQLModel._sa_registry.mappers
        if getattr(mapper.class_, "__tablename__", None) in TABLE_SECTIONS
    ]


def test_the_multi_line_fields_are_notes_summaries_topics_and_participants():
    marked = {
        (model.__tablename__, name)
        for model in _edited_models()
        for name in editable_fields(model)
        if is_multiline(model, name)
    }
    assert marked == MULTILINE
    for table, name in marked:
        model = next(m for m in _edited_models() if m.__tablename__ == table)
        assert model.model_fields[name].annotation is str


def _page(session: Session, model: type[SQLModel]) -> list[dict[str, Any]]:
    rows = [dict(r) for r in session.execute(select(model.__table__)).mappings()]
    session.rollback()
    return rows


@pytest.fixture
def vehicle(session: Session) -> int:
    row = Vehicle(plate="RAM-8832", kind="van", seats=11, model_name="Toyota Hiace")
    session.add(row)
    session.commit()
    return row.id


@pytest.fixture
def reception(session: Session) -> int:
    row = Reception(visit_date=date(2023, 3, 10), visitor_name_zh="服部誠太郎", country="日本")
    row.category = "governor_mayor"
    session.add(row)
    session.commit()
    return row.id


def _refused(session: Session, model: type[SQLModel], changes: dict[str, Any]) -> list[str]:
    before = dump_tables(session)
    state = EditorState(_page(session, model), edited_rows={0: changes})
    result = save_changes(session, model, state, actor=ADMIN)
    assert not result.ok
    assert dump_tables(session) == before
    return result.messages()


@pytest.mark.parametrize(
    ("text", "char"),
    [
        ("Toyota\x00Hiace", "U+0000（NUL）"),
        ("Toyota\x01Hiace", "U+0001"),
        ("a\x0bb", "U+000B（VT）"),
    ],
)
def test_a_control_character_is_refused_naming_row_field_and_character(
    session, vehicle, text, char
):
    assert _refused(session, Vehicle, {"model_name": text}) == [
        f"第 1 列「車型」含有看不見的控制字元 {char}，{PASTED}"
    ]


@pytest.mark.parametrize(
    ("text", "char"), [("RAM\n8832", "U+000A（LF）"), ("RAM\t1", "U+0009（Tab）")]
)
def test_a_one_line_field_refuses_line_breaks_and_tabs(session, vehicle, text, char):
    assert _refused(session, Vehicle, {"plate": text}) == [
        f"第 1 列「車號」只能填一行，請刪除其中的換行或定位字元 {char}"
    ]


def test_a_multi_line_field_keeps_line_breaks_and_tabs_but_not_controls(session, reception):
    topics = "經貿交流\n觀光：\t熊本熊\r\n教育"
    state = EditorState(_page(session, Reception), edited_rows={0: {"topics": topics}})
    assert save_changes(session, Reception, state, actor=ADMIN).ok
    assert session.get(Reception, reception).topics == topics
    session.rollback()
    messages = _refused(session, Reception, {"summary": "第一段\x0b第二段"})
    assert messages == [f"第 1 列「摘要」含有看不見的控制字元 U+000B（VT），{PASTED}"]


def test_an_import_refuses_alike_naming_the_file_line(session, vehicle):
    frame = transfer.export_frame(session, transfer.spec_for(Vehicle))
    session.rollback()
    frame["車型"] = "Toyota\tHiace"
    data = transfer.to_xlsx_bytes(frame)  # an .xlsx keeps the tab (a CSV reader would too)
    before = dump_tables(session)
    result = transfer.commit_import(
        session, Vehicle, transfer.read_table_file("v.xlsx", data), ADMIN
    )
    assert result.messages() == [
        "檔案第 2 列「車型」只能填一行，請刪除其中的換行或定位字元 U+0009（Tab）"
    ]
    assert dump_tables(session) == before


def test_an_import_keeps_multi_line_text(session, reception):
    frame = transfer.export_frame(session, transfer.spec_for(Reception))
    session.rollback()
    frame["摘要"] = "第一段\n第二段"
    data = transfer.to_csv_bytes(frame)
    result = transfer.commit_import(
        session, Reception, transfer.read_table_file("r.csv", data), ADMIN
    )
    assert result.ok, result.messages()
    assert session.get(Reception, reception).summary == "第一段\n第二段"


def test_a_row_saved_with_a_control_character_still_takes_edits_of_its_other_fields(
    session, vehicle
):
    """Rows from before the check (a Word paste's \\x0b) must not block every later edit: the
    invisible character is refused only when that field is what the save changes."""
    table = Vehicle.__table__
    session.execute(table.update().values(model_name="Toyota\x0bHiace"))
    session.commit()
    state = EditorState(_page(session, Vehicle), edited_rows={0: {"seats": 9}})
    assert save_changes(session, Vehicle, state, actor=ADMIN).ok
    stored = session.get(Vehicle, vehicle)
    assert (stored.seats, stored.model_name) == (9, "Toyota\x0bHiace")
    session.rollback()
    assert _refused(session, Vehicle, {"model_name": "Toyota\x0bHiace 2"}) == [
        f"第 1 列「車型」含有看不見的控制字元 U+000B（VT），{PASTED}"
    ]
