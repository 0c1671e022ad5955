"""Venues: free slots, the window's bookings, a booking through the pipeline, and the period's
use (by purpose and month, utilisation, weekday × hour) on hand-made data and the demo data."""

from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from core.editing.pipeline import Actor, PermissionDenied
from core.figures.compute import venue_figures
from core.kernel import monthly
from core.kernel.periods import REPORT_PERIOD, Period
from core.venues import bookings as venues
from core.venues import rules as venue_rules
from core.venues import use as venue_use
from db.models import AuditEntry, BookingStatus, Centre, Venue, VenueBooking, VenueKind

LEAD = Actor("vera", "lead", frozenset({"venues"}))
DAY = date(2026, 12, 8)  # a Tuesday
WEEK = Period(date(2026, 12, 7), date(2026, 12, 13))  # Monday to Sunday: 5 weekdays
# Monday to Sunday: Friday 10/9 is 國慶日's day in lieu, Saturday 10/10 國慶日: 4 working days.
NATIONAL_DAY_WEEK = Period(date(2026, 10, 5), date(2026, 10, 11))
# Monday to Sunday: 2/12–2/14 Lunar New Year days off, Saturday 2/17 a make-up workday: 3.
MAKE_UP_WEEK = Period(date(2024, 2, 12), date(2024, 2, 18))
# The report period's public holidays on weekdays and its make-up Saturdays, from the DGPA's
# calendars for 111 and 112.
REPORT_HOLIDAYS = [
    date(2022, 9, 9), date(2022, 10, 10), date(2023, 1, 2), date(2023, 1, 20), date(2023, 1, 23),
    date(2023, 1, 24), date(2023, 1, 25), date(2023, 1, 26), date(2023, 1, 27),
    date(2023, 2, 27), date(2023, 2, 28),
]  # fmt: skip
REPORT_MAKE_UP = [date(2023, 1, 7), date(2023, 2, 4), date(2023, 2, 18)]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute))


def _venue(session: Session, name: str = "第一會議室", capacity: int = 60, **extra) -> int:
    venue = Venue(centre=Centre.SIWEI, name=name, kind=VenueKind.MEETING_ROOM, capacity=capacity)
    for key, value in extra.items():
        setattr(venue, key, value)
    session.add(venue)
    session.commit()
    return venue.id


def _book(session: Session, venue_id: int, start: datetime, end: datetime, **extra) -> int:
    values = dict(organiser_agency="民政局", purpose="meeting", kind="meeting", attendees=10)
    booking = VenueBooking(venue_id=venue_id, starts_at=start, ends_at=end, **(values | extra))
    session.add(booking)
    session.commit()
    return booking.id


def _hours(*pairs: tuple[int, int], day: date = DAY) -> list[tuple[datetime, datetime]]:
    return [(at(day, a), at(day, b)) for a, b in pairs]


@pytest.fixture
def room(session: Session) -> int:
    return _venue(session)


def test_an_empty_day_offers_the_three_slots_and_the_whole_day(session, room):
    assert venues.free_slots(session, room, DAY) == _hours((8, 12), (13, 17), (18, 22), (8, 22))


def test_back_to_back_bookings_leave_the_touching_slot_free(session, room):
    _book(session, room, at(DAY, 9), at(DAY, 12))
    _book(session, room, at(DAY, 12), at(DAY, 13))  # ends when the afternoon slot starts
    assert venues.free_slots(session, room, DAY) == _hours((13, 17), (18, 22), (8, 9), (13, 22))


def test_cancelled_and_rejected_bookings_free_their_slot_requested_ones_hold_it(session, room):
    _book(session, room, at(DAY, 8), at(DAY, 12), status=BookingStatus.CANCELLED)
    _book(session, room, at(DAY, 13), at(DAY, 17), status=BookingStatus.REJECTED)
    _book(session, room, at(DAY, 18), at(DAY, 22), status=BookingStatus.REQUESTED)
    assert venues.free_slots(session, room, DAY) == _hours((8, 12), (13, 17), (8, 18))


def test_a_booking_from_the_day_before_and_other_venues_count_right(session, room):
    other = _venue(session, "第二會議室")
    _book(session, room, at(DAY - timedelta(days=1), 20), at(DAY, 9))  # runs into the morning
    _book(session, room, at(DAY - timedelta(days=1), 8), at(DAY - timedelta(days=1), 12))
    _book(session, other, at(DAY, 13), at(DAY, 17))
    assert venues.free_slots(session, room, DAY) == _hours((13, 17), (18, 22), (9, 22))


