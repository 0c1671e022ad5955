"""Altair charts of the venue page: the day / week timeline, bookings by purpose and month,
utilisation per venue and the weekday × hour heatmap (titles from the labels, 民國 dates)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date

import altair as alt
import pandas as pd

from core.i18n.labels import enum_label, t
from core.kernel.chart_memo import memo_chart
from core.kernel.charts import enum_colours, partial_month_note, roc_month_label, titled
from core.kernel.periods import Period
from core.kernel.roc_dates import format_date, format_datetime
from core.venues.bookings import CLOSES, OPENS
from db.models import BookingKind, BookingPurpose, BookingStatus, Centre

HOUR_LABEL = "(datum.value < 10 ? '0' : '') + datum.value + ':00'"


def day_label(day: date, lang: str) -> str:
    """115/11/27（五） — the date (2026-11-27 in English) and the weekday."""
    return t(
        "ven.day_label", lang, date=format_date(day, lang),
        weekday=t(f"ven.wd.{day.weekday()}", lang),
    )  # fmt: skip


def marked_day_label(day: date, lang: str, holidays: Mapping[date, str]) -> str:
    """day_label, followed by the holiday's name when the day is a public holiday."""
    label, name = day_label(day, lang), holidays.get(day)
    return label if name is None else t("hol.sched.day_mark", lang, day=label, name=name)


def _when(start: pd.Timestamp, end: pd.Timestamp, lang: str) -> str:
    if start.date() == end.date():
        return f"{format_datetime(start, lang)}–{end:%H:%M}"
    return f"{format_datetime(start, lang)}–{format_datetime(end, lang)}"


def purpose_labels(lang: str) -> list[str]:
    return [enum_label(p, lang) for p in BookingPurpose]


@memo_chart
def timeline_chart(
    segments: pd.DataFrame,
    *,
    venue_names: dict[int, str],
    days: list[date],
    title: str,
    lang: str,
    holidays: Mapping[date, str] | None = None,
) -> alt.Chart:
    """Bars from start to end hour (08–22 on x). One day: a row per venue. Several days: a row
    per day, with the venues side by side in it (coloured by venue) when there are several, a
    public holiday's row named with the holiday (holidays: {day: name})."""
    marks = holidays or {}
    by_day = len(days) > 1
    several = by_day and len(venue_names) > 1
    data = segments.assign(
        venue=segments["venue_id"].map(venue_names),
        day_label=segments["day"].map(lambda d: marked_day_label(d, lang, marks)),
        purpose_label=segments["purpose"].map(lambda p: enum_label(p, lang, BookingPurpose)),
        status_label=segments["status"].map(lambda s: enum_label(s, lang, BookingStatus)),
        when=[
            _when(s, e, lang)
            for s, e in zip(segments["starts_at"], segments["ends_at"], strict=True)
        ],
    )
    rows = (
        [marked_day_label(d, lang, marks) for d in days] if by_day else list(venue_names.values())
    )
    lo = min([OPENS, *[math.floor(h) for h in data["start_h"]]])
    hi = max([CLOSES, *[math.ceil(h) for h in data["end_h"]]])
    if several:
        shown = list(venue_names.values())
        colour = alt.Color("venue:N", title=None, scale=alt.Scale(domain=shown))
    else:
        purposes = alt.Scale(domain=purpose_labels(lang))
        colour = alt.Color("purpose_label:N", title=None, scale=purposes)
    step = 12 if several else 34  # with yOffset the step is that of one venue in a day
    encoding = dict(
        x=alt.X(
            "start_h:Q",
            title=None,
            scale=alt.Scale(domain=[lo, hi], nice=False),
            axis=alt.Axis(values=list(range(lo, hi + 1)), labelExpr=HOUR_LABEL),
        ),  # fmt: skip
        x2=alt.X2("end_h:Q"),
        y=alt.Y(
            "day_label:N" if by_day else "venue:N",
            title=None,
            sort=rows,
            scale=alt.Scale(domain=rows),
            axis=alt.Axis(labelLimit=240),
        ),  # fmt: skip
        color=colour,
        tooltip=[
            alt.Tooltip("title:N", title=t("ven.tip.title", lang)),
            alt.Tooltip("venue:N", title=t("ven.tip.venue", lang)),
            alt.Tooltip("when:N", title=t("ven.tip.when", lang)),
            alt.Tooltip("purpose_label:N", title=t("ven.tip.purpose", lang)),
            alt.Tooltip("organiser_agency:N", title=t("ven.tip.organiser", lang)),
            alt.Tooltip("attendees:Q", title=t("ven.tip.attendees", lang)),
            alt.Tooltip("status_label:N", title=t("ven.tip.status", lang)),
        ],
    )
    if several:
        encoding["yOffset"] = alt.YOffset("venue:N", sort=list(venue_names.values()))
    chart = (
        alt.Chart(data)
        .mark_bar(cornerRadius=3)
        .encode(**encoding)
        .properties(height=alt.Step(step))
        .configure_legend(orient="bottom", columns=8)
    )
    # The title names the day or week, so the source line carries only the source.
    return titled(chart, title, lang=lang)


