"""Briefings for the report's period carry the seed report's figures, read back from the DOCX,
PPTX and PDF files themselves (python-docx, python-pptx, pypdf), on every backend."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session

from core.briefing.build import (
    ALL_OPTIONS,
    BriefingRequest,
    build_briefing,
    default_items,
    render,
    render_charts,
)
from core.briefing.model import Briefing, Cell, Figure, Item, Part, Section, Table, cleaned
from core.figures.compute import compute_figures
from core.kernel.periods import REPORT_PERIOD

START, END = REPORT_PERIOD.start, REPORT_PERIOD.end
FLEET = "本期公務車輛調派計 770 車次，支援各機關申請借用車輛計 51 車次，合計 821 車次。"
VENUES = "本期兩行政中心場地，共計開放 207 場次，各會議室等集會場所申請使用共計 2,041 場次。"
STAFF = "各機關學校工級人員與臨時人員截至 112 年 2 月現有員額為 8,015 人，統計表如下："
REDUCTIONS = (
    "自縣市合併迄 112 年 2 月工級人員總計減少 2,527 人（由 8,462 人減少為 5,935 人），精簡率約為"
    " 29.86％；臨時人員則減少 1,382 人（由 3,462 人減少為 2,080 人），精簡率約為 39.92％，其中業務"
    "助理由 1,390 人減至 591 人，減少 799 人，精簡率達 57.48％。"
)
REVIEWS = "本期召開 5 次，審議 10 案，通過進用 27 人。"
EVENTS = "本期辦理姊妹市及友好夥伴城市交流活動計 15 場次。"
RECEPTIONS = "計 25 場次，其中視訊會議 3 場次，友邦訪賓 5 場次。"
STAFF_CELLS = ["5,339", "596", "5,935", "591", "13", "11", "15", "630", "1,450", "2,080"]


@pytest.fixture(scope="module")
def briefing(demo_engine):
    """The default briefing of the report's period, charts drawn once for all formats."""
    with Session(demo_engine) as session:
        # The report's own layout: no comparison with the previous period (test_briefing_facts).
        built = build_briefing(session, BriefingRequest(START, END, compare=False))
    render_charts(built)
    return built


@pytest.fixture(scope="module")
def english(demo_engine):
    with Session(demo_engine) as session:
        built = build_briefing(session, BriefingRequest(START, END, lang="en", compare=False))
    render_charts(built)
    return built


def _docx_text(data: bytes):
    import docx

    document = docx.Document(io.BytesIO(data))
    return document, [p.text for p in document.paragraphs]


def test_the_docx_has_the_reports_title_period_numbering_and_sentences(briefing):
    document, paragraphs = _docx_text(render(briefing, "docx"))
    assert paragraphs[0] == "高雄市政府行政暨國際處業務報告"
    assert "111年7月1日至112年3月15日" in paragraphs[1]
    text = "\n".join(paragraphs)
    for sentence in (FLEET, VENUES, STAFF, REDUCTIONS, REVIEWS, EVENTS, RECEPTIONS):
        assert sentence in text, sentence
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == "壹、重要業務執行狀況" and headings[-1] == "貳、結語"
    assert [h[:2] for h in headings[1:-1]] == ["一、", "二、", "三、", "四、", "五、", "六、"]
    assert any(p.startswith("1.本期公務車輛調派計") for p in paragraphs)
    assert "精簡率約為 29.86％" in text and "39.92％" in text and "57.48％" in text


def test_the_docx_staffing_table_is_a_real_table_with_the_reports_cells(briefing):
    document, paragraphs = _docx_text(render(briefing, "docx"))
    staffing = next(t for t in document.tables if t.cell(0, 0).text == "工級人員")
    cells = [c.text for row in staffing.rows for c in row.cells]
    for value in STAFF_CELLS:
        assert value in cells, value
    assert "總計：8,015" in cells
    # Merged, as in the report: 工級人員 spans two rows, the 630 subtotal four columns.
    assert staffing.cell(0, 0)._tc is staffing.cell(1, 0)._tc
    row = [c for c in staffing.rows if "630" in [x.text for x in c.cells]][0]
    assert [c.text for c in row.cells][1:5] == ["630"] * 4
    assert "資料日期：112.2.28" in paragraphs
    assert any("衛生局以醫療藥品基金進用之人員約302人" in p for p in paragraphs)


