"""Which gifts received need a report to 政風, and whether it was made within 3 days."""

from datetime import date, timedelta

import pytest
from sqlmodel import Session

from core.gifts.ethics import (
    EthicsStatus,
    ReportReason,
    ethics_status,
    gift_register,
    needs_action,
    needs_report,
    report_due,
    report_made_on,
    report_reasons,
    value_band,
)
from core.kernel.config import Settings
from db.models import GiftReceived
from db.seed.common import RECENT_VISIT

S = Settings()
# A fixed day: these rules are pure functions of the dates they are given (the demo's own
# received gift moves with today).
RECEIVED = date(2026, 11, 18)


@pytest.mark.parametrize(
    ("value", "expected"), [(2999, False), (3000, False), (3001, True), (6800, True)]
)
def test_above_the_social_limit_needs_a_report_whoever_gives(value, expected):
    assert needs_report(value, has_interest=False, courtesy=True, settings=S) is expected
    assert needs_report(value, has_interest=False, courtesy=False, settings=S) is expected


@pytest.mark.parametrize(("value", "expected"), [(499, False), (500, False), (501, True)])
def test_from_a_party_with_interests_above_500_needs_a_report(value, expected):
    assert needs_report(value, has_interest=True, courtesy=False, settings=S) is expected


@pytest.mark.parametrize("value", [499, 500, 501, 2999, 3000])
def test_official_courtesy_from_a_party_with_interests_up_to_3000_needs_none(value):
    assert not needs_report(value, has_interest=True, courtesy=True, settings=S)


def test_thresholds_are_settings(monkeypatch):
    monkeypatch.setenv("GIFT_SOCIAL_LIMIT", "2000")
    monkeypatch.setenv("GIFT_INTEREST_LIMIT", "1000")
    monkeypatch.setenv("GIFT_REPORT_DAYS", "5")
    local = Settings()
    assert needs_report(2001, False, True, local) and not needs_report(2000, False, True, local)
    assert not needs_report(1000, True, False, local) and needs_report(1001, True, False, local)
    assert report_due(RECEIVED, local) == date(2026, 11, 23)


def _status(notified: date | None, today: date, value: int = 6800) -> EthicsStatus:
    return ethics_status(RECEIVED, value, False, True, notified, today, S)


def test_day_3_is_on_time_and_day_4_is_late():
    assert report_due(RECEIVED, S) == date(2026, 11, 21)
    assert _status(date(2026, 11, 21), date(2026, 11, 26)) is EthicsStatus.ON_TIME
    assert _status(date(2026, 11, 22), date(2026, 11, 26)) is EthicsStatus.LATE
    assert _status(RECEIVED, RECEIVED) is EthicsStatus.ON_TIME


def test_without_notice_pending_until_day_3_then_overdue():
    assert _status(None, date(2026, 11, 21)) is EthicsStatus.PENDING
    assert _status(None, date(2026, 11, 22)) is EthicsStatus.OVERDUE
    assert _status(None, date(2026, 11, 26), value=3000) is EthicsStatus.NOT_REQUIRED


@pytest.mark.parametrize(
    ("value", "band"),
    [(0, "low"), (499, "low"), (500, "mid"), (3000, "mid"), (3001, "high")],
)
def test_value_bands(value, band):
    assert value_band(value, S) == band


def _gift(session: Session, value: int, notified: date | None, day: int = 18, **kw) -> None:
    session.add(
        GiftReceived(
            received_on=date(2026, 11, day),
            # a source of its own, so that the yearly total from one source stays out of the way
            donor=f"某國政府 {value}-{day}",
            recipient_official="陳其邁",
            description=f"紀念品 {value}",
            estimated_value=value,
            ethics_notified_on=notified,
            **kw,
        )
    )
    session.commit()


def test_register_and_needs_action_from_the_database(session):
    _gift(session, 6800, None)  # overdue
    _gift(session, 4000, None, day=24)  # pending (due 11-27)
    _gift(session, 5000, date(2026, 11, 19))  # on time
    _gift(session, 800, None)  # no report needed
    register = gift_register(session, today=date(2026, 11, 26), settings=S)
    assert list(register["ethics_status"]) == ["overdue", "on_time", "not_required", "pending"]
    action = needs_action(register)
    assert list(action["estimated_value"]) == [6800, 4000]


def test_a_report_date_alone_counts_and_the_earlier_date_decides():
    def status(filed, notified):
        return ethics_status(RECEIVED, 6800, False, True, notified, date(2026, 11, 26), S,
                             filed_on=filed)  # fmt: skip

    assert status(date(2026, 11, 20), None) is EthicsStatus.ON_TIME
    assert status(date(2026, 11, 21), date(2026, 11, 24)) is EthicsStatus.ON_TIME
    assert status(date(2026, 11, 24), date(2026, 11, 21)) is EthicsStatus.ON_TIME
    assert status(date(2026, 11, 22), date(2026, 11, 25)) is EthicsStatus.LATE
    assert status(None, None) is EthicsStatus.OVERDUE
    assert report_made_on(date(2026, 11, 22), date(2026, 11, 20)) == date(2026, 11, 20)
    assert report_made_on(None, None) is None


