"""The briefing as an A4 PDF, set in the CJK font the project ships (core.kernel.fonts), so it
reads the same on any machine: the same headings, sentences, tables and figures as the DOCX,
the running header over every page and the page number under it.

Text is set ragged-right, never justified (a justified Chinese line stretches its few spaces:
「計　　　15」), and Chinese is broken between any two characters except before closing
punctuation (no 、。，」 at the start of a line) or after opening punctuation (「（ at the end);
Latin words and numbers (Vaiciukeviciute, 2,041) are never broken inside (core.briefing.wrap).
"""

from __future__ import annotations

import io

from fpdf import FPDF, FontFace
from fpdf.enums import XPos, YPos

from core.briefing.model import Briefing, Figure, Item, Table, cleaned, numbered
from core.briefing.wrap import TOKEN, break_lines
from core.kernel.fonts import BOLD, REGULAR

FAMILY = "workspace"
BODY_PT = 12
INK = (31, 42, 54)
HEADER_FILL = (238, 242, 246)
FIGURE_WIDTH = 160  # mm
PHOTO_WIDTH = 120  # mm: a narrative's photo, as the report prints them
MAX_PICTURE_HEIGHT = 110  # mm: a portrait photo as tall as a landscape one is wide


class _Report(FPDF):
    def __init__(self, briefing: Briefing) -> None:
        super().__init__(format="A4", unit="mm")
        self.briefing = briefing
        self.set_margins(22, 20, 22)
        self.set_auto_page_break(True, margin=20)
        self.add_font(FAMILY, "", str(REGULAR))
        self.add_font(FAMILY, "B", str(BOLD))
        self.set_title(briefing.title)
        self.set_creator("行國處業務工作台")
        self.set_text_color(*INK)

    def header(self) -> None:
        if not self.briefing.running_header:
            return
        self.set_font(FAMILY, "", 9)
        self.set_y(9)
        self.cell(0, 5, self.briefing.running_header, align="R")
        self.set_y(self.t_margin)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FAMILY, "", 9)
        self.cell(0, 6, f"{self.page_no()}", align="C")

    def para(
        self,
        text: str,
        *,
        size: float = BODY_PT,
        bold: bool = False,
        align: str = "L",
        indent: float = 0,
        hang: str = "",
        fill: tuple[int, int, int] | None = None,
    ) -> None:
        """A paragraph; `hang` (1.) is printed in the left margin of an indented block."""
        self.set_font(FAMILY, "B" if bold else "", size)
        left = self.l_margin
        if hang:
            self.set_x(left + indent - self.get_string_width(hang) - 1)
            self.cell(self.get_string_width(hang) + 1, size * 0.55, hang)
        self.set_x(left + indent)
        usable = self.epw - indent - 2 * self.c_margin - 0.2
        lines = break_lines(text, usable, self.get_string_width)
        # The fill colour only for this paragraph: tables drawn later fill with the current one.
        with self.local_context(fill_color=fill or (255, 255, 255)):
            self.multi_cell(
                self.epw - indent,
                size * 0.55,
                "\n".join(lines),
                align=align,
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
                fill=fill is not None,
            )
        self.ln(size * 0.2)


def _table(pdf: _Report, table: Table) -> None:
    # The caption stays with the table: not left alone at a page's foot with the table on the
    # next (room for it, the heading rows and a first body row of two lines).
    if pdf.get_y() + 8 + 7 * (table.heading_rows + 2) > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.para(table.caption, size=11, align="C")
    pdf.set_font(FAMILY, "", 10)
    widths = table.widths or [1] * table.columns
    heading = FontFace(emphasis="BOLD", fill_color=HEADER_FILL)
    headings = table.heading_rows
    with pdf.table(
        col_widths=widths,
        first_row_as_headings=headings > 0,
        num_heading_rows=max(headings, 1),
        headings_style=heading,
        line_height=6,
        text_align="CENTER",
        padding=1.5,
    ) as out:  # heading rows repeat at the top of every page the table runs onto
        total, padding = sum(widths), 1.5
        for row in pdf_grid_columns(table):
            cells = out.row()
            for cell, first in row:
                span = sum(widths[first : first + cell.colspan])
                usable = pdf.epw * span / total - 2 * padding - 2 * pdf.c_margin - 0.2
                size = _fitting_size(pdf, cell.text, usable, bold=cell.header)
                pdf.set_font(FAMILY, "B" if cell.header else "", size)  # measured as drawn
                text = "\n".join(break_lines(cell.text, usable, pdf.get_string_width))
                pdf.set_font(FAMILY, "", 10)
                style = heading if cell.header else None
                if size != CELL_PT:
                    style = FontFace(emphasis="BOLD" if cell.header else None, size_pt=size,
                                     fill_color=HEADER_FILL if cell.header else None)  # fmt: skip
                cells.cell(
                    text,
                    align=cell.align.upper(),
                    colspan=cell.colspan,
                    rowspan=cell.rowspan,
                    style=style,
                )
    for line in filter(None, table.note.split("\n")):
        pdf.para(line, size=9, align="L")
    pdf.ln(2)


