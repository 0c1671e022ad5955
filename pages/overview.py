"""總覽 — what needs the bureau today and this week, the period's figures, recent changes."""

import streamlit as st

from core.i18n.labels import t
from core.kernel.holidays import holiday_name
from core.kernel.roc_dates import format_date
from core.visitors.receptions import taipei_today
from ui import auth, overview_view
from ui.context import current_period, lang
from ui.widgets import period_caption

lg = lang()
today = taipei_today()
st.title(t("page.overview", lg))
st.caption(
    t("ov.today", lg, date=format_date(today, lg), weekday=t(f"ven.wd.{today.weekday()}", lg))
)
if holiday := holiday_name(today, lg):
    st.info(t("ov.today_holiday", lg, name=holiday), icon=":material/beach_access:")

overview_view.to_do(today, lg)
st.subheader(t("ov.today_heading", lg))
overview_view.today_panel(today, lg)
overview_view.week_and_dates(today, lg)

period = current_period()
st.subheader(t("ov.figures", lg))
period_caption(period)
overview_view.headline(period, lg)

overview_view.changes(auth.actor(), lg)
