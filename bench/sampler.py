"""A sampling profiler for a real app server: where its CPU goes under load, every thread.

cProfile sees one thread and slows it several times over; a Streamlit server spends its time in
many (the event loop serialising messages, one script thread per session). This samples every
thread's Python stack every few milliseconds and charges each thread's CPU, read from
/proc/self/task/<tid>/stat, to the stack it was running, so idle threads waiting on a socket or a
lock count for nothing.

    python -m bench.sampler OUT.txt -- -m streamlit run streamlit_app.py --server.port 8600 ...

starts the server under the sampler (the arguments after -- as for `python`), and rewrites OUT.txt
every few seconds and on exit with the top stacks by CPU: cumulative per function (a function is
counted once per sample even when it recurses) and own time per leaf.
"""

from __future__ import annotations

import os
import runpy
import sys
import threading
import time
from collections import Counter
from pathlib import Path

INTERVAL = 0.004  # seconds between samples
WRITE_EVERY = 5.0  # seconds between rewrites of the report
TICK = 1.0 / os.sysconf("SC_CLK_TCK")
ROOT = str(Path(__file__).resolve().parents[1]) + os.sep  # the repository: "our code"


def _thread_cpu(native_id: int) -> int:
    """utime + stime of one thread of this process, in clock ticks (0 when it is gone)."""
    try:
        fields = Path(f"/proc/self/task/{native_id}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def _where(code) -> str:
    name = code.co_filename
    for marker in ("site-packages/", "lib/python3", "/work/"):
        if marker in name:
            name = name.split(marker, 1)[1]
            break
    return f"{name}:{code.co_firstlineno}({code.co_qualname})"


class Sampler:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.cumulative: Counter[str] = Counter()
        self.own: Counter[str] = Counter()
        self.by_thread: Counter[str] = Counter()
        self.ours: set[str] = set()  # functions of our code (core/, ui/, pages/, frame/, db/)
        # Each sample charged to the innermost function of our code on its stack: that
        # function's own time plus the library calls it makes (pandas, pyarrow, Streamlit).
        self.nearest_ours: Counter[str] = Counter()
        self.ticks = 0
        self.started = time.monotonic()
        self._last: dict[int, int] = {}
        self._me: int | None = None  # the sampling thread, set when it starts

    def sample(self) -> None:
        names = {t.ident: (t.native_id, t.name) for t in threading.enumerate()}
        for ident, frame in sys._current_frames().items():
            if ident == self._me or ident not in names:
                continue
            native, name = names[ident]
            cpu = _thread_cpu(native)
            spent = cpu - self._last.get(native, cpu)
            self._last[native] = cpu
            if spent <= 0:
                continue
            self.ticks += spent
            self.by_thread[name.rstrip("0123456789-_ ")] += spent
            seen = set()
            self.own[_where(frame.f_code)] += spent
            nearest = None
            while frame is not None:
                where = _where(frame.f_code)
                if where not in seen:
                    seen.add(where)
                    self.cumulative[where] += spent
                    if frame.f_code.co_filename.startswith(ROOT):
                        self.ours.add(where)
                if nearest is None and frame.f_code.co_filename.startswith(ROOT):
                    nearest = where
                frame = frame.f_back
            self.nearest_ours[nearest or "(no code of ours on the stack)"] += spent

    def _line(self, ticks: int, where: str) -> str:
        return f"  {ticks * TICK:8.2f} s  {100 * ticks / max(self.ticks, 1):5.1f}%  {where}"

    def report(self) -> str:
        total = self.ticks * TICK
        wall = time.monotonic() - self.started
        lines = [f"CPU sampled: {total:.1f} s over {wall:.0f} s wall (threads' own ticks)", ""]
        lines.append("by thread:")
        for name, ticks in self.by_thread.most_common(10):
            lines.append(f"  {ticks * TICK:8.2f} s  {name}")
        lines.append("")
        lines.append("cumulative (top 80):")
        for where, ticks in self.cumulative.most_common(80):
            lines.append(self._line(ticks, where))
        lines.append("")
        lines.append("cumulative, our code only (top 80):")
        ours = [(w, n) for w, n in self.cumulative.most_common() if w in self.ours]
        for where, ticks in ours[:80]:
            lines.append(self._line(ticks, where))
        lines.append("")
        lines.append("by the innermost function of ours, with the library calls it made (top 60):")
        for where, ticks in self.nearest_ours.most_common(60):
            lines.append(self._line(ticks, where))
        lines.append("")
        lines.append("own (top 40):")
        for where, ticks in self.own.most_common(40):
            lines.append(self._line(ticks, where))
        return "\n".join(lines) + "\n"

    def write(self) -> None:
        self.out.write_text(self.report())

    def run(self) -> None:
        # Skip only this thread: the main thread runs the server's event loop (serialising
        # and sending every message), which is what a profile of the server must show.
        self._me = threading.get_ident()
        last_write = time.monotonic()
        while True:
            time.sleep(INTERVAL)
            self.sample()
            if time.monotonic() - last_write > WRITE_EVERY:
                self.write()
                last_write = time.monotonic()


def main(argv: list[str]) -> None:
    if len(argv) < 3 or argv[1] != "--":
        raise SystemExit("usage: python -m bench.sampler OUT.txt -- -m MODULE ARGS… | SCRIPT ARGS…")
    sampler = Sampler(Path(argv[0]))
    thread = threading.Thread(target=sampler.run, name="bench-sampler", daemon=True)
    thread.start()
    rest = argv[2:]
    try:
        if rest[0] == "-m":
            sys.argv = [rest[1], *rest[2:]]
            runpy.run_module(rest[1], run_name="__main__", alter_sys=True)
        else:
            sys.argv = rest
            runpy.run_path(rest[0], run_name="__main__")
    finally:
        sampler.write()


if __name__ == "__main__":
    main(sys.argv[1:])
