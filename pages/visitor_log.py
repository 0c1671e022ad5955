"""外賓接待紀錄 — receptions of the period, charts, overdue follow-ups, one reception in detail."""

import streamlit as st

from core.figures.compute import visitor_figures
from core.i18n.labels import t
from core.kernel import monthly
from core.kernel.charts import monthly_bars
from core.visitors import receptions as visitors
from core.visitors.charts import host_share_chart, top_countries_chart
from db.models import VisitorCategory
from ui import record_card, visitors_view
from ui.charts import show_chart
from ui.context import current_period, db_session, lang
from ui.editor import table_view
from ui.widgets import figure_tiles, period_caption

lg = lang()
period = current_period()
st.title(t("page.visitors", lg))
period_caption(period)
linked = record_card.linked_record("visitors")
with db_session() as session:
    figures = visitor_figures(session, period)
    by_month = monthly.receptions_by_month(session, period)
    countries = visitors.top_countries(session, period)
    hosts = visitors.host_shares(session, period)
figure_tiles(
    figures, ["visitors.receptions", "visitors.video", "visitors.allies", "visitors.abroad"]
)
if not by_month.empty:
    chart = monthly_bars(
        by_month, VisitorCategory, title_key="chart.receptions_by_month", lang=lg, period=period
    )
    show_chart(chart, key="vis.receptions_by_month")
    left, right = st.columns([3, 2])
    show_chart(top_countries_chart(countries, lg, period=period), key="vis.top_countries",
               container=left)  # fmt: skip
    show_chart(host_share_chart(hosts, lg, period=period), key="vis.hosts", container=right)

with st.expander(t("vis.overdue", lg), icon=":material/alarm:", expanded=True):
    visitors_view.overdue_list()

st.subheader(t("ui.records", lg))
st.caption(t("vis.filter.hint", lg))
filters = visitors_view.filters()
table_view("reception", period, filters=filters)

st.subheader(t("vis.detail", lg))
opened = linked[1] if linked is not None and linked[0] == "reception" else None
chosen = visitors_view.pick_reception(period, filters, opened)
if chosen is not None:
    visitors_view.detail(chosen)
