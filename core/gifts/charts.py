"""Altair charts of the gift page: stock over time and value bands of gifts received."""

from __future__ import annotations

from datetime import date

import altair as alt
import pandas as pd

from core.gifts.ethics import VALUE_BANDS, value_band
from core.i18n.countries import country_name
from core.i18n.labels import t
from core.kernel.chart_memo import memo_chart
from core.kernel.charts import partial_month_note, roc_month_label, titled, year_label_expr
from core.kernel.periods import Period
from core.kernel.roc_dates import format_date

MAX_STOCK_POINTS = 1500  # more would cost the browser seconds to draw, and show nothing more


def thinned_history(history: pd.DataFrame) -> pd.DataFrame:
    """The history as it is when short; past MAX_STOCK_POINTS, each item's last balance of
    each month (ten years of daily movements of twenty items: 18,000 points → 2,400)."""
    if len(history) <= MAX_STOCK_POINTS:
        return history
    month = pd.to_datetime(history["moved_on"]).dt.to_period("M")
    return history.groupby([history["item"], month], sort=False).tail(1).reset_index(drop=True)


@memo_chart
def stock_chart(history: pd.DataFrame, lang: str, *, as_of: date) -> alt.Chart:
    """A step line per item of its quantity on hand, dates of the language in the tooltip; the
    stock as it stands on as_of (the day the page reads it). A long history is thinned to
    month ends (thinned_history), without a dot per point."""
    shown = thinned_history(history)
    data = shown.assign(
        day=pd.to_datetime(shown["moved_on"]),
        roc=shown["moved_on"].map(lambda d: format_date(d, lang)),
    )
    chart = (
        alt.Chart(data)
        .mark_line(interpolate="step-after", point=len(shown) == len(history))
        .encode(
            x=alt.X(
                "day:T",
                title=None,
                axis=alt.Axis(tickCount="year", labelExpr=year_label_expr(lang)),
            ),
            y=alt.Y("on_hand:Q", title=t("gift.on_hand", lang)),
            color=alt.Color("item:N", title=None),
            tooltip=[
                alt.Tooltip("item:N", title=t("gift.item", lang)),
                alt.Tooltip("roc:N", title=t("gift.date", lang)),
                alt.Tooltip("on_hand:Q", title=t("gift.on_hand", lang), format=","),
            ],
        )
        .properties(height=300)
    )
    return titled(chart, t("gift.chart.stock", lang), lang=lang, as_of=as_of)


# Gifts received are counted in ones, gifts given in hundreds: each flow gets its own linear
# axis (a shared or logarithmic one makes 1–3 received look like hundreds, or invisible).
WHOLE = alt.Axis(tickMinStep=1, format="d")


def value_band_counts(values: pd.Series) -> pd.DataFrame:
    """How many gifts fall in each value band (all bands, in order, zero included)."""
    bands = values.map(value_band).value_counts()
    return pd.DataFrame({"band": VALUE_BANDS, "count": [int(bands.get(b, 0)) for b in VALUE_BANDS]})


@memo_chart
def value_band_chart(counts: pd.DataFrame, lang: str) -> alt.Chart:
    """Gifts received per value band, over the whole register (no period in the source line)."""
    data = counts.assign(label=counts["band"].map(lambda b: t(f"gift.band.{b}", lang)))
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("label:N", title=None, sort=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("count:Q", title=t("gift.count", lang), axis=WHOLE),
            tooltip=[alt.Tooltip("label:N", title=None), alt.Tooltip("count:Q", title=None)],
        )
        .properties(height=260)
    )
    return titled(chart, t("gift.chart.bands", lang), lang=lang)


def _flow_labels(flows: pd.DataFrame, lang: str, period: Period | None = None) -> pd.DataFrame:
    return flows.assign(
        flow_label=flows["flow"].map(lambda f: t(f"gift.flow.{f}", lang)),
        roc_month=flows["month"].map(lambda m: roc_month_label(m, period, lang)),
        country_label=flows["country"].map(
            lambda c: country_name(c, lang) or t("gift.country.unknown", lang)
        ),
    )


FLOWS = ("received", "given")  # panel and colour order, the same in every language


def _flow_order(lang: str) -> list[str]:
    return [t(f"gift.flow.{f}", lang) for f in FLOWS]


@memo_chart
def flows_by_month_chart(flows: pd.DataFrame, lang: str, *, period: Period) -> alt.FacetChart:
    """Gifts received (count) and given (items) per 民國 month, one panel each."""
    data = _flow_labels(flows, lang, period).groupby(["flow_label", "roc_month"], as_index=False)[
        "count"
    ]
    chart = (
        alt.Chart(data.sum())
        .mark_bar()
        .encode(
            x=alt.X("roc_month:O", title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("count:Q", title=t("gift.count", lang), axis=WHOLE),
            color=alt.Color("flow_label:N", title=None, legend=None, sort=_flow_order(lang)),
            tooltip=[
                alt.Tooltip("roc_month:O", title=t("chart.month", lang)),
                alt.Tooltip("flow_label:N", title=None),
                alt.Tooltip("count:Q", title=t("gift.count", lang), format=","),
            ],
        )
        .properties(width=640, height=120)  # 2× in a briefing: ≥ 1,200 px
        .facet(row=alt.Row("flow_label:N", title=None, sort=_flow_order(lang),
                           header=alt.Header(labelAngle=0, labelAlign="left", labelOrient="top",
                                             labelFontWeight="bold")))
        .resolve_scale(y="independent")
    )  # fmt: skip
    note = partial_month_note(flows["month"], period, lang)
    return titled(chart, t("gift.chart.by_month", lang), lang=lang, period=period, note=note)


@memo_chart
def flows_by_country_chart(flows: pd.DataFrame, lang: str, *, period: Period) -> alt.FacetChart:
    """Gifts received and given per counterpart country, largest first, one panel each."""
    data = _flow_labels(flows, lang)
    data = data.groupby(["flow_label", "country_label"], as_index=False)["count"].sum()
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y("country_label:N", title=None,
                    sort=alt.EncodingSortField("count", op="sum", order="descending")),
            x=alt.X("count:Q", title=t("gift.count", lang), axis=WHOLE),
            color=alt.Color("flow_label:N", title=None, legend=None, sort=_flow_order(lang)),
            tooltip=[
                alt.Tooltip("country_label:N", title=None),
                alt.Tooltip("flow_label:N", title=None),
                alt.Tooltip("count:Q", title=t("gift.count", lang), format=","),
            ],
        )
        .properties(width=260, height=280)
        .facet(column=alt.Column("flow_label:N", title=None, sort=_flow_order(lang),
               header=alt.Header(labelFontWeight="bold")))
        .resolve_scale(x="independent")
    )  # fmt: skip
    return titled(chart, t("gift.chart.by_country", lang), lang=lang, period=period)
