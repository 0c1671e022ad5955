"""Altair charts of the fleet page: km per month, use and utilisation per vehicle, agencies."""

from __future__ import annotations

import altair as alt
import pandas as pd

from core.i18n.labels import enum_label, t
from core.kernel.chart_memo import memo_chart
from core.kernel.charts import PALETTE, enum_colours, monthly_bars, titled
from core.kernel.periods import Period
from db.models import TripType, VehicleKind


@memo_chart
def km_by_month_chart(by_month: pd.DataFrame, lang: str, *, period: Period) -> alt.Chart:
    """Km per 民國 month, stacked by trip type (from core.kernel.monthly.trips_by_month)."""
    return monthly_bars(
        by_month, TripType, value="km", title_key="fleet.chart.km_by_month", lang=lang,
        period=period,
    )  # fmt: skip


def _vehicle_labels(usage: pd.DataFrame, lang: str) -> pd.DataFrame:
    return usage.assign(
        vehicle=usage["plate"],
        kind_label=usage["kind"].map(lambda k: enum_label(k, lang, VehicleKind)),
    )


# One band per vehicle or agency, tall enough that no label is dropped for overlapping.
ROW = alt.Step(28)


@memo_chart
def vehicle_km_chart(usage: pd.DataFrame, lang: str, *, period: Period) -> alt.Chart:
    """Km per vehicle (by plate), coloured by vehicle type; trips and hours in the tooltip."""
    data = _vehicle_labels(usage, lang)
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("vehicle:N", title=None, sort=None),
            x=alt.X("km:Q", title=t("fleet.col.km", lang)),
            color=alt.Color(
                "kind_label:N",
                title=t("fleet.col.kind", lang),
                scale=enum_colours(VehicleKind, lang),
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("vehicle:N", title=t("fleet.col.plate", lang)),
                alt.Tooltip("kind_label:N", title=t("fleet.col.kind", lang)),
                alt.Tooltip("trips:Q", title=t("fleet.col.trips", lang), format=","),
                alt.Tooltip("km:Q", title=t("fleet.col.km", lang), format=",.1f"),
                alt.Tooltip("hours:Q", title=t("fleet.col.hours", lang), format=",.1f"),
            ],
        )
        .properties(height=ROW)
    )
    return titled(chart, t("fleet.chart.by_vehicle", lang), lang=lang, period=period)


@memo_chart
def utilisation_chart(
    usage: pd.DataFrame, average: float | None, lang: str, *, period: Period
) -> alt.LayerChart:
    """Utilisation per vehicle (%), with the fleet's average as a dashed line."""
    data = _vehicle_labels(usage, lang)
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("vehicle:N", title=None, sort=None),
            x=alt.X("utilisation_pct:Q", title=t("fleet.col.utilisation", lang)),
            tooltip=[
                alt.Tooltip("vehicle:N", title=t("fleet.col.plate", lang)),
                alt.Tooltip("utilisation_pct:Q", title=t("fleet.col.utilisation", lang)),
                alt.Tooltip("working_hours:Q", title=t("fleet.col.hours", lang), format=",.1f"),
            ],
        )
    )
    layers: list[alt.Chart] = [bars]
    if average is not None:
        label = t("fleet.chart.average", lang, pct=average)
        line = pd.DataFrame({"pct": [average], "label": [label]})
        rule = alt.Chart(line).mark_rule(color=PALETTE[3], strokeDash=[4, 3])
        layers.append(rule.encode(x=alt.X("pct:Q"), tooltip=alt.Tooltip("label:N", title=None)))
        layers.append(
            alt.Chart(line)
            .mark_text(align="left", dx=4, dy=-6, color=PALETTE[3])
            .encode(x=alt.X("pct:Q"), y=alt.YValue(0), text=alt.Text("label:N"))
        )
    chart = alt.layer(*layers).properties(height=ROW)
    return titled(chart, t("fleet.chart.utilisation", lang), lang=lang, period=period)


@memo_chart
def agency_chart(agencies: pd.DataFrame, top: int, lang: str, *, period: Period) -> alt.Chart:
    """Trips per requesting agency, stacked by trip type; the rest of the agencies last."""
    labels = {
        "dispatch": enum_label(TripType.DISPATCH, lang),
        "loan": enum_label(TripType.LOAN, lang),
    }
    names = [
        t("fleet.other", lang, n=r.agencies) if r.is_other else r.agency
        for r in agencies.itertuples()
    ]
    data = agencies.assign(name=names).melt(
        id_vars=["name", "trips", "km"], value_vars=list(labels), var_name="kind", value_name="n"
    )
    data["kind_label"] = data["kind"].map(labels)
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("name:N", title=None, sort=names, axis=alt.Axis(labelLimit=260)),
            x=alt.X("n:Q", title=t("fleet.col.trips", lang), stack="zero"),
            color=alt.Color(
                "kind_label:N",
                title=None,
                scale=alt.Scale(domain=list(labels.values())),  # 派車 first in any language
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=[
                alt.Tooltip("name:N", title=t("fleet.col.requesting_agency", lang)),
                alt.Tooltip("kind_label:N", title=t("fleet.filter.trip_type", lang)),
                alt.Tooltip("n:Q", title=t("fleet.col.trips", lang), format=","),
                alt.Tooltip("trips:Q", title=t("fleet.col.trips_all", lang), format=","),
                alt.Tooltip("km:Q", title=t("fleet.col.km", lang), format=",.1f"),
            ],
        )
        .properties(height=ROW)
    )
    return titled(chart, t("fleet.chart.by_agency", lang, n=top), lang=lang, period=period)
