"""Every chart is in the house style (zh-TW font, title, source line in the language's dates:
民國 in zh-TW, Gregorian in English) and exports to PNG at twice its width and to SVG that keeps
the font and the Chinese text."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

import altair as alt
import pandas as pd
import pytest
from PIL import Image
from sqlmodel import Session

from core.calendar import charts as calendar_charts
from core.calendar import ties as cal
from core.fleet import charts as fleet_charts
from core.fleet import usage as fleet
from core.gifts import charts as gift_charts
from core.gifts import stock as gifts
from core.gifts.ethics import gift_register
from core.i18n.labels import t
from core.kernel import file_names, monthly
from core.kernel.charts import (
    EXPORT_WIDTH,
    PALETTE,
    THEME,
    chart_stem,
    export_spec,
    file_stem,
    house_config,
    monthly_bars,
    roc_month_label,
    titled,
    to_png,
    to_svg,
)
from core.kernel.fonts import FONT_FAMILY, missing_glyphs
from core.kernel.periods import REPORT_PERIOD as P
from core.kernel.periods import Period
from core.kernel.roc_dates import english_date
from core.staffing import charts as staffing_charts
from core.staffing import headcount as staffing
from core.venues import bookings as venues
from core.venues import charts as venue_charts
from core.venues import use as venue_use
from core.visitors import charts as visitor_charts
from core.visitors import receptions as visitors
from db.models import BookingKind, TripType, VisitorCategory

ZH_PERIOD = "期間：111年7月1日至112年3月15日"
EN_PERIOD = "Period: 2022-07-01 – 2023-03-15"
SNAPSHOT = date(2023, 2, 28)  # the report's staffing snapshot
STOCK_DAY = date(2023, 3, 15)

Builder = Callable[[Session, str], alt.TopLevelMixin]


def _timeline(s: Session, lg: str) -> alt.TopLevelMixin:
    rooms = venues.list_venues(s, active_only=False)[:3]
    days = [date(2022, 8, 8) + timedelta(days=i) for i in range(7)]
    start = datetime.combine(days[0], time.min)
    booked = venues.bookings_between(s, [v.id for v in rooms], start, start + timedelta(days=7))
    names = {v.id: venues.venue_label(v, lg) for v in rooms}
    segments = venues.day_segments(booked, days[0], 7)
    title = "場地週排程"
    return venue_charts.timeline_chart(segments, venue_names=names, days=days, title=title, lang=lg)


def _venue_use(s: Session, lg: str) -> alt.TopLevelMixin:
    use = venue_use.utilisation(s, P)
    return venue_charts.utilisation_chart(use, [str(i) for i in use["venue_id"]], P, lg)


def _staff_units(s: Session, lg: str) -> alt.TopLevelMixin:
    snapshot = staffing.latest_snapshot(s, P.end)
    units = staffing.headcount_by_unit(s, snapshot)
    return staffing_charts.unit_chart(units, lg, as_of=snapshot.as_of)


# name → (builder, what the source line dates: "period", a date, or None for source only)
BUILDERS: dict[str, tuple[Builder, object]] = {
    "calendar.exchanges": (
        lambda s, lg: calendar_charts.exchanges_chart(cal.exchanges_by_month(s, P), lg, period=P),
        "period",
    ),
    "calendar.ties_by_country": (
        lambda s, lg: calendar_charts.ties_by_country_chart(cal.ties_by_country(s), lg),
        None,
    ),
    "calendar.ties_by_decade": (
        lambda s, lg: calendar_charts.ties_by_decade_chart(cal.ties_by_decade(s), lg),
        None,
    ),
    "calendar.partner_map": (lambda s, lg: calendar_charts.partner_map(cal.directory(s), lg), None),
    "visitors.by_month": (
        lambda s, lg: monthly_bars(
            monthly.receptions_by_month(s, P),
            VisitorCategory,
            title_key="chart.receptions_by_month",
            lang=lg,
            period=P,
        ),  # fmt: skip
        "period",
    ),
    "visitors.top_countries": (
        lambda s, lg: visitor_charts.top_countries_chart(
            visitors.top_countries(s, P), lg, period=P
        ),
        "period",
    ),
    "visitors.hosts": (
        lambda s, lg: visitor_charts.host_share_chart(visitors.host_shares(s, P), lg, period=P),
        "period",
    ),
    "gifts.flows_by_month": (
        lambda s, lg: gift_charts.flows_by_month_chart(gifts.gift_flows(s, P), lg, period=P),
        "period",
    ),
    "gifts.flows_by_country": (
        lambda s, lg: gift_charts.flows_by_country_chart(gifts.gift_flows(s, P), lg, period=P),
        "period",
    ),
    "gifts.stock": (
        lambda s, lg: gift_charts.stock_chart(gifts.stock_history(s), lg, as_of=STOCK_DAY),
        STOCK_DAY,
    ),
    "gifts.bands": (
        lambda s, lg: gift_charts.value_band_chart(
            gift_charts.value_band_counts(gift_register(s)["estimated_value"]), lg
        ),
        None,
    ),
    "venues.bookings_by_month": (
        lambda s, lg: monthly_bars(
            monthly.bookings_by_month(s, P),
            BookingKind,
            title_key="chart.bookings_by_month",
            lang=lg,
            period=P,
        ),  # fmt: skip
        "period",
    ),
    "venues.events_by_month": (
        lambda s, lg: venue_charts.events_by_month_chart(venue_use.purpose_by_month(s, P), P, lg),
        "period",
    ),
    "venues.by_purpose": (
        lambda s, lg: venue_charts.purpose_chart(
            venue_use.purpose_totals(venue_use.purpose_by_month(s, P)), P, lg
        ),
        "period",
    ),
    "venues.heatmap": (
        lambda s, lg: venue_charts.heatmap_chart(venue_use.weekday_hours(s, P), P, lg),
        "period",
    ),
    "venues.utilisation": (_venue_use, "period"),
    "venues.timeline": (_timeline, None),
    "fleet.trips_by_month": (
        lambda s, lg: monthly_bars(
            monthly.trips_by_month(s, P),
            TripType,
            title_key="chart.trips_by_month",
            lang=lg,
            period=P,
        ),  # fmt: skip
        "period",
    ),
    "fleet.km_by_month": (
        lambda s, lg: fleet_charts.km_by_month_chart(monthly.trips_by_month(s, P), lg, period=P),
        "period",
    ),
    "fleet.by_vehicle": (
        lambda s, lg: fleet_charts.vehicle_km_chart(fleet.vehicle_usage(s, P), lg, period=P),
        "period",
    ),
    "fleet.utilisation": (
        lambda s, lg: fleet_charts.utilisation_chart(
            fleet.vehicle_usage(s, P),
            fleet.fleet_utilisation(fleet.vehicle_usage(s, P)),
            lg,
            period=P,
        ),  # fmt: skip
        "period",
    ),
    "fleet.by_agency": (
        lambda s, lg: fleet_charts.agency_chart(
            fleet.trips_by_agency(s, P, top=8), 8, lg, period=P
        ),
        "period",
    ),
    "staffing.trend": (
        lambda s, lg: staffing_charts.trend_chart(
            staffing.list_snapshots(s)[lambda d: d["as_of"] <= SNAPSHOT], lg, SNAPSHOT
        ),
        SNAPSHOT,
    ),
    "staffing.units": (_staff_units, SNAPSHOT),
}


def _subtitle(spec: dict) -> str:
    subtitle = spec["title"]["subtitle"]
    return "\n".join(subtitle) if isinstance(subtitle, list) else subtitle


@pytest.fixture(scope="module")
def specs(demo_engine) -> dict[tuple[str, str], dict]:
    """Every builder's spec in both languages, built once from the demo database."""
    with Session(demo_engine) as session:
        return {
            (name, lg): build(session, lg).to_dict()
            for name, (build, _) in BUILDERS.items()
            for lg in ("zh-TW", "en")
        }


