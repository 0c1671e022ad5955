"""In a real browser: the three administration pages (venue usage, fleet statistics, staffing
table) open for a viewer and for their section's lead; their figure tiles show what
core.figures.compute (and `python -m core.figures`) compute for the council report period on the
server's own database; every tab opens; and one real action per page as the lead, checked in
the database afterwards: a venue booking through the form, the monthly 禮賓車 statement
download, and a staffing snapshot copied to a new date."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select
from sqlmodel import Session

from core.accounts.users import DEMO_ACCOUNTS
from core.figures.cli import _format_value
from core.figures.compute import fleet_figures, venue_figures
from core.fleet import usage as fleet
from core.i18n.labels import t
from core.kernel.periods import Period
from core.kernel.roc_dates import format_roc
from core.staffing import headcount as staffing
from core.venues import bookings as venues
from core.visitors.receptions import taipei_today
from db.models import AuditEntry, BookingStatus, StaffingCount, StaffingSnapshot, VenueBooking
from tests.e2e.conftest import (
    CHROMIUM,
    app_engine,
    assert_no_error,
    choose,
    cli_figures,
    click_tab,
    main_area,
    new_run,
    settle,
    shot,
    sign_in,
    start_figures_cli,
    stop_figures_cli,
    type_in,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]

REPORT = Period(date(2022, 7, 1), date(2023, 3, 15))  # the sidebar's default period
# The demo accounts as the README lists them (core.accounts.users.DEMO_ACCOUNTS).
PASSWORDS = {a.username: a.password for a in DEMO_ACCOUNTS}
VIEW = {"width": 1500, "height": 1000}
SAVE = t("editor.save")  # 儲存變更
BORDERED = "[data-testid='stLayoutWrapper']"  # st.container(border=True) in Streamlit 1.67


def _fleet_tiles(session: Session, period: Period) -> dict:
    """fleet_figures plus the utilisation tile the page adds from the per-vehicle use."""
    figures = fleet_figures(session, period)
    figures["fleet.utilisation_pct"] = fleet.fleet_utilisation(fleet.vehicle_usage(session, period))
    return figures


def _staffing_tiles(session: Session, period: Period) -> dict:
    """The latest snapshot on or before the period's end (the page's default choice)."""
    return staffing.staffing_figures(session, period.end)


@dataclass(frozen=True)
class AdminPage:
    path: str
    title: str
    figures: Callable[[Session, Period], dict]
    tiles: tuple[str, ...]
    known: dict[str, str]  # tile key → the value the demo data must show (the numbers)
    tabs: tuple[str, ...]
    lead: str


PAGES = {
    "venue_usage": AdminPage(
        "venue_usage", t("page.venues"), venue_figures,
        ("venue.events_opened", "venue.meeting_bookings", "venue.booked_hours",
         "venue.utilisation_pct"),
        {"venue.events_opened": "207", "venue.meeting_bookings": "2,041"},
        tuple(t(f"ven.tab.{k}") for k in ("schedule", "charts", "bookings", "venues")),
        "demo.gifts",
    ),
    "fleet_stats": AdminPage(
        "fleet_stats", t("page.fleet"), _fleet_tiles,
        ("fleet.dispatch_trips", "fleet.loan_trips", "fleet.total_trips", "fleet.km",
         "fleet.utilisation_pct"),
        {"fleet.dispatch_trips": "770", "fleet.loan_trips": "51", "fleet.total_trips": "821"},
        (t("fleet.tab.stats"), t("fleet.tab.trips"), t("ui.vehicle_list"),
         t("fleet.tab.drivers"), t("fleet.tab.charges"), t("fleet.tab.report")),
        "demo.fleet",
    ),
    "staffing_table": AdminPage(
        "staffing_table", t("page.staffing"), _staffing_tiles,
        ("staffing.grand_total", "staffing.worker_total", "staffing.temp_total",
         "staffing.worker_reduction_pct", "staffing.temp_reduction_pct",
         "staffing.assistant_reduction_pct"),
        {"staffing.grand_total": "8,015", "staffing.worker_reduction_pct": "29.86%",
         "staffing.temp_reduction_pct": "39.92%", "staffing.assistant_reduction_pct": "57.48%"},
        tuple(t(f"staff.tab.{k}") for k in ("table", "reduction", "trend", "review",
                                            "snapshots")),
        "demo.staffing",
    ),
}  # fmt: skip


# --- the database the server uses --------------------------------------------------------------


def _query(data_dir: Path, work: Callable[[Session], object]):
    engine = app_engine(data_dir)
    try:
        with Session(engine) as session:
            return work(session)
    finally:
        engine.dispose()


def _expected_tiles(data_dir: Path, spec: AdminPage) -> dict[str, str]:
    """{tile label: value as the page formats it} from the figures the page computes."""
    figures = _query(data_dir, lambda s: spec.figures(s, REPORT))
    return {t(f"fig.{key}"): _format_value(key, figures.get(key)) for key in spec.tiles}


# --- browser helpers ---------------------------------------------------------------------------


def _wait_for_page(page, spec: AdminPage) -> None:
    # Wait for this page's own title and tiles, then for the run to finish.
    try:
        expect(page.locator("h1", has_text=spec.title)).to_be_visible(timeout=60_000)
        expect(main_area(page).locator("[data-testid='stMetric']").first).to_be_visible(
            timeout=30_000
        )
        settle(page)
    except AssertionError:
        shot(page, f"admin_{spec.path}_did_not_open")
        raise


def _tiles(page, n: int) -> dict[str, str]:
    """The first n metrics of the page (the headline tiles, above the tabs)."""
    shown = {}
    for metric in main_area(page).locator("[data-testid='stMetric']").all()[:n]:
        label = metric.locator("[data-testid='stMetricLabel']").inner_text().strip()
        shown[label] = metric.locator("[data-testid='stMetricValue']").inner_text().strip()
    return shown


class Tabs:
    """One browser context per demo account, signed in through the form once; later pages of
    that account open signed in by the cookie the form left."""

    def __init__(self, base: str, browser) -> None:
        self.base, self.browser = base, browser
        self.contexts: dict[str, object] = {}
        self.shared: dict[tuple[str, str], object] = {}

    def shared_tab(self, username: str, spec: AdminPage):
        """The account's one tab on a page, kept open for the next test of that page."""
        key = (username, spec.path)
        if key not in self.shared or self.shared[key].is_closed():
            self.shared[key] = self.open(username, spec)
        return self.shared[key]

    def open(self, username: str, spec: AdminPage):
        context = self.contexts.get(username)
        if context is None:
            context = self.browser.new_context(viewport=VIEW, accept_downloads=True)
            self.contexts[username] = context
            page = context.new_page()
            sign_in(page, self.base, username, PASSWORDS[username], spec.path)
        else:
            page = context.new_page()
            page.goto(f"{self.base}/{spec.path}")
        _wait_for_page(page, spec)
        return page

    def close(self) -> None:
        for context in self.contexts.values():
            context.close()


