"""Sister-city calendar logic: anniversaries, feed, coming-up window, directory, timeline."""

from datetime import date

import pytest
from sqlmodel import Session

from core.calendar import ties as cal
from core.kernel.periods import REPORT_PERIOD
from db.models import (
    DatePrecision,
    EventKind,
    ExchangeEvent,
    ExchangeEventCity,
    PartnerCity,
    Reception,
    TieType,
    VisitorCategory,
)


def _city(session, name, signed, precision=DatePrecision.DAY, country="日本", tie=TieType.SISTER):
    city = PartnerCity(
        name_zh=name, name_original=name, name_en=name, country=country, country_code="JP",
        region="亞太", tie_type=tie, signed_on=signed, signed_precision=precision,
        latitude=0, longitude=0, timezone="Asia/Tokyo",
    )  # fmt: skip
    session.add(city)
    session.commit()
    return city


def test_milestones_are_every_five_years_to_fifty_then_sixty():
    assert cal.MILESTONE_YEARS == (5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 60)


def test_29_february_falls_on_28_february_in_common_years():
    assert cal.anniversary_day(date(2004, 2, 29), "day", 2014) == date(2014, 2, 28)
    assert cal.anniversary_day(date(2004, 2, 29), "day", 2024) == date(2024, 2, 29)


def test_non_milestone_years_and_inexact_dates(session):
    _city(session, "甲市", date(2004, 2, 29))
    _city(session, "乙市", date(1990, 7, 1), DatePrecision.MONTH)
    _city(session, "丙市", date(1980, 1, 1), DatePrecision.YEAR)
    found = cal.anniversaries(session, date(2014, 1, 1), date(2014, 12, 31))
    assert [(a.city_name, a.day, a.years, a.exact) for a in found] == [
        ("甲市", date(2014, 2, 28), 10, True)
    ]
    found = cal.anniversaries(session, date(2020, 1, 1), date(2020, 12, 31))
    assert [(a.city_name, a.day, a.precision, a.exact) for a in found] == [
        ("丙市", date(2020, 1, 1), "year", False),
        ("乙市", date(2020, 7, 1), "month", False),
    ]
    assert "僅知月份" in cal.anniversary_title(found[1])
    assert not cal.anniversaries(session, date(2021, 1, 1), date(2021, 12, 31))


def test_demo_anniversaries_of_2022_on_their_dates(demo_engine):
    with Session(demo_engine) as session:
        found = cal.anniversaries(session, date(2022, 1, 1), date(2022, 12, 31))
    got = {(a.city_name, a.years): a.day for a in found}
    assert got[("聖安東尼市", 40)] == date(2022, 1, 1)  # only the year is known
    assert got[("布里斯本市", 25)] == date(2022, 9, 9)
    assert got[("大田市", 5)] == date(2022, 6, 20)


def _event(session, title, start, end, city=None):
    ev = ExchangeEvent(title=title, kind=EventKind.VISIT_OUT, start_date=start, end_date=end)
    session.add(ev)
    session.commit()
    if city is not None:
        session.add(ExchangeEventCity(event_id=ev.id, city_id=city.id))
        session.commit()
    return ev


def test_feed_for_a_month_has_end_exclusive_multi_day_events(session):
    city = _city(session, "甲市", date(2013, 3, 31))
    ev = _event(session, "出訪", date(2023, 2, 27), date(2023, 3, 2))
    _event(session, "四月", date(2023, 4, 1), date(2023, 4, 1))
    feed = cal.calendar_feed(session, date(2023, 3, 1), date(2023, 3, 31))
    by_id = {e["id"]: e for e in feed}
    assert set(by_id) == {f"event-{ev.id}", f"anniv-{city.id}-2023"}
    assert by_id[f"event-{ev.id}"]["start"] == "2023-02-27"
    assert by_id[f"event-{ev.id}"]["end"] == "2023-03-03"
    anniv = by_id[f"anniv-{city.id}-2023"]
    assert (anniv["start"], anniv["end"]) == ("2023-03-31", "2023-04-01")
    assert anniv["color"] != by_id[f"event-{ev.id}"]["color"]


def test_coming_up_window_edges(session):
    _city(session, "今日", date(2016, 11, 26))
    _city(session, "明年今日", date(2017, 11, 26))
    _city(session, "昨日", date(2016, 11, 25))
    _city(session, "明年昨日", date(2017, 11, 25))
    _event(session, "進行中", date(2026, 11, 20), date(2026, 11, 26))
    _event(session, "已結束", date(2026, 11, 20), date(2026, 11, 25))
    _event(session, "太遠", date(2027, 11, 26), date(2027, 11, 27))
    df = cal.coming_up(session, date(2026, 11, 26))
    titles = list(df["title"])
    assert any(t.startswith("今日") for t in titles)
    assert any(t.startswith("明年昨日") for t in titles)
    assert not any(t.startswith(("昨日", "明年今日")) for t in titles)
    assert "進行中" in titles and "已結束" not in titles and "太遠" not in titles


