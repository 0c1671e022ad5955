"""The house style of every Altair chart (zh-TW font, colours, title with a source line in ROC
dates), PNG / SVG export of a chart, and the monthly bars several pages share."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from datetime import date
from enum import Enum
from typing import Any, TypeVar

import altair as alt
import pandas as pd
import vl_convert as vlc

from core.i18n.labels import enum_label, t
from core.kernel.chart_memo import memo_chart
from core.kernel.file_names import file_stem as _file_stem
from core.kernel.fonts import FONT_STACK, register_chart_fonts
from core.kernel.periods import Period, month_period
from core.kernel.roc_dates import format_period, long_date
from core.kernel.text_safety import clean_json

PALETTE = ["#0b5394", "#e69138", "#6aa84f", "#cc4125", "#8e7cc3", "#45818e", "#bf9000", "#a64d79"]
THEME = "workspace"
# vl-convert has no browser container to stretch into: exports are this wide (CSS px), a
# size that reads well on an A4 page and a slide; the PNG is drawn at twice that.
EXPORT_WIDTH = 720
TEXT = "#1f1f1f"
MUTED = "#666666"

AnyChart = TypeVar("AnyChart", bound=alt.TopLevelMixin)

# Altair's debug mode validates every schema object against Vega-Lite's JSON schema as it is
# built: milliseconds for each chart's config alone, on every run of a page (a page shows up to
# six charts; the nine pages' warm runs took 1.21 s of CPU with it, 0.88 s without). The house
# charts are validated where they are tested instead (the chart tests call to_dict() with
# validation), and an export validates as it draws.
alt.utils.schemapi.disable_debug_mode()


def house_config() -> dict[str, Any]:
    """The Vega-Lite config of the house style (a fresh dict: callers may change it)."""
    fonts = {"labelFont": FONT_STACK, "titleFont": FONT_STACK}
    guide = {**fonts, "labelFontSize": 12, "titleFontSize": 12, "titleFontWeight": "normal",
             "labelColor": TEXT, "titleColor": TEXT}  # fmt: skip
    return {
        "font": FONT_STACK,
        "background": "white",
        "view": {"stroke": None, "continuousWidth": EXPORT_WIDTH, "continuousHeight": 280},
        "title": {
            "font": FONT_STACK,
            "subtitleFont": FONT_STACK,
            "fontSize": 16,
            "fontWeight": 600,
            "color": TEXT,
            "subtitleFontSize": 11,
            "subtitleColor": MUTED,
            "anchor": "start",
            "subtitlePadding": 4,
            "offset": 10,
        },
        "axis": {**guide, "gridColor": "#e6e6e6", "domainColor": "#999999"},
        # Month labels (111/07 …) in a half-width column or on a phone: every other one rather
        # than a smudge. Labels that only touch do not overlap, so they need a gap to be thinned.
        "axisXBand": {"labelOverlap": "parity", "labelSeparation": 6},
        "legend": guide,
        "header": {**fonts, "labelFontSize": 12, "titleFontSize": 12},
        "text": {"font": FONT_STACK, "fontSize": 11, "color": TEXT},
        "mark": {"font": FONT_STACK, "color": PALETTE[0]},
        "bar": {"color": PALETTE[0]},
        "line": {"color": PALETTE[0]},
        "range": {"category": list(PALETTE)},
    }


@alt.theme.register(THEME, enable=True)
def _workspace_theme() -> alt.theme.ThemeConfig:
    return {"config": house_config()}  # type: ignore[typeddict-item]


def _merged(base: dict, over: dict) -> dict:
    """base updated by over, nested dicts merged (over wins)."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merged(out[key], value)
        else:
            out[key] = value
    return out


def source_lines(lang: str, period: Period | None = None, as_of: date | None = None) -> list[str]:
    """[資料來源：行政暨國際處業務工作台, 期間：111年7月1日至112年3月15日 (or 資料日期：…)]."""
    lines = [t("chart.source", lang)]
    if period is not None:
        shown = format_period(period.start, period.end, lang)
        lines.append(t("chart.source_period", lang, period=shown))
    if as_of is not None:
        lines.append(t("chart.source_as_of", lang, date=long_date(as_of, lang)))
    return lines


def source_line(lang: str, period: Period | None = None, as_of: date | None = None) -> str:
    """資料來源：行政暨國際處業務工作台；期間：111年7月1日至112年3月15日 — one line of text."""
    return t("chart.source_sep", lang).join(source_lines(lang, period, as_of))


def titled(
    chart: AnyChart,
    title: str,
    *,
    lang: str,
    period: Period | None = None,
    as_of: date | None = None,
    note: str | None = None,
) -> AnyChart:
    """The chart with its title, the source lines under it (and `note`, e.g. what hollow
    points mean, on a line of its own) and the house config carried in its
    own spec (so the browser and the exports look alike whatever theme is enabled). Works on
    top-level charts of any kind: Chart, LayerChart, HConcat / VConcat. Call it last: a chart
    that carries a config cannot be layered or concatenated any further."""
    own = chart.config.to_dict(validate=False) if chart.config is not alt.Undefined else {}
    dated: dict[str, str] = {}
    if period is not None:
        dated = {"start": period.start.isoformat(), "end": period.end.isoformat()}
    elif as_of is not None:
        dated = {"as_of": as_of.isoformat()}
    # The source and the period on lines of their own: a chart in a half-width column is
    # about 400 px wide, too narrow for both on one line (Vega clips, it does not wrap).
    out = chart.properties(
        title=alt.Title(
            title,
            subtitle=[*source_lines(lang, period, as_of), *([note] if note else [])],
            anchor="start",
        ),
        usermeta={"workspace": dated},  # read back by chart_stem for the download's name
    )
    out.config = alt.Config(**_merged(house_config(), own))
    return out


