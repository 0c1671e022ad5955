"""禮品管理 — stock on hand, movements and the register of gifts received."""

import streamlit as st

from core.gifts import gift_figures, stock_levels
from core.labels import t
from ui.context import current_period, db_session, lang
from ui.editor import table_view
from ui.widgets import figure_tiles, period_caption

lg = lang()
period = current_period()
st.title(t("page.gifts", lg))
period_caption(period)
with db_session() as session:
    figures = gift_figures(session, period)
    stock = stock_levels(session)
figure_tiles(figures, ["gifts.received", "gifts.given_out"])

stock_tab, moves_tab, received_tab = st.tabs(
    [t("ui.gift_stock", lg), t("ui.gift_movements", lg), t("ui.gift_register", lg)]
)
with stock_tab:
    for item in stock[stock["low"]].itertuples():
        st.warning(
            t("ui.low_stock", lg, name=item.name, on_hand=item.on_hand, threshold=item.threshold)
        )
    st.dataframe(
        stock.drop(columns=["id", "low"]).rename(
            columns={"name": t("col.name", lg), "unit": t("col.unit", lg),
                     "threshold": t("col.low_stock_threshold", lg), "on_hand": t("ui.on_hand", lg)}
        ),
        hide_index=True,
    )  # fmt: skip
with moves_tab:
    table_view("gift_movement", period)
with received_tab:
    table_view("gift_received", period)