@pytest.fixture(scope="module")
def tabs(demo_server, demo_data_dir, browser):
    opened = Tabs(demo_server, browser)
    yield opened
    opened.close()
    stop_figures_cli(demo_data_dir)


# --- each page as a viewer and as its lead -----------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_a_viewer_reads_the_page_its_figures_and_tabs(tabs, demo_data_dir, name):
    spec = PAGES[name]
    page = tabs.open("demo.viewer", spec)
    start_figures_cli(demo_data_dir)  # the server has seeded the database by now
    try:
        assert_no_error(page)
        shown = _tiles(page, len(spec.tiles))
        shot(page, f"admin_{name}_viewer")
        assert shown == _expected_tiles(demo_data_dir, spec)
        for key, value in spec.known.items():
            assert shown[t(f"fig.{key}")] == value, key
        # The same numbers as `python -m core.figures` prints (it has no fleet utilisation).
        cli = cli_figures(demo_data_dir)
        for key in spec.tiles:
            if key in cli:
                assert shown[t(f"fig.{key}")] == _format_value(key, cli[key]), key
        assert page.locator("button", has_text=SAVE).count() == 0
        assert main_area(page).get_by_text(t("ven.form.title"), exact=True).count() == 0
        assert page.get_by_role("button", name=t("staff.copy.submit")).count() == 0
        for tab in spec.tabs:
            click_tab(page, tab)
            assert_no_error(page)
        assert page.locator("button", has_text=SAVE).count() == 0
    finally:
        page.close()


LEAD_EDITOR = {
    # page: (the tab holding the editor, the text that shows it)
    "venue_usage": (t("ven.tab.schedule"), t("ven.form.title")),
    "fleet_stats": (t("fleet.tab.trips"), SAVE),
    "staffing_table": (t("staff.tab.snapshots"), t("staff.copy.title")),
}


