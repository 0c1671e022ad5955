"""公務車統計 — trips, use per vehicle and agency, cars, drivers, 禮賓車 charges, reports."""

import streamlit as st

from core.figures.compute import fleet_figures
from core.fleet import usage as fleet
from core.fleet.charts import km_by_month_chart
from core.i18n.labels import t
from core.kernel import monthly
from core.kernel.charts import monthly_bars
from db.models import TripType
from ui import fleet_view, record_card
from ui.charts import show_chart
from ui.context import current_period, db_session, lang
from ui.editor import table_view
from ui.widgets import figure_tiles, period_caption

lg = lang()
period = current_period()
st.title(t("page.fleet", lg))
period_caption(period)
record_card.linked_record("fleet")
with db_session() as session:
    figures = fleet_figures(session, period)
    by_month = monthly.trips_by_month(session, period)
    usage = fleet.vehicle_usage(session, period)
    agencies = fleet.trips_by_agency(session, period, top=fleet_view.TOP_AGENCIES)
figures["fleet.utilisation_pct"] = fleet.fleet_utilisation(usage)
figure_tiles(
    figures,
    ["fleet.dispatch_trips", "fleet.loan_trips", "fleet.total_trips", "fleet.km",
     "fleet.utilisation_pct"],
)  # fmt: skip
if not by_month.empty:
    left, right = st.columns(2)
    trips_chart = monthly_bars(
        by_month, TripType, title_key="chart.trips_by_month", lang=lg, period=period,
        axis_key="chart.trips",
    )  # fmt: skip
    show_chart(trips_chart, key="fleet.trips_by_month", container=left)
    show_chart(km_by_month_chart(by_month, lg, period=period), key="fleet.km_by_month",
               container=right)  # fmt: skip

stats, trips, vehicles, drivers, charges, report = st.tabs(
    [t("fleet.tab.stats", lg), t("fleet.tab.trips", lg), t("ui.vehicle_list", lg),
     t("fleet.tab.drivers", lg), t("fleet.tab.charges", lg), t("fleet.tab.report", lg)]
)  # fmt: skip
with stats:
    fleet_view.statistics(period, usage, agencies)
with trips:
    st.caption(t("fleet.filter.hint", lg))
    table_view("trip", period, filters=fleet_view.trip_filters())
with vehicles:
    table_view("vehicle", None, filters=fleet_view.vehicle_filters())
with drivers:
    table_view("driver", None, filters=fleet_view.driver_filters())
with charges:
    fleet_view.charge_detail(period)
    st.divider()
    fleet_view.statement(period)
with report:
    fleet_view.usage_report(period)