def test_the_docx_has_one_picture_per_chart_with_numbered_captions(briefing):
    document, paragraphs = _docx_text(render(briefing, "docx"))
    charts = [o for o in default_items() if ALL_OPTIONS[o].kind == "chart"]
    assert len(briefing.all_figures()) == len(charts) == 6
    assert len(document.inline_shapes) == len(charts)
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    figures = [c for c in captions if c.startswith("圖")]
    tables = [c for c in captions if c.startswith("表")]
    assert [int(re.match(r"圖(\d+)", c).group(1)) for c in figures] == list(range(1, 7))
    assert [int(re.match(r"表(\d+)", c).group(1)) for c in tables] == list(range(1, 6))
    assert "圖5　每月公務車車次" in figures or any("公務車" in c for c in figures)
    assert len(document.tables) == len(tables)


def test_every_picture_is_a_2x_png(briefing):
    from PIL import Image

    for figure in briefing.all_figures():
        with Image.open(io.BytesIO(figure.png)) as image:
            assert image.format == "PNG"
            assert image.width >= 1200, (figure.key, image.size)  # 720 CSS px at scale 2


def test_the_pptx_has_a_slide_per_chart_and_table_with_its_sentence(briefing):
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    prs = Presentation(io.BytesIO(render(briefing, "pptx")))
    slides = list(prs.slides)
    texts = [
        "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame) for slide in slides
    ]
    pictures = [
        sum(1 for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE) for slide in slides
    ]
    tables = [sum(1 for s in slide.shapes if s.has_table) for slide in slides]
    assert sum(pictures) == 6 and max(pictures) == 1
    assert all(p + t <= 1 for p, t in zip(pictures, tables, strict=True))  # one per slide
    assert "高雄市政府行政暨國際處業務報告" in texts[0] and "111年7月1日至112年3月15日" in texts[0]
    fleet_chart = next(
        i for i, text in enumerate(texts) if "每月公務車車次" in text and pictures[i] == 1
    )
    assert FLEET in texts[fleet_chart]
    staffing = next(
        s.table for slide in slides for s in slide.shapes if s.has_table
        if s.table.cell(0, 0).text == "工級人員"
    )  # fmt: skip
    values = {c.text for row in staffing.rows for c in row.cells}
    assert set(STAFF_CELLS) <= values and "總計：8,015" in values
    assert any(STAFF in text for text in texts)


def test_the_pdf_reads_back_with_the_figures_tables_and_images(briefing):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(render(briefing, "pdf")))
    text = re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))
    for sentence in (FLEET, VENUES, STAFF, REDUCTIONS, REVIEWS, EVENTS):
        assert re.sub(r"\s+", "", sentence) in text, sentence
    assert "高雄市政府行政暨國際處業務報告" in text and "111年7月1日至112年3月15日" in text
    for value in STAFF_CELLS:
        assert value in text
    assert sum(len(page.images) for page in reader.pages) == 6
    assert "總計：8,015" in text


def test_an_english_briefing_uses_gregorian_dates_and_original_script_names(english):
    _, paragraphs = _docx_text(render(english, "docx"))
    text = "\n".join(paragraphs)
    assert paragraphs[0].startswith("Kaohsiung City Government")
    assert "1 July 2022 – 15 March 2023" in paragraphs[1]
    assert "Official cars made 770 dispatch trips" in text and "821 trips in all" in text
    assert "a reduction of 29.86%" in text and "8,015" in text
    for name in ("Agne Vaiciukeviciute", "小池百合子", "Adrian Schrinner"):
        assert name in text, name
    # The name as written, then the title and organisation in English.
    assert "Ron Nirenberg (Mayor, City of San Antonio) (video)" in text
    assert "I. Main work" in text and "II. Closing" in text


def test_sentences_follow_the_figures_of_any_period(demo_engine):
    """Not the report's numbers written in: another period's sentences carry its figures."""
    start, end = date(2023, 1, 1), date(2023, 1, 31)
    with Session(demo_engine) as session:
        figures = compute_figures(session, start, end)
        request = BriefingRequest(start, end, items=frozenset(), compare=False)
        built = build_briefing(session, request)
    text = "\n".join(i.text for p in built.parts for s in p.sections for i in s.items)
    assert figures["fleet.total_trips"] != 821
    expected = (
        f"本期公務車輛調派計 {figures['fleet.dispatch_trips']:,} 車次，支援各機關申請借用車輛計 "
        f"{figures['fleet.loan_trips']:,} 車次，合計 {figures['fleet.total_trips']:,} 車次。"
    )
    assert expected in text
    assert f"共計開放 {figures['venue.events_opened']:,} 場次" in text
    assert built.all_figures() == [] and built.all_tables() == []
    assert "112年1月1日至112年1月31日" in built.period_line


