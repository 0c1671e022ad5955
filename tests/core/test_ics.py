"""The .ics calendar file: parsed back with icalendar, every entry, date and time is exact."""

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlmodel import Session

from core.calendar import ics
from core.calendar import ties as cal
from db.models import (
    DatePrecision,
    EventKind,
    ExchangeEvent,
    ExchangeEventCity,
    MeetingMode,
    PartnerCity,
    Reception,
    TieType,
    VisitorCategory,
)

TAIPEI, CHICAGO = ZoneInfo("Asia/Taipei"), ZoneInfo("America/Chicago")
YEAR_2026 = (date(2026, 1, 1), date(2026, 12, 31))
TRICKY = "議題：城市治理, 智慧城市; 氣候變遷\n第二行：「逗號,分號;」\\ 反斜線"


def _city(key: str, zh: str, en: str, zone: str, signed: date, **extra) -> PartnerCity:
    return PartnerCity(
        name_zh=zh, name_original=en, name_en=en, country=key, country_code="XX", region="亞太",
        tie_type=TieType.SISTER, signed_on=signed, latitude=0, longitude=0, timezone=zone, **extra,
    )  # fmt: skip


def _event(title: str, start: date, end: date, **extra) -> ExchangeEvent:
    kind = extra.pop("kind", EventKind.VIDEO_CALL)
    return ExchangeEvent(title=title, kind=kind, start_date=start, end_date=end, **extra)


@pytest.fixture
def bureau(session: Session) -> dict[str, int]:
    """San Antonio (signed 1986: 40th in 2026, year only), Busan (60th on 30 June 2026),
    Brisbane (no anniversary in 2026); events and receptions in and out of 2026."""
    cities = {
        "sa": _city("美國", "聖安東尼市", "San Antonio", "America/Chicago", date(1986, 1, 1),
                    signed_precision=DatePrecision.YEAR),
        "busan": _city("韓國", "釜山市", "Busan", "Asia/Seoul", date(1966, 6, 30)),
        "bne": _city("澳洲", "布里斯本市", "Brisbane", "Australia/Brisbane", date(1997, 9, 9)),
    }  # fmt: skip
    events = {
        "call_before": _event("聖安東尼市視訊會議（日光節約前）", date(2026, 3, 7),
                              date(2026, 3, 7), start_time=time(9), end_time=time(10)),
        "call_after": _event("聖安東尼市視訊會議（日光節約後）", date(2026, 3, 9),
                             date(2026, 3, 9), start_time=time(9), end_time=time(10)),
        "show": _event("布里斯本展", date(2026, 3, 1), date(2026, 3, 31),
                       kind=EventKind.EXHIBITION),
        "tricky": _event("釜山交流, 展覽; 第二場", date(2026, 4, 1), date(2026, 4, 1),
                         location="高雄市, 四維行政中心; 3樓", summary=TRICKY),
        "tour": _event("釜山參訪", date(2026, 5, 4), date(2026, 5, 6), start_time=time(8, 30),
                       kind=EventKind.VISIT_OUT),
        "old": _event("去年的會議", date(2025, 3, 1), date(2025, 3, 1)),
    }  # fmt: skip
    session.add_all([*cities.values(), *events.values()])
    session.commit()
    links = {"call_before": "sa", "call_after": "sa", "show": "bne", "tricky": "busan",
             "tour": "busan", "old": "sa"}  # fmt: skip
    session.add_all(
        ExchangeEventCity(event_id=events[e].id, city_id=cities[c].id) for e, c in links.items()
    )
    receptions = {
        "sa_visit": Reception(visit_date=date(2026, 3, 10), start_time=time(14, 0),
                              visitor_name_zh="尼倫伯格", visitor_name_original="Ron Nirenberg",
                              title="市長", organisation="聖安東尼市政府", country="美國",
                              category=VisitorCategory.GOVERNOR_MAYOR, mode=MeetingMode.VIDEO,
                              city_id=cities["sa"].id, topics=TRICKY),
        "no_city": Reception(visit_date=date(2026, 3, 12), visitor_name_zh="某大使",
                             country="貝里斯", category=VisitorCategory.AMBASSADOR),
        "old": Reception(visit_date=date(2025, 12, 31), visitor_name_zh="去年的訪客",
                         country="日本", category=VisitorCategory.OTHER, city_id=cities["sa"].id),
    }  # fmt: skip
    session.add_all(receptions.values())
    session.commit()
    ids = {f"city.{k}": c.id for k, c in cities.items()}
    ids |= {f"event.{k}": e.id for k, e in events.items()}
    return ids | {f"reception.{k}": r.id for k, r in receptions.items()}


def _parse(data: bytes) -> dict[str, object]:
    """{UID: VEVENT} of a file parsed back with icalendar."""
    parsed = Calendar.from_ical(data)
    return {str(e["UID"]): e for e in parsed.walk("VEVENT")}


def _uid(table: str, *key: object) -> str:
    return f"{table}-{'-'.join(map(str, key))}@kcg-bureau-workspace"


