"""The briefing as slides (16:9): a title slide, one slide per section with its sentences,
then one slide per chart or table with the sentence it belongs to; every slide but the title
numbered. A long table continues on further slides, split where its rows, measured in the
shipped font at the slide's size, fill the slide, its heading rows repeated on each."""

from __future__ import annotations

import io
from dataclasses import replace
from functools import cache

from PIL import Image, ImageFont
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from core.briefing.model import (
    Briefing,
    Cell,
    Figure,
    Item,
    Section,
    Table,
    cleaned,
    numbered,
)
from core.briefing.wrap import break_lines
from core.kernel.fonts import BOLD, REGULAR

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


def _narrative_slide(prs, section: Section, item: Item) -> None:
    """A narrative item on its own slide: its title line, then its paragraph at the largest
    size (20 down to 12 pt) whose measured lines fit the slide."""
    slide = _slide(prs, f"{section.number}{section.title}")
    _text(slide, MARGIN, Inches(1.15), WIDTH - 2 * MARGIN, Inches(0.9), [item.text], 20, bold=True)
    top, width = Inches(2.1), WIDTH - 2 * MARGIN
    room = HEIGHT - top - Inches(0.7)
    font = _font(False)
    for size in (20, 18, 16, 14, 12):
        per_pt = size / 100
        lines = break_lines(
            item.paragraph, width / 12700 - 14, lambda x, k=per_pt: font.getlength(x) * k
        )
        if Pt(size * LINE * len(lines)) <= room:
            break
    box = _text(slide, MARGIN, top, width, room, [item.paragraph], size)
    if item.paragraph_slot:
        box.fill.solid()
        box.fill.fore_color.rgb = SLOT_FILL


SLOT_FILL = RGBColor(0xFF, 0xF2, 0x99)  # a slot to write in, highlighted as in the DOCX


def _table_slide(prs, section: Section, item: Item, table: Table, size: float) -> None:
    """One slide of a table (or of one page of it) at `size` pt, the whole table's size."""
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
    heights = row_heights(table, size)
    shape = slide.shapes.add_table(
        len(grid), table.columns, MARGIN, TABLE_TOP, WIDTH - 2 * MARGIN, sum(heights)
    )
    out = shape.table
    out.first_row = False  # colours are set per cell: headers are not only the first row
    if table.widths:
        total = sum(table.widths)
        for c, share in enumerate(table.widths):
            out.columns[c].width = int((WIDTH - 2 * MARGIN) * share / total)
    for r, row in enumerate(grid):
        out.rows[r].height = heights[r]
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


TABLE_TOP = Inches(2.5)
CELL_MARGIN_PT = 7.2 * 2  # PowerPoint's default left and right cell margins (0.1 in each)
LINE = 1.25  # line height, in font sizes


def table_size(table: Table) -> float:
    """The font size of all of a table's slides: 14 pt for a short table, 12 pt for a long
    one (decided on the whole table, so its pages match)."""
    return 14 if len(table.rows) <= 10 else 12


@cache
def _font(bold: bool) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(BOLD if bold else REGULAR), 100)  # widths per 100 pt


def _lines(cell: Cell, width_pt: float, size: float) -> int:
    """How many lines the cell's text takes in a column `width_pt` wide, broken as the PDF
    breaks its lines (core.briefing.wrap), measured in the font the project ships."""
    room = max(width_pt - CELL_MARGIN_PT, size)
    font = _font(cell.header)
    return len(break_lines(cell.text, room, lambda text: font.getlength(text) * size / 100))


def row_heights(table: Table, size: float) -> list[int]:
    """Each row's height in EMU: its tallest cell's lines, with the cell's top and bottom
    margins (a cell spanning rows counts on its first row)."""
    columns = _column_widths(table)
    heights = []
    for row in table.grid():
        lines = 1
        for c, cell in enumerate(row):
            if cell is None or cell.rowspan > 1:
                continue
            width = sum(columns[c : c + cell.colspan])
            lines = max(lines, _lines(cell, width / 12700, size))
        heights.append(int(Pt(size * LINE * lines + 7.2)))
    return heights


def _column_widths(table: Table) -> list[float]:
    shares = table.widths or [1] * table.columns
    return [(WIDTH - 2 * MARGIN) * share / sum(shares) for share in shares]


def _room(table: Table) -> int:
    """The height a table may take on its slide: down to the note, or the slide number."""
    bottom = Inches(1.1) if table.note else Inches(0.6)
    return HEIGHT - TABLE_TOP - bottom


def _pages(table: Table) -> list[Table]:
    """The table split into slides where its measured rows fill one, each repeating its heading
    rows (Table.heading_rows); a table with no heading rows or with cells spanning rows of its
    body stays on one slide."""
    head_n = table.heading_rows
    head, body = table.rows[:head_n], table.rows[head_n:]
    simple = all(c.rowspan == 1 for row in body for c in row)  # rows can be cut between
    size = table_size(table)
    heights = row_heights(table, size)
    if not head_n or not simple or sum(heights) <= _room(table):
        return [table]
    room = _room(table) - sum(heights[:head_n])
    chunks: list[list[list[Cell]]] = [[]]
    used = 0
    for row, height in zip(body, heights[head_n:], strict=True):
        if chunks[-1] and used + height > room:
            chunks.append([])
            used = 0
        chunks[-1].append(row)
        used += height
    return [
        replace(table, rows=[*head, *chunk], caption=f"{table.caption}（{i + 1}/{len(chunks)}）")
        for i, chunk in enumerate(chunks)
    ]


def _number_slides(prs) -> None:
    """The slide's number at the bottom right of every slide but the title."""
    for number, slide in enumerate(prs.slides, start=1):
        if number == 1:
            continue
        _text(slide, WIDTH - MARGIN - Inches(1.5), HEIGHT - Inches(0.5), Inches(1.5),
              Inches(0.4), [str(number)], 12, align=PP_ALIGN.RIGHT)  # fmt: skip


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
            lines = [f"{number}{item.text}" for number, item in numbered(section.items, lang)]
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
                if item.paragraph:
                    _narrative_slide(prs, section, item)
                for table in item.tables:
                    for page in _pages(table):
                        _table_slide(prs, section, item, page, table_size(table))
                for figure in item.figures:
                    _figure_slide(prs, section, item, figure, lang)
    _number_slides(prs)
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()