def test_a_period_without_records_still_builds_every_format(demo_engine):
    start, end = date(2031, 1, 1), date(2031, 1, 31)
    with Session(demo_engine) as session:
        built = build_briefing(session, BriefingRequest(start, end))
    # Nothing happened in the period; only the staffing trend (data as of the period's end).
    assert {f.key for f in built.all_figures()} <= {"staffing.trend"}
    text = "\n".join(i.text for p in built.parts for s in p.sections for i in s.items)
    assert "本期公務車輛調派計 0 車次，支援各機關申請借用車輛計 0 車次，合計 0 車次。" in text
    for fmt in ("docx", "pptx", "pdf"):
        assert len(render(built, fmt)) > 1000


def test_chosen_sections_only_and_renumbered(demo_engine):
    with Session(demo_engine) as session:
        built = build_briefing(
            session,
            BriefingRequest(START, END, sections=("fleet", "staffing"), items=frozenset()),
        )
    sections = built.parts[0].sections
    assert [(s.number, s.key) for s in sections] == [("一、", "fleet"), ("二、", "staffing")]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"sections": ("fleet", "weather")}, "未知的業務：weather"),
        ({"items": frozenset({"fleet.pie"})}, "未知的圖表：fleet.pie"),
    ],
)
def test_a_bad_request_is_refused_with_a_clear_message(kwargs, message):
    with pytest.raises(ValueError, match=message):
        BriefingRequest(START, END, **kwargs)
    with pytest.raises(ValueError, match="迄日不可早於起日"):
        BriefingRequest(END, START)


def _dirty_briefing() -> Briefing:
    """Every kind of text a writer lays out, each holding control characters (DEL included)."""
    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(png, "PNG")
    rows = [
        [Cell("項\x0b目", header=True), Cell("數量", header=True)],
        [Cell("高\x7f雄熊"), Cell("3")],
    ]
    item = Item(
        "本期\x01贈送高雄熊 3 個。",
        tables=[Table(1, "表1\x1f　禮品", rows, note="資料\x0c日期\n第二行")],
        figures=[Figure(1, "圖1\x00　禮品", chart=None, key="gifts.flows", png=png.getvalue())],
        bullets=["活\x08動"],
    )
    section = Section("gifts", "一、", "禮品\x0b管理", [item])
    parts = [Part("壹、", "業務\x7f", [section]), Part("貳、", "結語", text="結\x1f語")]
    return Briefing("zh-TW", "業務報告\x0b", "111年\x01", "前言\x7f", parts, {}, "stem")


def test_cleaned_removes_control_characters_from_every_text_and_keeps_line_breaks():
    built = cleaned(_dirty_briefing())
    item = built.parts[0].sections[0].items[0]
    assert (built.title, built.intro, item.text) == ("業務報告", "前言", "本期贈送高雄熊 3 個。")
    assert (
        item.tables[0].rows[1][0].text == "高雄熊" and item.tables[0].rows[1][0].align == "center"
    )
    assert item.tables[0].note == "資料日期\n第二行"
    assert item.figures[0].caption == "圖1　禮品" and item.figures[0].png
    assert (item.bullets, built.parts[1].text) == (["活動"], "結語")