def _log_ticks(largest: int) -> list[int]:
    """0, 10, 30, 100, 300, … up to the largest count: readable ticks on a symlog axis."""
    ticks = [0] + [m * 10**e for e in range(1, 7) for m in (1, 3)]
    return [v for v in ticks if v <= max(largest, 10)]


@memo_chart
def purpose_chart(totals: pd.DataFrame, period: Period, lang: str) -> alt.LayerChart:
    """Bookings per purpose (the report's seven plus meetings), with the count beside each bar;
    a symlog axis keeps the events visible next to the many meetings."""
    data = totals.assign(
        label=totals["purpose"].map(lambda p: enum_label(p, lang, BookingPurpose)),
        kind=totals["purpose"].map(
            lambda p: enum_label(
                BookingKind.MEETING if p == BookingPurpose.MEETING else BookingKind.EVENT, lang
            )
        ),
    )
    order = list(data["label"])
    base = alt.Chart(data).encode(
        y=alt.Y("label:N", title=None, sort=order),
        x=alt.X(
            "count:Q",
            title=t("ven.chart.count_log", lang),
            scale=alt.Scale(type="symlog"),
            axis=alt.Axis(
                values=_log_ticks(int(data["count"].max() or 0)),
                labelExpr="format(datum.value, ',')",  # not the symlog scale's 1e+2
            ),
        ),
        tooltip=[
            alt.Tooltip("label:N", title=t("ven.tip.purpose", lang)),
            alt.Tooltip("count:Q", title=t("chart.count", lang), format=","),
        ],
    )
    bars = base.mark_bar().encode(
        color=alt.Color("kind:N", title=None, scale=enum_colours(BookingKind, lang))
    )
    text = base.mark_text(align="left", dx=4).encode(text=alt.Text("count:Q", format=","))
    chart = (bars + text).properties(height=alt.Step(26))
    return titled(chart, t("ven.chart.by_purpose", lang), lang=lang, period=period)


@memo_chart
def events_by_month_chart(by_month: pd.DataFrame, period: Period, lang: str) -> alt.Chart:
    """Events (not meetings) per 民國 month, stacked by purpose."""
    events = by_month[by_month["kind"] == BookingKind.EVENT.value]
    data = events.assign(
        label=events["purpose"].map(lambda p: enum_label(p, lang, BookingPurpose)),
        roc_month=events["month"].map(lambda m: roc_month_label(m, period, lang)),
        rank=events["purpose"].map(lambda p: list(BookingPurpose).index(BookingPurpose(p))),
    )
    purposes = [enum_label(p, lang) for p in BookingPurpose if p != BookingPurpose.MEETING]
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("roc_month:O", title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y(
                "count:Q",
                title=t("chart.count", lang),
                stack="zero",
                axis=alt.Axis(tickMinStep=1, format="d"),
            ),
            color=alt.Color("label:N", title=None, scale=alt.Scale(domain=purposes)),
            order=alt.Order("rank:Q"),
            tooltip=[
                alt.Tooltip("roc_month:O", title=t("chart.month", lang)),
                alt.Tooltip("label:N", title=t("ven.tip.purpose", lang)),
                alt.Tooltip("count:Q", title=t("chart.count", lang), format=","),
            ],
        )
        .properties(height=280)
    )
    note = partial_month_note(events["month"], period, lang)
    return titled(chart, t("ven.chart.events_by_month", lang), lang=lang, period=period, note=note)


