"""禮品管理 — stock on hand, movements and the register of gifts received."""

import streamlit as st

from core.gifts.charts import (
    flows_by_country_chart,
    flows_by_month_chart,
    stock_chart,
    value_band_chart,
    value_band_counts,
)
from core.gifts.ethics import gift_register, needs_action, today_taipei
from core.gifts.register import register_workbook
from core.gifts.stock import gift_figures, gift_flows, stock_history, stock_levels
from core.i18n.labels import enum_options, t
from core.kernel.file_names import file_stem
from db.models import MovementDirection
from ui import record_card
from ui.charts import show_chart
from ui.context import current_period, db_session, lang
from ui.editor import table_view
from ui.gifts_view import needs_action_list, register_table
from ui.widgets import figure_tiles, per_language, period_caption, plain

lg = lang()
period = current_period()
st.title(t("page.gifts", lg))
period_caption(period)
record_card.linked_record("gifts")
with db_session() as session:
    figures = gift_figures(session, period)
    stock = stock_levels(session)
    history = stock_history(session)
    register = gift_register(session)
    flows = gift_flows(session, period)
figure_tiles(figures, ["gifts.received", "gifts.given_out", "gifts.relief_out"])
if not flows.empty:
    # One panel per flow, each with its own axis: full width, one chart under the other.
    show_chart(flows_by_month_chart(flows, lg, period=period), key="gift.flows_by_month")
    show_chart(flows_by_country_chart(flows, lg, period=period), key="gift.flows_by_country")

stock_tab, moves_tab, received_tab = st.tabs(
    [t("ui.gift_stock", lg), t("ui.gift_movements", lg), t("ui.gift_register", lg)]
)
with stock_tab:
    for item in stock[stock["low"]].itertuples():
        st.warning(plain(
            t("ui.low_stock", lg, name=item.name, on_hand=item.on_hand, threshold=item.threshold)
        ))  # fmt: skip
    st.dataframe(
        stock.drop(columns=["id", "low"]).rename(
            columns={"name": t("col.name", lg), "unit": t("col.unit", lg),
                     "threshold": t("col.low_stock_threshold", lg), "on_hand": t("ui.on_hand", lg),
                     "estimated": t("ui.stock_estimated", lg)}
        ),
        hide_index=True, placeholder="",
    )  # fmt: skip
    if stock["estimated"].any():
        st.caption(t("ui.stock_estimated_note", lg))
    if not history.empty:
        show_chart(stock_chart(history, lg, as_of=today_taipei()), key="gift.stock")
with moves_tab:
    names = dict(zip(stock["id"], stock["name"], strict=True))
    left, right = st.columns(2)
    items = left.multiselect(
        t("gift.filter.item", lg),
        list(names),
        format_func=names.get,
        key=per_language("gift.filter.item"),
        placeholder=t("gift.filter.all", lg),
    )
    directions = enum_options(MovementDirection, lg)
    chosen = right.multiselect(
        t("gift.filter.direction", lg),
        list(directions),
        format_func=directions.get,
        placeholder=t("gift.filter.all", lg),
        key=per_language("gift.filter.direction"),
    )
    table_view("gift_movement", period, filters={"item_id": items, "direction": chosen})


def _register_xlsx() -> bytes:
    with db_session() as session:
        return register_workbook(session, period)


with received_tab:
    needs_action_list(needs_action(register), lg)
    st.download_button(
        t("gift.download", lg),
        data=_register_xlsx,
        file_name=f"{file_stem('gift_register', period)}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key="gift.download",
    )
    register_table(register, lg)
    show_chart(
        value_band_chart(value_band_counts(register["estimated_value"]), lg), key="gift.bands"
    )
    table_view("gift_received", period)
