"""Chart builders return the chart built before for the same inputs, and a new one as soon as
any input (a frame's cell, the language, the period) differs (core.kernel.chart_memo)."""

from datetime import date

import pandas as pd
import pytest

from core.fleet.charts import km_by_month_chart
from core.kernel import chart_memo
from core.kernel.periods import REPORT_PERIOD, Period
from db.models import TripType


@pytest.fixture(autouse=True)
def _empty():
    chart_memo.clear()
    yield
    chart_memo.clear()


def _by_month(km: int = 1200) -> pd.DataFrame:
    return pd.DataFrame(
        {"month": [date(2022, 7, 1), date(2022, 8, 1)], "kind": [TripType.DISPATCH] * 2,
         "km": [km, 1500]}
    )  # fmt: skip


def test_the_same_data_gives_the_same_chart_and_any_change_a_new_one():
    first = km_by_month_chart(_by_month(), "zh-TW", period=REPORT_PERIOD)
    assert km_by_month_chart(_by_month(), "zh-TW", period=REPORT_PERIOD) is first
    changed_cell = km_by_month_chart(_by_month(1201), "zh-TW", period=REPORT_PERIOD)
    english = km_by_month_chart(_by_month(), "en", period=REPORT_PERIOD)
    other = Period(date(2022, 7, 1), date(2022, 12, 31))
    other_period = km_by_month_chart(_by_month(), "zh-TW", period=other)
    charts = [first, changed_cell, english, other_period]
    assert len({id(c) for c in charts}) == 4
    assert changed_cell.to_dict() != first.to_dict()
    # What is kept is what the builder makes: the same spec as an uncached build.
    fresh = km_by_month_chart.uncached(_by_month(), "zh-TW", period=REPORT_PERIOD)
    assert fresh.to_dict() == first.to_dict()


def test_fingerprints_read_frames_by_content_and_refuse_what_they_cannot_read():
    fp = chart_memo.fingerprint
    assert fp(_by_month()) == fp(_by_month())
    assert fp(_by_month()) != fp(_by_month().rename(columns={"km": "公里"}))
    assert fp(_by_month()) != fp(_by_month().astype({"km": "float64"}))
    assert fp([1, "a"]) != fp(("1", "a"))
    assert fp(TripType) == fp(TripType) != fp(Period)
    with pytest.raises(chart_memo.Unreadable):
        fp(pd.DataFrame({"cell": [[1, 2]]}))  # a cell holding a list
    with pytest.raises(chart_memo.Unreadable):
        fp(object())


def test_an_unreadable_argument_builds_afresh_and_the_store_is_bounded(monkeypatch):
    built = []

    @chart_memo.memo_chart
    def build(data, lang):
        built.append(lang)
        return object()

    assert build(object(), "zh-TW") is not build(object(), "zh-TW")
    assert len(built) == 2
    monkeypatch.setattr(chart_memo, "SIZE", 3)
    for i in range(5):
        build(i, "zh-TW")
    assert len(chart_memo._kept) == 3
    build(4, "zh-TW")  # the newest is kept
    assert len(built) == 7
    build(0, "zh-TW")  # the oldest was dropped: built again
    assert len(built) == 8
