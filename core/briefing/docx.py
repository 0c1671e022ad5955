"""The briefing as a Word document laid out like the council business report: A4, 標楷體
(no theme fonts left to override it), zh-TW language, the running header and a PAGE field
footer, title and period line, 壹 / 一 / 1. headings (Word's Heading 1/2, so the navigation
pane works), tables with merged cells and repeating header rows, charts as pictures with
numbered captions."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from core.briefing.model import Briefing, Figure, Item, Table, cleaned, numbered

# Council reports are set in 標楷體 (DFKai-SB), which every bureau PC has; Latin text and
# figures in Times New Roman.
EAST_ASIAN_FONT = "標楷體"
LATIN_FONT = "Times New Roman"
BODY_PT = 14
PICTURE_WIDTH = Cm(15.5)
PHOTO_WIDTH = Cm(12)  # a narrative's photo, as the report prints them
MAX_PICTURE_HEIGHT = Cm(12)  # a portrait photo as tall as a landscape one is wide
ALIGN = {
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
}
HEADER_FILL = "EEF2F6"


def _fonts(style_or_run, size: float | None = None, bold: bool | None = None) -> None:
    font = style_or_run.font
    font.name = LATIN_FONT
    font.color.rgb = RGBColor(0, 0, 0)
    if size:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    element = style_or_run.element
    r_pr = element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    _set_fonts(fonts)


# Theme-font attributes win over explicit names in Word: left beside 標楷體 (as the default
# template's Title and Heading styles have them) they show the theme's Calibri / ＭＳ ゴシック.
THEME_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _set_fonts(fonts) -> None:
    for attr in THEME_ATTRS:
        fonts.attrib.pop(qn(attr), None)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)


def _language(doc, lang: str) -> None:
    """Document defaults in the briefing's language (zh-TW for the council, with Traditional
    Chinese as the East Asian language either way) and no theme fonts: the template's defaults
    are en-US text, ja-JP theme language and Calibri."""
    latin = "zh-TW" if lang == "zh-TW" else "en-GB"
    for fonts in doc.styles.element.iter(qn("w:rFonts")):  # defaults and every style
        if any(qn(attr) in fonts.attrib for attr in THEME_ATTRS):
            _set_fonts(fonts)
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    r_pr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    language = r_pr.find(qn("w:lang"))
    language.set(qn("w:val"), latin)
    language.set(qn("w:eastAsia"), "zh-TW")
    theme = doc.settings.element.find(qn("w:themeFontLang"))
    if theme is None:
        theme = OxmlElement("w:themeFontLang")
        doc.settings.element.append(theme)
    theme.set(qn("w:val"), latin)
    theme.set(qn("w:eastAsia"), "zh-TW")


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) Word fills in on every page: begin, instruction, end."""
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"),
                       ("end", None)):  # fmt: skip
        run = paragraph.add_run()
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == instruction:
            code = OxmlElement("w:instrText")
            code.set(qn("xml:space"), "preserve")
            code.text = f" {instruction} "
            run._r.append(code)
        else:
            run.text = text


def _header_and_footer(doc, briefing: Briefing) -> None:
    """The council book's running header over every page and the page number under it."""
    section = doc.sections[0]
    header = section.header.paragraphs[0]
    header.text = briefing.running_header
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _fonts(header.runs[0], 10)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _field(footer, "PAGE")
    for run in footer.runs:
        _fonts(run, 10)


def _repeat_header_rows(out, table: Table) -> None:
    """The table's heading rows (Table.heading_rows) repeat at the top of every page the
    table runs onto (w:tblHeader)."""
    for row in out.rows[: table.heading_rows]:
        marker = OxmlElement("w:tblHeader")
        marker.set(qn("w:val"), "true")
        row._tr.get_or_add_trPr().append(marker)


