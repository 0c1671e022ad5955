"""Script-run time of each page through streamlit.testing.v1.AppTest, signed in as bench.admin.

Cold: a fresh AppTest runs the frame (its first page included), every cache is cleared, then
the timed run is `at.switch_page(page).run()`; repeated `repeat` times. Warm: `at.run()` again
on the AppTest of the first cold run, `repeat` times. Modules are imported by a warm-up pass
first, so cold means "a server that has served pages, with nothing kept" rather than "a new
process". Each timing includes AppTest's own overhead (a script thread per run and parsing
the page's messages), as a browser's run would include Streamlit's.

Rows and queries come from bench.rows; peak MB from one extra run of each kind under
tracemalloc (Python allocations only; it slows Python down, so it is never a timed run).
"""

from __future__ import annotations

import cProfile
import pstats
import statistics
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import local_script_runner as runner_module
from streamlit.testing.v1.local_script_runner import LocalScriptRunner

from bench import rows as moved_rows
from bench.account import USERNAME
from bench.caches import clear_caches
from bench.report import Row, median_int
from core.kernel.periods import REPORT_PERIOD
from ui.context import PERIOD_KEY

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "streamlit_app.py"
PAGES = ["pages/overview.py", "pages/sister_cities.py", "pages/visitor_log.py",
         "pages/gift_inventory.py", "pages/venue_usage.py", "pages/fleet_stats.py",
         "pages/staffing_table.py", "pages/briefing.py", "pages/history.py"]  # fmt: skip
COLD_MS, WARM_MS = 1000, 200
TIMEOUT = 300  # seconds a single AppTest run may take before it counts as failed


def new_app(token: str) -> AppTest:
    """A signed-in AppTest on the report's period, as the naive pages and the figures use it
    (an account's pages otherwise open on the running half-year)."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    at.session_state["auth.signed_in"] = {"username": USERNAME, "token": token}
    at.session_state[PERIOD_KEY] = REPORT_PERIOD
    return at


def error_of(at: AppTest) -> str | None:
    if not at.exception:
        return None
    first = at.exception[0]
    return (first.message or str(first.value)).strip().splitlines()[0]


# The messages of the last AppTest run, kept to size them after the timing: what the server
# would send the browser (elements, chart data and data frames as Arrow).
_sent: list = []
_parse = runner_module.parse_tree_from_messages


def _keep_messages(messages):
    _sent.append(messages)
    return _parse(messages)


runner_module.parse_tree_from_messages = _keep_messages


class Sample:
    """One timed run: seconds, rows and queries, and for a page run the KB of its messages."""

    def __init__(self, action: Callable[[], object]) -> None:
        _sent.clear()
        with moved_rows.measure() as moved:
            began, cpu = time.perf_counter(), time.process_time()
            self.result = action()
            self.seconds = time.perf_counter() - began
            self.cpu = time.process_time() - cpu
        self.rows, self.queries = moved.rows, moved.queries
        sizes = [m.ByteSize() for messages in _sent for m in messages]
        self.sent_kb = sum(sizes) / 1024 if sizes else None
        _sent.clear()


def _peak_mb(action: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def _framed(token: str) -> AppTest:
    """A fresh AppTest that has run the frame (and with it the first page), then a clean slate:
    caches cleared, and the editors' snapshots of rows that run kept in the session dropped."""
    clear_caches()
    at = new_app(token)
    at.run()
    for key in list(at.session_state.keys()):
        if key.endswith(".editor.snapshot"):
            del at.session_state[key]
    clear_caches()
    return at


def warm_up(token: str) -> None:
    """Import every page's modules once (untimed), so no cold run pays for imports."""
    at = new_app(token)
    at.run()
    for page in PAGES:
        at.switch_page(page).run()


def _row(name: str, samples: list[Sample], target: float, peak: float | None) -> Row:
    sent = [s.sent_kb for s in samples if s.sent_kb is not None]
    return Row(name, [s.seconds for s in samples], target,
               rows=median_int([s.rows for s in samples]),
               queries=median_int([s.queries for s in samples]), peak_mb=peak,
               sent_kb=statistics.median(sent) if sent else None,
               cpu=[s.cpu for s in samples])  # fmt: skip