def file_stem(key: str, period: Period | None = None, as_of: date | None = None) -> str:
    """fleet_trips_2022-07-01_2023-03-15: a chart's file name (core.kernel.file_names)."""
    return _file_stem(key, period, as_of, fallback="chart")


def chart_stem(chart: alt.TopLevelMixin, key: str) -> str:
    """file_stem of key with the period (or date) that titled() recorded on the chart."""
    meta = chart.usermeta if chart.usermeta is not alt.Undefined else {}
    dated = meta.get("workspace", {}) if isinstance(meta, dict) else {}
    if "start" in dated:
        period = Period(date.fromisoformat(dated["start"]), date.fromisoformat(dated["end"]))
        return file_stem(key, period)
    if "as_of" in dated:
        return file_stem(key, as_of=date.fromisoformat(dated["as_of"]))
    return file_stem(key)


COMPOSITE = ("hconcat", "vconcat", "concat", "facet", "repeat")


def _plain(value: object) -> object:
    # Data frames keep Python dates in object columns (Streamlit serialises those itself).
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def export_spec(chart: alt.TopLevelMixin, width: int = EXPORT_WIDTH) -> dict[str, Any]:
    """The Vega-Lite spec vl-convert draws: house config, fixed width instead of "container",
    plain JSON values only."""
    # Without control characters in labels and data: vl-convert aborts the whole process (a
    # Rust panic, not an exception) on one, and an SVG holding one is not XML.
    spec = clean_json(json.loads(json.dumps(chart.to_dict(), default=_plain)))
    spec["config"] = _merged(house_config(), spec.get("config", {}))
    if any(k in spec for k in COMPOSITE):
        # Concatenated views keep their own widths; "container" means nothing outside a page.
        for view in spec.get("hconcat", []) + spec.get("vconcat", []) + spec.get("concat", []):
            if view.get("width") == "container":
                view["width"] = width // 2
        spec.setdefault("autosize", {"type": "pad", "contains": "padding"})
        return spec
    if not isinstance(spec.get("width"), int | float):
        spec["width"] = width
    # As Streamlit's width="stretch" does in the page: the whole image (axes, legend, padding
    # included) is `width` wide; heights in steps (one band per bar) stay as they are.
    spec.setdefault("autosize", {"type": "fit-x", "contains": "padding"})
    return spec


def to_png(chart: alt.TopLevelMixin, scale: float = 2) -> bytes:
    """The chart as a PNG, `scale` device pixels per CSS pixel (2: sharp on slides and print)."""
    register_chart_fonts()
    return vlc.vegalite_to_png(export_spec(chart), scale=scale)


def to_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as SVG text (text stays text, in the house font stack)."""
    register_chart_fonts()
    return vlc.vegalite_to_svg(export_spec(chart))


def roc_month_label(month: date, period: Period | None, lang: str = "zh-TW") -> str:
    """112/03 (2023-03 in English), with * when the period covers only part of the month
    (its first or last)."""
    label = f"{month.year - 1911}/{month.month:02d}" if lang == "zh-TW" else f"{month:%Y-%m}"
    return label + "*" if period is not None and is_partial_month(month, period) else label


def enum_colours(kinds: type[Enum], lang: str) -> alt.Scale:
    """A colour scale over an enum's labels in declared order: each kind keeps its colour in
    both languages (left to Vega, labels sort alphabetically, and 會議 and Meeting differ)."""
    return alt.Scale(domain=[enum_label(member, lang) for member in kinds])


def year_label_expr(lang: str) -> str:
    """A Vega expression labelling a time axis by year: 112年 in Chinese, 2023 in English."""
    return "(year(datum.value) - 1911) + '年'" if lang == "zh-TW" else "year(datum.value) + ''"


def is_partial_month(month: date, period: Period) -> bool:
    """Whether the period starts after the 1st or ends before the last day of `month`."""
    return not period.covers(month_period(month))


def partial_month_note(months: Iterable[date], period: Period | None, lang: str) -> str | None:
    """The line under a monthly chart's title that says what * means, when a month has it."""
    if period is None or not any(is_partial_month(m, period) for m in months):
        return None
    return t("chart.partial_month_note", lang)


@memo_chart
def monthly_bars(
    df: pd.DataFrame,
    kinds: type[Enum],
    *,
    value: str = "count",
    title_key: str,
    lang: str,
    period: Period | None,
    axis_key: str | None = None,
) -> alt.Chart:
    """Stacked bars per month; x labelled 112/03 (ROC year/month; 112/03* a month the period
    covers only in part), colour by kind label; counts tick in whole numbers. `axis_key`
    names the value axis when chart.<value> does not (車次 for trips)."""
    data = df.copy()
    data["kind_label"] = data["kind"].map(lambda k: enum_label(k, lang, kinds))
    data["roc_month"] = data["month"].map(lambda m: roc_month_label(m, period, lang))
    axis_title = t(axis_key or f"chart.{value}", lang)
    whole = alt.Axis(tickMinStep=1, format="d") if value == "count" else alt.Axis()
    chart = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X("roc_month:O", title=None, sort=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y(f"{value}:Q", title=axis_title, stack="zero", axis=whole),
            color=alt.Color("kind_label:N", title=None, scale=enum_colours(kinds, lang)),
            tooltip=[
                alt.Tooltip("roc_month:O", title=t("chart.month", lang)),
                alt.Tooltip("kind_label:N", title=t("chart.kind", lang)),
                alt.Tooltip(f"{value}:Q", title=axis_title, format=","),
            ],
        )
        .properties(height=280)
    )
    note = partial_month_note(data["month"], period, lang)
    return titled(chart, t(title_key, lang), lang=lang, period=period, note=note)
