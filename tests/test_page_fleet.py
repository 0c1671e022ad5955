"""The fleet page: the report's figures, charts, filters, the 禮賓車 charge, downloads (AppTest)."""

from datetime import date

import pytest
from sqlmodel import Session
from streamlit.testing.v1 import AppTest

from core.fleet import usage as fleet
from core.kernel.config import get_settings
from db.engine import make_engine
from tests.apptest import editors, open_page, signed_in

PAGE = "pages/fleet_stats.py"
DOWNLOADS = {"fleet.statement.download", "fleet.report.download"}


def _open(at: AppTest) -> AppTest:
    return open_page(at, PAGE)


def _captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def _frame(at: AppTest, first_column: str):
    return next(f.value for f in at.dataframe if f.value.columns[0] == first_column)


def test_viewer_sees_figures_charts_and_downloads_but_no_editor(anonymous, accounts):
    at = _open(signed_in(anonymous, accounts, "t.viewer"))
    shown = {m.label: m.value for m in at.metric}
    trips = [shown[label] for label in ("公務車調派車次", "支援借用車次", "合計車次")]
    assert trips == ["770", "51", "821"]
    assert shown["平均使用率"].endswith("%")
    assert len(at.get("vega_lite_chart")) == 5  # trips and km per month, vehicles, use, agencies
    assert {d.key for d in at.get("download_button")} >= DOWNLOADS
    assert not editors(at)
    assert any(c.startswith("使用率＝") and "184 天" in c for c in _captions(at))
    assert any("只有借用 9 人座禮賓車" in c for c in _captions(at))
    usage = _frame(at, "車號")
    assert usage["車次"].sum() == 821


def test_fleet_lead_edits_trips_vehicles_and_drivers(anonymous, accounts):
    at = _open(signed_in(anonymous, accounts, "t.fleet"))
    assert len(editors(at)) == 3
    assert {d.key for d in at.get("download_button")} >= DOWNLOADS


def test_a_loan_trips_charge_adds_up(app):
    at = _open(app)
    picker = at.selectbox(key="fleet.charge.pick.zh-TW")
    assert len(picker.options) == 51
    picker.select_index(10).run()
    assert not at.exception
    amounts = _frame(at, "項目").set_index("項目")["金額（元）"]
    assert amounts["合計"] == amounts[["油資", "通行費", "停車費", "清潔費"]].sum()
    assert amounts["清潔費"] > 0
    assert any(f"應付 {amounts['合計']:,} 元" in s.value for s in at.success)


def test_the_statement_follows_the_chosen_month(app, accounts):
    at = _open(app)
    months = at.selectbox(key="fleet.statement.month.zh-TW").options
    assert (months[0], months[-1], len(months)) == ("111年7月", "112年3月", 9)
    at.selectbox(key="fleet.statement.month.zh-TW").set_value(date(2023, 1, 1)).run()
    assert not at.exception
    engine = make_engine(accounts)
    with Session(engine) as session:
        lines = fleet.vip_loan_charges(session, date(2023, 1, 1), get_settings().fuel_price)
    engine.dispose()
    total = sum(c.charge.total for c in lines)
    agencies = len({c.trip.requesting_agency for c in lines})
    summary = f"112年1月共 {len(lines)} 趟、{agencies} 個借用機關，合計 {total:,} 元。"
    assert summary in _captions(at), _captions(at)
    statement = _frame(at, "借用機關")
    assert statement.iloc[-1]["合計"] == total == statement.iloc[:-1]["合計"].sum()


def test_usage_report_preview_has_a_totals_row(app):
    at = _open(app)
    at.selectbox(key="fleet.report.month.zh-TW").set_value(date(2023, 1, 1)).run()
    assert not at.exception
    period, month = [f.value for f in at.dataframe if f.value.columns[0] == "車號"]
    assert period["車次"].sum() == 821  # the period's use per vehicle, on the analysis tab
    assert month.iloc[-1]["車號"] == "合計"
    for column in ("車次", "里程（公里）", "使用時數（小時）"):
        assert month.iloc[-1][column] == pytest.approx(month.iloc[:-1][column].sum())
    assert 0 < month.iloc[-1]["車次"] < 821


@pytest.mark.parametrize(("value", "total"), [("loan", "共 51 筆"), ("dispatch", "共 770 筆")])
def test_trip_type_filter_narrows_the_table(app, value, total):
    at = _open(app)
    at.multiselect(key="fleet.filter.trip_type.zh-TW").select(value).run()
    assert not at.exception
    assert total in _captions(at)
    assert [m.value for m in at.metric][:3] == ["770", "51", "821"]  # figures stay the period's


def test_vehicle_filters_find_the_vip_van(app):
    at = _open(app)
    at.multiselect(key="fleet.filter.kind.zh-TW").select("vip_van").run()
    assert not at.exception
    assert "共 1 筆" in _captions(at)
    at.button_group(key="fleet.filter.in_service.zh-TW").set_value("no").run()
    assert not at.exception
    assert "共 0 筆" in _captions(at)


def test_page_in_english(app):
    app.session_state["lang"] = "en"
    at = _open(app)
    assert at.title[0].value == "Fleet statistics"
    labels = [m.label for m in at.metric]
    assert labels[-1] == "Average utilisation"
    assert [tab.label for tab in at.tabs][:3] == ["Analysis", "Trips", "Vehicles"]