@pytest.mark.parametrize("name", BUILDERS)
def test_every_chart_has_the_house_font_title_and_source_line(specs, name):
    zh, en = specs[name, "zh-TW"], specs[name, "en"]
    for spec in (zh, en):
        assert spec["config"]["font"].startswith(FONT_FAMILY)
        assert spec["config"]["title"]["font"].startswith(FONT_FAMILY)
        assert spec["config"]["range"]["category"] == PALETTE
        assert spec["title"]["text"]
    assert _subtitle(zh).startswith("資料來源：行政暨國際處業務工作台")
    assert _subtitle(en).startswith("Source: ")
    dated = BUILDERS[name][1]
    if dated == "period":
        assert ZH_PERIOD in _subtitle(zh) and EN_PERIOD in _subtitle(en)
    elif isinstance(dated, date):
        assert f"資料日期：{dated.year - 1911}年{dated.month}月{dated.day}日" in _subtitle(zh)
        assert f"Data as of {english_date(dated)}" in _subtitle(en)
    else:
        assert "\n" not in _subtitle(zh)  # the source alone: no period, no date


def _strings(node) -> list[str]:
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return [node] if isinstance(node, str) else []


@pytest.mark.parametrize("name", BUILDERS)
def test_english_axes_read_gregorian_years_and_months(specs, name):
    """No 112年 or 112/03 month on an English chart's axes (tooltips keep the record's date)."""
    en = specs[name, "en"]
    labels = [s for s in _strings(en) if "datum.value" in s]
    assert not any("年" in s or "1911" in s for s in labels), labels
    months = [
        row["roc_month"]
        for rows in en.get("datasets", {}).values()
        for row in rows
        if isinstance(row, dict) and "roc_month" in row
    ]
    assert all(re.fullmatch(r"\d{4}-\d{2}\*?", m) for m in months), months[:5]


