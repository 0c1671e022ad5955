"""In a real browser: the briefing builder builds the report period's DOCX, PPTX and PDF and
the downloads read back with the report's sentences; a chart's PNG and SVG downloads from a
page are real images in the house font."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from core.accounts.users import DEMO_ACCOUNTS
from tests.e2e.conftest import (
    CHROMIUM,
    assert_no_error,
    click_tab,
    main_area,
    new_run,
    settle,
    shot,
    sign_in,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed"),
]

PASSWORDS = {a.username: a.password for a in DEMO_ACCOUNTS}
FLEET = "本期公務車輛調派計 770 車次，支援各機關申請借用車輛計 51 車次，合計 821 車次。"
STAFF = "截至 112 年 2 月現有員額為 8,015 人"


@pytest.fixture(scope="module")
def viewer(browser, demo_server):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    sign_in(page, demo_server, "demo.viewer", PASSWORDS["demo.viewer"], "briefing")
    yield page
    context.close()


def _download(page, button: str, tmp_path: Path, name: str) -> bytes:
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name=button).first.click()
    target = tmp_path / name
    download.value.save_as(target)
    return target.read_bytes()


def test_a_viewer_builds_and_downloads_the_report_periods_docx(viewer, demo_server, tmp_path):
    import docx

    page = viewer
    page.goto(f"{demo_server}/briefing")
    settle(page)
    assert_no_error(page)
    assert "111年7月1日至112年3月15日" in main_area(page).inner_text()
    shot(page, "briefing_builder")
    with new_run(page):
        page.get_by_role("button", name="產生 DOCX").click()
    assert_no_error(page)
    assert re.search(r"DOCX 已完成（[\d.]+ 秒）", main_area(page).inner_text())
    shot(page, "briefing_built")
    data = _download(page, "下載 DOCX", tmp_path, "report.docx")
    document = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "高雄市政府行政暨國際處業務報告" in text and FLEET in text and STAFF in text
    assert len(document.inline_shapes) == 6


def test_the_pdf_and_pptx_downloads_read_back(viewer, demo_server, tmp_path):
    from pptx import Presentation
    from pypdf import PdfReader

    page = viewer
    page.goto(f"{demo_server}/briefing")
    settle(page)
    for fmt in ("PDF", "PPTX"):
        with new_run(page):
            page.get_by_role("button", name=f"產生 {fmt}").click()
    pdf = PdfReader(io.BytesIO(_download(page, "下載 PDF", tmp_path, "report.pdf")))
    squeeze = lambda text: re.sub(r"\s+", "", text)  # noqa: E731
    assert squeeze(FLEET) in squeeze("".join(p.extract_text() for p in pdf.pages))
    slides = Presentation(io.BytesIO(_download(page, "下載 PPTX", tmp_path, "report.pptx"))).slides
    texts = [s.text_frame.text for slide in slides for s in slide.shapes if s.has_text_frame]
    assert any(FLEET in x for x in texts)


def test_the_preview_tab_reads_like_the_report(viewer, demo_server):
    page = viewer
    page.goto(f"{demo_server}/briefing")
    settle(page)
    click_tab(page, "預覽")
    text = main_area(page).inner_text()
    assert "壹、重要業務執行狀況" in text and FLEET in text and "圖1" in text
    assert page.locator("[data-testid='stVegaLiteChart']").count() == 6
    shot(page, "briefing_preview")


def test_a_chart_downloads_as_png_and_svg_with_chinese_text(viewer, demo_server, tmp_path):
    from PIL import Image

    page = viewer
    page.goto(f"{demo_server}/fleet_stats")
    settle(page)
    assert_no_error(page)
    png = _download(page, "下載 PNG", tmp_path, "chart.png")
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG" and image.width == 1440
    svg = _download(page, "下載 SVG", tmp_path, "chart.svg").decode("utf-8")
    assert svg.startswith("<svg") and "Workspace Sans TC" in svg and "公務車" in svg
