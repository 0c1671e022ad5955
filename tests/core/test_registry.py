"""The table registry: every table has all it needs, everything else is derived from it."""

from __future__ import annotations

import subprocess
import sys
from enum import Enum
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import Session, SQLModel

import db.models  # noqa: F401  (every table on SQLModel.metadata)
from core.accounts import auth, users
from core.audit.history import visible_tables
from core.editing import registry
from core.editing.charts import month_chart, rows_by_month, split_column
from core.editing.links import page_for, parse_record_query, record_link
from core.editing.pipeline import Actor, EditorState, can_edit, save_changes
from core.editing.tables import TableSpec, fetch_page, get_record_fields
from core.editing.validate import RowError
from core.i18n.labels import EN, ZH
from core.kernel.periods import REPORT_PERIOD
from core.search.kinds import Kind

ROOT = Path(__file__).resolve().parents[2]
TABLES = registry.tables()
LISTED = [t for t in TABLES if t.spec is not None]
ADMIN = Actor("t.admin", "admin")


def _both(key: str) -> bool:
    return key in ZH and key in EN


def _column_labelled(table: str, column: str) -> bool:
    return any(_both(key) for key in (f"col.{table}.{column}", f"col.{column}"))


def _columns(model: type[SQLModel]) -> set[str]:
    return {c.name for c in model.__table__.columns}


def test_every_function_package_with_a_tables_module_is_registered():
    declared = {p.parent.name for p in (ROOT / "core").glob("*/tables.py")} - {"editing"}
    assert declared == set(registry.FUNCTIONS)


def test_every_table_is_registered_or_declared_internal():
    registered = {t.name for t in TABLES}
    assert not registered & set(registry.INTERNAL)
    assert set(SQLModel.metadata.tables) == registered | set(registry.INTERNAL)


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_every_table_has_what_it_needs(table: registry.Table):
    columns = _columns(table.model)
    assert table.section in registry.section_names()
    assert (ROOT / table.page).is_file()
    assert _both(table.label_key)
    assert all(_column_labelled(table.name, c) for c in columns), table.name
    assert isinstance(table.rules, tuple) and all(callable(rule) for rule in table.rules)
    assert table.search is None or isinstance(table.search, Kind)
    if table.editable:
        assert table.spec is not None, "an edited table needs its listing spec"
    if table.span:
        assert {table.span[0], table.span[1]} <= columns


@pytest.mark.parametrize("table", LISTED, ids=lambda t: t.name)
def test_every_listing_spec_names_real_columns(table: registry.Table):
    spec: TableSpec = table.spec
    columns = _columns(table.model)
    assert spec.model is table.model
    assert spec.period_column is None or spec.period_column in columns
    assert {c.lstrip("-") for c in spec.order_by} <= columns
    assert set(spec.search) <= columns
    assert set(spec.lookups) <= columns


@pytest.mark.parametrize("table", [t for t in TABLES if t.search], ids=lambda t: t.name)
def test_every_search_kind_reads_its_own_table(table: registry.Table):
    kind = table.search
    assert kind.model is table.model and kind.table == table.name
    assert set(kind.columns) <= _columns(table.model)


def test_sections_pages_and_navigation_follow_the_declarations():
    assert registry.section_names() == registry.FUNCTIONS
    for section in registry.sections():
        assert _both(f"section.{section.name}") and _both(section.title) and _both(section.group)
        assert registry.SECTION_PAGES[section.name] == section.page
    assert registry.navigation() == {
        "nav.international": [
            ("pages/sister_cities.py", "page.calendar", ":material/public:"),
            ("pages/visitor_log.py", "page.visitors", ":material/badge:"),
            ("pages/gift_inventory.py", "page.gifts", ":material/redeem:"),
        ],
        "nav.administration": [
            ("pages/venue_usage.py", "page.venues", ":material/meeting_room:"),
            ("pages/fleet_stats.py", "page.fleet", ":material/directions_car:"),
            ("pages/staffing_table.py", "page.staffing", ":material/groups:"),
        ],
    }


def test_permissions_history_and_accounts_come_from_the_sections():
    lead = Actor("t.lead", "lead", frozenset({"visitors"}))
    assert can_edit(lead, "reception_follow_up") and not can_edit(lead, "trip")
    # Photos are written by their own code: read in a lead's history, never edited as a table.
    assert "reception_photo" in visible_tables(lead) and not can_edit(lead, "reception_photo")
    assert not can_edit(ADMIN, "audit_log")
    assert list(users.section_options()) == list(registry.FUNCTIONS)
    assert auth.check_role_sections("lead", ["fleet"])[1] == "fleet"
    with pytest.raises(ValueError, match="nosuch"):
        auth.check_role_sections("lead", ["nosuch"])


def test_the_search_reads_the_declared_kinds_folded_ones_first():
    kinds = [
        "partner_city", "exchange_event", "reception", "reception_guest", "gift_item",
        "gift_received", "venue", "vehicle", "venue_booking",
    ]  # fmt: skip
    assert [kind.table for kind in registry.search_kinds()] == kinds
    # ... then the tables a kind is found through (an event's cities), kept fresh as well.
    assert registry.search_tables() == [*kinds, "exchange_event_city"]