@pytest.mark.parametrize("fmt", ["docx", "pptx", "pdf"])
def test_each_writer_removes_control_characters_itself(fmt, caplog):
    """A briefing not made by build_briefing: python-docx refused it, python-pptx wrote
    _x000B_ and kept DEL, the PDF had no glyph for them and broke the line at a form feed."""
    from core.briefing.docx import write_docx
    from core.briefing.pdf import write_pdf
    from core.briefing.pptx import write_pptx

    data = {"docx": write_docx, "pptx": write_pptx, "pdf": write_pdf}[fmt](_dirty_briefing())
    if fmt == "pdf":
        from pypdf import PdfReader

        texts = [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
    else:
        import zipfile

        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            texts = [archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml")]
    text = "".join(texts)
    assert "高雄熊" in text and "業務報告" in text and "資料日期" in text
    assert not [r.message for r in caplog.records if "missing the following glyphs" in r.message]
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|_x00[01][0-9A-F]_", text)


def test_table_grid_places_spanned_cells_and_refuses_overflow():
    table = Table(1, "t", [[Cell("a", rowspan=2), Cell("b", colspan=2)], [Cell("c"), Cell("d")]])
    grid = table.grid()
    assert [[c.text if c else None for c in row] for row in grid] == [
        ["a", "b", None],
        [None, "c", "d"],
    ]
    with pytest.raises(ValueError, match="too many cells"):
        Table(1, "t", [[Cell("a"), Cell("b")], [Cell("c"), Cell("d"), Cell("e")]]).grid()
    with pytest.raises(ValueError, match="span leaves"):
        Table(1, "t", [[Cell("a", rowspan=3), Cell("b")], [Cell("c")]]).grid()


def _cli(*args, url):
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "core.briefing", *args],
        capture_output=True, text=True, env=env, timeout=300,
    )  # fmt: skip


@pytest.mark.parametrize("fmt", ["docx", "pptx", "pdf"])
def test_the_cli_writes_each_format(demo_url, tmp_path, fmt):
    out = tmp_path / f"report.{fmt}"
    args = ["--start", "111/07/01", "--end", "2023-03-15", "--format", fmt, "--out", str(out)]
    if fmt != "docx":
        args += ["--lang", "en", "--sections", "fleet,staffing", "--items", "fleet.by_month"]
    result = _cli(*args, url=demo_url)
    assert result.returncode == 0, result.stderr
    assert "已寫入" in result.stdout and out.stat().st_size > 10_000
    assert not list(tmp_path.glob("*.part"))
    data = out.read_bytes()
    assert data[:4] == (b"%PDF" if fmt == "pdf" else b"PK\x03\x04")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--start", "2023-03-15", "--end", "2022-07-01"], "迄日不可早於起日"),
        (["--start", "111/13/01", "--end", "2023-03-15"], "參數錯誤"),
        (["--start", "2022-07-01", "--end", "2023-03-15", "--sections", "weather"], "未知的業務"),
        (["--start", "2022-07-01", "--end", "2023-03-15", "--items", "fleet.pie"], "未知的圖表"),
    ],
)
def test_the_cli_refuses_bad_arguments_and_writes_nothing(demo_url, tmp_path, args, message):
    out = tmp_path / "report.docx"
    result = _cli(*args, "--format", "docx", "--out", str(out), url=demo_url)
    assert result.returncode == 2
    assert message in result.stderr
    assert not out.exists()


def test_the_cli_refuses_a_missing_folder(demo_url, tmp_path):
    out = tmp_path / "no" / "such" / "report.docx"
    args = ["--start", "2022-07-01", "--end", "2023-03-15", "--format", "docx", "--out", str(out)]
    result = _cli(*args, url=demo_url)
    assert result.returncode == 2 and "輸出資料夾不存在" in result.stderr


def _docx_parts(data: bytes) -> dict[str, str]:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {n: archive.read(n).decode() for n in archive.namelist() if n.endswith(".xml")}


def test_the_docx_has_the_running_header_and_a_page_field_on_every_page(briefing):
    parts = _docx_parts(render(briefing, "docx"))
    headers = [v for k, v in parts.items() if k.startswith("word/header")]
    footers = [v for k, v in parts.items() if k.startswith("word/footer")]
    assert ["市政府各單位業務報告（行政暨國際處）" in h for h in headers].count(True) == 1
    [footer] = [f for f in footers if "instrText" in f]
    assert re.search(r"<w:instrText[^>]*> PAGE </w:instrText>", footer)
    assert re.findall(r'w:fldCharType="(\w+)"', footer) == ["begin", "separate", "end"]