@pytest.mark.parametrize("name", PAGES)
def test_the_sections_lead_gets_the_editor(tabs, name):
    spec = PAGES[name]
    tab, marker = LEAD_EDITOR[name]
    page = tabs.shared_tab(spec.lead, spec)
    assert_no_error(page)
    click_tab(page, tab)
    panel = page.get_by_role("tabpanel", name=tab)
    if name != "venue_usage":  # the booking form is the venue lead's editor here
        expect(panel.locator("button:visible", has_text=SAVE).first).to_be_visible(timeout=30_000)
    shown = panel.get_by_text(marker, exact=True).first
    expect(shown).to_be_visible(timeout=30_000)
    shown.scroll_into_view_if_needed()
    shot(page, f"admin_{name}_lead")
    assert_no_error(page)


# --- one real action per page as the lead ------------------------------------------------------


def test_a_viewer_following_a_link_to_an_admin_page_is_told_why(tabs):
    page = tabs.shared_tab("demo.viewer", PAGES[next(iter(PAGES))])
    page.goto(f"{tabs.base}/users")  # a new page load: its own first run
    settle(page)
    main = main_area(page)
    expect(main.locator("h1", has_text=t("page.users"))).to_be_visible()
    expect(main).to_contain_text(t("ui.refused.users"))
    shot(page, "refused_users")
    with new_run(page):
        main.get_by_role("link", name=t("ui.refused.go", page=t("page.overview"))).click()
    expect(page.locator("h1", has_text=t("page.overview"))).to_be_visible()
    page.close()


def _free_day(session: Session, venue_id: int, first: date) -> tuple[date, venues.Slot]:
    """The first day from first on with a free slot for the venue, and that slot."""
    for i in range(30):
        day = first + timedelta(days=i)
        slots = venues.free_slots(session, venue_id, day)
        if slots:
            return day, slots[0]
    raise AssertionError(f"venue {venue_id} has no free slot in 30 days from {first}")


def test_a_lead_books_a_free_slot_through_the_form(tabs, demo_data_dir):
    # The page first: the server migrates and seeds its database for the first session.
    page = tabs.shared_tab("demo.gifts", PAGES["venue_usage"])
    rooms = _query(demo_data_dir, venues.list_venues)
    venue = rooms[-1]  # not the form's default (the first venue): a real choice
    # Three weeks ahead: outside the report period, past the short-notice warning.
    day, slot = _query(
        demo_data_dir, lambda s: _free_day(s, venue.id, taipei_today() + timedelta(days=21))
    )
    title = f"E2E 場地預約 {venue.id}-{day:%m%d}"
    heading = page.get_by_text(t("ven.form.title"), exact=True)
    heading.scroll_into_view_if_needed()
    form = main_area(page).locator(BORDERED, has=heading).last  # the form's own container
    option = t("ven.form.venue_option", venue=venues.venue_label(venue, "zh-TW"),
               capacity=venue.capacity)  # fmt: skip
    choose(page, form, t("ven.form.venue"), option)
    type_in(page, form, t("ven.form.day"), format_roc(day))
    # The slot choice starts at the day's first free slot; its times fill the inputs.
    slot_box = form.get_by_role("combobox", name=t("ven.form.slot"), exact=True)
    expect(slot_box).to_have_value(
        re.compile(re.escape(f"{slot[0]:%H:%M}–{slot[1]:%H:%M}")), timeout=15_000
    )
    type_in(page, form, t("ven.form.booking_title"), title)
    type_in(page, form, t("ven.form.organiser"), "行政暨國際處")
    submit = form.get_by_role("button", name=t("ven.form.submit"))
    saved = main_area(page).locator("[data-testid='stAlert']", has_text=title)

    def bookings(session: Session) -> int:
        stmt = select(func.count()).select_from(VenueBooking).where(VenueBooking.title == title)
        return session.execute(stmt).scalar_one()

    def audits(session: Session) -> int:
        stmt = select(func.count()).where(AuditEntry.table_name == "venue_booking")
        return session.execute(stmt).scalar_one()

    audits_before = _query(demo_data_dir, audits)
    # A double click, then one more click as soon as the booking is in the database: the
    # browser may still show the saved form then (or have just drawn the next one), and
    # before the fix that click booked the day's next free slot under the same title.
    settle(page)
    submit.dblclick()
    deadline = time.monotonic() + 60
    while not _query(demo_data_dir, bookings):  # the database's state, polled
        assert time.monotonic() < deadline, "the booking was not saved"
        time.sleep(0.05)
    # While the run after the save draws the next form, the page may hold the saved form's
    # button and the new one: either must book nothing.
    submit.first.click()
    expect(saved.first).to_be_visible(timeout=30_000)
    expect(saved.first).to_contain_text(title)
    settle(page)  # every run the clicks started has ended

    def stored(session: Session):
        return session.execute(select(VenueBooking).where(VenueBooking.title == title)).scalars()

    rows = _query(demo_data_dir, lambda s: list(stored(s)))
    assert len(rows) == 1, rows
    booking = rows[0]
    assert booking.venue_id == venue.id
    assert (booking.starts_at, booking.ends_at) == slot
    assert booking.organiser_agency == "行政暨國際處"
    assert BookingStatus(booking.status) == BookingStatus.APPROVED
    assert _query(demo_data_dir, audits) == audits_before + 1
    # The form is a new, empty request: what was typed is gone, so a further click refuses.
    expect(form.get_by_label(t("ven.form.booking_title"), exact=True)).to_have_value("")
    expect(form.get_by_label(t("ven.form.organiser"), exact=True)).to_have_value("")
    opens = re.compile(t("ven.form.open_saved", id=r"\d+"))
    expect(form.get_by_role("link", name=opens)).to_be_visible()
    form.scroll_into_view_if_needed()
    shot(page, "admin_venue_usage_booked")
    assert_no_error(page)


