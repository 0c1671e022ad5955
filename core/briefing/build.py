"""Briefings: the council business report of a period, built from core.figures.compute.

`build_briefing` assembles the content (core.briefing.model) for the chosen sections, charts
and tables; `render` writes it as DOCX, PPTX or PDF. Every number in a sentence is a value of
`core.figures.compute.compute_figures` for the period, the same function the pages and the CLI use.
Command line: `python -m core.briefing --start 2022-07-01 --end 2023-03-15 --format docx
--out report.docx [--lang en]` (core.briefing.cli).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session

from core.briefing import content, narrative
from core.briefing.council import council_sections
from core.briefing.model import (
    Briefing,
    Figure,
    Item,
    Part,
    Section,
    Table,
    cleaned,
    part_number,
    section_number,
)
from core.figures.compare import changes, previous_period
from core.figures.compute import compute_figures
from core.i18n.labels import t
from core.kernel.periods import Period

SECTIONS = ("calendar", "visitors", "gifts", "venues", "fleet", "staffing")
FORMATS = ("docx", "pptx", "pdf")
LAYOUTS = ("functions", "council")
MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "pdf": "application/pdf",
}


@dataclass(frozen=True)
class Option:
    """A chart or table a section can carry; `default` ones are ticked when the page opens."""

    key: str  # section.name, e.g. fleet.by_month
    kind: str  # chart | table
    default: bool


OPTIONS: dict[str, tuple[Option, ...]] = {
    "calendar": (
        Option("calendar.events", "table", True),
        Option("calendar.by_month", "chart", True),
        Option("calendar.map", "chart", False),
    ),
    "visitors": (
        Option("visitors.countries", "chart", True),
        Option("visitors.hosts", "chart", False),
        Option("visitors.list", "table", False),
    ),
    "gifts": (
        Option("gifts.flows", "chart", True),
        Option("gifts.stock", "table", True),
        Option("gifts.stock_history", "chart", False),
    ),
    "venues": (
        Option("venues.by_month", "chart", True),
        Option("venues.utilisation", "table", True),
        Option("venues.use_chart", "chart", False),
        Option("venues.purpose", "chart", False),
    ),
    "fleet": (
        Option("fleet.by_month", "chart", True),
        Option("fleet.vehicles", "table", True),
        Option("fleet.agencies", "chart", False),
    ),
    "staffing": (
        Option("staffing.table", "table", True),
        Option("staffing.trend", "chart", True),
        Option("staffing.units", "chart", False),
    ),
}
ALL_OPTIONS = {o.key: o for options in OPTIONS.values() for o in options}


def default_items(sections: Iterable[str] = SECTIONS) -> list[str]:
    """The options ticked when nothing is chosen (unknown sections have none)."""
    return [o.key for s in sections for o in OPTIONS.get(s, ()) if o.default]


@dataclass(frozen=True)
class BriefingRequest:
    start: date
    end: date
    sections: tuple[str, ...] = SECTIONS
    items: frozenset[str] = field(default_factory=lambda: frozenset(default_items()))
    lang: str = "zh-TW"
    compare: bool = True  # each figure beside the previous period's
    # functions: one section per function; council: the council book's sections and theme
    # lines, with slots for what the workspace does not record (core.briefing.council)
    layout: str = "functions"
    previous: tuple[date, date] | None = None  # None: the same length just before
    # Records told in their own words (core.briefing.narrative): "event:12", "reception:7"
    narratives: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        Period(self.start, self.end)  # ValueError (zh-TW) when the end is before the start
        if self.previous is not None:
            Period(*self.previous)
        unknown = [s for s in self.sections if s not in SECTIONS]
        if unknown:
            raise ValueError(
                t("brief.cli.bad_section", name=unknown[0], choices=", ".join(SECTIONS))
            )
        if self.layout not in LAYOUTS:
            raise ValueError(
                t("brief.cli.bad_layout", name=self.layout, choices=", ".join(LAYOUTS))
            )
        for ref in self.narratives:
            section = narrative.SECTION_OF[narrative.parse_ref(ref)[0]]
            if section not in self.sections:
                raise ValueError(
                    t("brief.narrative.not_chosen", ref=ref, section=t(f"brief.section.{section}"))
                )
        bad = sorted(set(self.items) - set(ALL_OPTIONS))
        if bad:
            raise ValueError(t("brief.cli.bad_item", name=bad[0], choices=", ".join(ALL_OPTIONS)))

    @property
    def previous_period(self) -> Period:
        """The period each figure is compared with (core.figures.compare)."""
        if self.previous is not None:
            return Period(*self.previous)
        return previous_period(Period(self.start, self.end))


Progress = Callable[[float, str], None]


class _Numbers:
    """Running figure and table numbers (圖1, 表1 …) across the whole briefing."""

    def __init__(self) -> None:
        self.figures = 0
        self.tables = 0
        self.photos = 0

    def photo(self) -> int:
        self.photos += 1
        return self.photos

    def figure(self) -> int:
        self.figures += 1
        return self.figures

    def table(self) -> int:
        self.tables += 1
        return self.tables


class Builder:
    """What section builders need: session, period, language, figures and the chosen items."""

    def __init__(self, session: Session, request: BriefingRequest, figures: dict[str, Any]):
        self.session = session
        self.request = request
        self.lang = request.lang
        self.period = Period(request.start, request.end)
        self.figures = figures
        self._numbers = _Numbers()

    def photo_number(self) -> int:
        """The next 照片 number: photos are numbered through the briefing, apart from 圖."""
        return self._numbers.photo()

    def wants(self, key: str) -> bool:
        return key in self.request.items

    def table(self, key: str, title: str, rows: list, **extra: Any) -> Table:
        caption = t("brief.table_caption", self.lang, n=self._numbers.table(), title=title)
        return Table(number=self._numbers.tables, caption=caption, rows=rows, **extra)

    def figure(self, key: str) -> Figure | None:
        """The chart of option `key` in the house style, numbered; None when it has no data."""
        from core.briefing.charts import build_chart

        chart, title = build_chart(key, self.session, self.period, self.lang)
        if chart is None:
            return None
        number = self._numbers.figure()
        caption = t("brief.figure_caption", self.lang, n=number, title=title)
        return Figure(number=number, caption=caption, chart=chart, key=key)


SECTION_BUILDERS: dict[str, Callable[[Builder], list[Item]]] = {
    "calendar": content.calendar_items,
    "visitors": content.visitor_items,
    "gifts": content.gift_items,
    "venues": content.venue_items,
    "fleet": content.fleet_items,
    "staffing": content.staffing_items,
}


def file_stem(request: BriefingRequest) -> str:
    """briefing_2022-07-01_2023-03-15_zh-TW: the download's ASCII file name, no suffix."""
    return f"briefing_{request.start.isoformat()}_{request.end.isoformat()}_{request.lang}"


