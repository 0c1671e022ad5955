"""Taiwan's public holidays and working days: a known year's list, names in both languages,
make-up workdays, working-day counts per month and refused input."""

from datetime import date, datetime

import pytest

from core.kernel import holidays as holidays_tw


def test_2026_lists_lunar_new_year_national_day_and_its_day_in_lieu():
    days = holidays_tw.holidays_between(date(2026, 1, 1), date(2026, 12, 31))
    assert {d: days[d] for d in days if date(2026, 2, 14) <= d <= date(2026, 2, 22)} == {
        date(2026, 2, 15): "農曆除夕",
        date(2026, 2, 16): "農曆除夕",  # from 2026 the day before the eve is off too
        date(2026, 2, 17): "春節",
        date(2026, 2, 18): "春節",
        date(2026, 2, 19): "春節",
        date(2026, 2, 20): "農曆除夕（補假）",
    }
    assert days[date(2026, 10, 10)] == "國慶日"  # a Saturday …
    assert days[date(2026, 10, 9)] == "國慶日（補假）"  # … so the Friday before is off
    assert days[date(2026, 5, 1)] == "勞動節"  # off for civil servants from 2026
    assert len(days) == 22


def test_labour_day_2025_and_commemorative_days_are_not_days_off():
    """勞動節 2025 was off only for workers (OPTIONAL), 植樹節 is a working day (WORKDAY)."""
    assert not holidays_tw.is_holiday(date(2025, 5, 1))
    assert holidays_tw.is_working_day(date(2025, 5, 1))
    assert holidays_tw.is_working_day(date(2026, 3, 12))


def test_names_follow_the_language_and_its_dates():
    assert holidays_tw.holiday_name(date(2026, 10, 9), "en") == "National Day (observed)"
    assert holidays_tw.holiday_name(date(2024, 2, 8)) == "放假日（113/02/17 補班）"
    assert (
        holidays_tw.holiday_name(date(2024, 2, 8), "en") == "Day off (substituted from 2024-02-17)"
    )
    assert holidays_tw.holiday_name(date(2026, 10, 10), "fr") == "國慶日"  # falls back to zh-TW
    assert holidays_tw.holiday_name(date(2026, 10, 12)) is None


def test_make_up_workdays_are_working_saturdays():
    assert holidays_tw.make_up_workdays(date(2023, 1, 1), date(2025, 12, 31)) == [
        date(2023, 1, 7), date(2023, 2, 4), date(2023, 2, 18), date(2023, 3, 25),
        date(2023, 6, 17), date(2023, 9, 23), date(2024, 2, 17), date(2025, 2, 8),
    ]  # fmt: skip
    assert holidays_tw.is_working_day(date(2024, 2, 17))  # a Saturday
    assert not holidays_tw.is_working_day(date(2024, 2, 8))  # its bridge day off
    assert not holidays_tw.is_working_day(date(2024, 2, 24))  # an ordinary Saturday


def test_a_make_up_day_in_the_year_before_its_day_off_is_found():
    """2015-01-02 (a Friday) was off, made up on Saturday 2014-12-27."""
    assert holidays_tw.make_up_workdays(date(2014, 12, 1), date(2014, 12, 31)) == [
        date(2014, 12, 27)
    ]
    assert holidays_tw.is_working_day(date(2014, 12, 27))


@pytest.mark.parametrize(
    ("year", "month", "expected"),
    [
        # 21 weekdays − 2/8, 2/9, 2/12, 2/13, 2/14, 2/28 + Saturday 2/17
        (2024, 2, 21 - 6 + 1),
        # 20 weekdays − 2/28 + Saturday 2/8
        (2025, 2, 20 - 1 + 1),
        # 20 weekdays − 2/16 to 2/20, 2/27
        (2026, 2, 20 - 6),
        # 22 weekdays − 10/9 (國慶日補假), 10/26 (光復節補假)
        (2026, 10, 22 - 2),
        # 23 weekdays, no holiday
        (2026, 7, 23),
    ],
)
def test_working_days_of_whole_months(year, month, expected):
    last = (date(year + month // 12, month % 12 + 1, 1) - date.resolution).day
    assert holidays_tw.working_days(date(year, month, 1), date(year, month, last)) == expected


def test_working_days_across_years_and_of_a_single_day():
    # the report period: 184 weekdays − 11 holidays on weekdays + 3 make-up Saturdays
    assert holidays_tw.working_days(date(2022, 7, 1), date(2023, 3, 15)) == 176
    assert holidays_tw.working_days(date(2026, 10, 9), date(2026, 10, 9)) == 0
    assert holidays_tw.working_days(date(2024, 2, 17), date(2024, 2, 17)) == 1


def test_years_without_holiday_data_count_every_weekday():
    assert holidays_tw.holidays_between(date(1990, 1, 1), date(1990, 12, 31)) == {}
    assert holidays_tw.working_days(date(1990, 1, 1), date(1990, 12, 31)) == 261


def test_a_datetime_counts_as_its_day():
    assert holidays_tw.is_holiday(datetime(2026, 10, 10, 9, 30))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((date(2026, 2, 1), date(2026, 1, 1)), "迄日不可早於起日。"),
        (("2026-01-01", date(2026, 1, 31)), "「2026-01-01」不是日期"),
        ((date(2026, 1, 1), None), "「None」不是日期"),
    ],
)
def test_bad_ranges_are_refused_in_zh(args, message):
    for fn in (holidays_tw.holidays_between, holidays_tw.working_days):
        with pytest.raises(ValueError, match=message):
            fn(*args)