def measure_page(page: str, token: str, repeat: int) -> tuple[Row, Row]:
    """(cold row, warm row) of one page."""
    name = Path(page).stem
    cold: list[Sample] = []
    warm: list[Sample] = []
    last: AppTest | None = None
    for _ in range(repeat):
        at = _framed(token)
        if error_of(at):
            error = f"frame: {error_of(at)}"
            return Row(f"{name} cold", error=error), Row(f"{name} warm", error=error)
        cold.append(Sample(lambda at=at: at.switch_page(page).run()))
        if error_of(at):
            error = error_of(at)
            return Row(f"{name} cold", error=error), Row(f"{name} warm", error=error)
        last = at
    assert last is not None
    # Warm: reruns of the last cold run's session, nothing cleared since.
    for _ in range(repeat):
        warm.append(Sample(last.run))
        if error_of(last):
            error = error_of(last)
            return _row(f"{name} cold", cold, COLD_MS, None), Row(f"{name} warm", error=error)
    warm_peak = _peak_mb(last.run)
    traced = _framed(token)
    cold_peak = _peak_mb(lambda: traced.switch_page(page).run())
    return (_row(f"{name} cold", cold, COLD_MS, cold_peak),
            _row(f"{name} warm", warm, WARM_MS, warm_peak))  # fmt: skip


def prepare_row(repeat: int) -> Row:
    """What every cold run pays to rebuild the app's engine: connect, check, migrations."""
    from db.bootstrap import prepare_database

    def once() -> None:
        clear_caches()
        prepare_database()

    return Row("engine + migration check (in every cold run)",
               [Sample(once).seconds for _ in range(repeat)])  # fmt: skip


def page_rows(token: str, repeat: int, pages: list[str] | None = None) -> list[Row]:
    warm_up(token)
    out = []
    for page in pages or PAGES:
        try:
            out.extend(measure_page(page, token, repeat))
        except Exception as exc:  # e.g. AppTest's timeout: reported, the other pages go on
            error = f"{type(exc).__name__}: {exc}"
            out += [
                Row(f"{Path(page).stem} cold", error=error),
                Row(f"{Path(page).stem} warm", error=error),
            ]
    out.append(prepare_row(repeat))
    return out


# --- cProfile of one page run ------------------------------------------------------------------


def _profiled_thread(profile: cProfile.Profile):
    original = LocalScriptRunner._run_script_thread

    def run(self) -> None:  # the script thread: cProfile only sees the thread it runs in
        profile.enable()
        try:
            original(self)
        finally:
            profile.disable()

    return original, run


def profile_page(page: str, token: str, *, cold: bool, top: int = 10) -> str:
    """The top entries by cumulative time in our code (core/, ui/, pages/, the frame)."""
    warm_up(token)
    at = _framed(token)
    if not cold:
        at.switch_page(page).run()
    profile = cProfile.Profile()
    original, wrapped = _profiled_thread(profile)
    LocalScriptRunner._run_script_thread = wrapped  # type: ignore[method-assign]
    try:
        began = time.perf_counter()
        at.switch_page(page).run()
        took = time.perf_counter() - began
    finally:
        LocalScriptRunner._run_script_thread = original  # type: ignore[method-assign]
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    kind = "cold" if cold else "warm"
    lines = [f"cProfile of {page} ({kind}, {took * 1000:.0f} ms with the profiler on)",
             f"top {top} cumulative in our code (the frame's call chain left out):"]  # fmt: skip
    lines += [f"{ct * 1000:8.0f} ms  {nc:6d} calls  {where}" for ct, nc, where in
              _ours(stats)[:top]]  # fmt: skip
    lines.append("top 8 by own time, any code:")
    own = sorted(((tt, nc, _where(key)) for key, (_cc, nc, tt, _ct, _c) in stats.items()),
                 reverse=True)  # fmt: skip
    lines += [f"{tt * 1000:8.0f} ms  {nc:6d} calls  {where}" for tt, nc, where in own[:8]]
    return "\n".join(lines)


# Entries every page run passes through: the page file, the frame, ui.context's frame check.
CHAIN = ("(<module>)", "ui/context.py:")


def _where(key: tuple) -> str:
    file, line, fn = key
    path = Path(file)
    if path.is_relative_to(ROOT):
        return f"{path.relative_to(ROOT)}:{line}({fn})"
    parts = path.parts
    inside = parts[parts.index("site-packages") + 1 :] if "site-packages" in parts else parts[-2:]
    return f"{'/'.join(inside)}:{line}({fn})"


def _ours(stats: dict) -> list[tuple[float, int, str]]:
    ours = tuple(str(ROOT / d) for d in ("core", "ui", "pages", "streamlit_app.py"))
    found = [
        (ct, nc, _where(key))
        for key, (_cc, nc, _tt, ct, _callers) in stats.items()
        if key[0].startswith(ours)
    ]
    return sorted(
        (e for e in found if not (e[2].endswith(CHAIN[0]) or e[2].startswith(CHAIN[1]))),
        reverse=True,
    )
