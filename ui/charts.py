"""Show a chart in the house style with its PNG and SVG downloads (every page's charts)."""

from __future__ import annotations

import functools
from typing import Any

import altair as alt
import streamlit as st
from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec

from core.i18n.labels import t
from core.kernel.charts import chart_stem, to_png, to_svg
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
    container.vega_lite_chart(spec=_spec(chart), theme=None, width="stretch")
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


SPEC = "_workspace_vega_lite"  # where a chart keeps the spec made from it


def _spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """The Vega-Lite spec st.altair_chart would send, made once per chart object: the chart
    builders return the same chart for the same data (core.kernel.chart_memo), so a rerun
    skips Altair's to_dict and the Arrow conversion of the chart's data. Made by Streamlit's
    own conversion (the data as named Arrow datasets), kept on the instance past Altair's
    __setattr__; a shallow copy goes out, as Streamlit moves the datasets out of the dict."""
    spec = chart.__dict__.get(SPEC)
    if spec is None:
        spec = _convert_altair_to_vega_lite_spec(_unvalidated(chart))
        object.__setattr__(chart, SPEC, spec)
    return dict(spec)


def _unvalidated(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The chart, its to_dict() skipping Altair's JSON-schema validation.

    Streamlit calls chart.to_dict() on every rerun, and validating the spec costs 15–25 ms a
    chart (a page shows up to six). The house charts are validated where they are built and
    tested (tests/core/test_chart_theme.py and the chart builders' tests call to_dict() with
    validation). Set on the instance, past Altair's __setattr__ (which would store it as a
    chart property); the class and every other chart keep validating.
    """
    skip = functools.partial(type(chart).to_dict, chart, validate=False)
    object.__setattr__(chart, "to_dict", skip)
    return chart
