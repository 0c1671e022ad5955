"""The venue page: figures, schedule and charts for a viewer; the booking form of a lead, whose
saves go through the audited pipeline and whose refusals change nothing (AppTest)."""

from datetime import date, datetime, time

import pytest
from sqlalchemy import func, select
from sqlmodel import Session
from streamlit.proto.WidgetStates_pb2 import WidgetStates
from streamlit.testing.v1 import AppTest

from core.accounts import auth
from core.i18n.labels import t
from core.kernel.periods import REPORT_PERIOD
from db.engine import make_engine
from db.models import AuditEntry, Centre, Venue, VenueBooking, VenueKind
from tests.apptest import APP, PASSWORD, as_shown, editors, open_page, show_tab, signed_in
from ui.venue_booking_form import TOKEN

PAGE = "pages/venue_usage.py"
DAY = date(2026, 12, 8)  # a Tuesday


def _charts(at: AppTest) -> list:
    return at.get("vega_lite_chart")


def _key(at: AppTest, name: str) -> str:
    """A booking-form input's key: the name and the form's current request token."""
    return f"ven.form.{name}.{at.session_state[TOKEN]}"


def _submit_buttons(at: AppTest) -> list:
    return [b for b in at.button if (b.key or "").startswith("ven.form.submit.")]


def _with_charts(at: AppTest) -> AppTest:
    """The charts tab chosen: its charts are drawn only while it is shown."""
    return show_tab(at, "ven.tabs", t("ven.tab.charts"))


def test_viewer_sees_the_reports_figures_charts_and_no_editor(anonymous, accounts):
    at = open_page(_with_charts(signed_in(anonymous, accounts, "t.viewer")), PAGE)
    shown = [m.value for m in at.metric]
    assert shown[:2] == ["207", "2,041"]
    assert shown[3].endswith("%")
    assert len(_charts(at)) >= 6  # schedule, two monthly, purpose, heatmap, utilisation
    assert not editors(at)
    assert not _submit_buttons(at)
    captions = " ".join(c.value for c in at.caption)
    assert "可用時數" in captions and "08–12、13–17、18–22" in captions


def test_schedule_shows_the_chosen_venues_week(anonymous, accounts):
    at = open_page(signed_in(anonymous, accounts, "t.viewer"), PAGE)
    at.text_input(key="ven.sched.day").input("111/08/10").run()
    assert not at.exception
    cells = at.dataframe[0].value.to_string()
    assert "2022年績優基層人員表揚典禮" in cells  # the ceremony the report names
    at.segmented_control(key="ven.sched.view").set_value("week").run()
    assert not at.exception
    assert "2022年績優基層人員表揚典禮" in at.dataframe[0].value.to_string()


def test_a_bad_schedule_date_keeps_the_last_one_with_a_message(anonymous, accounts):
    at = open_page(signed_in(anonymous, accounts, "t.viewer"), PAGE)
    at.text_input(key="ven.sched.day").input("111/02/30").run()
    assert not at.exception
    assert any("2 月沒有 30 日" in e.value for e in at.error)


def _rows_total(at: AppTest) -> list[str]:
    return [c.value for c in at.caption if c.value.startswith("共 ") and c.value.endswith(" 筆")]


def test_booking_filters_narrow_the_records_table(anonymous, accounts):
    at = open_page(signed_in(anonymous, accounts, "t.viewer"), PAGE)
    engine = make_engine(accounts)
    with Session(engine) as session:
        fengshan = select(Venue.id).where(Venue.centre == Centre.FENGSHAN)
        expected = session.execute(
            select(func.count()).where(
                VenueBooking.venue_id.in_(fengshan), VenueBooking.status == "cancelled",
                VenueBooking.starts_at >= REPORT_PERIOD.start_dt,
                VenueBooking.starts_at < REPORT_PERIOD.end_dt,
            )
        ).scalar_one()  # fmt: skip
        siwei_room = session.execute(
            select(Venue.id).where(Venue.centre == Centre.SIWEI, Venue.name == "第一會議室")
        ).scalar_one()
    engine.dispose()
    assert expected > 0
    at.multiselect(key="ven.filter.venue.zh-TW").select(siwei_room).run()
    at.multiselect(key="ven.filter.status.zh-TW").select("cancelled").run()
    # choosing 鳳山 drops the 四維 room from the venue choice: 鳳山's cancelled bookings remain
    at.multiselect(key="ven.filter.centre.zh-TW").select("fengshan").run()
    assert not at.exception, at.exception
    assert at.multiselect(key="ven.filter.venue.zh-TW").value == []
    assert f"共 {expected:,} 筆" in _rows_total(at)


def test_admin_gets_the_form_and_both_editors(app):
    at = open_page(app, PAGE)
    assert _submit_buttons(at)
    assert len(editors(at)) == 2  # bookings and venues


