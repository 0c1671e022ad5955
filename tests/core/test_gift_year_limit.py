"""NT$10,000 a year from one source to one official: totals, threshold, years and recipients."""

from datetime import date

import pandas as pd
import pytest
from sqlmodel import Session

from core.gifts.ethics import gift_register, needs_action, source_key, year_totals
from core.kernel.config import Settings
from core.kernel.periods import Period
from db.models import GiftReceived

S = Settings()
TODAY = date(2026, 11, 26)
MAYOR, DEPUTY = "陳其邁", "羅達生"


def _gift(
    session: Session,
    day: date,
    value: int,
    donor: str = "日本熊本縣",
    official: str = MAYOR,
    **kw,
) -> None:
    session.add(
        GiftReceived(
            received_on=day,
            donor=donor,
            recipient_official=official,
            description=f"紀念品 {value}",
            estimated_value=value,
            **kw,
        )
    )
    session.commit()


def _register(session: Session, period: Period | None = None) -> pd.DataFrame:
    return gift_register(session, period, today=TODAY, settings=S)


def test_the_default_limit_is_10000_and_a_setting(monkeypatch):
    assert S.gift_social_year_limit == 10_000
    monkeypatch.setenv("GIFT_SOCIAL_YEAR_LIMIT", "5000")
    assert Settings().gift_social_year_limit == 5000


@pytest.mark.parametrize(
    ("last", "total", "over"), [(999, 9999, False), (1000, 10_000, False), (1001, 10_001, True)]
)
def test_the_gift_that_takes_the_year_over_10000_needs_a_report(session, last, total, over):
    for month in (2, 5, 8):
        _gift(session, date(2026, month, 10), 3000)  # each within NT$3,000 a time
    _gift(session, date(2026, 11, 24), last)
    register = _register(session)
    assert list(register["year_total"]) == [3000, 6000, 9000, total]
    assert list(register["over_year_limit"]) == [False, False, False, over]
    assert register["ethics_status"].iloc[-1] == ("pending" if over else "not_required")
    assert register["report_reasons"].iloc[-1] == (("year",) if over else ())
    assert register["report_due"].iloc[-1] == (date(2026, 11, 27) if over else None)
    # the earlier gifts stay within the limit: the total runs up to each gift's day
    assert set(register["ethics_status"].iloc[:3]) == {"not_required"}


def test_every_later_gift_of_the_year_from_that_source_needs_a_report_too(session):
    _gift(session, date(2026, 3, 1), 3000)
    _gift(session, date(2026, 3, 2), 3000)
    _gift(session, date(2026, 3, 3), 3000)
    _gift(session, date(2026, 6, 1), 2000)  # 11,000
    _gift(session, date(2026, 7, 1), 100)  # 11,100
    register = _register(session)
    assert list(register["over_year_limit"]) == [False, False, False, True, True]
    assert list(register["ethics_status"])[3:] == ["overdue", "overdue"]


def test_the_total_starts_again_on_1_january(session):
    for day in (10, 20, 30):
        _gift(session, date(2025, 12, day), 3000)
    _gift(session, date(2025, 12, 31), 1001)  # 10,001 in 2025
    _gift(session, date(2026, 1, 1), 2000)
    _gift(session, date(2026, 1, 2), 2000)
    register = _register(session)
    assert list(register["year_total"]) == [3000, 6000, 9000, 10_001, 2000, 4000]
    assert list(register["over_year_limit"]) == [False, False, False, True, False, False]


def test_one_source_is_counted_per_recipient_not_for_the_bureau(session):
    for month in (3, 6):
        _gift(session, date(2026, month, 1), 3000, official=MAYOR)
        _gift(session, date(2026, month, 1), 3000, official=DEPUTY)
    _gift(session, date(2026, 9, 1), 3000, official=DEPUTY)
    register = _register(session)
    totals = register.groupby("recipient_official")["year_total"].max().to_dict()
    assert totals == {MAYOR: 6000, DEPUTY: 9000}  # NT$15,000 to the bureau, none over
    assert not register["over_year_limit"].any()
    _gift(session, date(2026, 10, 1), 1001, official=DEPUTY)
    register = _register(session)
    over = register[register["over_year_limit"]]
    assert list(over["recipient_official"]) == [DEPUTY]


def test_different_donors_are_different_sources(session):
    for day in (1, 2, 3, 4):
        _gift(session, date(2026, 4, day), 3000, donor=f"某國政府{day}")
    assert not _register(session)["over_year_limit"].any()


@pytest.mark.parametrize(
    "spelling", ["日本熊本縣", " 日本熊本縣 ", "日本 熊本縣", "日本\u3000熊本縣", "日本  熊本縣\t"]
)
def test_donor_spellings_differing_in_spaces_are_one_source(session, spelling):
    _gift(session, date(2026, 4, 1), 6000, donor="日本 熊本縣")
    _gift(session, date(2026, 5, 1), 4001, donor=spelling)
    assert list(_register(session)["year_total"]) == [6000, 10_001]


def test_source_key_ignores_case_width_and_spacing():
    assert source_key("  Kumamoto   Prefecture ") == source_key("KUMAMOTO prefecture")
    assert source_key("ＫＵＭＡＭＯＴＯ") == source_key("kumamoto")  # full-width letters
    assert source_key("熊本縣") != source_key("熊本市")


def test_gifts_of_one_day_count_together_whatever_order_they_were_entered(session):
    _gift(session, date(2026, 6, 20), 8000)
    _gift(session, date(2026, 6, 20), 1500)
    _gift(session, date(2026, 6, 20), 2000)
    register = _register(session)
    assert list(register["year_total"]) == [11_500] * 3
    assert register["over_year_limit"].all()


def test_earlier_gifts_of_the_year_count_when_the_period_starts_later(session):
    _gift(session, date(2026, 2, 1), 3000)
    _gift(session, date(2026, 3, 1), 3000)
    _gift(session, date(2026, 4, 1), 3000)
    _gift(session, date(2026, 8, 1), 1500)
    register = _register(session, Period(date(2026, 7, 1), date(2026, 12, 31)))
    assert list(register["received_on"]) == [date(2026, 8, 1)]
    assert list(register["year_total"]) == [10_500]
    assert list(register["over_year_limit"]) == [True]


def test_a_report_filed_in_time_clears_the_year_flag_from_needs_action(session):
    for month in (2, 5, 8):
        _gift(session, date(2026, month, 10), 3000)
    _gift(session, date(2026, 11, 18), 1500, report_filed_on=date(2026, 11, 20))
    _gift(session, date(2026, 11, 19), 500)  # 11,500: no report yet, overdue on 11-26
    register = _register(session)
    assert list(register["ethics_status"])[3:] == ["on_time", "overdue"]
    action = needs_action(register)
    assert list(action["estimated_value"]) == [500]
    assert action["report_reasons"].iloc[0] == ("year",)


def test_year_totals_of_no_gifts_is_empty():
    empty = pd.DataFrame(columns=["donor", "recipient_official", "received_on", "estimated_value"])
    assert year_totals(empty).empty


def test_a_lower_limit_from_the_settings_applies(monkeypatch, session):
    monkeypatch.setenv("GIFT_SOCIAL_YEAR_LIMIT", "5000")
    _gift(session, date(2026, 4, 1), 2500)
    _gift(session, date(2026, 5, 1), 2501)
    register = gift_register(session, today=TODAY, settings=Settings())
    assert list(register["over_year_limit"]) == [False, True]
