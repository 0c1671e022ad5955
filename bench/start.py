"""The README's quick start, timed: `streamlit run streamlit_app.py` on a fresh, empty data folder
(the embedded SQLite, demo mode) until headless Chromium shows the sign-in form, and a later
start on the folder that first start left.

Chromium is started before the server (a visitor's browser is already open) and opens the page
in a new context (nothing cached) as soon as /_stcore/health answers. The parts:
- Python, Streamlit and the server: from the process start to the health check, less the
  lifespan's database work (Streamlit's imports, its runtime, uvicorn);
- the lifespan's database work, part by part, as the server logs it (streamlit_app.prepare:
  imports, connect, schema, each demo data loader, the rollups' one recount, commit, demo
  accounts);
- the page load in Chromium (Streamlit's scripts and styles, until the load event);
- the frame's first run until the sign-in form is drawn (websocket, script run, drawing).
No fonts or other assets are read at start: the chart font is registered at a chart's first
export.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from bench.report import Row
from bench.server import ROOT, _free_port, cpu_seconds, stop
from core.kernel.stopwatch import parse_parts

CHROMIUM = "/usr/bin/chromium"
START_TARGET_MS = 10_000  # issue 20: the sign-in form within 10 s of a first start
LIMIT = 180  # seconds for one start before it counts as failed
READY = "database ready in "
# The server's part names (streamlit_app.prepare, db.bootstrap, db.seed) as the table shows them.
LABELS = {
    "imports": "imports (SQLAlchemy, models, accounts, seed)",
    "connect": "connect (file modes, SELECT 1)",
    "schema": "schema (migrations)",
    "rollups": "rollups (one recount, triggers back)",
    "commit": "commit",
    "accounts": "demo accounts",
}


@dataclass
class Start:
    health: float  # seconds from the process start until /_stcore/health answered 200
    loaded: float  # … until the page's load event in Chromium
    form: float  # … until the sign-in form's password field was visible
    cpu_health: float = 0.0  # the server's CPU seconds (user + system) until the health check
    cpu_form: float = 0.0  # … until the form was visible
    parts: list[tuple[str, float]] = field(default_factory=list)  # the server's own

    @property
    def prepare(self) -> float:
        return sum(seconds for _name, seconds in self.parts)


def _environment(data_dir: Path) -> dict[str, str]:
    """The quick start's: no DATABASE_URL nor LOAD_DEMO_DATA (the demo default)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "LOAD_DEMO_DATA")}
    return {**env, "DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}


def _wait_for_health(base: str, proc: subprocess.Popen, began: float) -> float:
    while True:
        if proc.poll() is not None:
            raise RuntimeError("the app server stopped before answering")
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).status == 200:
                return time.perf_counter() - began
        except OSError:
            if time.perf_counter() - began > LIMIT:
                raise RuntimeError("the app server did not answer in time") from None
            time.sleep(0.02)


def _server_parts(log: Path) -> list[tuple[str, float]]:
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        if READY in line:
            return parse_parts(line.split(READY, 1)[1].partition(":")[2])
    raise RuntimeError(f"the server logged no '{READY}…' line: see {log}")


def one_start(browser, data_dir: Path, log: Path) -> Start:
    """Start the server on data_dir, open the page, stop the server; the times."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--server.headless", "true", "--browser.gatherUsageStats", "false"]  # fmt: skip
    with log.open("wb") as out:
        began = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, env=_environment(data_dir), stdout=out,
                                stderr=subprocess.STDOUT)  # fmt: skip
        try:
            health = _wait_for_health(base, proc, began)
            cpu_health = cpu_seconds(proc.pid)
            context = browser.new_context()  # a first visitor: nothing cached
            try:
                page = context.new_page()
                page.goto(base + "/", wait_until="load", timeout=LIMIT * 1000)
                loaded = time.perf_counter() - began
                page.get_by_label("密碼").wait_for(state="visible", timeout=LIMIT * 1000)
                form = time.perf_counter() - began
                cpu_form = cpu_seconds(proc.pid)
            finally:
                context.close()
        finally:
            stop(proc)
    return Start(health, loaded, form, cpu_health, cpu_form, _server_parts(log))


def _rows(label: str, starts: list[Start], target_ms: float | None) -> list[Row]:
    names = list(dict.fromkeys(name for s in starts for name, _ in s.parts))

    def part(s: Start, name: str) -> float:
        return sum(seconds for n, seconds in s.parts if n == name)

    rows = [
        Row(f"{label}: sign-in form shown", [s.form for s in starts], target_ms),
        Row("  health check answers", [s.health for s in starts]),
        Row("    Python, Streamlit, the server", [s.health - s.prepare for s in starts]),
        Row("    database ready (lifespan)", [s.prepare for s in starts]),
    ]
    for name in names:
        shown = LABELS.get(name) or "demo data: " + name.removeprefix("seed.")
        rows.append(Row(f"      {shown}", [part(s, name) for s in starts]))
    rows += [
        Row("  page load in Chromium", [s.loaded - s.health for s in starts]),
        Row("  frame's first run, form drawn", [s.form - s.loaded for s in starts]),
        Row("server CPU until the health check", [s.cpu_health for s in starts]),
        Row("server CPU until the form was shown", [s.cpu_form for s in starts]),
    ]
    return rows


def start_rows(repeat: int) -> list[Row]:
    """Each run: a first start on a new empty folder, then a later start on it."""
    from playwright.sync_api import sync_playwright

    first: list[Start] = []
    later: list[Start] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            for _ in range(repeat):
                with tempfile.TemporaryDirectory(prefix="bench-start-") as tmp:
                    folder = Path(tmp)
                    data = folder / "data"  # made by the app itself, as on a fresh clone
                    first.append(one_start(browser, data, folder / "first.log"))
                    later.append(one_start(browser, data, folder / "later.log"))
        finally:
            browser.close()
    return _rows("first start", first, START_TARGET_MS) + _rows("later start", later, None)
