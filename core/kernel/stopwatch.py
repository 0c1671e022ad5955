"""Named parts of one long step, timed one after another: the app reports its start with them
(streamlit_app.py logs the line, `python -m bench --only start` reads it back)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

# `database ready in 1.84 s: imports=0.512 schema=0.210 …` (the numbers in seconds)
PART = re.compile(r"([a-z_.]+)=(\d+\.\d+)")


class Stopwatch:
    """The parts timed so far, in the order they ended."""

    def __init__(self) -> None:
        self.parts: list[tuple[str, float]] = []

    @contextmanager
    def part(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.parts.append((name, time.perf_counter() - started))

    def total(self) -> float:
        return sum(seconds for _name, seconds in self.parts)

    def line(self) -> str:
        """`imports=0.512 schema=0.210 …`: what `parse_parts` reads."""
        return " ".join(f"{name}={seconds:.3f}" for name, seconds in self.parts)


def parse_parts(text: str) -> list[tuple[str, float]]:
    """The (name, seconds) pairs of a `Stopwatch.line()` inside text."""
    return [(name, float(seconds)) for name, seconds in PART.findall(text)]
