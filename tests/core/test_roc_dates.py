"""ROC dates: every format staff type is read, every mistake gets a zh-TW message (and an
English one in Gregorian terms); the language-following formatters give 民國 dates in zh-TW and
ISO dates in English, and each reads back."""

from datetime import UTC, date, datetime, time

import pytest

from core.kernel.roc_dates import (
    ROCDateError,
    format_date,
    format_datetime,
    format_month,
    format_period,
    format_roc,
    format_roc_datetime,
    format_roc_month,
    format_roc_period,
    format_time,
    parse_any_date,
    parse_roc,
    parse_roc_datetime,
    parse_time_of_day,
)

D = date(2023, 3, 15)


@pytest.mark.parametrize(
    ("style", "text"),
    [("long", "112年3月15日"), ("full", "中華民國112年3月15日"), ("slash", "112/03/15"),
     ("dot", "112.3.15"), ("compact", "1120315")],
)  # fmt: skip
def test_format_and_parse_round_trip(style, text):
    assert format_roc(D, style) == text
    assert parse_roc(text) == D


@pytest.mark.parametrize(
    "text",
    ["112年3月15日", "民國112年3月15日", "112/3/15", "112-03-15", "112.03.15", "1120315",
     "民國112/03/15", "１１２／０３／１５", "1 1 2 年 3 月 1 5 日", "2023-03-15", " 112/03/15 "],
)  # fmt: skip
def test_parse_accepts_common_forms(text):
    assert parse_roc(text) == D


def test_two_digit_roc_year_compact_form():
    assert parse_roc("990315") == date(2010, 3, 15)
    assert parse_roc("99年12月25日") == date(2010, 12, 25)


def test_first_roc_year_is_1912():
    assert parse_roc("1/01/01") == date(1912, 1, 1)
    assert format_roc(date(1912, 1, 1), "long") == "1年1月1日"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("民國0年1月1日", "沒有民國0年"), ("0000101", "沒有民國0年"), ("112/02/30", "2 月沒有 30 日"),
     ("112/13/01", "月份須介於 1 至 12"), ("", "不可空白"), ("   ", "不可空白"),
     ("abc", "不是可辨識的日期"), ("20230315", "8 位數"), ("999/01/01", "超出合理範圍"),
     ("250/01/01", "超出合理範圍"), ("1800-01-01", "超出合理範圍"), ("11203150", "8 位數")],
)  # fmt: skip
def test_parse_refuses_with_zh_message(text, fragment):
    with pytest.raises(ROCDateError, match=fragment):
        parse_roc(text)


def test_leap_day_only_in_leap_years():
    assert parse_roc("113/02/29") == date(2024, 2, 29)
    with pytest.raises(ROCDateError):
        parse_roc("112/02/29")


def test_period_month_and_datetime_formats():
    assert format_roc_period(date(2022, 7, 1), D) == "111年7月1日至112年3月15日"
    assert format_roc_month(D) == "112年3月"
    assert format_roc_datetime(datetime(2023, 3, 15, 9, 5)) == "112/03/15 09:05"
    assert format_roc(None) == "" and format_roc_datetime(None) == ""


def test_dates_before_1912_fall_back_to_gregorian():
    assert format_roc(date(1900, 5, 1)) == "1900-05-01"


def test_parse_any_date_takes_widget_values():
    assert parse_any_date(D) == D
    assert parse_any_date(datetime(2023, 3, 15, 8)) == D
    assert parse_any_date("112/03/15") == D
    with pytest.raises(ROCDateError):
        parse_any_date(42)


def test_a_period_in_words_is_the_council_reports():
    start, end = date(2022, 7, 1), date(2023, 3, 15)
    assert format_roc_period(start, end) == "111年7月1日至112年3月15日"


DAY, MOMENT = date(2026, 12, 4), datetime(2026, 12, 4, 9, 30)


@pytest.mark.parametrize(
    ("lang", "day", "moment", "month", "period"),
    [("zh-TW", "115/12/04", "115/12/04 09:30", "115年12月", "111年7月1日至115年12月4日"),
     ("en", "2026-12-04", "2026-12-04 09:30", "December 2026", "2022-07-01 – 2026-12-04")],
)  # fmt: skip
def test_dates_follow_the_language(lang, day, moment, month, period):
    assert format_date(DAY, lang) == format_date(MOMENT, lang) == day
    assert format_datetime(MOMENT, lang) == moment
    assert format_month(DAY, lang) == month
    assert format_period(date(2022, 7, 1), DAY, lang) == period
    assert format_date(None, lang) == format_datetime(None, lang) == ""
    # What either language shows, either one reads back.
    assert parse_roc(day) == DAY
    assert parse_roc_datetime(moment) == MOMENT


@pytest.mark.parametrize(
    ("text", "english"),
    [("2026-13-01", "the month must be 1 to 12"), ("2026-02-30", "February has no day 30"),
     ("12/04/2026", "write YYYY-MM-DD"), ("", "must not be empty"),
     ("民國0年1月1日", "write YYYY-MM-DD")],
)  # fmt: skip
def test_a_date_that_cannot_be_read_is_explained_in_either_language(text, english):
    with pytest.raises(ROCDateError) as caught:
        parse_roc(text)
    assert english in caught.value.in_language("en")
    assert caught.value.in_language("zh-TW") == str(caught.value)
    words = caught.value.in_language("en").replace(f"“{text}”", "")
    assert not any(c in words for c in "民年月日請")


@pytest.mark.parametrize(
    ("text", "english"),
    [("2026-12-04 9:60", "YYYY-MM-DD HH:MM"), ("", "must not be empty (YYYY-MM-DD HH:MM)")],
)  # fmt: skip
def test_a_date_and_time_that_cannot_be_read_is_explained_in_either_language(text, english):
    with pytest.raises(ROCDateError) as caught:
        parse_roc_datetime(text)
    assert english in caught.value.in_language("en")


@pytest.mark.parametrize(
    ("given", "expected"),
    [("9:30", time(9, 30)), ("09:30", time(9, 30)), ("０９：３０", time(9, 30)),
     ("23:59:59", time(23, 59)), ("09:30:00.000", time(9, 30)), (time(7, 5, 30), time(7, 5)),
     (datetime(2026, 3, 9, 14, 0), time(14, 0))],
)  # fmt: skip
def test_times_of_day_are_read_to_the_minute(given, expected):
    assert parse_time_of_day(given) == expected
    assert format_time(expected) == f"{expected.hour:02d}:{expected.minute:02d}"


@pytest.mark.parametrize("given", ["24:00", "9:60", "0930", "9點", "", 930, None, "09:30+08:00"])
def test_unreadable_times_say_how_to_write_one(given):
    with pytest.raises(ROCDateError, match="24 小時制的 時:分"):
        parse_time_of_day(given)
    with pytest.raises(ROCDateError, match="臺北時間"):
        parse_time_of_day(time(9, 30, tzinfo=UTC))
