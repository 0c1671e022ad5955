"""Altair charts for the sister-city calendar page (in the house style of core.kernel.charts)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import altair as alt
import pandas as pd

from core.i18n.labels import enum_label, t
from core.kernel.chart_memo import memo_chart
from core.kernel.charts import enum_colours, monthly_bars, titled
from core.kernel.periods import Period
from db.models import EventKind, TieType


@memo_chart
def exchanges_chart(df: pd.DataFrame, lang: str, *, period: Period) -> alt.Chart:
    """Stacked monthly bars of exchange events by kind."""
    return monthly_bars(df, EventKind, title_key="cal.chart.by_month", lang=lang, period=period)


def _bars(df: pd.DataFrame, x: str, x_title: str, title_key: str, lang: str) -> alt.Chart:
    """Ties of the whole directory (not of a period): the source line names only the source."""
    count = t("cal.chart.count", lang)
    chart = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X(f"{x}:O", title=x_title, sort=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("count:Q", title=count, axis=alt.Axis(tickMinStep=1)),
            tooltip=[alt.Tooltip(f"{x}:O", title=x_title), alt.Tooltip("count:Q", title=count)],
        )
        .properties(height=260)
    )
    return titled(chart, t(title_key, lang), lang=lang)


@memo_chart
def ties_by_country_chart(df: pd.DataFrame, lang: str) -> alt.Chart:
    return _bars(df, "country", t("cal.chart.country", lang), "cal.chart.by_country", lang)


@memo_chart
def ties_by_decade_chart(df: pd.DataFrame, lang: str) -> alt.Chart:
    data = df.assign(decade=df["decade"].map(lambda d: f"{d}s"))
    return _bars(data, "decade", t("cal.chart.decade", lang), "cal.chart.by_decade", lang)


# Land outlines from world-atlas 2.0.2 (Natural Earth 1:110m, ISC licence, assets/geo/): the
# map is drawn in the browser from the app's own data, with no tile server or internet.
LAND = Path(__file__).resolve().parents[2] / "assets" / "geo" / "land-110m.json"


@cache
def _land() -> str:
    """The land outlines as TopoJSON text: Vega parses a string `values` by its format, and
    one string costs Altair nothing to copy on each rerun (the parsed arcs took ~250 ms)."""
    return json.dumps(json.loads(LAND.read_text(encoding="utf-8")), separators=(",", ":"))


def partner_map(df: pd.DataFrame, lang: str) -> alt.LayerChart:
    """Partner cities as points on a world map, coloured by tie type, names in the tooltip
    (the directory as it stands, so no period in the source line)."""
    # The land is the backdrop, hidden from screen readers (aria=False): as an unnamed graphic it
    # failed WCAG 1.1.1 (axe's svg-img-alt); the cities carry what the map says.
    land = alt.Chart(
        alt.Data(values=_land(), format=alt.DataFormat(type="topojson", feature="land"))
    ).mark_geoshape(fill="#e8e6df", stroke="#b7b3a8", strokeWidth=0.5, aria=False)
    name = "name_en" if lang == "en" else "name_zh"
    points = pd.DataFrame({
        "name": df[name],
        "country": df["country"],
        "tie": df["tie_type"].map(lambda v: enum_label(v, lang, TieType)),
        "longitude": df["longitude"],
        "latitude": df["latitude"],
    })  # fmt: skip
    cities = (
        alt.Chart(points)
        .mark_circle(size=90, opacity=0.9, stroke="white", strokeWidth=1)
        .encode(
            longitude=alt.Longitude("longitude:Q"),
            latitude=alt.Latitude("latitude:Q"),
            color=alt.Color(
                "tie:N",
                title=t("cal.col.tie", lang),
                scale=enum_colours(TieType, lang),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("name:N", title=t("cal.col.city", lang)),
                alt.Tooltip("country:N", title=t("cal.col.country", lang)),
                alt.Tooltip("tie:N", title=t("cal.col.tie", lang)),
            ],
        )
    )
    chart = (
        alt.layer(land, cities)
        .project(type="equalEarth", rotate=[-150, 0, 0])  # the Pacific in the middle
        .properties(height=420)
    )
    return titled(chart, t("cal.map.title", lang), lang=lang)