def test_every_event_reception_and_anniversary_in_range_is_one_vevent(session, bureau):
    data = ics.build_ics(session, *YEAR_2026)
    events = _parse(data)
    anniversaries = cal.anniversaries(session, *YEAR_2026)
    assert [(a.city_name, a.years) for a in anniversaries] == [("聖安東尼市", 40), ("釜山市", 60)]
    # 5 events of 2026, 2 receptions of 2026, 2 anniversaries: last year's rows stay out.
    assert len(events) == 5 + 2 + len(anniversaries) == 9
    assert _uid("exchange_event", bureau["event.old"]) not in events
    assert _uid("reception", bureau["reception.old"]) not in events
    parsed = Calendar.from_ical(data)
    assert str(parsed["X-WR-TIMEZONE"]) == "Asia/Taipei"
    assert str(parsed["X-WR-CALNAME"]) == "高雄市政府行政暨國際處 姊妹市行事曆"
    assert [str(z["TZID"]) for z in parsed.walk("VTIMEZONE")] == ["Asia/Taipei"]


def test_a_san_antonio_call_keeps_its_taipei_time_across_the_us_clock_change(session, bureau):
    data = ics.build_ics(session, *YEAR_2026)
    events = _parse(data)
    before = events[_uid("exchange_event", bureau["event.call_before"])]
    after = events[_uid("exchange_event", bureau["event.call_after"])]
    assert before.decoded("DTSTART") == datetime(2026, 3, 7, 9, 0, tzinfo=TAIPEI)
    assert before.decoded("DTEND") == datetime(2026, 3, 7, 10, 0, tzinfo=TAIPEI)
    assert before["DTSTART"].params["TZID"] == "Asia/Taipei"
    # The same 09:00 in Taipei is 19:00 (CST), then 20:00 (CDT) the evening before in Texas.
    assert before.decoded("DTSTART").astimezone(CHICAGO).replace(tzinfo=None) == datetime(
        2026, 3, 6, 19, 0
    )
    assert after.decoded("DTSTART").astimezone(CHICAGO).replace(tzinfo=None) == datetime(
        2026, 3, 8, 20, 0
    )
    assert b"DTSTART;TZID=Asia/Taipei:20260307T090000\r\n" in data
    assert "前一日 19:00–20:00（UTC−6" in str(before["DESCRIPTION"])
    assert "前一日 20:00–21:00（UTC−5" in str(after["DESCRIPTION"])


def test_all_day_entries_are_dates_with_the_day_after_as_end(session, bureau):
    events = _parse(ics.build_ics(session, *YEAR_2026))
    show = events[_uid("exchange_event", bureau["event.show"])]
    assert (show.decoded("DTSTART"), show.decoded("DTEND")) == (date(2026, 3, 1), date(2026, 4, 1))
    assert show["DTSTART"].params.get("VALUE") == "DATE"
    busan = events[_uid("anniversary", bureau["city.busan"], 2026)]
    assert (busan.decoded("DTSTART"), busan.decoded("DTEND")) == (
        date(2026, 6, 30),
        date(2026, 7, 1),
    )
    assert str(busan["SUMMARY"]) == "釜山市 締盟60週年" and str(busan["TRANSP"]) == "TRANSPARENT"
    sa = events[_uid("anniversary", bureau["city.sa"], 2026)]
    assert sa.decoded("DTSTART") == date(2026, 1, 1) and "僅知年份" in str(sa["SUMMARY"])
    no_city = events[_uid("reception", bureau["reception.no_city"])]
    assert (no_city.decoded("DTSTART"), no_city.decoded("DTEND")) == (
        date(2026, 3, 12),
        date(2026, 3, 13),
    )


def test_timed_entries_without_an_end_time(session, bureau):
    events = _parse(ics.build_ics(session, *YEAR_2026))
    visit = events[_uid("reception", bureau["reception.sa_visit"])]
    assert visit.decoded("DTSTART") == datetime(2026, 3, 10, 14, 0, tzinfo=TAIPEI)
    assert "DTEND" not in visit  # RFC 5545: a timed entry without DTEND ends when it starts
    assert "聖安東尼市：臺北 14:00／當地 01:00（UTC−5" in str(visit["DESCRIPTION"])
    tour = events[_uid("exchange_event", bureau["event.tour"])]
    assert tour.decoded("DTSTART") == datetime(2026, 5, 4, 8, 30, tzinfo=TAIPEI)
    assert tour.decoded("DTEND") == datetime(2026, 5, 7, 0, 0, tzinfo=TAIPEI)


@pytest.mark.parametrize(
    ("city", "expected"),
    [
        ("sa", {("exchange_event", "call_before"), ("exchange_event", "call_after"),
                ("reception", "sa_visit"), ("anniversary", "sa")}),
        ("busan", {("exchange_event", "tricky"), ("exchange_event", "tour"),
                   ("anniversary", "busan")}),
        ("bne", {("exchange_event", "show")}),
    ],
)  # fmt: skip
def test_one_city_gets_its_events_receptions_and_anniversaries(session, bureau, city, expected):
    data = ics.build_ics(session, *YEAR_2026, city_id=bureau[f"city.{city}"])
    wanted = {
        _uid(table, bureau[f"city.{key}"], 2026)
        if table == "anniversary"
        else _uid(table, bureau[f"{'event' if table == 'exchange_event' else table}.{key}"])
        for table, key in expected
    }
    assert set(_parse(data)) == wanted
    assert "聖安東尼市" in str(Calendar.from_ical(data)["X-WR-CALNAME"]) or city != "sa"


