"""What a briefing holds, independent of its file format: headings, sentences, tables, figures.

core.briefing.build builds a Briefing from core.figures.compute and the section data; the writers
(core.briefing.docx / _pptx / _pdf) and the builder page's preview only lay it out. Its text
holds no control characters (`cleaned`): staff's titles and names go into XML and fonts.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import Any, TypeVar

from core.kernel.text_safety import strip_controls

T = TypeVar("T")

# 壹、貳 … for parts, 一、二 … for sections: the council report's numbering.
ZH_PARTS = "壹貳參肆伍陸柒捌玖拾"
ZH_SECTIONS = "一二三四五六七八九十"
EN_PARTS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def part_number(index: int, lang: str) -> str:
    """壹、 / I. for the index-th part (0-based)."""
    return f"{ZH_PARTS[index]}、" if lang == "zh-TW" else f"{EN_PARTS[index]}. "


def section_number(index: int, lang: str) -> str:
    """一、 / 1. for the index-th section of a part."""
    return f"{ZH_SECTIONS[index]}、" if lang == "zh-TW" else f"{index + 1}. "


def item_number(index: int, lang: str) -> str:
    """1. / (1) for the index-th item of a section."""
    return f"{index + 1}." if lang == "zh-TW" else f"({index + 1}) "


@dataclass(frozen=True)
class Cell:
    """One table cell; spans merge it with the cells to its right / below (which are omitted
    from later rows' lists, as in HTML)."""

    text: str
    colspan: int = 1
    rowspan: int = 1
    header: bool = False
    align: str = "center"  # center | right | left


@dataclass
class Table:
    number: int
    caption: str
    rows: list[list[Cell]]
    note: str = ""  # printed under the table (e.g. 資料日期, the note on 其他)
    widths: list[float] | None = None  # relative column widths; equal when None

    @property
    def columns(self) -> int:
        return sum(cell.colspan for cell in self.rows[0])

    @property
    def heading_rows(self) -> int:
        """How many leading rows are headings, repeated on every page the table runs onto:
        rows of header cells only, none of whose cells spans down into a body row (the
        staffing table's side headings do, so it has none)."""
        for n in range(len(self.rows) - 1, 0, -1):
            head = self.rows[:n]
            spans_out = any(r + cell.rowspan > n for r, row in enumerate(head) for cell in row)
            if all(cell.header for row in head for cell in row) and not spans_out:
                return n
        return 0

    def grid(self) -> list[list[Cell | None]]:
        """The table as a full grid: each cell at its top-left position, None where a span
        covers the position. Writers that place cells by position (DOCX, PPTX) use this."""
        height, width = len(self.rows), self.columns
        grid: list[list[Cell | None]] = [[None] * width for _ in range(height)]
        covered = [[False] * width for _ in range(height)]
        for r, row in enumerate(self.rows):
            c = 0
            for cell in row:
                while c < width and covered[r][c]:
                    c += 1
                if c >= width:
                    raise ValueError(f"table {self.caption}: row {r} has too many cells")
                grid[r][c] = cell
                for dr in range(cell.rowspan):
                    for dc in range(cell.colspan):
                        if r + dr >= height or c + dc >= width:
                            raise ValueError(f"table {self.caption}: a span leaves the table")
                        covered[r + dr][c + dc] = True
                c += cell.colspan
        return grid


@dataclass
class Figure:
    """A chart with its numbered caption (圖1), png filled in when a file format needs it; or a
    photo of a narrative item (kind "photo", 照片 1：…), with its JPEG/PNG bytes and no chart."""

    number: int
    caption: str
    chart: Any  # an Altair chart (core.kernel.charts house style); None for a photo
    key: str
    png: bytes | None = None  # a photo's JPEG or PNG bytes
    kind: str = "chart"  # chart | photo


@dataclass
class Item:
    """One numbered item of a section (1. …): a sentence, then its tables and figures.

    kind "theme" is one of the report's unnumbered theme lines (以多元議題開展城市合作新契機): the
    items under it are numbered from 1 again. kind "slot" marks what the staffer writes in,
    since the workspace does not record it (repairs, trainings …): shown highlighted, not
    numbered, never mistaken for finished text."""

    text: str
    tables: list[Table] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)  # e.g. the period's exchange events
    kind: str = "item"  # item | theme | slot
    key: str = ""  # names an item a layout places on its own (staffing.reviews)
    # A narrative item (core.briefing.narrative): text is its title line, paragraph the story
    # under it (dates, then the stored summary, ending with its 照片 numbers).
    paragraph: str = ""
    paragraph_slot: bool = False  # no summary stored: the paragraph is a slot to write in


def numbered(items: list[Item], lang: str) -> list[tuple[str, Item]]:
    """Each item with its number (1. …; "" for theme lines and slots), restarting under each
    theme line as the report numbers them."""
    out, index = [], 0
    for item in items:
        if item.kind == "item":
            out.append((item_number(index, lang), item))
            index += 1
        else:
            index = 0 if item.kind == "theme" else index
            out.append(("", item))
    return out


@dataclass
class Section:
    key: str  # calendar, visitors, gifts, venues, fleet, staffing
    number: str  # 一、
    title: str
    items: list[Item] = field(default_factory=list)


@dataclass
class Part:
    number: str  # 壹、
    title: str
    sections: list[Section] = field(default_factory=list)
    text: str = ""  # a part with prose only (結語)


@dataclass
class Briefing:
    lang: str
    title: str
    period_line: str  # 111年7月1日至112年3月15日
    intro: str
    parts: list[Part]
    figures_used: dict[str, Any]  # the core.figures.compute result every number came from
    file_stem: str  # ASCII file name without extension
    running_header: str = ""  # 市政府各單位業務報告（行政暨國際處）, over every page

    def all_figures(self) -> list[Figure]:
        return [f for p in self.parts for s in p.sections for i in s.items for f in i.figures]

    def all_tables(self) -> list[Table]:
        return [t for p in self.parts for s in p.sections for i in s.items for t in i.tables]


def cleaned(value: T) -> T:
    """The briefing (or any part of it) with control characters removed from every text, line
    breaks kept; charts are cleaned where they are drawn (core.kernel.charts.export_spec).

    Rows typed before the editor refused them (a \\x0b pasted from Word) still reach the
    briefing: python-docx refuses such a string, python-pptx writes _x000B_, the PDF font has
    no glyph for it."""
    if isinstance(value, str):
        return strip_controls(value)  # type: ignore[return-value]
    if isinstance(value, list):
        return [cleaned(v) for v in value]  # type: ignore[return-value]
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: cleaned(getattr(value, f.name)) for f in fields(value)})
    return value
