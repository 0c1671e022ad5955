"""外賓接待紀錄 — the period's receptions of foreign visitors."""

import streamlit as st

from core import monthly
from core.charts import monthly_bars
from core.figures import visitor_figures
from core.labels import t
from db.models import VisitorCategory
from ui.context import current_period, db_session, lang
from ui.editor import table_view
from ui.widgets import figure_tiles, period_caption

lg = lang()
period = current_period()
st.title(t("page.visitors", lg))
period_caption(period)
with db_session() as session:
    figures = visitor_figures(session, period)
    by_month = monthly.receptions_by_month(session, period)
figure_tiles(figures, ["visitors.receptions", "visitors.video", "visitors.allies"])
if not by_month.empty:
    chart = monthly_bars(by_month, VisitorCategory, title_key="chart.receptions_by_month", lang=lg)
    st.altair_chart(chart)
st.subheader(t("ui.records", lg))
table_view("reception", period)
