"""Staffing: the report's table and rates from the stored counts, trend and agency aggregates,
temp-staff reviews, copying a snapshot (audited, all or nothing) and the save rules."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import func, select, text
from sqlmodel import Session, SQLModel

from core.editing.pipeline import Actor, AuditedWriter, EditorState, PermissionDenied, save_changes
from core.kernel.periods import REPORT_PERIOD, Period
from core.staffing import headcount as staffing
from db.models import (
    AuditAction,
    AuditEntry,
    StaffingCount,
    StaffingSnapshot,
    TableStamp,
)
from tests.conftest import dump_tables

ANCHOR = date(2023, 2, 28)
# The report's table (資料日期 112.2.28), cell by cell.
REPORT_CELLS = {
    "worker_agencies": 5339,
    "worker_schools": 596,
    "worker_total": 5935,
    "assistant": 591,
    "contract_public": 13,
    "contract_central": 11,
    "engineer": 15,
    "temp_subtotal": 630,
    "other": 1450,
    "temp_total": 2080,
    "grand_total": 8015,
}
ADMIN = Actor("root", "admin")
STAFF_LEAD = Actor("lin", "lead", frozenset({"staffing"}))
FLEET_LEAD = Actor("bob", "lead", frozenset({"fleet"}))
VIEWER = Actor("carol", "viewer")
TODAY = date(2026, 11, 27)


@pytest.fixture(scope="module")
def demo(demo_engine):
    with Session(demo_engine) as session:
        yield session


def _snapshot(session: Session, as_of: date) -> StaffingSnapshot:
    return session.scalars(select(StaffingSnapshot).where(StaffingSnapshot.as_of == as_of)).one()


@pytest.mark.parametrize(("cell", "expected"), REPORT_CELLS.items(), ids=list(REPORT_CELLS))
def test_table_cell_equals_the_reports(demo, cell, expected):
    table = staffing.staffing_table(demo, _snapshot(demo, ANCHOR))
    assert table.as_dict()[cell] == expected


def test_other_note_groups_are_the_reports(demo):
    # 衛生局醫療藥品基金約302人、環保局道路清潔員約331人、空污約40人、交通局路邊收費約256人
    breakdown = staffing.other_breakdown(demo, _snapshot(demo, ANCHOR))
    assert breakdown == {"health": 302, "cleaners": 331, "air": 40, "parking": 256}


def _stored_sum(session: Session, as_of: date, where: str) -> int:
    """A headcount straight from the stored rows, without core.staffing.headcount."""
    sql = f"""SELECT COALESCE(SUM(c.headcount), 0) FROM staffing_count c
              JOIN staffing_snapshot s ON s.id = c.snapshot_id
              WHERE s.as_of = :as_of AND ({where})"""
    return int(session.execute(text(sql), {"as_of": as_of}).scalar_one())


def _half_up(baseline: int, now: int) -> float:
    exact = Decimal(baseline - now) * 100 / Decimal(baseline)
    return float(exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


# The report: 工級 8,462 → 5,935 (29.86%); 臨時人員 3,462 → 2,080 (39.92%, 其他 included);
# 業務助理 1,390 → 591 (57.48%).
RATES = [
    ("worker", "c.category = 'worker'", 8462, 5935, 29.86),
    ("temp", "c.category <> 'worker'", 3462, 2080, 39.92),
    ("assistant", "c.category = 'assistant'", 1390, 591, 57.48),
]


@pytest.mark.parametrize(("key", "where", "base", "now", "rate"), RATES, ids=[r[0] for r in RATES])
def test_each_rate_is_computed_from_the_stored_counts(demo, key, where, base, now, rate):
    baseline = demo.scalar(select(StaffingSnapshot.as_of).where(StaffingSnapshot.is_baseline))
    assert baseline == date(2010, 12, 25)
    assert (_stored_sum(demo, baseline, where), _stored_sum(demo, ANCHOR, where)) == (base, now)
    assert _half_up(base, now) == rate
    figures = staffing.staffing_figures(demo, REPORT_PERIOD.end)
    assert figures["staffing.as_of"] == "2023-02-28"
    assert figures[f"staffing.{key}_reduction_pct"] == rate
    (line,) = [r for r in staffing.reductions(*_tables(demo, baseline)) if r.key == key]
    assert (line.baseline, line.now, line.reduced, line.rate) == (base, now, base - now, rate)


def _tables(session: Session, baseline: date):
    return (
        staffing.staffing_table(session, _snapshot(session, baseline)),
        staffing.staffing_table(session, _snapshot(session, ANCHOR)),
    )


@pytest.mark.parametrize(
    ("baseline", "now", "expected"),
    [
        (800, 799, 0.13),  # exactly 0.125: half-up gives 0.13 where round() gives 0.12
        (8000, 7999, 0.01),  # 0.0125
        (8462, 5935, 29.86),
        (100, 100, 0.0),
        (100, 120, -20.0),  # growth shows as a negative reduction
        (0, 5, None),
    ],
)
def test_reduction_rounds_half_up_to_two_decimals(baseline, now, expected):
    assert staffing.reduction_pct(baseline, now) == expected


def test_trend_aggregate_equals_the_stored_rows_per_snapshot(demo):
    trend = staffing.list_snapshots(demo)
    sql = text(
        "SELECT s.as_of, SUM(CASE WHEN c.category = 'worker' THEN c.headcount ELSE 0 END),"
        " SUM(CASE WHEN c.category <> 'worker' THEN c.headcount ELSE 0 END), COUNT(c.id)"
        " FROM staffing_snapshot s JOIN staffing_count c ON c.snapshot_id = s.id"
        " GROUP BY s.as_of ORDER BY s.as_of"
    )
    stored = [(d if isinstance(d, date) else date.fromisoformat(d), int(w), int(t), int(n))
              for d, w, t, n in demo.execute(sql)]  # fmt: skip
    shown = list(trend[["as_of", "worker", "temp", "counts"]].itertuples(index=False, name=None))
    assert shown == stored
    assert len(trend) == 33 and trend["as_of"].is_monotonic_increasing
    first, anchor = trend.iloc[0], trend[trend["as_of"] == ANCHOR].iloc[0]
    assert (bool(first["is_baseline"]), first["worker"], first["temp"]) == (True, 8462, 3462)
    assert (anchor["worker"], anchor["temp"]) == (5935, 2080)


def test_agency_breakdown_adds_up_to_the_table(demo):
    units = staffing.headcount_by_unit(demo, _snapshot(demo, ANCHOR))
    assert units["total"].tolist() == sorted(units["total"], reverse=True)
    assert units["worker"].sum() == 5935 and units["temp"].sum() == 2080
    schools = units[units["unit_type"] == "school"]
    assert schools["worker"].sum() == 596
    health = units.set_index("unit_name").loc["衛生局"]
    assert health["other"] == 302
    assert units["unit_name"].is_unique


def test_review_totals_for_the_report_period(demo):
    # 本期召開 5 次，審議 10 案，通過進用 27 人
    assert staffing.review_figures(demo, REPORT_PERIOD) == {
        "staffing.review_meetings": 5,
        "staffing.review_cases": 10,
        "staffing.review_approved": 27,
    }
    empty = staffing.review_figures(demo, Period(date(2022, 7, 2), date(2022, 7, 3)))
    assert set(empty.values()) == {0}


def test_figures_before_any_snapshot_are_empty(demo):
    assert staffing.staffing_figures(demo, date(1999, 1, 1)) == {"staffing.as_of": None}


# ── copying a snapshot, on an empty database per test ──

COUNTS = [
    ("衛生局", "agency", "worker", "none", 120),
    ("衛生局", "agency", "other", "fund", 302),
    ("高雄市立高雄高級中學", "school", "worker", "none", 30),
    ("工務局", "agency", "engineer", "engineering", 15),
]


@pytest.fixture
def snapshots(session: Session) -> dict[str, int]:
    base = StaffingSnapshot(as_of=date(2010, 12, 25), label="縣市合併基準", is_baseline=True)
    latest = StaffingSnapshot(as_of=ANCHOR, label="112年2月底")
    session.add_all([base, latest])
    session.flush()
    for snap, factor in ((base, 2), (latest, 1)):
        for unit, unit_type, category, source, n in COUNTS:
            session.add(
                StaffingCount(
                    snapshot_id=snap.id, unit_name=unit, unit_type=unit_type, category=category,
                    budget_source=source, headcount=n * factor, note="原始資料",
                )
            )  # fmt: skip
    session.commit()
    return {"base": base.id, "latest": latest.id}


def _counts(session: Session, snapshot_id: int) -> list[tuple]:
    c = StaffingCount
    stmt = (
        select(c.unit_name, c.unit_type, c.category, c.budget_source, c.headcount, c.note)
        .where(c.snapshot_id == snapshot_id)
        .order_by(c.id)
    )
    return [tuple(r) for r in session.execute(stmt)]


@pytest.mark.parametrize("actor", [ADMIN, STAFF_LEAD], ids=["admin", "staffing_lead"])
def test_copy_makes_a_new_snapshot_with_every_count_audited(session, snapshots, actor):
    new_id = staffing.copy_snapshot(session, actor, date(2023, 8, 31), "112年8月底", today=TODAY)
    made = session.get(StaffingSnapshot, new_id)
    assert (made.as_of, made.label, made.is_baseline) == (date(2023, 8, 31), "112年8月底", False)
    assert made.note == "複製自 112年2月28日 的員額資料"
    assert _counts(session, new_id) == _counts(session, snapshots["latest"])
    assert len(_counts(session, new_id)) == len(COUNTS)
    entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [e.table_name for e in entries] == ["staffing_snapshot"] + ["staffing_count"] * 4
    assert {e.action for e in entries} == {AuditAction.INSERT}
    assert {e.username for e in entries} == {actor.username}
    assert len({e.batch_id for e in entries}) == 1
    assert entries[0].row_id == new_id and entries[0].after["as_of"] == "2023-08-31"
    assert all(e.after["snapshot_id"] == new_id for e in entries[1:])
    stamps = dict(session.execute(select(TableStamp.table_name, TableStamp.stamp)).all())
    assert stamps == {"staffing_snapshot": 1, "staffing_count": 1}
    # The copy is now the latest: the page's figures follow it.
    assert staffing.latest_snapshot(session, date(2023, 12, 31)).id == new_id


def test_a_blank_label_becomes_the_roc_date(session, snapshots):
    new_id = staffing.copy_snapshot(session, ADMIN, date(2023, 8, 31), "  ", today=TODAY)
    assert session.get(StaffingSnapshot, new_id).label == "112年8月31日"


@pytest.mark.parametrize(
    ("as_of", "label", "message"),
    [
        (ANCHOR, "", "已有 112年2月28日 的員額資料，未新增任何資料。"),
        (date(2010, 12, 25), "", "已有 99年12月25日 的員額資料"),
        (date(2023, 1, 31), "", "須晚於最新一筆員額資料（112年2月28日）"),
        (date(2026, 11, 28), "", "晚於今天（115年11月27日）"),
        (date(2023, 8, 31), "名" * 61, "名稱最多 60 字（目前 61 字）"),
    ],
    ids=["same_date", "baseline_date", "before_latest", "future", "long_label"],
)
def test_copy_is_refused_with_a_message_and_changes_nothing(
    session, snapshots, as_of, label, message
):
    before = dump_tables(session)
    with pytest.raises(staffing.SnapshotRefused, match=message):
        staffing.copy_snapshot(session, ADMIN, as_of, label, today=TODAY)
    assert dump_tables(session) == before


@pytest.mark.parametrize("actor", [VIEWER, FLEET_LEAD], ids=["viewer", "other_lead"])
def test_only_staffing_leads_and_admins_copy(session, snapshots, actor):
    before = dump_tables(session)
    with pytest.raises(PermissionDenied, match="沒有新增員額資料的權限"):
        staffing.copy_snapshot(session, actor, date(2023, 8, 31), "", today=TODAY)
    assert dump_tables(session) == before


def test_nothing_to_copy_in_an_empty_database(session):
    with pytest.raises(staffing.SnapshotRefused, match="尚無員額資料可複製"):
        staffing.copy_snapshot(session, ADMIN, date(2023, 8, 31), "", today=TODAY)
    assert session.scalar(select(func.count()).select_from(StaffingSnapshot)) == 0


def test_a_copy_failing_midway_writes_nothing(session, snapshots, monkeypatch):
    """A database error after some rows were written rolls the whole copy back."""
    before = dump_tables(session)
    calls = {"n": 0}
    real_insert = AuditedWriter.insert

    def failing(self, values, action=AuditAction.INSERT):
        calls["n"] += 1
        if calls["n"] == 3:  # the snapshot and one count are written by now
            values = values | {"unit_type": None}  # NOT NULL: the database refuses it
        return real_insert(self, values, action)

    monkeypatch.setattr("core.editing.pipeline.AuditedWriter.insert", failing)
    with pytest.raises(staffing.SnapshotRefused, match="新增員額資料失敗，未寫入任何資料"):
        staffing.copy_snapshot(session, ADMIN, date(2023, 8, 31), "", today=TODAY)
    assert calls["n"] == 3
    assert dump_tables(session) == before


# ── save rules of the staffing tables ──


def _rows(session: Session, model: type[SQLModel], **where) -> list[dict]:
    table = model.__table__
    stmt = select(table).order_by(table.c.id)
    for column, value in where.items():
        stmt = stmt.where(table.c[column] == value)
    rows = [dict(r) for r in session.execute(stmt).mappings()]
    session.rollback()
    return rows


def test_a_budget_source_outside_the_category_is_refused(session, snapshots):
    rows = _rows(session, StaffingCount, snapshot_id=snapshots["latest"])
    before = dump_tables(session)
    added = {
        "snapshot_id": snapshots["latest"], "unit_name": "社會局", "unit_type": "agency",
        "category": "contract", "budget_source": "engineering", "headcount": 3,
    }  # fmt: skip
    state = EditorState(rows, {3: {"budget_source": "public"}}, [added])
    result = save_changes(session, StaffingCount, state, actor=STAFF_LEAD)
    assert not result.ok
    messages = [e.message for e in result.errors]
    assert messages == [
        "第 4 列：類別「僱用工程員」的經費來源須為工程管理費，不可為「公務預算」。",
        "新增第 1 列：類別「約用人員」的經費來源須為公務預算、中央補助費，不可為「工程管理費」。",
    ]
    assert dump_tables(session) == before


def test_a_matching_count_edit_saves(session, snapshots):
    rows = _rows(session, StaffingCount, snapshot_id=snapshots["latest"])
    state = EditorState(rows, {1: {"headcount": 300}})
    assert save_changes(session, StaffingCount, state, actor=STAFF_LEAD).ok
    latest = session.get(StaffingSnapshot, snapshots["latest"])
    assert staffing.staffing_table(session, latest).other == 300


def test_a_second_merger_baseline_is_refused(session, snapshots):
    rows = _rows(session, StaffingSnapshot)
    before = dump_tables(session)
    state = EditorState(rows, {1: {"is_baseline": True}})
    result = save_changes(session, StaffingSnapshot, state, actor=ADMIN)
    assert [e.message for e in result.errors] == [
        "第 2 列：只能有一筆員額資料標為縣市合併基準（精簡率都以它計算）。"
    ]
    assert dump_tables(session) == before
    # Moving the mark in one save is fine.
    moved = EditorState(rows, {0: {"is_baseline": False}, 1: {"is_baseline": True}})
    assert save_changes(session, StaffingSnapshot, moved, actor=ADMIN).ok


def test_the_demo_counts_keep_the_budget_source_rule(demo):
    """Every stored category / source pair fits, so an exported table imports back."""
    c = StaffingCount
    pairs = demo.execute(select(c.category, c.budget_source).distinct()).all()
    assert pairs and all(source in staffing.SOURCES[category] for category, source in pairs)