def test_gaps_shorter_than_half_an_hour_are_not_offered(session, room):
    _book(session, room, at(DAY, 8), at(DAY, 12))
    _book(session, room, at(DAY, 12, 15), at(DAY, 22))
    assert venues.free_slots(session, room, DAY) == []


def test_a_public_holiday_offers_no_slots_unless_asked(session, room):
    national_day = date(2026, 10, 10)  # a Saturday
    _book(session, room, at(national_day, 8), at(national_day, 12))
    assert venues.free_slots(session, room, national_day) == []
    asked = venues.free_slots(session, room, national_day, on_holidays=True)
    assert asked == _hours((13, 17), (18, 22), (12, 22), day=national_day)
    in_lieu = date(2026, 10, 9)  # a Friday
    assert venues.free_slots(session, room, in_lieu) == []
    assert venues.holiday_notice(national_day, "zh-TW") == (
        "115/10/10 是國定假日（國慶日），預設不開放預約。"
    )
    assert venues.holiday_notice(DAY, "zh-TW") is None


def test_weekends_and_make_up_workdays_offer_their_slots_as_before(session, room):
    whole_day = ((8, 12), (13, 17), (18, 22), (8, 22))
    saturday, make_up = date(2026, 12, 12), date(2024, 2, 17)
    assert venues.free_slots(session, room, saturday) == _hours(*whole_day, day=saturday)
    assert venues.free_slots(session, room, make_up) == _hours(*whole_day, day=make_up)


def test_a_free_slot_can_be_booked_and_is_then_gone(session, room):
    first = venues.free_slots(session, room, DAY)[0]
    values = dict(venue_id=room, starts_at=first[0], ends_at=first[1], title="業務會報",
                  organiser_agency="民政局", purpose="meeting", kind="meeting", attendees=12,
                  status="approved")  # fmt: skip
    result = venues.create_booking(session, values, actor=LEAD)
    assert result.ok, result.messages()
    assert first not in venues.free_slots(session, room, DAY)
    audit = session.execute(
        select(AuditEntry).where(AuditEntry.row_id == result.inserted_ids[0])
    ).scalar_one()
    assert (audit.table_name, audit.username, audit.after["title"]) == (
        "venue_booking", "vera", "業務會報",
    )  # fmt: skip


def _count(session: Session, model) -> int:
    n = session.execute(select(func.count()).select_from(model)).scalar_one()
    session.rollback()
    return n


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ends_at": at(DAY, 8)}, "「結束」必須晚於「開始」"),
        ({"attendees": 61}, "出席人數 61 人超過「第一會議室」可容納的 60 人"),
        ({"starts_at": at(DAY, 11), "ends_at": at(DAY, 13)}, "時段重疊"),
        ({"organiser_agency": " "}, "「申請機關」不可空白"),
    ],
)
def test_a_bad_booking_is_refused_in_zh_and_changes_nothing(session, room, change, message):
    _book(session, room, at(DAY, 8), at(DAY, 12))
    before = (_count(session, VenueBooking), _count(session, AuditEntry))
    values = dict(venue_id=room, starts_at=at(DAY, 13), ends_at=at(DAY, 17), title="研習",
                  organiser_agency="教育局", purpose="academic", kind="event", attendees=30,
                  status="approved") | change  # fmt: skip
    result = venues.create_booking(session, values, actor=LEAD)
    assert not result.ok
    assert any(message in m for m in result.messages()), result.messages()
    assert (_count(session, VenueBooking), _count(session, AuditEntry)) == before


def test_a_viewer_cannot_book(session, room):
    values = dict(venue_id=room, starts_at=at(DAY, 8), ends_at=at(DAY, 9))
    with pytest.raises(PermissionDenied):
        venues.create_booking(session, values, actor=Actor("vic", "viewer"))
    assert _count(session, VenueBooking) == 0


def test_active_statuses_are_the_ones_the_overlap_rule_checks():
    assert {s.value for s in venues.ACTIVE_STATUSES} == set(venue_rules.ACTIVE)


def test_the_window_reads_overlapping_active_bookings_only(session, room):
    inside = _book(session, room, at(DAY, 13), at(DAY, 17))
    running = _book(session, room, at(DAY - timedelta(days=1), 20), at(DAY, 9))
    _book(session, room, at(DAY, 8), at(DAY, 9), status=BookingStatus.CANCELLED)
    _book(session, room, at(DAY + timedelta(days=1), 8), at(DAY + timedelta(days=1), 9))
    _book(session, room, at(DAY - timedelta(days=1), 8), at(DAY - timedelta(days=1), 12))
    found = venues.bookings_between(session, [room], at(DAY, 0), at(DAY + timedelta(days=1), 0))
    assert list(found["id"]) == [running, inside]


