"""Times of day and time zones on save: Taipei wall times read as staff type them, an end time
needs a start time, and a partner city's zone must be an IANA zone."""

from datetime import date, time

import pytest
from sqlalchemy import select
from sqlmodel import Session

from core.editing.pipeline import Actor, EditorState, restore_version, save_changes
from core.editing.tables import SPECS, fetch_page
from db.models import (
    AuditEntry,
    EventKind,
    ExchangeEvent,
    PartnerCity,
    Reception,
    TieType,
    VisitorCategory,
)
from tests.conftest import dump_tables

ADMIN = Actor("root", "admin")


@pytest.fixture
def event(session: Session) -> ExchangeEvent:
    ev = ExchangeEvent(title="視訊會議", kind=EventKind.VIDEO_CALL, start_date=date(2026, 3, 9),
                       end_date=date(2026, 3, 9))  # fmt: skip
    session.add(ev)
    session.commit()
    return ev


def _edit(session: Session, table: str, changes: dict) -> tuple[list[str], dict]:
    """Edit the first row of the table as the editor would; (messages, dump before)."""
    before = dump_tables(session)
    rows = fetch_page(session, SPECS[table], None)
    state = EditorState(rows, edited_rows={0: changes})
    result = save_changes(session, SPECS[table].model, state, actor=ADMIN)
    return result.messages(), before


@pytest.mark.parametrize(
    ("given", "stored"),
    [("9:30", time(9, 30)), ("09:30:00.000", time(9, 30)), ("０９：３０", time(9, 30)),
     (time(14, 5, 59), time(14, 5)), ("", None), (None, None)],
)  # fmt: skip
def test_times_are_read_as_taipei_wall_time_to_the_minute(session, event, given, stored):
    messages, _ = _edit(session, "exchange_event", {"start_time": given})
    assert messages == []
    session.expire_all()
    assert session.get(ExchangeEvent, event.id).start_time == stored


@pytest.mark.parametrize("given", ["25:00", "9點半", "0930", 3600, 0.5, True, "09:30+08:00"])
def test_an_unreadable_time_is_refused_and_nothing_written(session, event, given):
    messages, before = _edit(session, "exchange_event", {"start_time": given})
    assert messages == [
        f"第 1 列「開始時間」的「{given}」不是可辨識的時間，請寫成 24 小時制的 時:分（臺北時間），"
        "例如 09:30。"
    ]
    assert dump_tables(session) == before


def test_an_end_time_needs_a_start_time(session, event):
    messages, before = _edit(session, "exchange_event", {"end_time": "10:00"})
    assert len(messages) == 1 and "填了「結束時間」就必須一併填「開始時間」" in messages[0]
    assert dump_tables(session) == before


def test_on_a_one_day_event_the_end_time_is_after_the_start_time(session, event):
    messages, before = _edit(
        session, "exchange_event", {"start_time": "10:00", "end_time": "10:00"}
    )
    assert messages == [
        "第 1 列：單日活動的「結束時間」10:00 必須晚於「開始時間」10:00（臺北時間）。"
    ]
    assert dump_tables(session) == before
    # Over several days the end time is on the last day: any time of day will do.
    longer = {"start_time": "10:00", "end_time": "09:00", "end_date": "115/03/10"}
    assert _edit(session, "exchange_event", longer)[0] == []


def test_a_time_is_audited_and_restored(session, event):
    assert _edit(session, "exchange_event", {"start_time": "09:00", "end_time": "10:00"})[0] == []
    assert _edit(session, "exchange_event", {"start_time": "08:00"})[0] == []
    entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.before["start_time"], entry.after["start_time"]) == ("09:00:00", "08:00:00")
    assert restore_version(session, entry.id, actor=ADMIN).ok
    session.expire_all()
    assert session.get(ExchangeEvent, event.id).start_time == time(9, 0)


def test_a_reception_takes_a_start_time(session):
    session.add(Reception(visit_date=date(2026, 3, 10), visitor_name_zh="訪客", country="美國",
                          category=VisitorCategory.OTHER))  # fmt: skip
    session.commit()
    assert _edit(session, "reception", {"start_time": "14:00"})[0] == []
    assert session.scalars(select(Reception)).one().start_time == time(14, 0)


@pytest.fixture
def city(session: Session) -> PartnerCity:
    found = PartnerCity(name_zh="八王子市", name_original="八王子市", name_en="Hachioji",
                        country="日本", country_code="JP", region="亞太",
                        tie_type=TieType.FRIENDSHIP, signed_on=date(2006, 11, 1), latitude=35.7,
                        longitude=139.3, timezone="Asia/Tokyo")  # fmt: skip
    session.add(found)
    session.commit()
    return found


@pytest.mark.parametrize("zone", ["Asia/Tokio", "asia/tokyo", "UTC+9", "../../etc/passwd", "Tokyo"])
def test_a_city_time_zone_must_be_an_iana_zone(session, city, zone):
    messages, before = _edit(session, "partner_city", {"timezone": zone})
    assert messages == [
        f"第 1 列「時區」的「{zone}」不是有效的 IANA 時區名稱，請填如 Asia/Tokyo、America/Chicago、"
        "Australia/Brisbane（英文大小寫須相符）。"
    ]
    assert dump_tables(session) == before


def test_a_valid_zone_is_saved(session, city):
    assert _edit(session, "partner_city", {"timezone": " America/Chicago "})[0] == []
    session.expire_all()
    assert session.get(PartnerCity, city.id).timezone == "America/Chicago"
