"""Every chart on every page comes with a PNG and an SVG download, drawn only when pressed."""

from __future__ import annotations

import io
import json
from typing import Any

import altair as alt
import pandas as pd
import pytest
from PIL import Image

import ui.charts
from core.kernel.charts import EXPORT_WIDTH, titled
from core.kernel.fonts import FONT_FAMILY
from core.kernel.periods import REPORT_PERIOD
from tests.apptest import open_page

CHART_PAGES = [
    "pages/sister_cities.py",
    "pages/visitor_log.py",
    "pages/gift_inventory.py",
    "pages/venue_usage.py",
    "pages/fleet_stats.py",
    "pages/staffing_table.py",
]


def _downloads(at, suffix: str) -> dict[str, Any]:
    return {d.key: d for d in at.get("download_button") if d.key.endswith(suffix)}


@pytest.mark.parametrize("page", CHART_PAGES)
def test_each_chart_on_the_page_has_png_and_svg_downloads(app, page):
    at = open_page(app, page)
    charts = at.get("vega_lite_chart")
    png, svg = _downloads(at, ".png"), _downloads(at, ".svg")
    assert charts, "the page shows no chart"
    assert len(png) == len(svg) == len(charts)
    assert {k.removesuffix(".png") for k in png} == {k.removesuffix(".svg") for k in svg}
    assert {d.proto.label for d in png.values()} == {"下載 PNG"}
    assert {d.proto.label for d in svg.values()} == {"下載 SVG"}
    assert all(d.proto.ignore_rerun for d in [*png.values(), *svg.values()])
    for chart in charts:
        assert chart.proto.theme == ""  # theme=None: Streamlit keeps the house config
        spec = json.loads(chart.proto.spec)
        assert spec["config"]["font"].startswith(FONT_FAMILY)
        assert spec["title"]["text"] and spec["title"]["subtitle"]


def test_the_buttons_speak_english_in_english(app):
    app.session_state["lang"] = "en"
    at = open_page(app, "pages/fleet_stats.py")
    assert {d.proto.label for d in _downloads(at, ".png").values()} == {"PNG"}
    assert {d.proto.label for d in _downloads(at, ".svg").values()} == {"SVG"}


class _Page:
    """Stands in for a Streamlit container: records what show_chart puts on it."""

    def __init__(self) -> None:
        self.charts: list[tuple[alt.TopLevelMixin, dict]] = []
        self.buttons: list[dict] = []

    def vega_lite_chart(self, *, spec: dict, **options: Any) -> None:
        self.charts.append((spec, options))

    def container(self, **options: Any) -> _Page:
        return self

    def download_button(self, label: str, **options: Any) -> None:
        self.buttons.append({"label": label, **options})


def test_show_chart_draws_the_images_only_when_a_button_asks(monkeypatch):
    drawn: list[str] = []
    monkeypatch.setattr(ui.charts, "lang", lambda: "zh-TW")
    real_png, real_svg = ui.charts.to_png, ui.charts.to_svg
    monkeypatch.setattr(ui.charts, "to_png", lambda c: drawn.append("png") or real_png(c))
    monkeypatch.setattr(ui.charts, "to_svg", lambda c: drawn.append("svg") or real_svg(c))
    frame = pd.DataFrame({"種類": ["調派", "支援借用"], "車次": [770, 51]})
    bars = alt.Chart(frame).mark_bar().encode(x="種類:N", y="車次:Q")
    chart = titled(bars, "公務車車次", lang="zh-TW", period=REPORT_PERIOD)
    made: list[alt.TopLevelMixin] = []
    convert = ui.charts._convert_altair_to_vega_lite_spec
    monkeypatch.setattr(
        ui.charts, "_convert_altair_to_vega_lite_spec", lambda c: made.append(c) or convert(c)
    )
    page = _Page()
    ui.charts.show_chart(chart, key="fleet.trips", container=page)
    [(spec, options)] = page.charts
    assert options == {"theme": None, "width": "stretch"}
    assert spec["title"]["text"] == "公務車車次" and len(spec["datasets"]) == 1
    # The same chart again (a rerun: chart builders return the chart built before for the
    # same data): the spec made the first time, not made again.
    ui.charts.show_chart(chart, key="fleet.trips", container=page)
    assert page.charts[1][0] == spec and len(made) == 1
    png, svg = page.buttons[:2]
    assert drawn == []  # an ordinary rerun converts nothing
    assert (png["file_name"], png["mime"], png["key"], png["on_click"]) == (
        "fleet_trips_2022-07-01_2023-03-15.png", "image/png", "fleet.trips.png", "ignore",
    )  # fmt: skip
    assert (svg["file_name"], svg["mime"], svg["key"], svg["on_click"]) == (
        "fleet_trips_2022-07-01_2023-03-15.svg", "image/svg+xml", "fleet.trips.svg", "ignore",
    )  # fmt: skip
    image = png["data"]()
    assert Image.open(io.BytesIO(image)).width == 2 * EXPORT_WIDTH
    assert "公務車車次" in svg["data"]()
    assert drawn == ["png", "svg"]


def test_a_given_stem_names_the_files(monkeypatch):
    monkeypatch.setattr(ui.charts, "lang", lambda: "en")
    page = _Page()
    chart = titled(alt.Chart(pd.DataFrame({"x": [1]})).mark_bar(), "T", lang="en")
    ui.charts.show_chart(chart, key="ven.sched.chart", container=page, stem="venue_day_2022-08-10")
    assert [b["file_name"] for b in page.buttons] == [
        "venue_day_2022-08-10.png", "venue_day_2022-08-10.svg",
    ]  # fmt: skip
    assert [b["label"] for b in page.buttons] == ["PNG", "SVG"]
