"""A table registered by a test alone (a model, a function package's SECTION and TABLES, its
labels) gets everything the registry derives: the editor and its page, zh-TW validation and its
business rule, audit and history, export and import, the global search, a record link and the
generic chart. Nothing of it outlives the test (see the throwaway fixture)."""

from __future__ import annotations

import json
import sys
import types
from datetime import date
from enum import StrEnum
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Field, Session, SQLModel
from streamlit.testing.v1 import AppTest

from core.audit import history
from core.editing import registry
from core.editing.charts import month_chart, rows_by_month
from core.editing.links import parse_record_query
from core.editing.pipeline import Actor, EditorState, can_edit, save_changes
from core.editing.tables import SPECS, TableSpec, fetch_page, get_record_fields
from core.editing.validate import Batch, RowError, row_label
from core.i18n import labels
from core.i18n.labels import t
from core.kernel.periods import REPORT_PERIOD
from core.kernel.roc_dates import format_roc
from core.search.finder import search
from core.search.kinds import Kind, Row
from core.transfer import table_io
from db.models import AuditEntry
from db.models.base import Tracked, enum_type
from tests.apptest import as_shown

TABLE = "throwaway_parcel"
LEAD = Actor("t.parcels", "lead", frozenset({"throwaway"}))
LABELS = {  # key: (zh-TW, English)
    "history.table.throwaway_parcel": ("包裹登錄", "Parcels"),
    "section.throwaway": ("包裹", "Parcels"),
    "page.throwaway": ("包裹收發", "Parcel desk"),
    "col.sender": ("寄件單位", "Sender"),
    "col.weight_g": ("重量（公克）", "Weight (g)"),
    "enum.ParcelKind.letter": ("信件", "Letter"),
    "enum.ParcelKind.box": ("紙箱", "Box"),
    "rule.parcel.light": ("{row}「{field}」：紙箱至少 100 公克", "{row} {field}: a box is 100 g+"),
}
PAGE = """
import streamlit as st

from core.editing.pipeline import Actor
from core.kernel.periods import REPORT_PERIOD
from ui import record_card
from ui.auth import ACTOR
from ui.context import current_period
from ui.editor import table_view

st.session_state[ACTOR] = Actor("t.parcels", "lead", frozenset({"throwaway"}))
st.session_state.setdefault("period", REPORT_PERIOD)  # as the frame opens a user's pages
st.title("包裹收發")
record_card.linked_record("throwaway")
table_view("throwaway_parcel", current_period())
"""


class ParcelKind(StrEnum):
    LETTER = "letter"
    BOX = "box"


@cache
def parcel_model() -> type[SQLModel]:
    """The throwaway model, made once per process and kept off SQLModel.metadata: the tests
    that check every table of the metadata (labels, migrations, the registry) never see it."""

    class Parcel(Tracked, table=True):
        __tablename__ = TABLE
        sender: str = Field(max_length=60)
        kind: ParcelKind = Field(sa_type=enum_type(ParcelKind))
        received_on: date
        weight_g: int = Field(ge=0, le=50_000)
        note: str = Field(default="", max_length=200)

    SQLModel.metadata.remove(Parcel.__table__)
    return Parcel


def light_box_errors(_session: Session, batch: Batch) -> list[RowError]:
    """The throwaway's business rule: a box weighs 100 g at least."""
    rows = [(pos, row) for pos, (_id, row) in batch.edited.items()] + list(batch.added)
    return [
        RowError(
            pos, "weight_g", t("rule.parcel.light", row=row_label(pos), field=t("col.weight_g"))
        )
        for pos, row in rows
        if row["kind"] == ParcelKind.BOX and row["weight_g"] < 100
    ]


def _describe(row: Row, lang: str) -> tuple[str, str]:
    return row.sender, format_roc(row.received_on)


def _declarations(page: Path) -> types.ModuleType:
    """What core/throwaway/tables.py would hold."""
    parcel = parcel_model()
    module = types.ModuleType("core.throwaway.tables")
    module.SECTION = registry.Section(
        "throwaway", page=str(page), title="page.throwaway", icon=":material/inventory_2:",
        group="nav.administration",
    )  # fmt: skip
    module.TABLES = (
        module.SECTION.table(
            TableSpec(parcel, "received_on", ("-received_on",), ("sender", "note")),
            rules=[light_box_errors],
            search=Kind(parcel, ("sender", "note"), _describe, dated_by="received_on"),
        ),
    )
    return module