CELL_PT, SMALLEST_PT = 10, 7


def _fitting_size(pdf: _Report, text: str, width: float, *, bold: bool) -> float:
    """The cell's font size: 10 pt, or smaller (down to 7 pt) until its longest word fits the
    column, so no word is broken inside (「Utilisati / on」)."""
    words = [w for w in TOKEN.findall(text) if w.strip()]
    size = CELL_PT
    while size > SMALLEST_PT:
        pdf.set_font(FAMILY, "B" if bold else "", size)
        if all(pdf.get_string_width(w.strip()) <= width for w in words):
            break
        size -= 0.5
    return size


def pdf_grid_columns(table: Table) -> list[list[tuple]]:
    """Each row's cells with the column each starts in (spans from above skipped)."""
    grid = table.grid()
    return [[(cell, c) for c, cell in enumerate(row) if cell is not None] for row in grid]


def _figure(pdf: _Report, figure: Figure) -> None:
    assert figure.png is not None, "render_charts fills in every PNG first"
    from PIL import Image

    width = PHOTO_WIDTH if figure.kind == "photo" else FIGURE_WIDTH
    with Image.open(io.BytesIO(figure.png)) as image:
        height = width * image.height / image.width
    if figure.kind == "photo" and height > MAX_PICTURE_HEIGHT:  # a portrait photo
        width, height = width * MAX_PICTURE_HEIGHT / height, MAX_PICTURE_HEIGHT
    if pdf.get_y() + height + 12 > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.image(io.BytesIO(figure.png), x=(pdf.w - width) / 2, w=width, h=height)
    pdf.ln(1)
    pdf.para(figure.caption, size=10, align="C")


SLOT_FILL = (255, 242, 153)  # a slot to write in, highlighted as in the DOCX


def _item(pdf: _Report, number: str, item: Item) -> None:
    """A numbered item; a theme line (bold, unnumbered); or a slot to write in, highlighted."""
    if item.kind == "theme":
        pdf.para(item.text, bold=True)
        return
    pdf.para(
        item.text, indent=8, hang=number.strip(), fill=SLOT_FILL if item.kind == "slot" else None
    )
    if item.paragraph:
        pdf.para(item.paragraph, indent=8, fill=SLOT_FILL if item.paragraph_slot else None)
    for bullet in item.bullets:
        pdf.para(bullet, indent=12, align="L")
    for table in item.tables:
        _table(pdf, table)
    for figure in item.figures:
        _figure(pdf, figure)


def write_pdf(briefing: Briefing) -> bytes:
    briefing = cleaned(briefing)  # also when built elsewhere than build_briefing
    pdf = _Report(briefing)
    pdf.add_page()
    pdf.para(briefing.title, size=18, bold=True, align="C")
    pdf.para(briefing.period_line, size=12, align="C")
    pdf.ln(2)
    pdf.para(briefing.intro, indent=0)
    for part in briefing.parts:
        pdf.ln(2)
        pdf.para(f"{part.number}{part.title}", size=15, bold=True, align="L")
        if part.text:
            pdf.para(part.text)
        for section in part.sections:
            pdf.para(f"{section.number}{section.title}", size=13.5, bold=True, align="L")
            for number, item in numbered(section.items, briefing.lang):
                _item(pdf, number, item)
    return bytes(pdf.output())