def build_briefing(
    session: Session, request: BriefingRequest, progress: Progress | None = None
) -> Briefing:
    """The briefing's content; charts are Altair objects until a writer needs their PNG."""
    lang = request.lang
    report = progress or (lambda _share, _text: None)
    report(0.0, t("brief.step.figures", lang))
    figures = compute_figures(session, request.start, request.end)
    builder = Builder(session, request, figures)
    chosen = [s for s in SECTIONS if s in request.sections]
    items: dict[str, list[Item]] = {}
    for index, key in enumerate(chosen):
        report(0.05 + 0.15 * index / max(len(chosen), 1), t(f"brief.section.{key}", lang))
        items[key] = SECTION_BUILDERS[key](builder)
        # The chosen records told in their own words follow the section's opening sentence.
        items[key][1:1] = narrative.narrative_items(builder, key)
    if request.compare:
        report(0.18, t("brief.step.compare", lang))
        before = request.previous_period
        found = changes(figures, compute_figures(session, before.start, before.end), tuple(chosen))
        for key in chosen:
            if found.get(key):
                items[key].append(content.comparison_item(found[key], before, lang))
    if request.layout == "council":
        sections = council_sections(items, lang)
    else:
        sections = [
            Section(key, section_number(i, lang), t(f"brief.section.{key}", lang), items[key])
            for i, key in enumerate(chosen)
        ]
    period_text = content.period_words(request.start, request.end, lang)
    parts = [Part(part_number(0, lang), t("brief.part.work", lang), sections)]
    if request.compare:
        parts.append(
            Part(
                part_number(len(parts), lang),
                t("brief.part.compare", lang),
                [content.comparison_section(builder, found, before)],
            )
        )
    parts.append(
        Part(
            part_number(len(parts), lang),
            t("brief.part.closing", lang),
            text=t("brief.closing", lang),
        )
    )
    built = Briefing(
        lang=lang,
        title=t("brief.doc_title", lang),
        period_line=t("brief.period_line", lang, period=period_text),
        intro=t("brief.intro", lang, period=period_text),
        parts=parts,
        figures_used=figures,
        file_stem=file_stem(request),
        running_header=t("brief.running_header", lang),
    )
    # Titles and names typed before the editor refused control characters still hold them;
    # removed here once, so the preview and every file read the same text.
    return cleaned(built)


def render_charts(
    briefing: Briefing, progress: Progress | None = None, *, scale: float = 2
) -> None:
    """Fill in every figure's PNG (vl-convert, the shipped CJK font), reporting each one."""
    from core.kernel.charts import to_png

    report = progress or (lambda _share, _text: None)
    figures = briefing.all_figures()
    for done, figure in enumerate(figures):
        report(
            0.2 + 0.7 * done / max(len(figures), 1),
            t("brief.step.chart", briefing.lang, n=figure.number),
        )
        if figure.png is None:
            figure.png = to_png(figure.chart, scale=scale)


def render(briefing: Briefing, fmt: str, progress: Progress | None = None) -> bytes:
    """The briefing as a DOCX, PPTX or PDF file."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    render_charts(briefing, progress)
    report = progress or (lambda _share, _text: None)
    report(0.9, t("brief.step.write", briefing.lang))
    if fmt == "docx":
        from core.briefing.docx import write_docx as write
    elif fmt == "pptx":
        from core.briefing.pptx import write_pptx as write
    else:
        from core.briefing.pdf import write_pdf as write
    data = write(briefing)
    report(1.0, t("brief.step.write", briefing.lang))
    return data


def build_file(
    session: Session, request: BriefingRequest, fmt: str, progress: Progress | None = None
) -> bytes:
    return render(build_briefing(session, request, progress), fmt, progress)