@pytest.fixture
def throwaway(engine, tmp_path):
    """The throwaway table registered, labelled and created in this test's database; the
    registry, the labels and sys.modules as they were afterwards."""
    page = tmp_path / "parcel_desk.py"
    page.write_text(PAGE)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(registry, "FUNCTIONS", (*registry.FUNCTIONS, "throwaway"))
        patch.setitem(sys.modules, "core.throwaway.tables", _declarations(page))
        for key, (zh, en) in LABELS.items():
            patch.setitem(labels.ZH, key, zh)
            patch.setitem(labels.EN, key, en)
        registry.reload()
        SQLModel.metadata.create_all(engine, tables=[parcel_model().__table__])
        try:
            yield page
        finally:
            registry.reload()
    assert registry.table(TABLE) is None and "throwaway" not in registry.section_names()
    assert TABLE not in SQLModel.metadata.tables and "col.weight_g" not in labels.ZH


def _add(session: Session, *rows: dict, actor: Actor = LEAD):
    return save_changes(
        session, parcel_model(), EditorState([], added_rows=list(rows)), actor=actor
    )


PARCELS = (
    {"sender": "釜山廣域市廳", "kind": "box", "received_on": "111/08/02", "weight_g": 1200},
    {"sender": "Ville de Nantes", "kind": "letter", "received_on": "111/08/20", "weight_g": 20},
    {"sender": "布里斯本市政府", "kind": "letter", "received_on": "112/01/09", "weight_g": 35},
)


def test_the_registry_derives_its_section_permissions_and_labels(throwaway):
    assert registry.SPECS[TABLE].model is parcel_model()
    assert registry.TABLE_SECTIONS[TABLE] == registry.HISTORY_SECTIONS[TABLE] == "throwaway"
    assert registry.RULES[TABLE] == (light_box_errors,)
    assert registry.navigation()["nav.administration"][-1] == (
        str(throwaway),
        "page.throwaway",
        ":material/inventory_2:",
    )
    assert can_edit(LEAD, TABLE) and not can_edit(
        Actor("t.fleet", "lead", frozenset({"fleet"})), TABLE
    )
    assert (
        history.table_label(TABLE) == "包裹登錄" and history.table_label(TABLE, "en") == "Parcels"
    )


def test_a_bad_value_and_the_business_rule_are_refused_in_zh_tw(throwaway, session):
    negative = {**PARCELS[0], "weight_g": -5}
    light = {**PARCELS[0], "weight_g": 40}
    assert _add(session, negative).messages() == ["新增第 1 列「重量（公克）」不可小於 0"]
    assert _add(session, light).messages() == ["新增第 1 列「重量（公克）」：紙箱至少 100 公克"]
    assert fetch_page(session, SPECS[TABLE], None) == []  # nothing written


def test_saves_are_audited_and_read_back_in_the_history_with_its_label(throwaway, session):
    saved = _add(session, PARCELS[0])
    assert saved.ok
    (row,) = fetch_page(session, SPECS[TABLE], None)
    state = EditorState([row], edited_rows={0: {"weight_g": 1500}})
    assert save_changes(session, parcel_model(), state, actor=LEAD).ok
    assert LEAD.username in history.audit_users(session, history.visible_tables(LEAD))
    total, entries = history.query_audit(session, tables=history.visible_tables(LEAD))
    assert total == 2 and {e.table_name for e in entries} == {TABLE}
    frame = history.history_frame(entries)
    assert frame["資料表"].tolist() == ["包裹登錄", "包裹登錄"]
    update = next(e for e in entries if e.action == "update")
    assert [(c.label, c.before, c.after) for c in history.diff(update) if c.changed] == [
        ("重量（公克）", "1200", "1500")
    ]
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == 2


