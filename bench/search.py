"""The sidebar's global search (core.search.finder): cold, a new text, and the same text again."""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import Session

from bench.caches import clear_caches
from bench.pages import Sample
from bench.report import Row, median_int
from core.kernel import cache
from core.search.finder import search_grouped

# ms: every cache and folded index gone / indexes kept, a text not searched before / again
COLD_MS, NEW_MS, AGAIN_MS = 1000, 500, 50
# What staff type: a visitor's original name, a common word, a booking organiser, nothing found
TEXTS = ("Oudkirk", "高雄", "人事處", "查無此字")


def _row(name: str, samples: list[Sample], target: float) -> Row:
    return Row(name, [s.seconds for s in samples], target,
               rows=median_int([s.rows for s in samples]),
               queries=median_int([s.queries for s in samples]))  # fmt: skip


def _runs(engine: Engine, text: str, repeat: int, clear) -> list[Sample]:
    samples = []
    for _ in range(repeat):
        clear()
        with Session(engine) as session:
            samples.append(Sample(lambda s=session: search_grouped(s, text, "zh-TW")))
    return samples


def search_rows(engine: Engine, repeat: int) -> list[Row]:
    """Per text: cold (clear_caches drops core.search.finder's indexes too), a new text (only the
    kept results dropped: what typing a new word costs), and the same text again (kept)."""
    out = []
    for text in TEXTS:
        cold = _runs(engine, text, repeat, clear_caches)
        new = _runs(engine, text, repeat, cache.clear)
        again = _runs(engine, text, repeat, lambda: None)
        out += [_row(f"search {text} cold", cold, COLD_MS),
                _row(f"search {text} new text", new, NEW_MS),
                _row(f"search {text} again", again, AGAIN_MS)]  # fmt: skip
    return out
