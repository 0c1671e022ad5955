"""Overview (總覽): its lists at fixed days of the demo data, the trend, changes since sign-in."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlmodel import Session

from core.audit.changes import changes_since, entry_link, previous_sign_in
from core.editing.links import SECTION_PAGES, parse_record_query, record_link
from core.editing.pipeline import Actor
from core.figures.compute import compute_figures
from core.kernel.periods import REPORT_PERIOD
from core.kernel.roc_dates import format_roc
from core.overview import today as overview
from db.models import AuditAction, AuditEntry, Centre, Trip, Venue, VenueBooking
from db.seed.common import DEMO_TODAY, RECENT_VISIT


@pytest.fixture
def demo(demo_engine):
    with Session(demo_engine) as session:
        yield session


def _titles(items):
    return [i.title for i in items]


def test_an_overdue_ethics_report_is_listed_first_and_marked(demo):
    # 工藝紀念品禮盒, NT$6,800 received at the latest visit and not reported: due 3 days on.
    due = RECENT_VISIT + timedelta(days=3)
    items = overview.gifts_to_report(demo, RECENT_VISIT + timedelta(days=6), "zh-TW")
    assert items[0].title == "工藝紀念品禮盒"
    assert items[0].overdue
    assert f"簽報已逾期（期限 {format_roc(due)}）" in items[0].detail
    assert items[0].link.page == SECTION_PAGES["gifts"]
    assert items[0].link.table == "gift_received"


def test_a_gift_within_its_report_days_is_due_not_overdue(demo):
    items = overview.gifts_to_report(demo, RECENT_VISIT + timedelta(days=1), "zh-TW")
    craft = next(i for i in items if i.title == "工藝紀念品禮盒")
    assert not craft.overdue
    assert f"應於 {format_roc(RECENT_VISIT + timedelta(days=3))} 前簽報" in craft.detail


def test_the_low_stock_item_of_the_demo_data(demo):
    items = overview.low_stock(demo, "zh-TW")
    assert _titles(items) == ["「橋見2023」亞太城市桌曆"]
    assert items[0].detail == "現有 12 本，安全量 30 本"
    assert items[0].link.table == "gift_item"


def test_follow_ups_overdue_and_due_within_the_week(demo):
    # The demo's open follow-ups sit around its day: one 5 days overdue, the thank-you letter
    # due in 11 days (the report's own were all done, two of them late).
    now = overview.follow_ups_due(demo, DEMO_TODAY, "zh-TW")
    assert [(i.title, i.overdue) for i in now] == [("回覆訪團索取之投資環境及產業園區資料", True)]
    assert "逾期 5 天" in now[0].detail
    letter = DEMO_TODAY + timedelta(days=11)
    near = overview.follow_ups_due(demo, letter - timedelta(days=4), "zh-TW")
    assert near[-1].title == "寄送感謝函及活動照片"
    assert not near[-1].overdue and f"{format_roc(letter)} 到期" in near[-1].detail
    late = overview.follow_ups_due(demo, letter + timedelta(days=1), "zh-TW")
    assert late[-1].overdue and "逾期 1 天" in late[-1].detail
    assert all(i.link.table == "reception_follow_up" for i in late)


def test_the_week_ahead_takes_receptions_and_events_through_seven_days(demo):
    start = RECENT_VISIT - timedelta(days=6)
    week = [(i.kind, i.day) for i in overview.week_ahead(demo, start, "zh-TW")]
    assert ("reception", RECENT_VISIT) in week  # the last of the seven days
    assert all(start <= day <= RECENT_VISIT for _kind, day in week)
    after = overview.week_ahead(demo, RECENT_VISIT + timedelta(days=1), "zh-TW")
    assert [i for i in after if i.kind == "reception"] == []  # the demo's latest visit
    # An exchange already under way is listed from today.
    events = overview.week_ahead(demo, date(2026, 9, 16), "zh-TW")
    assert [(i.kind, i.day, i.title) for i in events] == [
        ("event", date(2026, 9, 16), "檀香山市文化交流參訪")
    ]


def test_anniversaries_within_ninety_days(demo):
    items = overview.anniversaries_ahead(demo, date(2026, 11, 24), "zh-TW")
    assert [(i.day, i.title) for i in items] == [
        (date(2027, 1, 1), "聖安東尼市 締盟45週年（僅知年份）"),  # only the year is known
        (date(2027, 1, 11), "熊本市 締盟10週年"),
        (date(2027, 1, 11), "熊本縣 締盟10週年"),
    ]
    assert items[1].detail == "48 天後"
    # 90 days from 115/08/03 end on 11/01, 八王子市's 20th; a day later it is out of reach.
    assert _titles(overview.anniversaries_ahead(demo, date(2026, 8, 3), "zh-TW")) == [
        "八王子市 締盟20週年"
    ]
    assert overview.anniversaries_ahead(demo, date(2026, 8, 2), "zh-TW") == []


def _running(session, model, lo, hi, statuses=None):
    stmt = select(model.id).where(model.starts_at < hi, model.ends_at > lo)
    if statuses:
        stmt = stmt.where(model.status.in_(statuses))
    return set(session.scalars(stmt))


@pytest.mark.parametrize("day", [date(2026, 11, 24), date(2025, 3, 3), date(2026, 11, 29)])
def test_bookings_today_per_centre_match_a_plain_query(demo, day):
    lo = datetime.combine(day, time.min)
    expected = _running(demo, VenueBooking, lo, lo + timedelta(days=1), ["requested", "approved"])
    found = overview.bookings_today(demo, day, "zh-TW")
    assert set(found) == {c.value for c in Centre}
    ids = {i.link.row_id for items in found.values() for i in items}
    assert ids == expected
    centres = dict(demo.execute(select(VenueBooking.id, Venue.centre).join(Venue)).all())
    for centre, items in found.items():
        assert {getattr(centres[i.link.row_id], "value", centres[i.link.row_id])
                for i in items} <= {centre}  # fmt: skip


@pytest.mark.parametrize("day", [date(2026, 11, 24), date(2025, 3, 3), date(2022, 12, 31)])
def test_cars_out_today_match_a_plain_query(demo, day):
    lo = datetime.combine(day, time.min)
    expected = _running(demo, Trip, lo, lo + timedelta(days=1))
    found = overview.cars_out(demo, day, "zh-TW")
    assert {i.link.row_id for i in found} == expected
    assert all(i.link.page == SECTION_PAGES["fleet"] for i in found)


def test_a_loan_running_over_midnight_is_out_on_both_days(session):
    from db.models import TripPurpose, TripType, Vehicle, VehicleKind

    car = Vehicle(plate="ABC-1234", kind=VehicleKind.VIP_VAN, seats=9)
    session.add(car)
    session.flush()
    trip = Trip(
        vehicle_id=car.id, starts_at=datetime(2026, 5, 1, 18), ends_at=datetime(2026, 5, 2, 10),
        trip_type=TripType.LOAN, requesting_agency="觀光局", purpose=TripPurpose.OTHER,
    )  # fmt: skip
    session.add(trip)
    session.commit()
    for day in (date(2026, 5, 1), date(2026, 5, 2)):
        assert [i.link.row_id for i in overview.cars_out(session, day, "zh-TW")] == [trip.id]
    assert overview.cars_out(session, date(2026, 5, 3), "zh-TW") == []
    assert "借用" in overview.cars_out(session, date(2026, 5, 2), "zh-TW")[0].detail


def test_the_monthly_trend_adds_up_to_the_period_figures(demo):
    trend = overview.headline_trend(demo, REPORT_PERIOD.end, months=9)
    assert trend["month"].min() == REPORT_PERIOD.start
    figures = compute_figures(demo, REPORT_PERIOD.start, REPORT_PERIOD.end)
    for key in ("visitors.receptions", "exchange.events", "gifts.received", "fleet.total_trips",
                "venue.events_opened"):  # fmt: skip
        monthly = trend[trend["key"] == key]["value"]
        if key == "exchange.events":  # an event over a month's end counts in both months
            assert monthly.sum() >= figures[key]
        else:
            assert monthly.sum() == figures[key], key
    assert set(trend["key"]) == set(overview.HEADLINE)


def _entry(session, username, action, at, table="reception", row_id=1):
    session.add(AuditEntry(at=at, username=username, table_name=table, row_id=row_id,
                           action=action, batch_id=f"b{at.timestamp():.0f}{username}"))  # fmt: skip


def test_changes_since_the_previous_sign_in_leave_out_own_edits_and_sign_ins(session):
    t0 = datetime(2026, 11, 20, 1, tzinfo=UTC)
    lead = Actor("lead.a", "lead", frozenset({"visitors"}))
    admin = Actor("lead.a", "admin")  # the same name, so the same own edits are left out
    _entry(session, "lead.a", AuditAction.LOGIN_SUCCESS, t0, "app_user")
    _entry(session, "other", AuditAction.UPDATE, t0 - timedelta(hours=1))  # before: not shown
    _entry(session, "other", AuditAction.UPDATE, t0 + timedelta(hours=1), row_id=7)
    _entry(session, "other", AuditAction.DELETE, t0 + timedelta(hours=2), "trip", 9)
    _entry(session, "lead.a", AuditAction.UPDATE, t0 + timedelta(hours=3))  # own edit
    _entry(session, "other", AuditAction.LOGIN_SUCCESS, t0 + timedelta(hours=4), "app_user")
    _entry(session, "lead.a", AuditAction.LOGIN_SUCCESS, t0 + timedelta(hours=5), "app_user")
    session.commit()
    since = previous_sign_in(session, "lead.a")
    assert since.replace(tzinfo=since.tzinfo or UTC) == t0
    found = changes_since(session, admin, since)
    assert found.per_table == {"reception": 1, "trip": 1}
    assert [e.table_name for e in found.recent] == ["trip", "reception"]
    assert entry_link(found.recent[0]) is None  # a deleted row has no record to open
    assert entry_link(found.recent[1]) == record_link("reception", 7)
    assert previous_sign_in(session, "nobody") is None
    assert changes_since(session, admin, None).total == 3
    # A lead reads only their sections' tables, as on 異動紀錄: the fleet's trip is not theirs.
    assert changes_since(session, lead, since).per_table == {"reception": 1}
    assert changes_since(session, lead, None).total == 2


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"table": "reception", "id": "12"}, ("reception", 12)),
        ({"table": ["trip"], "id": ["3"]}, ("trip", 3)),
        ({"table": "app_user", "id": "1"}, None),  # accounts are not a page's records
        ({"table": "reception", "id": "-1"}, None),
        ({"table": "reception", "id": "1e3"}, None),
        ({"table": "reception", "id": "１２"}, None),  # full-width digits
        ({"table": "reception", "id": "99999999999999999999"}, None),
        ({"table": "reception"}, None),
        ({}, None),
    ],
)
def test_record_queries_that_do_not_name_a_record_are_ignored(params, expected):
    assert parse_record_query(params) == expected


def test_record_links_point_at_the_page_of_the_tables_section():
    link = record_link("venue_booking", 5)
    assert link.page == "pages/venue_usage.py"
    assert link.href == "/venue_usage?table=venue_booking&id=5"
    assert record_link("app_user", 1) is None


def test_the_week_ahead_gives_a_video_call_in_taipei_and_the_partner_citys_time(demo):
    # 116/03/10 09:00–10:00 in Taipei is the evening before in San Antonio, still on CST (the
    # US moves its clocks on 3/14 in 2027).
    week = overview.week_ahead(demo, date(2027, 3, 8), "zh-TW")
    call = next(i for i in week if i.title == "聖安東尼市姊妹市視訊會議")
    assert "聖安東尼市" in call.detail
    assert "臺北 09:00–10:00／當地 前一日 19:00–20:00（UTC−6，比臺北慢 14 小時）" in call.detail


def test_the_week_ahead_names_the_public_holidays_first_on_their_day(demo):
    week = overview.week_ahead(demo, date(2026, 10, 5), "zh-TW")
    holidays = [(i.day, i.title) for i in week if i.kind == "holiday"]
    assert holidays == [(date(2026, 10, 9), "國慶日（補假）"), (date(2026, 10, 10), "國慶日")]
    assert all(i.link is None for i in week if i.kind == "holiday")
    english = overview.week_ahead(demo, date(2026, 10, 5), "en")
    assert [i.title for i in english if i.kind == "holiday"][1] == "National Day"
