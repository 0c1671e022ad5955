"""The staffing page: the report's table cell by cell, the rates, who gets the copy form and
editors, copying a snapshot and refusing a taken date (AppTest and the HTML it draws)."""

from datetime import date
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from core.accounts import auth
from core.staffing import headcount as staffing
from db.engine import make_engine
from db.models import AuditEntry, StaffingCount, StaffingSnapshot
from tests.apptest import APP, add_account, editors, open_page, signed_in
from tests.conftest import BACKENDS, database_copy
from ui.staffing_view import reduction_html, staffing_html

PAGE = "pages/staffing_table.py"
PICKER = "staffing.snapshot.2023-03-15"  # the report period's end
RATES = ("29.86%", "39.92%", "57.48%")


# ── the table as drawn: one grid, the report's layout ──


class _Cells(HTMLParser):
    """(tag, text, colspan, rowspan) of every th/td, row by row."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[tuple[str, str, int, int]]] = []
        self._cell: list | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            a = dict(attrs)
            self._cell = [tag, "", int(a.get("colspan", 1)), int(a.get("rowspan", 1))]

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[1] += data.strip()

    def handle_endtag(self, tag):
        if tag in ("th", "td") and self._cell is not None:
            self.rows[-1].append(tuple(self._cell))
            self._cell = None


def _parse(html: str) -> list[list[tuple[str, str, int, int]]]:
    parser = _Cells()
    parser.feed(html)
    return parser.rows


def _widths(rows: list[list[tuple]]) -> list[int]:
    """How many grid columns each row covers, counting cells spanning down from above."""
    carried: dict[int, int] = {}  # row index -> columns taken by rowspans from above
    widths = []
    for i, row in enumerate(rows):
        widths.append(carried.get(i, 0) + sum(c[2] for c in row))
        for cell in row:
            for below in range(i + 1, i + cell[3]):
                carried[below] = carried.get(below, 0) + cell[2]
    return widths


@pytest.fixture(scope="module")
def report_table(demo_engine):
    with Session(demo_engine) as session:
        snap = staffing.latest_snapshot(session, date(2023, 3, 15))
        return staffing.staffing_table(session, snap), staffing.other_breakdown(session, snap)


NOTE = (
    "為臨時人員進用要點進用之人員，主要包含衛生局以醫療藥品基金進用之人員約302人、"
    "環保局之道路清潔員約331人、空污計畫人員等約40人及交通局之路邊收費服務員約256人等。"
)
# The report's table (資料日期：112.2.28), row by row: (tag, text, colspan, rowspan).
EXPECTED = [
    [("th", "工級人員", 1, 2), ("th", "本府所屬機關", 2, 1), ("th", "學校", 2, 1),
     ("th", "合計", 2, 1)],
    [("td", "5,339", 2, 1), ("td", "596", 2, 1), ("td", "5,935", 2, 1)],
    [("th", "臨時人員", 1, 4), ("th", "業務助理", 1, 1), ("th", "約用人員", 2, 1),
     ("th", "僱用工程員", 1, 1), ("th", "其他", 1, 2), ("th", "合計", 1, 2)],
    [("th", "公務預算", 1, 1), ("th", "公務預算", 1, 1), ("th", "中央補助費", 1, 1),
     ("th", "工程管理費", 1, 1)],
    [("td", "591", 1, 1), ("td", "13", 1, 1), ("td", "11", 1, 1), ("td", "15", 1, 1),
     ("td", "1,450" + NOTE, 1, 2), ("td", "2,080", 1, 2)],
    [("td", "630", 4, 1)],
    [("td", "總計：8,015", 7, 1)],
]  # fmt: skip


def test_the_table_is_the_reports_cell_by_cell(report_table):
    html = staffing_html(*report_table[:1], "zh-TW", report_table[1])
    assert "資料日期：112/02/28" in html
    rows = _parse(html)
    assert rows == EXPECTED
    assert _widths(rows) == [7] * len(rows)  # a whole grid: no row short or long


def test_the_table_in_english(report_table):
    rows = _parse(staffing_html(report_table[0], "en", report_table[1]))
    texts = [c[1] for row in rows for c in row]
    assert texts[:4] == ["Workers (工級)", "City agencies", "Schools", "Total"]
    assert "Grand total: 8,015" in texts and "2,080" in texts
    assert any("about 302" in x and "about 256" in x for x in texts)


def test_the_reduction_table_lists_the_three_rates(report_table, demo_engine):
    with Session(demo_engine) as session:
        base = staffing.staffing_table(session, staffing.baseline_snapshot(session))
    now = report_table[0]
    rows = _parse(reduction_html(staffing.reductions(base, now), base, now, "zh-TW"))
    assert [[c[1] for c in row] for row in rows[1:]] == [
        ["工級人員", "8,462", "5,935", "2,527", "29.86%"],
        ["臨時人員", "3,462", "2,080", "1,382", "39.92%"],
        ["業務助理", "1,390", "591", "799", "57.48%"],
    ]


# ── the page, read-only (the shared demo database) ──


def _copy_form(at: AppTest) -> list:
    return [w for w in at.text_input if w.key == "staffing.copy.as_of"]


def test_viewer_sees_the_total_and_the_rates_but_no_editor(anonymous, accounts):
    at = open_page(signed_in(anonymous, accounts, "t.viewer"), PAGE)
    shown = [m.value for m in at.metric]
    assert shown[:6] == ["8,015", "5,935", "2,080", *RATES]
    assert shown[6:] == ["5", "10", "27"]  # 本期 5 meetings, 10 cases, 27 approved
    html = "".join(h.proto.body for h in at.get("html"))
    assert "總計：8,015" in html and all(rate in html for rate in RATES)
    assert "精簡率約為29.86％" in "".join(m.value for m in at.markdown)
    assert not editors(at) and not _copy_form(at)
    assert at.dataframe  # counts, snapshots and reviews, read-only


def test_admin_gets_the_copy_form_and_the_editors(app):
    at = open_page(app, PAGE)
    assert _copy_form(at)
    assert len(editors(at)) == 3  # temp-staff reviews, counts of the snapshot, snapshots


def test_fleet_lead_gets_no_staffing_editor(anonymous, accounts):
    at = open_page(signed_in(anonymous, accounts, "t.fleet"), PAGE)
    assert not editors(at) and not _copy_form(at)


def test_picking_the_baseline_shows_its_table(app, accounts):
    at = open_page(app, PAGE)
    picker = at.selectbox(key=PICKER)
    assert picker.value == _snapshot_id(accounts, date(2023, 2, 28))
    assert (
        picker.options[0].startswith("115/08/31") and "99/12/25（縣市合併基準）" in picker.options
    )
    picker.select(_snapshot_id(accounts, date(2010, 12, 25))).run()
    assert not at.exception, at.exception
    assert [m.value for m in at.metric][:3] == ["11,924", "8,462", "3,462"]
    assert any("所選資料即為縣市合併基準" in i.value for i in at.info)


def test_english_page(app):
    app.session_state["lang"] = "en"
    at = open_page(app, PAGE)
    assert at.title[0].value == "Staffing table"
    assert [tab.label for tab in at.tabs] == [
        "Staffing table", "Reductions", "Trend and agencies", "Temp-staff reviews", "Snapshots",
    ]  # fmt: skip


def _snapshot_id(url: str, as_of: date) -> int:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return session.scalar(
                select(StaffingSnapshot.id).where(StaffingSnapshot.as_of == as_of)
            )
    finally:
        engine.dispose()


# ── copying, on a demo database of this module's own ──


@pytest.fixture(scope="module", params=BACKENDS)
def own_demo(request, tmp_path_factory):
    """The demo data and two accounts, in a database these tests may write to."""
    directory = tmp_path_factory.mktemp(f"staffing_{request.param}")
    with database_copy(request.param, request, directory, demo=True) as url:
        engine = make_engine(url)
        original, auth.BCRYPT_ROUNDS = auth.BCRYPT_ROUNDS, 4
        try:
            with Session(engine) as session:
                add_account(session, "t.staffing", "lead", ("staffing",))
        finally:
            auth.BCRYPT_ROUNDS = original
            engine.dispose()
        yield url


@pytest.fixture
def lead_app(own_demo, monkeypatch, clean_caches):
    monkeypatch.setenv("DATABASE_URL", own_demo)
    from core.kernel.config import get_settings

    get_settings.cache_clear()
    at = AppTest.from_file(str(APP), default_timeout=60)
    return signed_in(at, own_demo, "t.staffing")


def _state(url: str) -> tuple[int, int, int]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return tuple(
                session.scalar(select(func.count()).select_from(m))
                for m in (StaffingSnapshot, StaffingCount, AuditEntry)
            )
    finally:
        engine.dispose()


def _submit(at: AppTest, as_of: str) -> AppTest:
    at.text_input(key="staffing.copy.as_of").input(as_of)
    (button,) = [b for b in at.button if b.label == "複製建立"]
    button.click().run()
    assert not at.exception, at.exception
    return at


def test_staffing_lead_copies_the_latest_snapshot(lead_app, own_demo):
    at = open_page(lead_app, PAGE)
    assert _copy_form(at) and len(editors(at)) == 3
    snapshots, counts, audit = _state(own_demo)
    _submit(at, "115/10/31")
    assert [s.value for s in at.success] == [
        "已建立 115年10月31日 的員額資料，明細複製自最新一筆；請逐筆修正人數。"
    ]
    assert _state(own_demo) == (snapshots + 1, counts + 145, audit + 1 + 145)
    new_id = _snapshot_id(own_demo, date(2026, 10, 31))
    assert at.selectbox(key=PICKER).value == new_id  # the page now shows the copy
    assert "115年10月31日 員額明細" in [h.value for h in at.subheader]
    engine = make_engine(own_demo)
    with Session(engine) as session:
        source = staffing.staffing_figures(session, date(2026, 8, 31))  # the latest before
    engine.dispose()
    assert source["staffing.as_of"] == "2026-08-31"
    assert at.metric[0].value == f"{source['staffing.grand_total']:,}"


def test_a_taken_date_is_refused_with_a_message_and_changes_nothing(lead_app, own_demo):
    at = open_page(lead_app, PAGE)
    before = _state(own_demo)
    _submit(at, "112/02/28")
    assert [e.value for e in at.error] == ["已有 112年2月28日 的員額資料，未新增任何資料。"]
    assert _state(own_demo) == before
    assert at.selectbox(key=PICKER).value == _snapshot_id(own_demo, date(2023, 2, 28))


@pytest.mark.parametrize(
    ("typed", "message"),
    [("", "請輸入新資料日期"), ("112/13/40", "月份須介於 1 至 12"), ("99/01/01", "須晚於最新一筆")],
    ids=["blank", "no_such_date", "before_latest"],
)
def test_bad_dates_are_refused_with_a_message(lead_app, own_demo, typed, message):
    at = open_page(lead_app, PAGE)
    before = _state(own_demo)
    _submit(at, typed)
    assert len(at.error) == 1 and message in at.error[0].value, [e.value for e in at.error]
    assert _state(own_demo) == before
