"""員額統計 — the 工級 / 臨時人員 table and the reductions since the 2010 merger."""

import streamlit as st

from core import staffing
from core.labels import t
from core.roc_dates import format_roc
from ui.context import current_period, db_session, lang
from ui.editor import table_view
from ui.staffing_view import reduction_html, staffing_html
from ui.widgets import period_caption

lg = lang()
period = current_period()
st.title(t("page.staffing", lg))
period_caption(period)
with db_session() as session:
    snapshot = staffing.latest_snapshot(session, period.end)
    baseline = staffing.baseline_snapshot(session)
    now = staffing.staffing_table(session, snapshot) if snapshot else None
    base = staffing.staffing_table(session, baseline) if baseline else None

if now is None:
    st.info(t("fig.staffing.none", lg))
else:
    st.subheader(t("staff.table_title", lg))
    st.html(staffing_html(now, lg))
    if base is not None:
        st.subheader(t("staff.reduction", lg, baseline=format_roc(base.as_of, "long")))
        st.html(reduction_html(base, now, lg))

st.subheader(t("ui.snapshots", lg))
table_view("staffing_snapshot", None)
