"""The briefing as an A4 PDF, set in the CJK font the project ships (core.kernel.fonts), so it
reads the same on any machine: the same headings, sentences, tables and figures as the DOCX."""

from __future__ import annotations

import io

from fpdf import FPDF, FontFace
from fpdf.enums import XPos, YPos

from core.briefing.model import Briefing, Figure, Item, Table, cleaned, item_number
from core.kernel.fonts import BOLD, REGULAR

FAMILY = "workspace"
BODY_PT = 12
INK = (31, 42, 54)
HEADER_FILL = (238, 242, 246)
FIGURE_WIDTH = 160  # mm


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
        align: str = "J",
        indent: float = 0,
        hang: str = "",
    ) -> None:
        """A paragraph; `hang` (1.) is printed in the left margin of an indented block."""
        self.set_font(FAMILY, "B" if bold else "", size)
        left = self.l_margin
        if hang:
            self.set_x(left + indent - self.get_string_width(hang) - 1)
            self.cell(self.get_string_width(hang) + 1, size * 0.55, hang)
        self.set_x(left + indent)
        self.multi_cell(
            self.epw - indent, size * 0.55, text, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        self.ln(size * 0.2)


def _table(pdf: _Report, table: Table) -> None:
    pdf.para(table.caption, size=11, align="C")
    pdf.set_font(FAMILY, "", 10)
    widths = table.widths or [1] * table.columns
    heading = FontFace(emphasis="BOLD", fill_color=HEADER_FILL)
    with pdf.table(
        col_widths=widths,
        first_row_as_headings=False,
        line_height=6,
        text_align="CENTER",
        padding=1.5,
    ) as out:
        for row in table.rows:
            cells = out.row()
            for cell in row:
                cells.cell(
                    cell.text,
                    align=cell.align.upper(),
                    colspan=cell.colspan,
                    rowspan=cell.rowspan,
                    style=heading if cell.header else None,
                )
    for line in filter(None, table.note.split("\n")):
        pdf.para(line, size=9, align="L")
    pdf.ln(2)


def _figure(pdf: _Report, figure: Figure) -> None:
    assert figure.png is not None, "render_charts fills in every PNG first"
    from PIL import Image

    with Image.open(io.BytesIO(figure.png)) as image:
        height = FIGURE_WIDTH * image.height / image.width
    if pdf.get_y() + height + 12 > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.image(io.BytesIO(figure.png), x=(pdf.w - FIGURE_WIDTH) / 2, w=FIGURE_WIDTH)
    pdf.ln(1)
    pdf.para(figure.caption, size=10, align="C")


def _item(pdf: _Report, index: int, item: Item, lang: str) -> None:
    pdf.para(item.text, indent=8, hang=item_number(index, lang).strip())
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
            for index, item in enumerate(section.items):
                _item(pdf, index, item, briefing.lang)
    return bytes(pdf.output())
