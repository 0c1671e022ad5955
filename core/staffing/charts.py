"""Altair charts of the staffing page: headcount per snapshot, and per agency of one snapshot."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd

from core.i18n.labels import t
from core.kernel.chart_memo import memo_chart
from core.kernel.charts import titled, year_label_expr
from core.kernel.roc_dates import format_date
from core.staffing.headcount import UNIT_COLUMNS

TOP_UNITS = 20
# The year axis in the 民國 calendar: 100年 … 115年.


def trend_frame(snapshots: pd.DataFrame, lang: str) -> pd.DataFrame:
    """core.staffing.headcount.list_snapshots in long form: one row per snapshot and series."""
    series = {"worker": t("staff.worker", lang), "temp": t("staff.temp", lang)}
    long = snapshots.melt(
        id_vars=["as_of", "label", "is_baseline", "is_estimate"], value_vars=list(series),
        var_name="series", value_name="headcount",
    )  # fmt: skip
    return long.assign(
        day=pd.to_datetime(long["as_of"]),
        roc=long["as_of"].map(lambda d: format_date(d, lang)),
        series_label=long["series"].map(series),
        status=long["is_estimate"].map(
            {True: t("staff.chart.estimated", lang), False: t("staff.chart.recorded", lang)}
        ),
    )


@memo_chart
def trend_chart(snapshots: pd.DataFrame, lang: str, chosen: date | None = None) -> alt.LayerChart:
    """工級 and 臨時人員 per snapshot date (ROC years on the axis); a rule at the chosen one.
    The source line dates the data by the latest snapshot shown."""
    data = trend_frame(snapshots, lang)
    headcount = t("staff.chart.headcount", lang)
    lines = (
        alt.Chart(data)
        .mark_line(point=alt.OverlayMarkDef(filled=True, size=45))
        .encode(
            x=alt.X(
                "day:T", title=t("staff.chart.date", lang),
                axis=alt.Axis(tickCount="year", labelExpr=year_label_expr(lang), labelAngle=0),
            ),
            y=alt.Y("headcount:Q", title=headcount, scale=alt.Scale(zero=True)),
            color=alt.Color(
                "series_label:N", title=None,
                sort=[t("staff.worker", lang), t("staff.temp", lang)],  # 工級 first in any language
                legend=alt.Legend(orient="top"),
            ),
            tooltip=[
                alt.Tooltip("roc:N", title=t("staff.chart.date", lang)),
                alt.Tooltip("label:N", title=t("col.label", lang)),
                alt.Tooltip("series_label:N", title=t("staff.chart.series", lang)),
                alt.Tooltip("headcount:Q", title=headcount, format=","),
                alt.Tooltip("status:N", title=t("staff.chart.status", lang)),
            ],
        )
    )  # fmt: skip
    layers: list[alt.Chart] = [lines]
    estimated = data[data["is_estimate"]]
    if not estimated.empty:
        # An interpolated table is not a count: its point is hollow, its values marked 推估.
        layers.append(
            alt.Chart(estimated)
            .mark_point(
                filled=False,  # the series colour draws the outline, white fills it
                size=45,
                fill="white",
                strokeWidth=1.5,
                opacity=1,
                fillOpacity=1,
                strokeOpacity=1,
            )
            .encode(
                x=alt.X("day:T"),
                y=alt.Y("headcount:Q"),
                color=alt.Color(
                    "series_label:N",
                    legend=None,
                    sort=[t("staff.worker", lang), t("staff.temp", lang)],
                ),  # fmt: skip
                tooltip=lines.encoding.tooltip,
            )  # fmt: skip
        )
    if chosen is not None:
        rule = pd.DataFrame({"day": [pd.Timestamp(chosen)], "roc": [format_date(chosen, lang)]})
        layers.append(
            alt.Chart(rule)
            .mark_rule(strokeDash=[4, 4], color="#555")
            .encode(
                x=alt.X("day:T"),
                tooltip=[alt.Tooltip("roc:N", title=t("staff.chart.chosen", lang))],
            )
        )
    chart = alt.layer(*layers).properties(height=420)
    latest = max(snapshots["as_of"], default=None)
    note = t("staff.chart.estimate_note", lang) if not estimated.empty else None
    return titled(chart, t("staff.chart.trend", lang), lang=lang, as_of=latest, note=note)


@memo_chart
def unit_chart(
    units: pd.DataFrame, lang: str, top: int = TOP_UNITS, *, as_of: date | None = None
) -> alt.Chart:
    """The largest agencies and schools of the snapshot of as_of, bars stacked by category."""
    names = {
        "worker": t("staff.worker", lang),
        **{k: t(f"enum.StaffCategory.{k}", lang) for k in UNIT_COLUMNS[1:]},
    }
    largest = units.nlargest(top, "total")
    long = largest.melt(
        id_vars=["unit_name", "total"], value_vars=list(UNIT_COLUMNS),
        var_name="category", value_name="headcount",
    )  # fmt: skip
    long = long[long["headcount"] > 0].assign(category_label=lambda d: d["category"].map(names))
    order = {k: i for i, k in enumerate(UNIT_COLUMNS)}
    long = long.assign(order=long["category"].map(order))
    headcount = t("staff.chart.headcount", lang)
    chart = (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y(
                "unit_name:N", title=None, sort=list(largest["unit_name"]),
                axis=alt.Axis(labelLimit=260, labelOverlap=False),
            ),
            x=alt.X("headcount:Q", title=headcount, stack="zero"),
            color=alt.Color(
                "category_label:N", title=None, sort=[names[k] for k in UNIT_COLUMNS],
                legend=alt.Legend(orient="top"),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("unit_name:N", title=t("col.unit_name", lang)),
                alt.Tooltip("category_label:N", title=t("staff.chart.series", lang)),
                alt.Tooltip("headcount:Q", title=headcount, format=","),
                alt.Tooltip("total:Q", title=t("staff.grand_total", lang), format=","),
            ],
        )
        # Streamlit fits the whole chart (title, legend, axes) into the height: room for them.
        .properties(height=120 + 26 * len(largest))
    )  # fmt: skip
    return titled(chart, t("staff.chart.units", lang, n=len(largest)), lang=lang, as_of=as_of)
