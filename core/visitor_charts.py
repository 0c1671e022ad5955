"""Altair charts of the visitor log: top visiting countries and who hosted the receptions."""

from __future__ import annotations

import altair as alt
import pandas as pd

from core.charts import PALETTE
from core.labels import t


def top_countries_chart(df: pd.DataFrame, lang: str) -> alt.Chart:
    """Horizontal bars, most receptions on top (df: country, count from top_countries)."""
    return (
        alt.Chart(df, title=t("vis.chart.top_countries", lang))
        .mark_bar(color=PALETTE[0])
        .encode(
            y=alt.Y("country:N", title=None, sort="-x", axis=alt.Axis(labelLimit=220)),
            x=alt.X("count:Q", title=t("chart.count", lang), axis=alt.Axis(tickMinStep=1)),
            tooltip=[
                alt.Tooltip("country:N", title=t("vis.chart.country", lang)),
                alt.Tooltip("count:Q", title=t("chart.count", lang)),
            ],
        )
        .properties(height=alt.Step(24))
    )


def host_share_chart(df: pd.DataFrame, lang: str) -> alt.Chart:
    """A donut of receptions hosted by the mayor, a deputy mayor and others (from host_shares)."""
    data = df.copy()
    data["label"] = data["kind"].map(lambda k: t(f"vis.host.{k}", lang))
    order = [t(f"vis.host.{k}", lang) for k in data["kind"]]
    return (
        alt.Chart(data, title=t("vis.chart.hosts", lang))
        .mark_arc(innerRadius=55)
        .encode(
            theta=alt.Theta("count:Q", stack=True),
            color=alt.Color(
                "label:N", title=None, sort=order, scale=alt.Scale(domain=order, range=PALETTE)
            ),
            tooltip=[
                alt.Tooltip("label:N", title=t("vis.chart.hosts", lang)),
                alt.Tooltip("count:Q", title=t("chart.count", lang)),
                alt.Tooltip("share_pct:Q", title=t("vis.chart.share", lang), format=".2f"),
            ],
        )
        .properties(height=260)
    )
