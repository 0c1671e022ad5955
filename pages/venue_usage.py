"""場地使用 — bookings of the 四維 and 鳳山 administrative centres' venues."""

import streamlit as st

from core.figures import venue_figures
from core.labels import t
from ui.context import current_period, db_session, lang
from ui.widgets import figure_tiles, period_caption, record_table

lg = lang()
period = current_period()
st.title(t("page.venues", lg))
period_caption(period)
with db_session() as session:
    figures = venue_figures(session, period)
figure_tiles(figures, ["venue.events_opened", "venue.meeting_bookings"])

bookings_tab, venues_tab = st.tabs([t("ui.records", lg), t("ui.venue_list", lg)])
with bookings_tab:
    record_table("venue_booking", period)
with venues_tab:
    record_table("venue", None)