# --- booking through the form, on a database of its own -------------------------------------


@pytest.fixture
def booking_app(db_url, monkeypatch, clean_caches):
    """The app on an empty database holding two venues, a booking and a venue lead."""
    engine = make_engine(db_url)
    original = auth.BCRYPT_ROUNDS
    auth.BCRYPT_ROUNDS = 4
    try:
        with Session(engine) as session:
            room = Venue(centre=Centre.SIWEI, name="第一會議室", kind=VenueKind.MEETING_ROOM,
                         capacity=60)  # fmt: skip
            hall = Venue(centre=Centre.FENGSHAN, name="禮堂", kind=VenueKind.HALL, capacity=500)
            session.add_all([room, hall])
            session.commit()
            session.add(
                VenueBooking(
                    venue_id=room.id,
                    starts_at=datetime.combine(DAY, time(8)),
                    ends_at=datetime.combine(DAY, time(12)),
                    title="業務會報",
                    organiser_agency="民政局",
                    purpose="meeting",
                    kind="meeting",
                    attendees=20,
                )  # fmt: skip
            )
            session.commit()
            auth.create_user(session, username="t.venues", password=PASSWORD, role="lead",
                             sections=("venues",))  # fmt: skip
    finally:
        auth.BCRYPT_ROUNDS = original
        engine.dispose()
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.delenv("LOAD_DEMO_DATA", raising=False)
    at = AppTest.from_file(str(APP), default_timeout=60)
    return open_page(signed_in(at, db_url, "t.venues"), PAGE), db_url


def _state(url: str) -> tuple[list[tuple], int]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            rows = session.execute(
                select(VenueBooking.starts_at, VenueBooking.ends_at, VenueBooking.title,
                       VenueBooking.attendees).order_by(VenueBooking.id)
            ).all()  # fmt: skip
            audits = session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    finally:
        engine.dispose()
    return [tuple(r) for r in rows], audits


def _fill(
    at: AppTest, *, attendees: int = 30, start: time | None = None, end: time | None = None
) -> AppTest:
    at.text_input(key="ven.form.day").input("115/12/08").run()
    slot = next(s for s in at.selectbox if s.label == "可預約時段")
    assert slot.options[0].startswith("13:00–17:00")  # the morning is booked
    slot.select_index(0).run()
    for label, value in (("開始時間", start), ("結束時間", end)):
        if value is not None:
            next(i for i in at.time_input if i.label == label).set_value(value).run()
    at.text_input(key=_key(at, "booking_title")).input("專案推動會議").run()
    at.text_input(key=_key(at, "organiser")).input("研究發展考核委員會").run()
    at.number_input(key=_key(at, "attendees")).set_value(attendees).run()
    return at


def test_a_lead_books_a_free_slot_and_the_save_is_audited(booking_app):
    at, url = booking_app
    at = _fill(at)
    at.button(key=_key(at, "submit")).click().run()
    assert not at.exception, at.exception
    assert any("已新增預約" in s.value and "專案推動會議" in s.value for s in at.success)
    rows, audits = _state(url)
    assert rows[-1] == (datetime(2026, 12, 8, 13), datetime(2026, 12, 8, 17), "專案推動會議", 30)
    engine = make_engine(url)
    with Session(engine) as session:
        entry = session.execute(select(AuditEntry)).scalars().one()
    engine.dispose()
    assert (entry.username, entry.table_name, entry.action) == (
        "t.venues",
        "venue_booking",
        "insert",
    )
    assert audits == 1
    # the schedule moved to the new booking's venue and day
    assert at.text_input(key="ven.sched.day").value == "115/12/08"
    assert "專案推動會議" in at.dataframe[0].value.to_string()
    # the form is empty again: a second press does not book another slot under that title
    assert at.text_input(key=_key(at, "booking_title")).value == ""
    assert at.text_input(key=_key(at, "organiser")).value == ""
    assert any(p.label == "開啟預約 #2" for p in at.get("page_link"))
    # the booked slot is no longer offered
    assert not any(o.startswith("13:00–17:00") for o in next(
        s for s in at.selectbox if s.label == "可預約時段").options)  # fmt: skip


def test_a_second_or_queued_click_on_a_saved_form_books_nothing(booking_app):
    at, url = booking_app
    at = _fill(at)
    at.button(key=_key(at, "submit")).click()
    # What the browser sends for the click: the same request again is what a double click, or a
    # click queued while the save runs, sends before the browser has drawn the saved form.
    click = WidgetStates()
    click.CopyFrom(at._tree.get_widget_states())
    at.run()
    assert any("已新增預約" in s.value for s in at.success)
    at._run(click)  # the queued click (AppTest.run sends the widget states the same way)
    assert not at.exception, at.exception
    at._run(click)  # and once more, after the form was drawn again
    # a click that lands on the fresh, empty form: nothing written, the notice of the save stays
    at.button(key=_key(at, "submit")).click().run()
    assert not at.exception, at.exception
    assert any("已新增預約 #2" in as_shown(s.value) for s in at.success) and not at.error
    rows, audits = _state(url)
    # the fixture's booking and the one saved
    assert [r[2] for r in rows] == ["業務會報", "專案推動會議"], rows
    assert audits == 1
    # the fresh form takes the next request, and refuses one without its organiser
    at.text_input(key=_key(at, "booking_title")).input("第二場").run()
    at.button(key=_key(at, "submit")).click().run()
    assert any("預約未儲存（資料未變更）" in e.value for e in at.error)
    assert _state(url) == (rows, audits)


