"""Altair charts of the workspace: monthly bars with ROC month labels and zh-TW legends."""

from __future__ import annotations

from enum import Enum

import altair as alt
import pandas as pd

from core.labels import enum_label, t

PALETTE = ["#0b5394", "#e69138", "#6aa84f", "#cc4125", "#8e7cc3", "#45818e", "#bf9000", "#a64d79"]


def monthly_bars(
    df: pd.DataFrame, kinds: type[Enum], *, value: str = "count", title_key: str, lang: str
) -> alt.Chart:
    """Stacked bars per month; x labelled 112/03 (ROC year/month), colour by kind label."""
    data = df.copy()
    data["kind_label"] = data["kind"].map(lambda k: enum_label(k, lang, kinds))
    data["roc_month"] = data["month"].map(lambda m: f"{m.year - 1911}/{m.month:02d}")
    return (
        alt.Chart(data, title=t(title_key, lang))
        .mark_bar()
        .encode(
            x=alt.X("roc_month:O", title=None, sort=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y(f"{value}:Q", title=t(f"chart.{value}", lang), stack="zero"),
            color=alt.Color("kind_label:N", title=None, scale=alt.Scale(range=PALETTE)),
            tooltip=[
                alt.Tooltip("roc_month:O", title=t("chart.month", lang)),
                alt.Tooltip("kind_label:N", title=t("chart.kind", lang)),
                alt.Tooltip(f"{value}:Q", title=t(f"chart.{value}", lang), format=","),
            ],
        )
        .properties(height=280)
    )
