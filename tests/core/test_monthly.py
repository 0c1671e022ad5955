"""Monthly counts are computed in SQL and add up to the period's figures on every backend."""

from datetime import date

from sqlmodel import Session

from core.kernel import monthly
from core.kernel.charts import monthly_bars
from core.kernel.periods import REPORT_PERIOD, Period
from db.models import BookingKind, TripType


def test_monthly_bookings_add_up_to_the_report(demo_engine):
    with Session(demo_engine) as session:
        df = monthly.bookings_by_month(session, REPORT_PERIOD)
    totals = df.groupby("kind")["count"].sum()
    assert totals["event"] == 207 and totals["meeting"] == 2041
    assert df["month"].min() == df["month"].min().replace(year=2022, month=7, day=1)
    assert len(df["month"].unique()) == 9  # 2022-07 … 2023-03


def test_monthly_trips_add_up_to_821(demo_engine):
    with Session(demo_engine) as session:
        df = monthly.trips_by_month(session, REPORT_PERIOD)
    assert df["count"].sum() == 821
    assert df.loc[df["kind"] == "loan", "count"].sum() == 51


def test_an_empty_period_gives_an_empty_frame_and_a_chart(demo_engine):
    with Session(demo_engine) as session:
        empty = Period(date(2011, 6, 1), date(2011, 6, 2))
        df = monthly.trips_by_month(session, empty)
    assert df.empty
    chart = monthly_bars(df, TripType, title_key="chart.trips_by_month", lang="zh-TW", period=empty)
    assert chart.to_dict()


def test_chart_labels_are_roc_months_and_zh_kinds(demo_engine):
    with Session(demo_engine) as session:
        df = monthly.bookings_by_month(session, REPORT_PERIOD)
    spec = monthly_bars(
        df, BookingKind, title_key="chart.bookings_by_month", lang="zh-TW", period=REPORT_PERIOD
    )
    values = spec.to_dict()["datasets"]
    rows = next(iter(values.values()))
    assert {r["roc_month"] for r in rows} >= {"111/07", "112/03*"}  # * only to 3/15
    assert {r["kind_label"] for r in rows} == {"活動", "會議"}