@pytest.mark.parametrize(
    ("fill", "message"),
    [
        ({"end": time(12)}, "「結束」必須晚於「開始」"),
        ({"attendees": 61}, "出席人數 61 人超過「第一會議室」可容納的 60 人"),
        (
            {"start": time(11)},
            "與「第一會議室」已有的預約 #1（業務會報，115/12/08 08:00–12:00）時段重疊",
        ),
    ],
    ids=["ends_before_it_starts", "over_capacity", "overlaps_a_booking"],
)
def test_a_bad_booking_shows_why_in_zh_and_changes_nothing(booking_app, fill, message):
    at, url = booking_app
    before = _state(url)
    at = _fill(at, **fill)
    at.button(key=_key(at, "submit")).click().run()
    assert not at.exception, at.exception
    assert any("預約未儲存（資料未變更）" in e.value for e in at.error)
    shown = " ".join(as_shown(m.value) for m in at.markdown)
    assert message in shown and "新增第 1 列" not in shown
    assert _state(url) == before


# --- public holidays ---------------------------------------------------------------------------


def _captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def test_utilisation_leaves_holidays_out_until_the_box_is_cleared(anonymous, accounts):
    at = open_page(_with_charts(signed_in(anonymous, accounts, "t.viewer")), PAGE)
    assert at.checkbox(key="ven.util.exclude_holidays").value is True
    # the report period: 184 weekdays − 11 public holidays + 3 make-up Saturdays
    shown = "扣除 11 天國定假日、加上 3 天補行上班日，共 176 個上班日、每個場地 2,112 小時"
    assert shown in _captions(at)
    at.checkbox(key="ven.util.exclude_holidays").uncheck().run()
    assert not at.exception, at.exception
    assert "本期共 184 個平日、每個場地 2,208 小時（國定假日未扣除）" in _captions(at)
    # Another tab: the charts are not drawn; back on the charts, the box is still cleared.
    show_tab(at, "ven.tabs", t("ven.tab.schedule")).run()
    assert not at.get("vega_lite_chart")[1:]  # the schedule's own chart only
    assert not [c for c in at.checkbox if c.key == "ven.util.exclude_holidays"]
    show_tab(at, "ven.tabs", t("ven.tab.charts")).run()
    assert at.checkbox(key="ven.util.exclude_holidays").value is False
    assert "本期共 184 個平日、每個場地 2,208 小時（國定假日未扣除）" in _captions(at)


def test_the_schedule_names_the_holidays_of_the_week(anonymous, accounts):
    at = open_page(signed_in(anonymous, accounts, "t.viewer"), PAGE)
    at.segmented_control(key="ven.sched.view").set_value("week").run()
    at.text_input(key="ven.sched.day").input("115/10/07").run()
    assert not at.exception, at.exception
    notices = [i.value for i in at.info]
    assert "國定假日：115/10/09（五）・國慶日（補假）、115/10/10（六）・國慶日" in notices


def test_a_holiday_offers_slots_only_when_asked(booking_app):
    at, url = booking_app
    before = _state(url)
    at.text_input(key="ven.sched.day").input("115/10/10").run()
    room = at.selectbox(key="ven.sched.venue.siwei.zh-TW").options[1]
    at.selectbox(key="ven.sched.venue.siwei.zh-TW").set_value(room).run()  # by its label
    assert not at.exception, at.exception
    closed = "115/10/10 是國定假日（國慶日），預設不開放預約。"
    assert [i.value for i in at.info].count(closed) == 2  # the schedule and the form
    assert not [s for s in at.success if "當日可預約" in s.value]
    assert not _submit_buttons(at)
    at.checkbox(key="ven.sched.holiday_slots.2026-10-10").check().run()
    assert any("08:00–12:00、13:00–17:00、18:00–22:00" in s.value for s in at.success)
    at.checkbox(key="ven.form.holiday_slots.2026-10-10").check().run()
    assert not at.exception, at.exception
    slot = next(s for s in at.selectbox if s.label == "可預約時段")
    assert slot.options[0].startswith("08:00–12:00")
    assert _submit_buttons(at)
    assert _state(url) == before  # looking changes nothing