def test_day_segments_cut_a_booking_at_midnight(session, room):
    _book(session, room, at(DAY, 20), at(DAY + timedelta(days=1), 9, 30))
    booked = venues.bookings_between(session, [room], at(DAY, 0), at(DAY, 0) + timedelta(days=7))
    parts = venues.day_segments(booked, DAY, 7)
    assert list(zip(parts["day"], parts["start_h"], parts["end_h"], strict=True)) == [
        (DAY, 20.0, 24.0), (DAY + timedelta(days=1), 0.0, 9.5),
    ]  # fmt: skip


def test_booking_filters_turn_centres_into_venue_ids():
    rooms = [
        venues.VenueInfo(1, Centre.SIWEI, "禮堂", VenueKind.HALL, 800, True),
        venues.VenueInfo(2, Centre.SIWEI, "第一會議室", VenueKind.MEETING_ROOM, 60, True),
        venues.VenueInfo(3, Centre.FENGSHAN, "禮堂", VenueKind.HALL, 500, True),
    ]
    assert venues.booking_filters(rooms) == {"venue_id": []}
    assert venues.booking_filters(rooms, ["siwei"]) == {"venue_id": [1, 2]}
    assert venues.booking_filters(rooms, ["siwei"], [2, 3], status=["approved"]) == {
        "venue_id": [2], "status": ["approved"],
    }  # fmt: skip
    assert venues.booking_filters(rooms, ["fengshan"], [2]) == {"venue_id": [-1]}  # none match


# --- the period's use, on hand-made data -----------------------------------------------------


@pytest.fixture
def week(session: Session) -> dict[str, int]:
    """Venue a: 4 h Monday, 3 h Saturday, 2 h at each end of the period (cut), a cancelled and
    a requested booking (neither counts); b: nothing; c: inactive, unused; d: inactive, 2 h."""
    a, b = _venue(session, "a"), _venue(session, "b")
    c, d = _venue(session, "c", active=False), _venue(session, "d", active=False)
    monday, sunday = WEEK.start, WEEK.end
    _book(session, a, at(monday, 8), at(monday, 12))
    _book(session, a, at(monday + timedelta(days=5), 9), at(monday + timedelta(days=5), 12))
    _book(session, a, at(monday - timedelta(days=1), 20), at(monday, 2))
    _book(session, a, at(sunday, 22), at(sunday + timedelta(days=1), 1))
    _book(session, a, at(monday + timedelta(days=1), 8), at(monday + timedelta(days=1), 12),
          status=BookingStatus.CANCELLED)  # fmt: skip
    _book(session, a, at(monday + timedelta(days=2), 8), at(monday + timedelta(days=2), 12),
          status=BookingStatus.REQUESTED)  # fmt: skip
    _book(session, d, at(monday + timedelta(days=3), 13), at(monday + timedelta(days=3), 15))
    return {"a": a, "b": b, "c": c, "d": d}


def test_available_hours_are_the_standard_slots_of_each_working_day():
    assert venue_use.available_hours(WEEK) == 5 * 12
    assert venue_use.available_hours(NATIONAL_DAY_WEEK) == 4 * 12
    assert venue_use.available_hours(NATIONAL_DAY_WEEK, exclude_holidays=False) == 5 * 12
    assert venue_use.available_hours(MAKE_UP_WEEK) == 3 * 12
    days = [REPORT_PERIOD.start + timedelta(days=i) for i in range(258)]
    assert days[-1] == REPORT_PERIOD.end
    weekdays = [d for d in days if d.weekday() < 5]
    assert len(weekdays) == 184
    working = [d for d in weekdays if d not in REPORT_HOLIDAYS] + REPORT_MAKE_UP
    assert len(working) == 176
    assert venue_use.available_hours(REPORT_PERIOD) == 12 * 176
    assert venue_use.available_hours(REPORT_PERIOD, exclude_holidays=False) == 12 * 184
    assert venue_use.day_counts(REPORT_PERIOD) == {
        "weekdays": 184, "holidays": 11, "make_up": 3, "days": 176,
    }  # fmt: skip


