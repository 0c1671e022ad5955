"""`python -m bench [--database-url URL] [--repeat N]`: time what staff wait for and print a
table (median, fastest, slowest of N runs, the target and whether it is met).

Without --database-url it builds a fresh SQLite file with the demo data in a temporary folder,
so a run never touches data/workspace.db; with one (e.g. the PostgreSQL test database) it
migrates that database and loads the demo data when it is empty. Timings are wall-clock on
this machine; the README keeps the last measured table.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from core.briefing import BriefingRequest, build_briefing, build_file
from core.figures import compute_figures
from core.periods import REPORT_PERIOD
from db.bootstrap import prepare_database
from db.engine import make_engine


@dataclass
class Row:
    name: str
    runs: list[float]
    target: float | None  # seconds (median), None when there is none

    def cells(self) -> list[str]:
        median = statistics.median(self.runs)
        verdict = "—" if self.target is None else ("ok" if median <= self.target else "SLOW")
        target = "—" if self.target is None else f"≤ {self.target:.2f}"
        return [self.name, f"{median:.3f}", f"{min(self.runs):.3f}", f"{max(self.runs):.3f}",
                target, verdict]  # fmt: skip


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    runs = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        runs.append(time.perf_counter() - began)
    return runs


def briefing_rows(engine, repeat: int) -> list[Row]:
    """Figures for the report period; the demo-period briefing in each format, charts drawn
    from scratch each time (the first DOCX run is the cold one: vl-convert starts, the font
    is registered)."""
    request = BriefingRequest(REPORT_PERIOD.start, REPORT_PERIOD.end)
    rows = []
    with Session(engine) as session:
        cold = timed(lambda: build_file(session, request, "docx"), 1)
        rows.append(Row("briefing docx (cold, first in process)", cold, 5.0))
        figures = timed(lambda: compute_figures(session, request.start, request.end), repeat)
        rows.append(Row("figures, report period", figures, None))
        content = timed(lambda: build_briefing(session, request), repeat)
        rows.append(Row("briefing content (no files)", content, None))
        for fmt in ("docx", "pptx", "pdf"):
            runs = timed(lambda fmt=fmt: build_file(session, request, fmt), repeat)
            rows.append(Row(f"briefing {fmt} (demo period, 6 charts)", runs, 5.0))
    return rows


def print_table(title: str, rows: list[Row]) -> None:
    head = ["measure", "median s", "min s", "max s", "target s", ""]
    table = [head, *(r.cells() for r in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(head))]
    print(f"\n{title}")
    for index, line in enumerate(table):
        print("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
        if index == 0:
            print("  ".join("-" * w for w in widths))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="database to measure (default: a fresh demo SQLite)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measure (default 5)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        engine = prepare_database(make_engine(url), load_demo=True)
        try:
            backend = engine.dialect.name
            print_table(
                f"Briefings ({backend}, {args.repeat} runs each)",
                briefing_rows(engine, args.repeat),
            )
        finally:
            engine.dispose()
    return 0