def test_the_docx_fonts_are_kaiti_with_no_theme_font_left_and_the_language_is_zh_tw(briefing):
    from lxml import etree

    parts = _docx_parts(render(briefing, "docx"))
    styles, settings = parts["word/styles.xml"], parts["word/settings.xml"]
    # A theme attribute beside w:eastAsia="標楷體" wins in Word (Calibri / ＭＳ ゴシック shown).
    assert re.findall(r'w:\w*(?:Theme|theme)="\w+"', styles) == []
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    tree = etree.fromstring(styles.encode())
    fonts = {
        style.get(f"{w}styleId"): style.find(f"{w}rPr/{w}rFonts")
        for style in tree.iter(f"{w}style")
    }
    for name in ("Title", "Heading1", "Heading2", "Normal", "Caption"):
        assert fonts[name] is not None and fonts[name].get(f"{w}eastAsia") == "標楷體", name
        assert fonts[name].get(f"{w}ascii") == "Times New Roman", name
    defaults = tree.find(f"{w}docDefaults/{w}rPrDefault/{w}rPr")
    assert defaults.find(f"{w}rFonts").get(f"{w}eastAsia") == "標楷體"
    language = defaults.find(f"{w}lang")
    assert (language.get(f"{w}val"), language.get(f"{w}eastAsia")) == ("zh-TW", "zh-TW")
    theme = etree.fromstring(settings.encode()).find(f"{w}themeFontLang")
    assert (theme.get(f"{w}val"), theme.get(f"{w}eastAsia")) == ("zh-TW", "zh-TW")


def test_the_docx_tables_repeat_their_header_rows_on_every_page(briefing):
    document, _ = _docx_text(render(briefing, "docx"))
    from docx.oxml.ns import qn

    marked = [
        [i for i, row in enumerate(table.rows)
         if row._tr.find(f"{qn('w:trPr')}/{qn('w:tblHeader')}") is not None]
        for table in document.tables
    ]  # fmt: skip
    # The staffing table's side headings span into its body rows: it has none to repeat.
    assert marked == [[0] if t.heading_rows else [] for t in briefing.all_tables()]
    assert [t.heading_rows for t in briefing.all_tables()].count(0) == 1


def test_heading_rows_are_the_leading_header_rows_not_spanning_into_the_body():
    h, b = (lambda text, **kw: Cell(text, header=True, **kw)), (lambda text: Cell(text))
    two = Table(1, "t", [[h("a"), h("b")], [h("c"), h("d")], [b("1"), b("2")]])
    spanning = Table(2, "t", [[h("a", rowspan=2), h("b")], [b("2")]])
    only_headers = Table(3, "t", [[h("a")], [h("b")]])
    assert (two.heading_rows, spanning.heading_rows, only_headers.heading_rows) == (2, 0, 1)


def test_every_pdf_page_renders_for_review_with_no_line_starting_with_closing_punctuation(
    briefing,
):
    """Each page as a PNG under artifacts/briefing/ (to look at, as a reader would), and the
    text as laid out: ragged-right lines, no 、。， at a line's start, the header on each page."""
    import pypdf
    import pypdfium2 as pdfium

    out = Path(__file__).resolve().parents[2] / "artifacts" / "briefing"
    out.mkdir(parents=True, exist_ok=True)
    data = render(briefing, "pdf")
    document = pdfium.PdfDocument(data)
    assert len(document) >= 5
    # Justified lines are drawn with TJ and spacing between the glyphs (「計　　　15」).
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        assert not re.search(rb"\]\s*TJ", page.get_contents().get_data())
    for number, page in enumerate(document, start=1):
        page.render(scale=1.5).to_pil().save(out / f"report_period_zh-TW_p{number:02d}.png")
        lines = page.get_textpage().get_text_range().splitlines()
        assert lines[0].strip() == "市政府各單位業務報告（行政暨國際處）", number
        starts = [line for line in lines if line[:1] in "、。，；：）」"]
        assert starts == [], (number, starts)


def test_lines_break_between_chinese_characters_but_not_before_closing_punctuation():
    from core.briefing.wrap import break_lines

    width = lambda text: len(text)  # noqa: E731  (one unit per character)
    assert break_lines("甲乙丙丁、戊己", 4, width) == ["甲乙丙", "丁、戊己"]
    assert break_lines("甲乙丙「丁戊", 4, width) == ["甲乙丙", "「丁戊"]
    # Latin words and numbers stay whole; a word longer than the line is split by character.
    assert break_lines("計 2,041 場次", 6, width) == ["計", "2,041", "場次"]
    assert break_lines("ab Vaiciukeviciute", 8, width) == ["ab", "Vaiciuke", "viciute"]
    assert break_lines("一\n二", 8, width) == ["一", "二"]
    assert break_lines("增減 +2.82%", 6, width) == ["增減", "+2.82%"]  # the sign stays on
