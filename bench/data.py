"""Measures without a page: figures for a period, saving 100 edited rows, the briefings."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from bench.account import ACTOR
from bench.caches import clear_caches
from bench.pages import Sample
from bench.report import Row, median_int
from core.briefing.build import BriefingRequest, build_briefing, build_file
from core.editing.pipeline import EditorState, save_changes
from core.editing.tables import SPECS, fetch_page
from core.figures.compute import compute_figures
from core.kernel.periods import REPORT_PERIOD

FIGURES_MS, SAVE_MS, BRIEFING_MS = 150, 500, 5000
PERIODS = {
    "report period 2022-07-01…2023-03-15": (REPORT_PERIOD.start, REPORT_PERIOD.end),
    "one month 2023-01": (date(2023, 1, 1), date(2023, 1, 31)),
    "one year 2022": (date(2022, 1, 1), date(2022, 12, 31)),
    "ten years 2016…2025": (date(2016, 1, 1), date(2025, 12, 31)),
}
MARK = " [bench]"
# table -> (field edited, filters of the page the editor shows, how long the field may be)
EDITS = {
    "venue_booking": ("title", {"status": ["approved"]}, 200),
    "trip": ("note", {}, 500),
}


def _row(name: str, samples: list[Sample], target: float | None) -> Row:
    return Row(name, [s.seconds for s in samples], target,
               rows=median_int([s.rows for s in samples]),
               queries=median_int([s.queries for s in samples]))  # fmt: skip


def figures_rows(engine: Engine, repeat: int) -> list[Row]:
    """compute_figures per period: uncached (every cache cleared before each run) and cached
    (the same call again, whatever the app keeps between runs)."""
    out = []
    for label, (start, end) in PERIODS.items():
        uncached, cached = [], []
        with Session(engine) as session:
            for _ in range(repeat):
                clear_caches()
                uncached.append(Sample(lambda s=start, e=end: compute_figures(session, s, e)))
            for _ in range(repeat):
                cached.append(Sample(lambda s=start, e=end: compute_figures(session, s, e)))
        out.append(_row(f"figures, {label} (uncached)", uncached, FIGURES_MS))
        out.append(_row(f"figures, {label} (cached)", cached, FIGURES_MS))
    return out


def _page(engine: Engine, table: str) -> list[dict[str, Any]]:
    """The editor's first page of 100 rows in the report's period, read afresh."""
    spec = SPECS[table]
    fetch = getattr(fetch_page, "uncached", fetch_page)  # never a kept copy: versions matter
    with Session(engine) as session:
        return fetch(session, spec, REPORT_PERIOD, page=1, page_size=100,
                     filters=EDITS[table][1])  # fmt: skip


def _save(engine: Engine, table: str, rows: list[dict], values: dict[int, Any]) -> Sample:
    """Save `values` (id -> new value of the edited field) through the edit pipeline."""
    field = EDITS[table][0]
    edited = {pos: {field: values[row["id"]]} for pos, row in enumerate(rows)}
    state = EditorState(rows=rows, edited_rows=edited)
    outcome: dict[str, Any] = {}

    def save() -> None:
        with Session(engine) as session:
            outcome["result"] = save_changes(session, SPECS[table].model, state, actor=ACTOR)

    sample = Sample(save)
    result = outcome["result"]
    if not result.ok:
        raise RuntimeError("; ".join(result.messages())[:200])
    return sample


def save_rows(engine: Engine, repeat: int) -> list[Row]:
    """100 edited rows saved (one save, as the editor does), then saved back to what they were
    through the same pipeline; both timed. The data ends as it began, apart from the versions,
    update times and the audit entries (2 × 100 per run)."""
    out = []
    for table, (field, _filters, limit) in EDITS.items():
        there, back = [], []
        error = None
        for _ in range(repeat):
            rows = _page(engine, table)
            old = {row["id"]: row[field] for row in rows}
            new = {i: (v or "")[: limit - len(MARK)] + MARK for i, v in old.items()}
            try:
                there.append(_save(engine, table, rows, new))
            except RuntimeError as exc:
                error = str(exc)
                break
            finally:
                # Put the old values back even when the save refused or the harness stops.
                current = _page(engine, table)
                if any(row[field] != old.get(row["id"]) for row in current):
                    back.append(_save(engine, table, current, old))
        name = f"save 100 {table} rows ({field})"
        if error or len(there) < repeat:
            out.append(Row(name, error=error or "stopped"))
            continue
        out.append(_row(name, there, SAVE_MS))
        out.append(_row(f"save them back ({table})", back, SAVE_MS))
    return out


def briefing_rows(engine: Engine, repeat: int) -> list[Row]:
    """The demo-period briefing in each format, charts drawn from scratch each time (the first
    DOCX run is the cold one: vl-convert starts, the font is registered)."""
    request = BriefingRequest(REPORT_PERIOD.start, REPORT_PERIOD.end)
    with Session(engine) as session:
        cold = [Sample(lambda: build_file(session, request, "docx"))]
        out = [_row("briefing docx (cold, first in process)", cold, BRIEFING_MS)]
        content = [Sample(lambda: build_briefing(session, request)) for _ in range(repeat)]
        out.append(_row("briefing content (no files)", content, None))
        for fmt in ("docx", "pptx", "pdf"):
            runs = [Sample(lambda f=fmt: build_file(session, request, f)) for _ in range(repeat)]
            out.append(_row(f"briefing {fmt} (demo period, 6 charts)", runs, BRIEFING_MS))
    return out
