"""Rows of the benchmark's tables, how they are timed, and how a table is printed."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

HEAD = ["measure", "median ms", "min", "max", "target", "", "rows", "queries", "peak MB",
        "sent KB", "CPU ms"]  # fmt: skip
MEMORY_HEAD = ["measure", "value", "", "", "target", "", "", "", "", "", ""]
BROWSER_HEAD = ["measure", "median ms", "p95", "max", "target", "", "", "", "", "", ""]


@dataclass
class Row:
    """One measure: its runs in seconds, a target in ms (None: none), what it moved."""

    name: str
    runs: list[float] = field(default_factory=list)
    target_ms: float | None = None
    rows: int | None = None  # rows moved from the database (median over the runs)
    queries: int | None = None  # statements sent (median over the runs)
    peak_mb: float | None = None  # tracemalloc peak of Python allocations during one run
    sent_kb: float | None = None  # a page run's messages to the browser (median)
    # The process's CPU seconds in each run (all its threads): what the run costs whatever
    # else the machine is doing, where its wall time grows with the machine's load.
    cpu: list[float] = field(default_factory=list)
    error: str | None = None

    @property
    def median_ms(self) -> float | None:
        return statistics.median(self.runs) * 1000 if self.runs else None

    @property
    def ok(self) -> bool | None:
        if self.error:
            return False
        if self.target_ms is None or self.median_ms is None:
            return None
        return self.median_ms <= self.target_ms

    def cells(self) -> list[str]:
        if self.error or not self.runs:
            return [self.name, "—", "—", "—", _target(self.target_ms), "ERROR",
                    (self.error or "no run")[:60]]  # fmt: skip
        verdict = {None: "—", True: "ok", False: "SLOW"}[self.ok]
        return [self.name, f"{self.median_ms:.0f}", f"{min(self.runs) * 1000:.0f}",
                f"{max(self.runs) * 1000:.0f}", _target(self.target_ms), verdict,
                _int(self.rows), _int(self.queries),
                "" if self.peak_mb is None else f"{self.peak_mb:.1f}",
                "" if self.sent_kb is None else f"{self.sent_kb:,.0f}",
                f"{self.cpu_ms:.0f}" if self.cpu_ms is not None else ""]  # fmt: skip

    @property
    def cpu_ms(self) -> float | None:
        return statistics.median(self.cpu) * 1000 if self.cpu else None


@dataclass
class Ratio:
    """A quotient of two medians (e.g. the naive page over ours), with a lower bound."""

    name: str
    value: float | None
    at_least: float | None = None

    def cells(self) -> list[str]:
        if self.value is None:
            target = "—" if self.at_least is None else f"≥ {self.at_least:g}×"
            return [self.name, "—", "", "", target, "ERROR"]
        if self.at_least is None:
            verdict, target = "—", "—"
        else:
            verdict = "ok" if self.value >= self.at_least else "SLOW"
            target = f"≥ {self.at_least:g}×"
        shown = math.floor(self.value * 10) / 10  # 9.96× reads 9.9×, not a passing 10.0×
        return [self.name, f"{shown:.1f}×", "", "", target, verdict]


@dataclass
class Note:
    """A figure that is not a time (memory, a count): shown in the median column."""

    name: str
    value: str
    target: str = "—"
    ok: bool | None = None
    rest: list[str] = field(default_factory=list)

    def cells(self) -> list[str]:
        verdict = {None: "—", True: "ok", False: "SLOW"}[self.ok]
        return [self.name, self.value, *(self.rest + ["", ""])[:2], self.target, verdict]


def _target(ms: float | None) -> str:
    return "—" if ms is None else f"≤ {ms:g}"


def _int(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def median_int(values: list[int]) -> int | None:
    return int(statistics.median(values)) if values else None


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    runs = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        runs.append(time.perf_counter() - began)
    return runs


def render(title: str, rows: list, head: list[str] | None = None) -> str:
    """The table as text; columns that are empty in every row are left out."""
    head = head or HEAD
    # A row gives its cells up to its last filled one; the columns after it are empty.
    table = [head, *(_padded(r.cells(), len(head)) for r in rows)]
    keep = [i for i in range(len(head)) if i < 6 or any(line[i] for line in table[1:])]
    table = [[line[i] for i in keep] for line in table]
    widths = [max(len(line[i]) for line in table) for i in range(len(keep))]
    out = [title]
    for index, line in enumerate(table):
        out.append("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(line)).rstrip())
        if index == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def _padded(cells: list[str], width: int) -> list[str]:
    return cells + [""] * (width - len(cells))


def print_table(title: str, rows: list, head: list[str] | None = None) -> None:
    print("\n" + render(title, rows, head), flush=True)