def test_utilisation_leaves_public_holidays_out_unless_asked(session, room):
    """12 approved hours in 國慶日's week, 4 of them on the Friday off: they count as booked;
    available are 4 working days × 12 h, or 5 weekdays × 12 h when holidays are counted."""
    monday, friday = NATIONAL_DAY_WEEK.start, date(2026, 10, 9)
    _book(session, room, at(monday, 8), at(monday, 12))
    _book(session, room, at(monday + timedelta(days=1), 13), at(monday + timedelta(days=1), 17))
    _book(session, room, at(friday, 8), at(friday, 12))
    use = venue_use.utilisation(session, NATIONAL_DAY_WEEK).set_index("venue_id")
    assert (use.loc[room, "booked_hours"], use.loc[room, "available_hours"]) == (12.0, 48)
    assert use.loc[room, "utilisation_pct"] == pytest.approx(25.0)
    plain = venue_use.utilisation(session, NATIONAL_DAY_WEEK, exclude_holidays=False)
    assert (plain["available_hours"].iloc[0], plain["utilisation_pct"].iloc[0]) == (60, 20.0)
    assert venue_use.utilisation_figures(session, NATIONAL_DAY_WEEK) == {
        "venue.booked_hours": 12.0, "venue.utilisation_pct": 25.0,
    }  # fmt: skip
    figures = venue_use.utilisation_figures(session, NATIONAL_DAY_WEEK, exclude_holidays=False)
    assert figures["venue.utilisation_pct"] == 20.0


def test_a_make_up_saturday_adds_available_hours(session, room):
    """Lunar New Year 113: Monday–Wednesday off, Saturday 2/17 a working day: 3 × 12 h."""
    saturday = date(2024, 2, 17)
    _book(session, room, at(saturday, 8), at(saturday, 17))
    use = venue_use.utilisation(session, MAKE_UP_WEEK)
    assert (use["available_hours"].iloc[0], use["utilisation_pct"].iloc[0]) == (36, 25.0)
    plain = venue_use.utilisation(session, MAKE_UP_WEEK, exclude_holidays=False)
    assert (plain["available_hours"].iloc[0], plain["utilisation_pct"].iloc[0]) == (60, 15.0)


def test_utilisation_counts_approved_hours_cut_to_the_period(session, week):
    use = venue_use.utilisation(session, WEEK).set_index("name")
    assert list(use.index) == ["a", "b", "d"]  # c is inactive and unused
    assert use.loc["a", "booked_hours"] == pytest.approx(11.0)
    assert use.loc["a", "utilisation_pct"] == pytest.approx(11 / 60 * 100)
    assert use.loc["b", "booked_hours"] == 0
    assert use.loc["d", "booked_hours"] == pytest.approx(2.0)
    assert set(use["available_hours"]) == {60}
    figures = venue_use.utilisation_figures(session, WEEK)
    assert figures == {
        "venue.booked_hours": 13.0,
        "venue.utilisation_pct": round(13 / 180 * 100, 2),
    }


def test_a_long_booking_from_before_the_period_counts_its_hours_inside(session, room):
    """An exhibition booked from ten days before the period into its second day: only the
    approved one running in is counted (a later cancelled booking does not hide it), cut at
    the period's start; a booking that ended before the period counts nothing."""
    monday = WEEK.start
    _book(session, room, at(monday - timedelta(days=20), 9), at(monday - timedelta(days=19), 9))
    _book(session, room, at(monday - timedelta(days=10), 8), at(monday + timedelta(days=1), 12))
    _book(session, room, at(monday - timedelta(days=1), 9), at(monday - timedelta(days=1), 10),
          status=BookingStatus.CANCELLED)  # fmt: skip
    use = venue_use.utilisation(session, WEEK).set_index("venue_id")
    assert use.loc[room, "booked_hours"] == pytest.approx(36.0)  # Monday 0–24 + Tuesday 0–12