def _colours(node, found=None) -> list[dict]:
    """Every nominal colour encoding in a spec, in the order met."""
    found = [] if found is None else found
    if isinstance(node, dict):
        colour = node.get("color")
        if isinstance(colour, dict) and colour.get("type") == "nominal" and "field" in colour:
            found.append(colour)
        for value in node.values():
            _colours(value, found)
    elif isinstance(node, list):
        for value in node:
            _colours(value, found)
    return found


def _field_values(spec: dict, field: str) -> set:
    rows = [row for data in spec.get("datasets", {}).values() for row in data]
    return {row[field] for row in rows if isinstance(row, dict) and field in row}


@pytest.mark.parametrize("name", BUILDERS)
def test_a_series_keeps_its_colour_in_both_languages(specs, name):
    """Labels that differ by language come with their order (domain or sort); otherwise
    Vega sorts them alphabetically and 會議 and Meeting would take different colours."""
    zh, en = _colours(specs[name, "zh-TW"]), _colours(specs[name, "en"])
    assert len(zh) == len(en)
    for zh_colour, en_colour in zip(zh, en, strict=True):
        field = zh_colour["field"]
        ordered = [
            c.get("scale", {}).get("domain") or c.get("sort") for c in (zh_colour, en_colour)
        ]
        if all(ordered):
            assert len(ordered[0]) == len(ordered[1]), field
        else:
            zh_values = _field_values(specs[name, "zh-TW"], field)
            assert zh_values == _field_values(specs[name, "en"], field), field


def test_month_labels_follow_the_language():
    assert roc_month_label(date(2023, 3, 1), None) == "112/03"
    assert roc_month_label(date(2023, 3, 1), None, "en") == "2023-03"
    assert roc_month_label(date(2022, 7, 1), Period(date(2022, 7, 5), date(2022, 9, 1)), "en") == (
        "2022-07*"
    )


def test_building_a_chart_looks_up_no_altair_class_from_a_dict(demo_engine, monkeypatch):
    """Every chart is built on every run of its page. A channel given as a bare string
    ("x:N") or a dict (alt.condition, alt.value) makes Altair find its class by hashing
    every schema it has (about 3 ms of CPU each time); channel classes (alt.XOffset("x:N"),
    alt.YValue(0), alt.ColorValue(…, condition=…)) need no look-up."""
    from altair.utils import schemapi

    looked_up: list[str] = []
    building = [""]  # the chart being built
    original = schemapi._FromDict.__init__

    def counting(self, *args, **kwargs):
        looked_up.append(building[0])
        original(self, *args, **kwargs)

    monkeypatch.setattr(schemapi._FromDict, "__init__", counting)
    with Session(demo_engine) as session:
        for name, (build, _) in BUILDERS.items():
            for lg in ("zh-TW", "en"):
                building[0] = f"{name} ({lg})"
                build(session, lg)
    assert looked_up == []


@pytest.mark.parametrize("name", BUILDERS)
def test_no_chart_overrides_the_house_colours_or_font(specs, name):
    """Colours of categories come from the theme's PALETTE, type from its font stack."""
    text = json.dumps({k: v for k, v in specs[name, "zh-TW"].items() if k != "config"}, default=str)
    assert '"range"' not in text
    assert '"font"' not in text