def test_reasons_name_each_rule_that_applies():
    assert report_reasons(3001, False, True, S) == (ReportReason.SOCIAL,)
    assert report_reasons(501, True, False, S) == (ReportReason.INTEREST,)
    assert report_reasons(3001, True, False, S, year_total=10_001) == (
        ReportReason.SOCIAL, ReportReason.INTEREST, ReportReason.YEAR,
    )  # fmt: skip
    assert report_reasons(800, False, True, S, year_total=10_000) == ()


def test_returns_not_recorded_need_action_after_the_reports(session):
    _gift(session, 6800, None)  # overdue
    _gift(session, 800, None, disposition="returned", day=10)  # return to record
    _gift(session, 800, None, disposition="returned", returned_on=date(2026, 11, 12))
    _gift(session, 4000, None, disposition="returned", day=24)  # pending report and return
    _gift(session, 5000, date(2026, 11, 19), report_filed_on=date(2026, 11, 19))  # done
    register = gift_register(session, today=date(2026, 11, 26), settings=S)
    # oldest first: 800 (11-10), 6800, 800 returned, 5000 (all 11-18), 4000 (11-24)
    assert list(register["return_pending"]) == [True, False, False, False, True]
    assert list(register["returned_on"])[2] == date(2026, 11, 12)
    action = needs_action(register)
    assert list(action["estimated_value"]) == [6800, 4000, 800]
    assert list(action["ethics_status"]) == ["overdue", "pending", "not_required"]
    assert list(action["return_pending"]) == [False, True, True]


def test_demo_gift_of_the_latest_visit_is_overdue(demo_engine):
    with Session(demo_engine) as session:
        register = gift_register(session, today=RECENT_VISIT + timedelta(days=8), settings=S)
    action = needs_action(register)
    overdue = action[action["ethics_status"] == "overdue"]
    assert RECENT_VISIT in set(overdue["received_on"])
    assert 6800 in set(overdue["estimated_value"])


def test_demo_register_has_returns_report_dates_and_a_year_over_the_limit(demo_engine):
    with Session(demo_engine) as session:
        register = gift_register(session, today=RECENT_VISIT + timedelta(days=8), settings=S)
    returned = register[register["disposition"] == "returned"]
    assert returned["returned_on"].notna().any()  # one went back and its day is recorded
    pending = register[register["return_pending"]]
    assert list(pending["description"]) == ["茶葉禮盒"]
    assert pending["description"].iloc[0] in set(needs_action(register)["description"])
    reported = register[register["ethics_status"] != "not_required"]
    assert reported["report_filed_on"].notna().sum() == len(reported) - 1  # all but the overdue
    assert register["over_year_limit"].any()  # 韓國大田廣域市 in 2017: NT$11,500 in one day


def test_value_band_counts_keep_every_band():
    import pandas as pd

    from core.gifts.charts import value_band_counts

    counts = value_band_counts(pd.Series([100, 499, 500, 3000, 3001]))
    assert counts.to_dict("list") == {"band": ["low", "mid", "high"], "count": [2, 2, 1]}
    empty = value_band_counts(pd.Series([], dtype=int))
    assert list(empty["count"]) == [0, 0, 0]


def test_gift_flows_count_received_gifts_and_items_given_by_month_and_country(session):
    from core.gifts.stock import gift_flows
    from core.kernel.periods import Period
    from db.models import GiftItem, GiftMovement, PartnerCity

    _gift(session, 6800, None)
    city = PartnerCity(
        name_zh="熊本市", name_original="熊本市", name_en="Kumamoto", country="日本",
        country_code="JP", region="亞洲", tie_type="friendship", signed_on=date(2017, 1, 1),
        latitude=32.8, longitude=130.7, timezone="Asia/Tokyo",
    )  # fmt: skip
    item = GiftItem(name="高雄熊抱枕")
    session.add_all([city, item])
    session.commit()
    for day, qty, city_id in [(3, 5, city.id), (20, 2, None)]:
        session.add(
            GiftMovement(
                item_id=item.id, moved_on=date(2026, 10, day), direction="out",
                quantity=qty, city_id=city_id,
            )
        )  # fmt: skip
    session.add(
        GiftMovement(item_id=item.id, moved_on=date(2026, 10, 1), direction="in", quantity=9)
    )
    session.commit()
    flows = gift_flows(session, Period(date(2026, 10, 1), date(2026, 11, 30)))
    got = {(r.flow, r.month, r.country): r.count for r in flows.itertuples()}
    assert got == {
        ("given", date(2026, 10, 1), "日本"): 5,
        ("given", date(2026, 10, 1), ""): 2,
        ("received", date(2026, 11, 1), ""): 1,
    }