def test_purpose_and_month_counts_take_approved_bookings_starting_in_the_period(session, room):
    nov, dec = date(2026, 11, 30), date(2026, 12, 1)
    _book(session, room, at(nov, 8), at(nov, 9))
    _book(session, room, at(nov, 13), at(nov, 17), purpose="lecture", kind="event")
    _book(session, room, at(dec, 8), at(dec, 9))
    _book(session, room, at(dec, 9), at(dec, 10))
    _book(session, room, at(dec, 13), at(dec, 17), purpose="lecture", kind="event")
    _book(session, room, at(dec, 18), at(dec, 22), purpose="performance", kind="event",
          status=BookingStatus.CANCELLED)  # fmt: skip
    _book(session, room, at(date(2027, 1, 1), 8), at(date(2027, 1, 1), 9))  # after the period
    by_month = venue_use.purpose_by_month(session, Period(nov, date(2026, 12, 31)))
    rows = {(m.strftime("%Y-%m"), p, k): n for m, p, k, n in by_month.itertuples(index=False)}
    assert rows == {
        ("2026-11", "meeting", "meeting"): 1, ("2026-11", "lecture", "event"): 1,
        ("2026-12", "meeting", "meeting"): 2, ("2026-12", "lecture", "event"): 1,
    }  # fmt: skip
    totals = venue_use.purpose_totals(by_month)
    assert list(totals["purpose"]) == [
        "policy", "marketing", "academic", "social_education", "lecture", "exhibition",
        "performance", "meeting",
    ]  # fmt: skip
    assert list(totals["count"]) == [0, 0, 0, 0, 2, 0, 0, 3]


def test_heatmap_spreads_hours_over_weekday_and_hour(session, room):
    monday, tuesday = WEEK.start, WEEK.start + timedelta(days=1)
    _book(session, room, at(monday, 8, 30), at(monday, 10))
    _book(session, _venue(session, "b"), at(monday, 8, 30), at(monday, 10))  # same shape: twice
    _book(session, room, at(tuesday, 21), at(tuesday, 23))
    _book(session, room, at(WEEK.end, 23), at(WEEK.end + timedelta(days=1), 1))  # Sunday night
    _book(session, room, at(tuesday, 8), at(tuesday, 12), status=BookingStatus.CANCELLED)
    grid = venue_use.weekday_hours(session, WEEK)
    cells = {(w, h): v for w, h, v in grid.itertuples(index=False) if v}
    assert cells == {(0, 8): 1.0, (0, 9): 2.0, (1, 21): 1.0, (1, 22): 1.0, (6, 23): 1.0}
    assert sorted(set(grid["hour"])) == [*range(8, 22), 22, 23]
    assert len(grid) == 7 * 16


# --- the demo data ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(demo_engine):
    with Session(demo_engine) as session:
        yield session


def test_the_report_periods_figures_agree_with_the_report(demo):
    figures = venue_figures(demo, REPORT_PERIOD)
    assert (figures["venue.events_opened"], figures["venue.meeting_bookings"]) == (207, 2041)


def test_purposes_and_months_add_up_to_the_reports_figures(demo):
    by_month = venue_use.purpose_by_month(demo, REPORT_PERIOD)
    totals = venue_use.purpose_totals(by_month).set_index("purpose")["count"]
    assert totals["meeting"] == 2041
    assert totals.drop("meeting").sum() == 207
    assert (totals.drop("meeting") > 0).all()  # every purpose of the report occurs
    assert len(set(by_month["month"])) == 9  # 111年7月 to 112年3月
    per_kind = monthly.bookings_by_month(demo, REPORT_PERIOD).groupby("kind")["count"].sum()
    assert dict(per_kind) == {"event": 207, "meeting": 2041}


def test_demo_utilisation_and_heatmap_agree_with_each_other(demo):
    use = venue_use.utilisation(demo, REPORT_PERIOD)
    assert len(use) == 11
    # 184 weekdays − 11 public holidays + 3 make-up Saturdays (see REPORT_HOLIDAYS)
    assert use["available_hours"].iloc[0] == venue_use.available_hours(REPORT_PERIOD) == 176 * 12
    assert (use["booked_hours"] > 0).all() and (use["utilisation_pct"] < 100).all()
    grid = venue_use.weekday_hours(demo, REPORT_PERIOD)
    # The demo's bookings lie within single days of the period, so both count the same hours.
    assert grid["hours"].sum() == pytest.approx(use["booked_hours"].sum())
    assert grid[grid["weekday"] == 6]["hours"].sum() == 0  # the centres are closed on Sundays
    figures = venue_figures(demo, REPORT_PERIOD)
    assert figures["venue.booked_hours"] == pytest.approx(use["booked_hours"].sum())
    booked = use["booked_hours"].sum()
    assert figures["venue.utilisation_pct"] == round(booked / (11 * 176 * 12) * 100, 2)
    plain = venue_use.utilisation_figures(demo, REPORT_PERIOD, exclude_holidays=False)
    assert plain["venue.utilisation_pct"] == round(booked / (11 * 184 * 12) * 100, 2)