@pytest.mark.parametrize("name", BUILDERS)
def test_the_shipped_font_has_every_character_a_chart_shows(specs, name):
    """No tofu: titles, source lines and the data's words are all in Workspace Sans TC."""
    spec = specs[name, "zh-TW"]
    words = [spec["title"]["text"], _subtitle(spec)]
    for rows in spec.get("datasets", {}).values():
        words += [v for row in rows for v in row.values() if isinstance(v, str)]
    assert not missing_glyphs("".join(words))


def test_the_theme_is_registered_and_enabled():
    assert alt.theme.active == THEME
    spec = alt.Chart(pd.DataFrame({"x": [1]})).mark_bar().encode(x="x:Q").to_dict()
    assert spec["config"]["font"].startswith(FONT_FAMILY)


def _bars() -> alt.Chart:
    frame = pd.DataFrame({"種類": ["調派", "支援借用"], "n": [3, 4]})
    return alt.Chart(frame).mark_bar().encode(x="種類:N", y="n:Q", color="種類:N")


def test_titled_puts_the_title_atop_a_concatenation_and_carries_the_config():
    chart = titled(alt.hconcat(_bars(), _bars()), "兩張圖", lang="zh-TW", period=P)
    spec = chart.to_dict()
    assert spec["title"]["text"] == "兩張圖"
    assert ZH_PERIOD in _subtitle(spec)
    assert all("title" not in view for view in spec["hconcat"])
    assert spec["config"]["font"].startswith(FONT_FAMILY)


def test_titled_keeps_a_charts_own_config_over_the_house_one():
    chart = titled(_bars().configure_legend(orient="bottom"), "圖", lang="zh-TW")
    legend = chart.to_dict()["config"]["legend"]
    assert legend["orient"] == "bottom" and legend["labelFont"].startswith(FONT_FAMILY)


def test_the_export_carries_the_house_config_whatever_theme_is_enabled():
    with alt.theme.enable("dark"):
        spec = export_spec(_bars().properties(width="container"))
    assert spec["config"]["font"].startswith(FONT_FAMILY)
    assert spec["config"]["background"] == "white"
    assert spec["width"] == EXPORT_WIDTH


def test_png_is_twice_the_export_width_and_svg_keeps_font_and_chinese(demo_engine):
    with Session(demo_engine) as session:
        chart = BUILDERS["fleet.trips_by_month"][0](session, "zh-TW")
    png = to_png(chart)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert Image.open(io.BytesIO(png)).width == 2 * EXPORT_WIDTH
    svg = to_svg(chart)
    assert svg.lstrip().startswith("<svg")
    assert 'font-family="Workspace Sans TC' in svg
    assert "每月公務車車次" in svg and "111年7月1日至112年3月15日" in svg


@pytest.mark.parametrize("name", ["calendar.partner_map", "fleet.utilisation", "gifts.stock"])
def test_maps_layers_and_dated_charts_export_too(demo_engine, name):
    """Inline TopoJSON (the map), layers with a rule, Python dates in the data."""
    with Session(demo_engine) as session:
        chart = BUILDERS[name][0](session, "zh-TW")
    assert Image.open(io.BytesIO(to_png(chart, scale=1))).width == EXPORT_WIDTH
    assert chart.to_dict()["title"]["text"] in to_svg(chart)


def test_a_concatenation_exports_with_its_title():
    chart = titled(alt.hconcat(_bars(), _bars()), "兩張圖", lang="zh-TW", period=P)
    assert "兩張圖" in to_svg(chart)


def test_file_names_are_ascii_with_the_period_or_date():
    assert file_stem("fleet.trips_by_month", P) == "fleet_trips_by_month_2022-07-01_2023-03-15"
    assert file_stem("staff.units", as_of=SNAPSHOT) == "staff_units_2023-02-28"
    one_day = Period(date(2022, 8, 10), date(2022, 8, 10))
    assert file_stem("venue schedule/day", one_day) == "venue_schedule_day_2022-08-10"
    assert file_stem("館舍") == "chart"