def test_a_lead_downloads_the_monthly_vip_van_statement(tabs, tmp_path):
    page = tabs.shared_tab("demo.fleet", PAGES["fleet_stats"])
    click_tab(page, t("fleet.tab.charges"))
    panel = page.get_by_role("tabpanel", name=t("fleet.tab.charges"))
    button = panel.get_by_role("button", name=t("fleet.statement.download"))
    button.scroll_into_view_if_needed()
    shot(page, "admin_fleet_stats_statement")
    with page.expect_download(timeout=60_000) as download:
        button.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert_no_error(page)
    # The period's last month is the default: 112年3月.
    assert saved.name == "vip_van_statement_2023-03.xlsx"
    book = openpyxl.load_workbook(saved)
    texts = [str(c.value) for ws in book for row in ws.iter_rows(max_row=5) for c in row
             if c.value is not None]  # fmt: skip
    assert any("禮賓車借用費用月結表" in text for text in texts), texts


def test_a_lead_copies_the_latest_snapshot_to_a_new_date(tabs, demo_data_dir):
    def latest_and_count(session: Session):
        snap = session.execute(
            select(StaffingSnapshot).order_by(StaffingSnapshot.as_of.desc()).limit(1)
        ).scalar_one()
        n = session.execute(
            select(func.count()).where(StaffingCount.snapshot_id == snap.id)
        ).scalar_one()
        return snap.id, snap.as_of, n

    latest_id, latest_as_of, latest_counts = _query(demo_data_dir, latest_and_count)
    as_of = taipei_today()  # after the latest snapshot and not after today (Asia/Taipei)
    assert as_of > latest_as_of
    label = "E2E 複製測試"
    page = tabs.shared_tab("demo.staffing", PAGES["staffing_table"])
    click_tab(page, t("staff.tab.snapshots"))
    panel = page.get_by_role("tabpanel", name=t("staff.tab.snapshots"))
    done = main_area(page).locator("[data-testid='stAlert']", has_text=label)
    settle(page)
    panel.get_by_label(t("staff.copy.as_of"), exact=True).fill(format_roc(as_of))
    panel.get_by_label(t("staff.copy.label"), exact=True).fill(label)
    with new_run(page):
        panel.get_by_role("button", name=t("staff.copy.submit")).click()
    expect(done).to_be_visible()
    expect(done).to_contain_text("已建立")
    done.scroll_into_view_if_needed()
    shot(page, "admin_staffing_table_copied")
    assert_no_error(page)

    def copied(session: Session):
        snap = session.execute(
            select(StaffingSnapshot).where(StaffingSnapshot.as_of == as_of)
        ).scalar_one()
        n = session.execute(
            select(func.count()).where(StaffingCount.snapshot_id == snap.id)
        ).scalar_one()
        return snap.id, snap.label, n

    new_id, new_label, new_counts = _query(demo_data_dir, copied)
    assert new_id != latest_id and new_label == label
    assert new_counts == latest_counts > 0