def test_directory_filters(session):
    _city(session, "甲市", date(2000, 1, 1), country="日本", tie=TieType.SISTER)
    _city(session, "乙市", date(2001, 1, 1), country="美國", tie=TieType.FRIENDSHIP)
    _city(session, "丙市", date(2002, 1, 1), country="日本", tie=TieType.FRIENDSHIP)
    assert len(cal.directory(session)) == 3
    assert list(cal.directory(session, countries=["日本"])["name_zh"]) == ["甲市", "丙市"]
    got = cal.directory(session, countries=["日本"], tie_types=["friendship"])
    assert list(got["name_zh"]) == ["丙市"]
    assert cal.directory(session, regions=["歐洲"]).empty


def test_city_timeline_orders_everything_linked(session):
    city = _city(session, "甲市", date(2000, 1, 1))
    other = _city(session, "乙市", date(2000, 1, 1))
    _event(session, "後來的交流", date(2023, 5, 1), date(2023, 5, 2), city)
    _event(session, "別市交流", date(2023, 1, 1), date(2023, 1, 1), other)
    session.add(Reception(visit_date=date(2022, 3, 1), visitor_name_zh="某市長", country="日本",
                          category=VisitorCategory.GOVERNOR_MAYOR, city_id=city.id))  # fmt: skip
    session.commit()
    df = cal.city_timeline(session, city.id)
    assert list(df["kind"]) == ["reception", "event"]
    assert list(df["date"]) == [date(2022, 3, 1), date(2023, 5, 1)]


def test_exchanges_by_month_matches_the_period_count(demo_engine):
    with Session(demo_engine) as session:
        df = cal.exchanges_by_month(session, REPORT_PERIOD)
        ties = cal.ties_by_country(session)
        decades = cal.ties_by_decade(session)
    assert df["count"].sum() > 0
    assert ties["count"].sum() == decades["count"].sum()


def test_partner_map_is_drawn_from_shipped_data_without_the_internet(demo_engine):
    import json

    from core.calendar.charts import partner_map

    with Session(demo_engine) as session:
        df = cal.directory(session)
    spec = partner_map(df, "zh-TW").to_dict()
    text = json.dumps(spec, ensure_ascii=False)
    assert "http" not in text.replace("https://vega.github.io/schema", "")  # no tiles, no CDN
    # Inline, from assets/geo, as TopoJSON text Vega parses by the format.
    data = spec["layer"][0]["data"]
    assert data["format"] == {"type": "topojson", "feature": "land"}
    land = json.loads(data["values"])
    assert land["type"] == "Topology" and "land" in land["objects"]
    assert spec["layer"][0]["mark"]["aria"] is False  # a backdrop, not read out
    (points,) = spec["datasets"].values()
    assert len(points) == len(df) == 16
    assert {p["name"] for p in points} == set(df["name_zh"])
    assert {"longitude", "latitude", "tie", "country"} <= set(points[0])


def test_feed_holds_the_periods_public_holidays_in_a_muted_colour(session):
    ev = _event(session, "國慶酒會", date(2026, 10, 9), date(2026, 10, 9))
    feed = cal.calendar_feed(session, date(2026, 10, 1), date(2026, 10, 31))
    by_id = {e["id"]: e for e in feed}
    holidays = {i: e for i, e in by_id.items() if e["extendedProps"]["kind"] == "holiday"}
    assert {i: e["title"] for i, e in holidays.items()} == {
        "holiday-2026-10-09": "國慶日（補假）",
        "holiday-2026-10-10": "國慶日",
        "holiday-2026-10-25": "臺灣光復暨金門古寧頭大捷紀念日",
        "holiday-2026-10-26": "臺灣光復暨金門古寧頭大捷紀念日（補假）",
    }
    national = by_id["holiday-2026-10-10"]
    assert (national["start"], national["end"], national["allDay"]) == (
        "2026-10-10", "2026-10-11", True,
    )  # fmt: skip
    assert national["color"] == cal.HOLIDAY_COLOUR != by_id[f"event-{ev.id}"]["color"]
    english = cal.calendar_feed(session, date(2026, 10, 10), date(2026, 10, 10), english=True)
    assert [e["title"] for e in english if e["extendedProps"]["kind"] == "holiday"] == [
        "National Day"
    ]
    without = cal.calendar_feed(session, date(2026, 10, 1), date(2026, 10, 31), holidays=False)
    assert [e["id"] for e in without] == [f"event-{ev.id}"]


def test_the_calendar_holds_whole_years_around_the_period_and_today():
    from core.kernel.periods import REPORT_PERIOD, Period

    window = cal.feed_window(REPORT_PERIOD, date(2026, 12, 7))
    assert window == Period(date(2021, 1, 1), date(2027, 12, 31))
    this_half = Period(date(2026, 7, 1), date(2026, 12, 31))
    assert cal.feed_window(this_half, date(2026, 12, 7)) == Period(
        date(2025, 1, 1), date(2027, 12, 31)
    )


@pytest.mark.parametrize(
    ("precision", "zh", "en"),
    [
        ("day", "86/09/09", "9 September 1997"),
        ("month", "86年9月", "September 1997"),
        ("year", "86年", "1997"),
    ],
)
def test_a_signing_date_is_written_only_as_far_as_it_is_known(precision, zh, en):
    # Stored on the 9th for the test; a month- or year-only date must not print that day.
    signed = date(1997, 9, 9)
    assert cal.signed_text(signed, precision, "zh-TW") == zh
    assert cal.signed_text(signed, precision, "en") == en
    assert cal.signed_text(None, precision, "zh-TW") == ""
