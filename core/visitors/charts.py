"""Altair charts of the visitor log: top visiting countries and who hosted the receptions."""

from __future__ import annotations

import altair as alt
import pandas as pd

from core.i18n.countries import country_name
from core.i18n.labels import t
from core.kernel.chart_memo import memo_chart
from core.kernel.charts import titled
from core.kernel.periods import Period


@memo_chart
def top_countries_chart(df: pd.DataFrame, lang: str, *, period: Period) -> alt.Chart:
    """Horizontal bars, most receptions on top (df: country, count from top_countries); the
    countries named in the chart's language."""
    data = df.assign(country=df["country"].map(lambda c: country_name(c, lang)))
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("country:N", title=None, sort="-x", axis=alt.Axis(labelLimit=220)),
            x=alt.X(
                "count:Q", title=t("chart.count", lang), axis=alt.Axis(tickMinStep=1, format="d")
            ),
            tooltip=[
                alt.Tooltip("country:N", title=t("vis.chart.country", lang)),
                alt.Tooltip("count:Q", title=t("chart.count", lang)),
            ],
        )
        .properties(height=alt.Step(24))
    )
    return titled(chart, t("vis.chart.top_countries", lang), lang=lang, period=period)


@memo_chart
def host_share_chart(df: pd.DataFrame, lang: str, *, period: Period) -> alt.Chart:
    """A donut of receptions hosted by the mayor, a deputy mayor and others (from host_shares)."""
    data = df.copy()
    data["label"] = data["kind"].map(lambda k: t(f"vis.host.{k}", lang))
    order = [t(f"vis.host.{k}", lang) for k in data["kind"]]
    chart = (
        alt.Chart(data)
        .mark_arc(innerRadius=55)
        .encode(
            theta=alt.Theta("count:Q", stack=True),
            color=alt.Color("label:N", title=None, sort=order, scale=alt.Scale(domain=order)),
            tooltip=[
                alt.Tooltip("label:N", title=t("vis.chart.hosts", lang)),
                alt.Tooltip("count:Q", title=t("chart.count", lang)),
                alt.Tooltip("share_pct:Q", title=t("vis.chart.share", lang), format=".2f"),
            ],
        )
        .properties(height=260)
    )
    return titled(chart, t("vis.chart.hosts", lang), lang=lang, period=period)
