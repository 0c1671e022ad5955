"""Altair charts for the sister-city calendar page (same style as core.charts)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from core.charts import PALETTE, monthly_bars
from core.labels import t
from db.models import EventKind


def exchanges_chart(df: pd.DataFrame, lang: str) -> alt.Chart:
    """Stacked monthly bars of exchange events by kind."""
    return monthly_bars(df, EventKind, title_key="cal.chart.by_month", lang=lang)


def _bars(df: pd.DataFrame, x: str, x_title: str, title_key: str, lang: str) -> alt.Chart:
    count = t("cal.chart.count", lang)
    return (
        alt.Chart(df, title=t(title_key, lang))
        .mark_bar(color=PALETTE[0])
        .encode(
            x=alt.X(f"{x}:O", title=x_title, sort=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("count:Q", title=count, axis=alt.Axis(tickMinStep=1)),
            tooltip=[alt.Tooltip(f"{x}:O", title=x_title), alt.Tooltip("count:Q", title=count)],
        )
        .properties(height=260)
    )


def ties_by_country_chart(df: pd.DataFrame, lang: str) -> alt.Chart:
    return _bars(df, "country", t("cal.chart.country", lang), "cal.chart.by_country", lang)


def ties_by_decade_chart(df: pd.DataFrame, lang: str) -> alt.Chart:
    data = df.assign(decade=df["decade"].map(lambda d: f"{d}s"))
    return _bars(data, "decade", t("cal.chart.decade", lang), "cal.chart.by_decade", lang)