@memo_chart
def utilisation_chart(
    frame: pd.DataFrame, names: list[str], period: Period, lang: str
) -> alt.LayerChart:
    """Utilisation per venue in percent (names: each row's venue label), by centre."""
    data = frame.assign(
        venue=names,
        centre_label=frame["centre"].map(lambda c: enum_label(c, lang, Centre)),
        pct_text=frame["utilisation_pct"].map(lambda p: f"{p:.1f}%"),
    )
    base = alt.Chart(data).encode(
        y=alt.Y("venue:N", title=None, sort=names, axis=alt.Axis(labelLimit=240)),
        x=alt.X("utilisation_pct:Q", title=t("ven.chart.utilisation_axis", lang)),
        tooltip=[
            alt.Tooltip("venue:N", title=t("ven.tip.venue", lang)),
            alt.Tooltip("capacity:Q", title=t("col.capacity", lang)),
            alt.Tooltip("booked_hours:Q", title=t("ven.tip.booked_hours", lang), format=",.1f"),
            alt.Tooltip("available_hours:Q", title=t("ven.tip.available_hours", lang), format=","),
            alt.Tooltip("utilisation_pct:Q", title=t("ven.tip.utilisation", lang), format=".1f"),
        ],
    )
    centres = alt.Scale(domain=[enum_label(c, lang) for c in Centre])
    legend = alt.Legend(orient="bottom", labelLimit=0)
    bars = base.mark_bar().encode(
        color=alt.Color("centre_label:N", title=None, scale=centres, legend=legend)
    )
    text = base.mark_text(align="left", dx=4).encode(text=alt.Text("pct_text:N"))
    chart = (bars + text).properties(height=alt.Step(26))
    return titled(chart, t("ven.chart.utilisation", lang), lang=lang, period=period)


@memo_chart
def heatmap_chart(grid: pd.DataFrame, period: Period, lang: str) -> alt.LayerChart:
    """Booked hours per weekday (rows, Monday first) and hour of day (columns)."""
    weekdays = [t(f"ven.wd.{w}", lang) for w in range(7)]
    data = grid.assign(
        weekday_label=grid["weekday"].map(lambda w: weekdays[w]),
        hour_label=grid["hour"].map(lambda h: f"{h:02d}"),
        span=grid["hour"].map(lambda h: f"{h:02d}:00–{h + 1:02d}:00"),
    )
    base = alt.Chart(data).encode(
        x=alt.X("hour_label:O", title=t("ven.chart.hour", lang), axis=alt.Axis(labelAngle=0)),
        y=alt.Y("weekday_label:O", title=None, sort=weekdays),
    )
    cells = base.mark_rect().encode(
        color=alt.Color(
            "hours:Q", title=t("ven.chart.hours", lang), scale=alt.Scale(scheme="blues")
        ),
        tooltip=[
            alt.Tooltip("weekday_label:O", title=t("ven.chart.weekday", lang)),
            alt.Tooltip("span:N", title=t("ven.chart.hour", lang)),
            alt.Tooltip("hours:Q", title=t("ven.chart.hours", lang), format=",.1f"),
        ],
    )
    peak = float(grid["hours"].max() or 0)
    dark = peak / 2  # white figures on the darker half of the scale
    text = base.mark_text(fontSize=10).encode(
        text=alt.Text("hours:Q", format=",.0f"),
        color=alt.ColorValue("#333", condition={"test": alt.datum.hours > dark, "value": "white"}),
    )
    chart = (cells + text.transform_filter(alt.datum.hours > 0)).properties(height=alt.Step(30))
    return titled(chart, t("ven.chart.heatmap", lang), lang=lang, period=period)
