"""姊妹市行事曆 — partner cities and the period's exchange events."""

import streamlit as st

from core.figures import exchange_figures
from core.labels import t
from ui.context import current_period, db_session, lang
from ui.editor import table_view
from ui.widgets import figure_tiles, period_caption

lg = lang()
period = current_period()
st.title(t("page.calendar", lg))
period_caption(period)
with db_session() as session:
    figures = exchange_figures(session, period)
figure_tiles(figures, ["exchange.events"])

events_tab, cities_tab = st.tabs([t("ui.records", lg), t("ui.cities", lg)])
with events_tab:
    table_view("exchange_event", period)
with cities_tab:
    table_view("partner_city", None)
