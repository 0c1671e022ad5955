"""公務車統計 — dispatch and loan trips of the central car pool."""

import streamlit as st

from core import monthly
from core.charts import monthly_bars
from core.figures import fleet_figures
from core.labels import t
from db.models import TripType
from ui.context import current_period, db_session, lang
from ui.editor import table_view
from ui.widgets import figure_tiles, period_caption

lg = lang()
period = current_period()
st.title(t("page.fleet", lg))
period_caption(period)
with db_session() as session:
    figures = fleet_figures(session, period)
    by_month = monthly.trips_by_month(session, period)
figure_tiles(figures, ["fleet.dispatch_trips", "fleet.loan_trips", "fleet.total_trips", "fleet.km"])
st.altair_chart(monthly_bars(by_month, TripType, title_key="chart.trips_by_month", lang=lg))

trips_tab, vehicles_tab = st.tabs([t("ui.records", lg), t("ui.vehicle_list", lg)])
with trips_tab:
    table_view("trip", period)
with vehicles_tab:
    table_view("vehicle", None)