def test_export_and_import_round_trip(throwaway, session):
    assert _add(session, *PARCELS).ok
    spec = SPECS[TABLE]
    exported = table_io.export_frame(session, spec)
    assert list(exported.columns[:4]) == ["編號", "寄件單位", "種類", "收受日期"]
    assert exported["種類"].tolist() == ["信件", "信件", "紙箱"]  # newest first
    files = ((table_io.to_csv_bytes, "parcels.csv", 25), (table_io.to_xlsx_bytes, "p.xlsx", 30))
    for to_bytes, name, grams in files:
        changed = table_io.export_frame(session, spec)  # the rows' current versions
        changed.loc[changed["寄件單位"] == "Ville de Nantes", "重量（公克）"] = grams
        frame = table_io.read_table_file(name, to_bytes(changed))
        result = table_io.commit_import(session, parcel_model(), frame, LEAD)
        assert result.ok and len(result.updates) == 1, result.messages()
        weights = {r["sender"]: r["weight_g"] for r in fetch_page(session, spec, None)}
        assert weights == {"釜山廣域市廳": 1200, "Ville de Nantes": grams, "布里斯本市政府": 35}


def test_the_global_search_finds_it_with_its_record_link(throwaway, session):
    assert _add(session, *PARCELS).ok
    hits = [h for h in search(session, "nantes", "zh-TW") if h.table == TABLE]
    assert [(h.title, h.subtitle) for h in hits] == [("Ville de Nantes", "111/08/20")]
    link = hits[0].link
    assert link.page == str(throwaway) and link.url_path == "parcel_desk"
    assert link.href == f"/parcel_desk?table={TABLE}&id={hits[0].row_id}"
    assert parse_record_query(link.query_params) == (TABLE, hits[0].row_id)
    fields = get_record_fields(session, TABLE, hits[0].row_id, "zh-TW")
    assert fields["寄件單位"] == "Ville de Nantes" and fields["種類"] == "信件"


def test_the_generic_chart_counts_its_rows_per_month(throwaway, session):
    assert _add(session, *PARCELS).ok
    counts = rows_by_month(session, TABLE, REPORT_PERIOD)
    shown = counts[counts["count"] > 0]
    assert [(m.strftime("%Y-%m"), k, n) for m, k, n in shown.itertuples(index=False)] == [
        ("2022-08", "box", 1), ("2022-08", "letter", 1), ("2023-01", "letter", 1)
    ]  # fmt: skip
    assert counts["month"].nunique() == 9  # 111/07 … 112/03
    spec = month_chart(counts, TABLE, "zh-TW", REPORT_PERIOD).to_dict()
    assert spec["title"]["text"] == "包裹登錄：每月筆數"
    assert spec["encoding"]["color"]["scale"]["domain"] == ["信件", "紙箱"]
    data = spec["datasets"][spec["data"]["name"]]
    per_month = {}
    for point in data:
        per_month[point["roc_month"]] = per_month.get(point["roc_month"], 0) + point["count"]
    assert per_month == {
        "111/07": 0, "111/08": 2, "111/09": 0, "111/10": 0, "111/11": 0, "111/12": 0,
        "112/01": 1, "112/02": 0, "112/03": 0,
    }  # fmt: skip


def test_its_page_shows_the_editor_the_chart_and_a_linked_record(
    throwaway,
    session,
    db_url,
    monkeypatch,
    clean_caches,  # noqa: F811
):
    assert _add(session, *PARCELS).ok
    nantes = next(r for r in fetch_page(session, SPECS[TABLE], None) if r["weight_g"] == 20)
    monkeypatch.setenv("DATABASE_URL", db_url)
    at = AppTest.from_file(str(throwaway), default_timeout=60)
    at.query_params["table"] = TABLE
    at.query_params["id"] = str(nantes["id"])
    at.run()
    assert not at.exception, at.exception
    editors = [f for f in at.dataframe if f.proto.editing_mode != 0]
    assert len(editors) == 1 and len(editors[0].value) == 3
    (chart,) = at.get("vega_lite_chart")
    assert json.loads(chart.proto.spec)["title"]["text"] == "包裹登錄：每月筆數"
    card = " ".join(as_shown(m.value) for m in at.markdown)
    assert f"包裹登錄 #{nantes['id']}" in card and "Ville de Nantes" in card
