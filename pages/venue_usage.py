"""場地使用 — the 四維 and 鳳山 centres' venues: schedule and booking, charts, records, venues."""

import streamlit as st

from core.figures.compute import venue_figures
from core.i18n.labels import t
from ui import record_card, venue_booking_form, venues_view
from ui.context import current_period, db_session, lang
from ui.editor import table_view
from ui.widgets import figure_tiles, period_caption, tabs

lg = lang()
period = current_period()
st.title(t("page.venues", lg))
period_caption(period)
record_card.linked_record("venues")
with db_session() as session:
    figures = venue_figures(session, period)
figure_tiles(
    figures,
    [
        "venue.events_opened",
        "venue.meeting_bookings",
        "venue.booked_hours",
        "venue.utilisation_pct",
    ],
)

schedule_tab, charts_tab, bookings_tab, venues_tab = tabs(
    [t(f"ven.tab.{tab}", lg) for tab in ("schedule", "charts", "bookings", "venues")], "ven.tabs"
)
with schedule_tab:
    venue_id, day = venues_view.schedule()
    venue_booking_form.booking_form(venue_id, day)  # only for those who may edit bookings
with charts_tab:
    if charts_tab.open:
        venues_view.charts(period)
with bookings_tab:
    table_view("venue_booking", period, filters=venues_view.booking_filters())
with venues_tab:
    table_view("venue", None, filters=venues_view.venue_filters())
