"""員額統計 — the 工級 / 臨時人員 table, reductions since the 2010 merger, trend, agencies,
temp-staff reviews, and snapshots (copied from the latest, counts edited inline)."""

import streamlit as st

from core.editing.pipeline import can_edit
from core.i18n.labels import t
from core.kernel.roc_dates import long_date
from core.staffing import headcount as staffing
from core.staffing.charts import trend_chart, unit_chart
from ui import auth, record_card
from ui.charts import show_chart
from ui.context import current_period, db_session, lang
from ui.editor import table_view
from ui.staffing_view import (
    FLASH,
    copy_form,
    reduction_html,
    reduction_sentence,
    snapshot_picker,
    staffing_html,
    unit_table,
)
from ui.widgets import figure_tiles, period_caption, tabs

TILES = ["staffing.grand_total", "staffing.worker_total", "staffing.temp_total",
         "staffing.worker_reduction_pct", "staffing.temp_reduction_pct",
         "staffing.assistant_reduction_pct"]  # fmt: skip
REVIEW_TILES = ["staffing.review_meetings", "staffing.review_cases", "staffing.review_approved"]

lg = lang()
period = current_period()
st.title(t("page.staffing", lg))
period_caption(period)
record_card.linked_record("staffing")
flash = st.session_state.pop(FLASH, None)
if flash:
    st.success(flash)
with db_session() as session:
    snapshots = staffing.list_snapshots(session)
    default = staffing.latest_snapshot(session, period.end)
    reviews = staffing.review_figures(session, period)
# The picker's key follows the period, so a new period starts from its own latest snapshot.
picker_key = f"staffing.snapshot.{period.end}"
with st.columns([1, 2])[0]:
    chosen_id = snapshot_picker(snapshots, default.id if default else None, picker_key, lg)
with db_session() as session:
    chosen = staffing.get_snapshot(session, chosen_id) if chosen_id is not None else None
    baseline = staffing.baseline_snapshot(session)
    now = staffing.staffing_table(session, chosen) if chosen else None
    base = staffing.staffing_table(session, baseline) if baseline else None
    other = staffing.other_breakdown(session, chosen) if chosen else None
    units = staffing.headcount_by_unit(session, chosen) if chosen else None
    figures = staffing.snapshot_figures(session, chosen) if chosen else {}
if now is None:
    st.info(t("fig.staffing.none", lg))
else:
    if chosen is not None and chosen.is_estimate:
        st.warning(t("staff.estimate_warning", lg), icon=":material/help:")
    figure_tiles(figures, TILES)
    if base is not None:
        st.caption(t("staff.as_of_caption", lg, date=long_date(now.as_of, lg),
                     baseline=long_date(base.as_of, lg)))  # fmt: skip

table_tab, reduction_tab, trend_tab, review_tab, snapshot_tab = tabs(
    [t(f"staff.tab.{k}", lg) for k in ("table", "reduction", "trend", "review", "snapshots")],
    "staff.tabs",
)
with table_tab:
    if now is not None:
        st.subheader(t("staff.table_title", lg))
        st.html(staffing_html(now, lg, other))
with reduction_tab:
    if now is None or base is None:
        st.info(t("staff.no_baseline", lg))
    elif chosen.is_baseline:
        st.info(t("staff.baseline_chosen", lg))
    else:
        rows = staffing.reductions(base, now)
        st.subheader(t("staff.reduction", lg, baseline=long_date(base.as_of, lg)))
        st.html(reduction_html(rows, base, now, lg))
        st.markdown(reduction_sentence(rows, now, lg))
        st.caption(t("staff.rate_rule", lg))
with trend_tab:
    if trend_tab.open and not snapshots.empty:
        show_chart(trend_chart(snapshots, lg, now.as_of if now else None), key="staff.trend")
    if trend_tab.open and units is not None and not units.empty:
        # No anchor: Streamlit names one from a heading's Latin letters and digits only, and
        # this one and the counts' below (112年2月28日 員額明細) both got id="112-2-28".
        st.subheader(t("staff.units_title", lg, date=long_date(now.as_of, lg)), anchor=False)
        show_chart(unit_chart(units, lg, as_of=now.as_of), key="staff.units")
        unit_table(units, lg)
with review_tab:
    st.caption(t("staff.review_caption", lg))
    figure_tiles(reviews, REVIEW_TILES)
    table_view("temp_staff_review", period)
with snapshot_tab:
    if can_edit(auth.actor(), "staffing_count") and not snapshots.empty:
        st.subheader(t("staff.copy.title", lg))
        copy_form(snapshots.iloc[-1], picker_key, lg)
    if chosen is not None:
        st.subheader(t("staff.counts_title", lg, date=long_date(chosen.as_of, lg)), anchor=False)
        table_view("staffing_count", None, filters={"snapshot_id": [chosen.id]}, page_size=50)
    st.subheader(t("ui.snapshots", lg))
    table_view("staffing_snapshot", None)
