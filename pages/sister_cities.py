"""姊妹市行事曆 — calendar of exchanges and tie anniversaries, partner cities, charts."""

import streamlit as st

from core.figures.compute import exchange_figures
from core.i18n.labels import t
from ui import calendar_view, ics_view, record_card
from ui.context import current_period, db_session, lang
from ui.editor import table_view
from ui.widgets import figure_tiles, period_caption, tabs

lg = lang()
period = current_period()
st.title(t("page.calendar", lg))
period_caption(period)
record_card.linked_record("calendar")
with db_session() as session:
    figures = exchange_figures(session, period)
figure_tiles(figures, ["exchange.events", "exchange.other_events"])

cal_tab, coming_tab, cities_tab, charts_tab, events_tab = tabs([
    t("cal.tab.calendar", lg), t("cal.tab.coming", lg), t("cal.tab.directory", lg),
    t("cal.tab.charts", lg), t("ui.records", lg),
], "cal.tabs")  # fmt: skip
with db_session() as session:
    with cal_tab:
        ics_view.download_popover(period, lg)
        calendar_view.calendar_panel(session, period, lg)
    with coming_tab:
        calendar_view.coming_up_panel(session, lg)
    with cities_tab:
        filters = calendar_view.directory_panel(session, lg)
        st.subheader(t("ui.cities", lg))
        table_view("partner_city", None, filters=filters)
    with charts_tab:
        if charts_tab.open:
            calendar_view.charts_panel(session, period, lg)
with events_tab:
    table_view("exchange_event", period)
