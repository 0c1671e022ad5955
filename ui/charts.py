"""Show a chart in the house style with its PNG and SVG downloads (every page's charts)."""

from __future__ import annotations

from typing import Any

import altair as alt
import streamlit as st

from core.charts import chart_stem, to_png, to_svg
from core.labels import t
from ui.context import lang


def show_chart(
    chart: alt.TopLevelMixin, *, key: str, container: Any = st, stem: str | None = None
) -> None:
    """The chart across the container's width, then a row of two download buttons.

    key names the chart on the page (widget keys, and the file name unless stem is given:
    the key plus the chart's period, e.g. fleet_trips_by_month_2022-07-01_2023-03-15.png).
    The images are drawn only when a button is pressed, not on every rerun.
    """
    lg = lang()
    # theme=None keeps the house config; Streamlit's own theme would replace it.
    container.altair_chart(chart, theme=None, width="stretch")
    name = stem or chart_stem(chart, key)
    row = container.container(horizontal=True, gap="small")
    row.download_button(
        t("chart.download.png", lg), data=lambda: to_png(chart), file_name=f"{name}.png",
        mime="image/png", key=f"{key}.png", on_click="ignore", icon=":material/image:",
        help=t("chart.download.png_help", lg), type="tertiary",
    )  # fmt: skip
    row.download_button(
        t("chart.download.svg", lg), data=lambda: to_svg(chart), file_name=f"{name}.svg",
        mime="image/svg+xml", key=f"{key}.svg", on_click="ignore", icon=":material/draw:",
        help=t("chart.download.svg_help", lg), type="tertiary",
    )  # fmt: skip
