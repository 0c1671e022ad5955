"""場地使用 — bookings of the 四維 and 鳳山 administrative centres' venues."""

import streamlit as st

from core import monthly
from core.charts import monthly_bars
from core.figures import venue_figures
from core.labels import t
from db.models import BookingKind
from ui.context import current_period, db_session, lang
from ui.editor import table_view
from ui.widgets import figure_tiles, period_caption

lg = lang()
period = current_period()
st.title(t("page.venues", lg))
period_caption(period)
with db_session() as session:
    figures = venue_figures(session, period)
    by_month = monthly.bookings_by_month(session, period)
figure_tiles(figures, ["venue.events_opened", "venue.meeting_bookings"])
st.altair_chart(monthly_bars(by_month, BookingKind, title_key="chart.bookings_by_month", lang=lg))

bookings_tab, venues_tab = st.tabs([t("ui.records", lg), t("ui.venue_list", lg)])
with bookings_tab:
    table_view("venue_booking", period)
with venues_tab:
    table_view("venue", None)