def _setup(doc) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.5))
    styles = doc.styles
    _fonts(styles["Normal"], BODY_PT)
    styles["Normal"].paragraph_format.space_after = Pt(6)
    styles["Normal"].paragraph_format.line_spacing = 1.25
    for name, size in (("Title", 20), ("Heading 1", 16), ("Heading 2", 15), ("Caption", 12)):
        _fonts(styles[name], size, bold=name != "Caption")
        styles[name].font.italic = False
    styles["Heading 1"].paragraph_format.space_before = Pt(18)
    styles["Heading 2"].paragraph_format.space_before = Pt(12)
    styles["Caption"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _shade(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _table(doc, table: Table) -> None:
    doc.add_paragraph(table.caption, style="Caption")
    grid = table.grid()
    out = doc.add_table(rows=len(grid), cols=table.columns)
    out.style = "Table Grid"
    out.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, row in enumerate(grid):
        for c, cell in enumerate(row):
            if cell is None:
                continue
            target = out.cell(r, c)
            if cell.rowspan > 1 or cell.colspan > 1:
                target = target.merge(out.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
            target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            paragraph = target.paragraphs[0]
            paragraph.alignment = ALIGN[cell.align]
            paragraph.paragraph_format.space_after = Pt(0)
            run = paragraph.add_run(cell.text)
            run.font.size = Pt(12)
            run.font.bold = cell.header
            if cell.header:
                _shade(target, HEADER_FILL)
    _repeat_header_rows(out, table)
    if table.widths:
        total = sum(table.widths)
        for c, share in enumerate(table.widths):
            for row in out.rows:
                row.cells[c].width = Cm(16 * share / total)
    for line in filter(None, table.note.split("\n")):
        note = doc.add_paragraph(line)
        note.runs[0].font.size = Pt(11)


def _figure(doc, figure: Figure) -> None:
    assert figure.png is not None, "render_charts fills in every PNG first"
    if figure.kind == "photo":
        from PIL import Image

        with Image.open(io.BytesIO(figure.png)) as image:
            ratio = image.height / image.width
        width = min(PHOTO_WIDTH, int(MAX_PICTURE_HEIGHT / ratio))  # portraits fit the page
        doc.add_picture(io.BytesIO(figure.png), width=width)
    else:
        doc.add_picture(io.BytesIO(figure.png), width=PICTURE_WIDTH)
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(figure.caption, style="Caption")


def _item(doc, number: str, item: Item) -> None:
    """A numbered item; a theme line (bold, unnumbered); or a slot to write in, highlighted."""
    if item.kind == "theme":
        line = doc.add_paragraph()
        _fonts(line.add_run(item.text), BODY_PT, bold=True)
        line.paragraph_format.space_before = Pt(6)
        return
    paragraph = doc.add_paragraph(f"{number}{item.text}")
    fmt = paragraph.paragraph_format
    fmt.left_indent, fmt.first_line_indent = Cm(1.2), Cm(-0.6)
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    if item.kind == "slot":
        for run in paragraph.runs:
            run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    if item.paragraph:
        story = doc.add_paragraph(item.paragraph)
        story.paragraph_format.left_indent = Cm(1.2)
        story.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
        if item.paragraph_slot:
            story.runs[0].font.highlight_color = WD_COLOR_INDEX.YELLOW
    for bullet in item.bullets:
        doc.add_paragraph(bullet).paragraph_format.left_indent = Cm(1.8)
    for table in item.tables:
        _table(doc, table)
    for figure in item.figures:
        _figure(doc, figure)


def write_docx(briefing: Briefing) -> bytes:
    briefing = cleaned(briefing)  # also when built elsewhere than build_briefing
    doc = Document()
    _setup(doc)
    _language(doc, briefing.lang)
    _header_and_footer(doc, briefing)
    doc.core_properties.title = briefing.title
    doc.core_properties.author = briefing.title.split("：")[0]
    title = doc.add_paragraph(briefing.title, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    period = doc.add_paragraph(briefing.period_line)
    period.alignment = WD_ALIGN_PARAGRAPH.CENTER
    intro = doc.add_paragraph(briefing.intro)
    intro.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
    for part in briefing.parts:
        doc.add_heading(f"{part.number}{part.title}", level=1)
        if part.text:
            body = doc.add_paragraph(part.text)
            body.paragraph_format.first_line_indent = Pt(BODY_PT * 2)
        for section in part.sections:
            doc.add_heading(f"{section.number}{section.title}", level=2)
            for number, item in numbered(section.items, briefing.lang):
                _item(doc, number, item)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
