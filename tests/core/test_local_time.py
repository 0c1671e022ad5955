"""Partner cities' local time: Taipei wall time in a city's zone across daylight-saving changes."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from core.kernel import local_time
from core.kernel.local_time import describe_offset, local_pair, to_local
from db.models import DatePrecision, EventKind, ExchangeEvent, ExchangeEventCity, PartnerCity

CHICAGO, BRISBANE, SYDNEY = "America/Chicago", "Australia/Brisbane", "Australia/Sydney"


@pytest.mark.parametrize(
    ("day", "zone", "local", "offset_hours"),
    [
        # The US moves to daylight saving time on Sunday 8 March 2026 (02:00 local).
        (date(2026, 3, 7), CHICAGO, datetime(2026, 3, 6, 19, 0), -6),
        (date(2026, 3, 9), CHICAGO, datetime(2026, 3, 8, 20, 0), -5),
        # New South Wales leaves daylight saving time on Sunday 5 April 2026; Queensland has none.
        (date(2026, 4, 4), SYDNEY, datetime(2026, 4, 4, 12, 0), 11),
        (date(2026, 4, 6), SYDNEY, datetime(2026, 4, 6, 11, 0), 10),
        (date(2026, 4, 4), BRISBANE, datetime(2026, 4, 4, 11, 0), 10),
        (date(2026, 4, 6), BRISBANE, datetime(2026, 4, 6, 11, 0), 10),
    ],
)
def test_taipei_nine_oclock_across_daylight_saving_changes(day, zone, local, offset_hours):
    moment = to_local(day, time(9, 0), zone)
    assert moment.local.replace(tzinfo=None) == local
    assert moment.offset.total_seconds() == offset_hours * 3600
    assert moment.taipei == datetime.combine(day, time(9), ZoneInfo("Asia/Taipei"))
    assert moment.day_shift == (local.date() - day).days


def test_the_pair_says_taipei_time_local_time_day_and_offset():
    assert local_pair(date(2026, 3, 7), time(9), CHICAGO) == (
        "臺北 09:00／當地 前一日 19:00（UTC−6，比臺北慢 14 小時）"
    )
    assert local_pair(date(2026, 3, 9), time(9), CHICAGO, "en") == (
        "Taipei 09:00 / local 20:00 previous day (UTC−5, 13 h behind Taipei)"
    )
    assert local_pair(date(2026, 4, 4), time(9), SYDNEY) == (
        "臺北 09:00／當地 12:00（UTC+11，比臺北快 3 小時）"
    )
    assert local_pair(date(2026, 1, 10), time(22), "Pacific/Auckland", "en") == (
        "Taipei 22:00 / local 03:00 next day (UTC+13, 5 h ahead of Taipei)"
    )


def test_a_range_names_the_end_day_when_it_differs():
    # 12:00–14:00 in Taipei is 23:00 the evening before to 01:00 in Chicago.
    assert local_pair(date(2026, 3, 9), time(12), CHICAGO, until=time(14)) == (
        "臺北 12:00–14:00／當地 前一日 23:00–當日 01:00（UTC−5，比臺北慢 13 小時）"
    )
    assert local_pair(date(2026, 3, 7), time(9), CHICAGO, "en", until=time(10)) == (
        "Taipei 09:00–10:00 / local 19:00–20:00 previous day (UTC−6, 14 h behind Taipei)"
    )


@pytest.mark.parametrize(
    ("day", "zone", "zh", "en"),
    [
        (date(2026, 3, 7), CHICAGO, "UTC−6，比臺北慢 14 小時", "UTC−6, 14 h behind Taipei"),
        (date(2026, 3, 9), CHICAGO, "UTC−5，比臺北慢 13 小時", "UTC−5, 13 h behind Taipei"),
        (date(2026, 7, 1), BRISBANE, "UTC+10，比臺北快 2 小時", "UTC+10, 2 h ahead of Taipei"),
        (date(2026, 7, 1), "Asia/Tokyo", "UTC+9，比臺北快 1 小時", "UTC+9, 1 h ahead of Taipei"),
        (date(2026, 7, 1), "Asia/Kolkata", "UTC+5:30，比臺北慢 2 小時 30 分",
         "UTC+5:30, 2 h 30 min behind Taipei"),
        (date(2026, 7, 1), "Asia/Taipei", "UTC+8，與臺北同時", "UTC+8, same time as Taipei"),
    ],
)  # fmt: skip
def test_without_a_time_the_offset_on_that_date_is_shown(day, zone, zh, en):
    assert local_pair(day, None, zone) == zh
    assert local_pair(day, None, zone, "en") == en
    assert describe_offset(to_local(day, None, zone), "en") == en


def test_day_shift_words():
    assert [local_time.day_shift_text(n) for n in (-1, 0, 1)] == ["前一日", "當日", "次日"]
    assert local_time.day_shift_text(-2, "en") == "-2 days"


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "asia/tokyo", "", "../../etc/passwd", " "])
def test_unknown_zones_are_refused_and_described(name):
    assert not local_time.is_valid_zone(name)
    with pytest.raises(ValueError, match="無法辨識"):
        to_local(date(2026, 3, 7), time(9), name)
    assert "無法辨識" in local_pair(date(2026, 3, 7), time(9), name)
    assert "not recognised" in local_pair(date(2026, 3, 7), None, name, "en")


@pytest.fixture
def linked(session):
    """A one-day video call with San Antonio and Brisbane, an exhibition linked to Brisbane."""
    cities = [
        PartnerCity(name_zh="聖安東尼市", name_original="San Antonio", name_en="San Antonio",
                    country="美國", country_code="US", region="北美", tie_type="sister",
                    signed_on=date(1982, 1, 1), signed_precision=DatePrecision.YEAR,
                    latitude=29.4, longitude=-98.5, timezone=CHICAGO),
        PartnerCity(name_zh="布里斯本市", name_original="Brisbane", name_en="Brisbane",
                    country="澳洲", country_code="AU", region="亞太", tie_type="sister",
                    signed_on=date(1997, 9, 9), latitude=-27.5, longitude=153.0,
                    timezone=BRISBANE),
    ]  # fmt: skip
    call = ExchangeEvent(
        title="視訊會議",
        kind=EventKind.VIDEO_CALL,
        start_date=date(2026, 3, 9),
        end_date=date(2026, 3, 9),
        start_time=time(9),
        end_time=time(10),
    )
    show = ExchangeEvent(title="展覽", kind=EventKind.EXHIBITION, start_date=date(2026, 3, 1),
                         end_date=date(2026, 3, 31))  # fmt: skip
    session.add_all([*cities, call, show])
    session.commit()
    session.add_all([
        ExchangeEventCity(event_id=call.id, city_id=cities[0].id),
        ExchangeEventCity(event_id=call.id, city_id=cities[1].id),
        ExchangeEventCity(event_id=show.id, city_id=cities[1].id),
    ])  # fmt: skip
    session.commit()
    return cities, call, show


def test_each_linked_city_gets_a_line(session, linked):
    _, call, show = linked
    assert local_time.event_local_lines(session, call) == [
        "聖安東尼市：臺北 09:00–10:00／當地 前一日 20:00–21:00（UTC−5，比臺北慢 13 小時）",
        "布里斯本市：臺北 09:00–10:00／當地 11:00–12:00（UTC+10，比臺北快 2 小時）",
    ]
    assert local_time.event_local_lines(session, show, "en") == [
        "Brisbane: UTC+10, 2 h ahead of Taipei"
    ]


def test_coming_up_rows_get_local_times_and_other_kinds_none(session, linked):
    cities, call, show = linked
    frame = pd.DataFrame(
        [
            {"date": date(2026, 3, 9), "kind": "event", "ref": call.id},
            {"date": date(2026, 3, 5), "kind": "event", "ref": show.id},  # begun: no time
            {"date": date(2026, 3, 9), "kind": "anniversary", "ref": cities[0].id},
            {"date": date(2026, 1, 1), "kind": "holiday", "ref": None},
        ]
    )
    shown = local_time.coming_up_local(session, frame)
    assert shown[0].startswith("聖安東尼市：臺北 09:00–10:00／當地 前一日 20:00–21:00")
    assert "；布里斯本市：" in shown[0]
    assert shown[1:] == [
        "布里斯本市：UTC+10，比臺北快 2 小時",
        "聖安東尼市：UTC−5，比臺北慢 13 小時",
        "",
    ]


def test_an_event_with_many_cities_names_three_and_counts_the_rest(session, linked):
    cities, call, _ = linked
    more = [
        PartnerCity(name_zh=f"城市{i}", name_original=f"C{i}", name_en=f"C{i}", country="日本",
                    country_code="JP", region="亞太", tie_type="friendship",
                    signed_on=date(2010, 1, 1), latitude=35, longitude=139, timezone="Asia/Tokyo")
        for i in range(3)
    ]  # fmt: skip
    session.add_all(more)
    session.commit()
    session.add_all([ExchangeEventCity(event_id=call.id, city_id=c.id) for c in more])
    session.commit()
    frame = pd.DataFrame([{"date": date(2026, 3, 9), "kind": "event", "ref": call.id}])
    cell = local_time.coming_up_local(session, frame, "en")[0]
    assert cell.count("; ") == 3 and cell.endswith("2 more cities (see the calendar's details)")