def test_every_rule_is_found_without_importing_its_module():
    """A fresh process that imports only the pipeline knows every declared rule: no rule
    depends on which page happened to import its module first."""
    code = (
        "import sys\n"
        "from core.editing import pipeline, registry\n"
        "assert not any(n.endswith('.rules') for n in sys.modules)\n"
        "print(sorted(n for n, rules in registry.RULES.items() if rules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == str(sorted(t.name for t in TABLES if t.rules)).split()
    assert "venue_booking" in out.stdout and "staffing_count" in out.stdout


def test_a_table_runs_every_rule_it_lists(session: Session, monkeypatch):
    def first(_session, batch):
        return [RowError(pos, "note", "第一條規則") for pos, _ in batch.added]

    def second(_session, batch):
        return [RowError(pos, "note", "第二條規則") for pos, _ in batch.added]

    monkeypatch.setitem(registry.RULES, "temp_staff_review", (first, second))
    row = {"meeting_date": "112/01/05", "cases": 2, "approved_people": 3, "note": ""}
    result = save_changes(
        session, db.models.TempStaffReview, EditorState([], added_rows=[row]), actor=ADMIN
    )
    assert not result.ok and result.messages() == ["第一條規則", "第二條規則"]


def test_reading_the_registry_while_it_loads_is_refused(monkeypatch):
    def reads_too_early():
        registry.tables()
        yield from ()

    monkeypatch.setattr(registry, "_declarations", reads_too_early)
    registry.reload()
    try:
        with pytest.raises(RuntimeError, match="import time"):
            registry.tables()
    finally:
        monkeypatch.undo()
        registry.reload()
    assert registry.table("trip") is not None


def test_every_record_link_opens_its_record(demo_engine):
    with Session(demo_engine) as session:
        for table in LISTED:
            row_id = session.scalar(select(table.model.id).order_by(table.model.id).limit(1))
            assert row_id is not None, f"the demo data has no {table.name}"
            link = record_link(table.name, row_id)
            assert link.page == page_for(table.name) == table.page
            assert link.url_path == Path(table.page).stem
            assert parse_record_query(link.query_params) == (table.name, row_id)
            assert get_record_fields(session, table.name, row_id, "zh-TW"), table.name
    assert page_for("reception_photo") is None and page_for("audit_log") is None
    assert parse_record_query({"table": "reception_photo", "id": "1"}) is None


def test_only_tables_without_a_chart_of_their_own_get_the_generic_one():
    charted = {t.name for t in TABLES if t.generic_chart}
    assert charted == {"temp_staff_review"}
    with_period = {t.name for t in LISTED if t.spec.period_column}
    assert {t.name for t in TABLES if t.own_chart} == with_period - charted


def test_the_generic_chart_counts_rows_per_month_split_by_an_enum(demo_engine):
    with Session(demo_engine) as session:
        reviews = rows_by_month(session, "temp_staff_review", REPORT_PERIOD)
        trips = rows_by_month(session, "trip", REPORT_PERIOD)
        rows = fetch_page(session, registry.SPECS["temp_staff_review"], REPORT_PERIOD)
    # The report's period: 5 review meetings, 770 dispatch and 51 loan trips; every month
    # from 111/07 to 112/03 on the axis, the empty ones at 0.
    assert reviews["count"].sum() == len(rows) == 5
    assert reviews["month"].dt.strftime("%Y-%m").drop_duplicates().tolist() == [
        "2022-07", "2022-08", "2022-09", "2022-10", "2022-11", "2022-12", "2023-01", "2023-02",
        "2023-03",
    ]  # fmt: skip
    assert split_column(registry.table("temp_staff_review")) is None
    assert split_column(registry.table("trip")) == "trip_type"
    assert trips.groupby("kind")["count"].sum().to_dict() == {"dispatch": 770, "loan": 51}
    spec = month_chart(trips, "trip", "zh-TW", REPORT_PERIOD).to_dict()  # validated by Altair
    assert spec["title"]["text"] == "派車紀錄：每月筆數"
    assert spec["encoding"]["color"]["scale"]["domain"] == ["調派", "支援借用"]
    assert isinstance(db.models.TripType.DISPATCH, Enum)


def test_sessions_starting_together_read_one_registry(monkeypatch):
    """A new server's first runs read the registry in several threads at once: they wait for
    the one that loads it instead of failing (seen under a 50-session load)."""
    import threading
    import time

    declarations = registry._declarations

    def slow_first_import():  # as a fresh process imports the function packages
        for module in declarations():
            time.sleep(0.02)
            yield module

    monkeypatch.setattr(registry, "_declarations", slow_first_import)
    registry.reload()
    barrier = threading.Barrier(8)
    seen: list[object] = []
    errors: list[BaseException] = []

    def read() -> None:
        barrier.wait()
        try:
            seen.append(registry._loaded())
        except BaseException as exc:  # noqa: BLE001 - the test reports any
            errors.append(exc)

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    registry.reload()  # loaded again by the next reader, at full speed
    assert errors == []
    assert len(seen) == 8 and all(s is seen[0] for s in seen)
