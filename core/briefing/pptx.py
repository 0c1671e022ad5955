"""The briefing as slides (16:9): a title slide, one slide per section with its sentences,
then one slide per chart or table with the sentence it belongs to."""

from __future__ import annotations

import io
from dataclasses import replace

from PIL import Image
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from core.briefing.model import Briefing, Figure, Item, Section, Table, cleaned, item_number

# Slides are shown on bureau PCs and meeting-room laptops: 微軟正黑體 for Chinese.
EAST_ASIAN_FONT = "Microsoft JhengHei"
LATIN_FONT = "Calibri"
WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.6)
INK = RGBColor(0x1F, 0x2A, 0x36)
ACCENT = RGBColor(0x0B, 0x53, 0x94)
HEADER_FILL = RGBColor(0xEE, 0xF2, 0xF6)
ALIGN = {"center": PP_ALIGN.CENTER, "right": PP_ALIGN.RIGHT, "left": PP_ALIGN.LEFT}


def _style(run, size: float, bold: bool = False, color: RGBColor = INK) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = color
    run.font.name = LATIN_FONT
    r_pr = run._r.get_or_add_rPr()
    for tag in ("a:ea", "a:cs"):
        found = r_pr.find(qn(tag))
        if found is None:
            found = r_pr.makeelement(qn(tag), {})
            r_pr.append(found)
        found.set("typeface", EAST_ASIAN_FONT)


def _text(
    slide, left, top, width, height, lines, size, *, bold=False, color=INK, align=PP_ALIGN.LEFT
):
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    for index, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.alignment = align
        paragraph.space_after = Pt(size * 0.5)
        _style(paragraph.add_run(), size, bold, color)
        paragraph.runs[0].text = line
    return box


def _slide(prs, title: str):
    slide = prs.slides.add_slide(prs.slide_layouts[6])  # blank
    _text(
        slide,
        MARGIN,
        Inches(0.35),
        WIDTH - 2 * MARGIN,
        Inches(0.8),
        [title],
        26,
        bold=True,
        color=ACCENT,
    )
    return slide


def _figure_slide(prs, section: Section, item: Item, figure: Figure, lang: str) -> None:
    slide = _slide(prs, f"{section.number}{section.title}")
    _text(slide, MARGIN, Inches(1.15), WIDTH - 2 * MARGIN, Inches(1.0), [item.text], 16)
    assert figure.png is not None, "render_charts fills in every PNG first"
    with Image.open(io.BytesIO(figure.png)) as image:
        ratio = image.height / image.width
    top, bottom = Inches(2.2), Inches(0.75)
    room_w, room_h = WIDTH - 2 * MARGIN, HEIGHT - top - bottom
    width = min(room_w, Emu(int(room_h / ratio)))
    height = Emu(int(width * ratio))
    slide.shapes.add_picture(io.BytesIO(figure.png), int((WIDTH - width) / 2), top, width, height)
    _text(
        slide,
        MARGIN,
        HEIGHT - bottom + Inches(0.05),
        WIDTH - 2 * MARGIN,
        Inches(0.5),
        [figure.caption],
        14,
        align=PP_ALIGN.CENTER,
    )


def _table_slide(prs, section: Section, item: Item, table: Table, lang: str) -> None:
    slide = _slide(prs, f"{section.number}{section.title}")
    _text(slide, MARGIN, Inches(1.15), WIDTH - 2 * MARGIN, Inches(0.9), [item.text], 16)
    _text(
        slide,
        MARGIN,
        Inches(2.0),
        WIDTH - 2 * MARGIN,
        Inches(0.5),
        [table.caption],
        14,
        align=PP_ALIGN.CENTER,
    )
    grid = table.grid()
    size = 14 if len(grid) <= 10 else 11 if len(grid) <= 18 else 9
    row_h = Pt(size * 2.1)
    shape = slide.shapes.add_table(
        len(grid), table.columns, MARGIN, Inches(2.5), WIDTH - 2 * MARGIN, row_h * len(grid)
    )
    out = shape.table
    out.first_row = False  # colours are set per cell: headers are not only the first row
    if table.widths:
        total = sum(table.widths)
        for c, share in enumerate(table.widths):
            out.columns[c].width = int((WIDTH - 2 * MARGIN) * share / total)
    for r, row in enumerate(grid):
        out.rows[r].height = row_h
        for c, cell in enumerate(row):
            if cell is None:
                continue
            target = out.cell(r, c)
            if cell.rowspan > 1 or cell.colspan > 1:
                target.merge(out.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
            target.fill.solid()
            target.fill.fore_color.rgb = HEADER_FILL if cell.header else RGBColor(0xFF, 0xFF, 0xFF)
            paragraph = target.text_frame.paragraphs[0]
            paragraph.alignment = ALIGN[cell.align]
            run = paragraph.add_run()
            run.text = cell.text
            _style(run, size, bold=cell.header)
    if table.note:
        _text(
            slide,
            MARGIN,
            HEIGHT - Inches(1.0),
            WIDTH - 2 * MARGIN,
            Inches(0.9),
            table.note.split("\n"),
            10,
        )


SLIDE_ROWS = 13  # body rows a slide holds at a readable size


def _pages(table: Table) -> list[Table]:
    """A long simple table (one header row, no spans) split into slides of SLIDE_ROWS rows,
    each repeating the header; other tables as they are."""
    head, body = table.rows[0], table.rows[1:]
    simple = all(c.rowspan == 1 and c.colspan == 1 for row in table.rows for c in row)
    if not simple or len(body) <= SLIDE_ROWS:
        return [table]
    chunks = [body[i : i + SLIDE_ROWS] for i in range(0, len(body), SLIDE_ROWS)]
    return [
        replace(table, rows=[head, *chunk], caption=f"{table.caption}（{i + 1}/{len(chunks)}）")
        for i, chunk in enumerate(chunks)
    ]


def write_pptx(briefing: Briefing) -> bytes:
    briefing = cleaned(briefing)  # also when built elsewhere than build_briefing
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    cover = prs.slides.add_slide(prs.slide_layouts[6])
    _text(
        cover,
        MARGIN,
        Inches(2.4),
        WIDTH - 2 * MARGIN,
        Inches(1.6),
        [briefing.title],
        36,
        bold=True,
        color=ACCENT,
        align=PP_ALIGN.CENTER,
    )
    _text(
        cover,
        MARGIN,
        Inches(4.3),
        WIDTH - 2 * MARGIN,
        Inches(0.8),
        [briefing.period_line],
        20,
        align=PP_ALIGN.CENTER,
    )
    lang = briefing.lang
    for part in briefing.parts:
        if part.text:
            slide = _slide(prs, f"{part.number}{part.title}")
            _text(slide, MARGIN, Inches(1.4), WIDTH - 2 * MARGIN, Inches(4.5), [part.text], 20)
        for section in part.sections:
            slide = _slide(prs, f"{section.number}{section.title}")
            lines = [f"{item_number(i, lang)}{item.text}" for i, item in enumerate(section.items)]
            _text(
                slide,
                MARGIN,
                Inches(1.4),
                WIDTH - 2 * MARGIN,
                HEIGHT - Inches(2.0),
                lines,
                18 if sum(len(x) for x in lines) < 400 else 14,
            )
            for item in section.items:
                for table in item.tables:
                    for page in _pages(table):
                        _table_slide(prs, section, item, page, lang)
                for figure in item.figures:
                    _figure_slide(prs, section, item, figure, lang)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