def test_the_file_name_follows_the_period_the_chart_was_titled_with():
    assert chart_stem(titled(_bars(), "圖", lang="zh-TW", period=P), "fleet.x") == (
        "fleet_x_2022-07-01_2023-03-15"
    )
    assert chart_stem(titled(_bars(), "圖", lang="en", as_of=SNAPSHOT), "s") == "s_2023-02-28"
    assert chart_stem(titled(_bars(), "圖", lang="zh-TW"), "cal.map") == "cal_map"
    assert chart_stem(_bars(), "plain") == "plain"


def test_house_config_is_a_fresh_dict_each_time():
    house_config()["title"]["fontSize"] = 99
    assert house_config()["title"]["fontSize"] == 16


def _encodings(spec: dict) -> list[dict]:
    """Every encoding block of a spec: its own, its layers', its concatenated or faceted parts."""
    found = [spec["encoding"]] if "encoding" in spec else []
    for key in ("layer", "hconcat", "vconcat", "concat"):
        for part in spec.get(key, []):
            found += _encodings(part)
    if "spec" in spec:
        found += _encodings(spec["spec"])
    return found


# Bookings per purpose: 5 award ceremonies beside 2,041 meetings; its axis is titled 對數尺度 and
# every bar carries its count, so no bar is read off the scale.
LOG_SCALE_LABELLED = {"venues.by_purpose"}


@pytest.mark.parametrize("name", BUILDERS)
def test_no_chart_uses_a_log_scale_and_counts_tick_in_whole_numbers(specs, name):
    for lg in ("zh-TW", "en"):
        for encoding in _encodings(specs[name, lg]):
            for channel in ("x", "y"):
                field = encoding.get(channel, {})
                log = field.get("scale", {}).get("type") in ("symlog", "log")
                assert not log or name in LOG_SCALE_LABELLED, (name, lg)
                if field.get("field") == "count" and field.get("type") == "quantitative":
                    axis = field.get("axis", {})
                    given = axis.get("values", [0.5])  # ticks set one by one: all whole
                    whole = axis.get("tickMinStep") == 1 or all(isinstance(v, int) for v in given)
                    assert whole, (name, lg, channel)


def test_gifts_received_and_given_each_get_their_own_axis_in_the_same_order_in_both_languages(
    specs,
):
    for name in ("gifts.flows_by_month", "gifts.flows_by_country"):
        zh, en = specs[name, "zh-TW"], specs[name, "en"]
        assert zh["resolve"]["scale"] in ({"y": "independent"}, {"x": "independent"})
        panels = [next(iter(s["facet"].values()))["sort"] for s in (zh, en)]
        assert panels == [
            [t("gift.flow.received", "zh-TW"), t("gift.flow.given", "zh-TW")],
            [t("gift.flow.received", "en"), t("gift.flow.given", "en")],
        ]


def test_a_month_the_period_covers_in_part_is_starred_and_explained():
    frame = pd.DataFrame(
        {"month": [date(2023, 2, 1), date(2023, 3, 1)], "kind": ["dispatch"] * 2, "count": [9, 4]}
    )
    spec = monthly_bars(frame, TripType, title_key="chart.trips_by_month", lang="zh-TW",
                        period=P, axis_key="chart.trips").to_dict()  # fmt: skip
    assert [row["roc_month"] for row in _values(spec)] == ["112/02", "112/03*"]
    assert spec["encoding"]["y"]["title"] == "車次"
    assert "＊期間只含該月的一部分日數" in spec["title"]["subtitle"]
    whole = Period(date(2023, 2, 1), date(2023, 3, 31))
    spec = monthly_bars(frame, TripType, title_key="chart.trips_by_month", lang="zh-TW",
                        period=whole).to_dict()  # fmt: skip
    assert [row["roc_month"] for row in _values(spec)] == ["112/02", "112/03"]
    assert "＊" not in "".join(spec["title"]["subtitle"])


def _values(spec: dict) -> list[dict]:
    return spec["datasets"][spec["data"]["name"]]


def test_every_download_name_is_ascii_words_and_iso_dates():
    assert file_names.file_stem("vip_van_statement", month=date(2023, 3, 9)) == (
        "vip_van_statement_2023-03"
    )
    assert file_names.file_stem("gift_register", P) == "gift_register_2022-07-01_2023-03-15"
    assert file_names.words("Đà Nẵng") == "Da_Nang"
    assert file_names.words("São Paulo / Brasil") == "Sao_Paulo_Brasil"
    assert file_names.file_stem("館舍") == "export"