def test_uids_are_unique_and_stable_and_two_exports_are_identical(session, bureau):
    first = ics.build_ics(session, *YEAR_2026)
    second = ics.build_ics(session, *YEAR_2026)
    assert first == second
    uids = [str(e["UID"]) for e in Calendar.from_ical(first).walk("VEVENT")]
    assert len(uids) == len(set(uids)) and all(u.endswith("@kcg-bureau-workspace") for u in uids)
    assert _uid("exchange_event", bureau["event.call_before"]) in uids
    stamps = [e.decoded("DTSTAMP") for e in Calendar.from_ical(first).walk("VEVENT")]
    assert all(s.utcoffset() == timedelta(0) for s in stamps)


def test_an_edit_keeps_the_uid_and_raises_the_sequence(session, bureau):
    event = session.get(ExchangeEvent, bureau["event.show"])
    event.title, event.version = "布里斯本展（延長）", event.version + 1
    session.commit()
    shown = _parse(ics.build_ics(session, *YEAR_2026))[_uid("exchange_event", event.id)]
    assert str(shown["SUMMARY"]) == "布里斯本展（延長）" and int(shown["SEQUENCE"]) == 1


def test_commas_semicolons_newlines_and_chinese_survive_the_round_trip(session, bureau):
    events = _parse(ics.build_ics(session, *YEAR_2026))
    tricky = events[_uid("exchange_event", bureau["event.tricky"])]
    assert str(tricky["SUMMARY"]) == "釜山交流, 展覽; 第二場"
    assert str(tricky["LOCATION"]) == "高雄市, 四維行政中心; 3樓"
    assert TRICKY in str(tricky["DESCRIPTION"])
    visit = events[_uid("reception", bureau["reception.sa_visit"])]
    assert TRICKY in str(visit["DESCRIPTION"])


def test_control_characters_leave_the_file_and_line_breaks_stay(session, bureau):
    # Typed before the editor refused them; icalendar wrote them as they were.
    event = session.get(ExchangeEvent, bureau["event.tricky"])
    event.title, event.location = "釜山\x0b交流\x7f", "\x01四維\x1f行政中心"
    event.summary = "第一行\x0c\n第二行"
    session.get(PartnerCity, bureau["city.busan"]).name_zh = "釜\x0b山市"
    session.commit()
    busan = bureau["city.busan"]
    data = ics.build_ics(session, *YEAR_2026, city_id=busan)
    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", data)
    shown = _parse(data)[_uid("exchange_event", event.id)]
    assert (str(shown["SUMMARY"]), str(shown["LOCATION"])) == ("釜山交流", "四維行政中心")
    assert "第一行\n第二行" in str(shown["DESCRIPTION"])
    assert str(Calendar.from_ical(data)["X-WR-CALNAME"]).endswith("（釜山市）")
    name = ics.file_name(session, busan, *YEAR_2026)
    assert name == "sister_city_calendar_Busan_2026-01-01_2026-12-31.ics"


def test_lines_end_in_crlf_and_are_folded_at_75_octets(session, bureau):
    data = ics.build_ics(session, *YEAR_2026)
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    lines = data.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # long Chinese text was folded
    for line in lines:
        line.decode("utf-8")  # no character is cut in two by a fold


def test_english_file_uses_english_words_and_names(session, bureau):
    data = ics.build_ics(session, *YEAR_2026, lang="en", city_id=bureau["city.sa"])
    events = _parse(data)
    visit = events[_uid("reception", bureau["reception.sa_visit"])]
    assert str(visit["SUMMARY"]) == "Reception: Ron Nirenberg 市長 (聖安東尼市政府)"
    anniversary = events[_uid("anniversary", bureau["city.sa"], 2026)]
    assert str(anniversary["SUMMARY"]) == "San Antonio 40th anniversary of the tie (year only)"
    assert "San Antonio" in str(Calendar.from_ical(data)["X-WR-CALNAME"])
    name = ics.file_name(session, bureau["city.sa"], *YEAR_2026)
    assert name == "sister_city_calendar_San_Antonio_2026-01-01_2026-12-31.ics"
    assert ics.file_name(session, None, *YEAR_2026).startswith("sister_city_calendar_2026")


def test_next_twelve_months_ends_the_day_before_the_same_day_next_year():
    assert ics.next_twelve_months(date(2026, 11, 28)) == (date(2026, 11, 28), date(2027, 11, 27))
    assert ics.next_twelve_months(date(2028, 2, 29)) == (date(2028, 2, 29), date(2029, 2, 27))
