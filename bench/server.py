"""A real app server for the browser measures (as tests/e2e/conftest.start_app), and its memory."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START_LIMIT = 180  # seconds for the server to answer its health check


@dataclass
class Server:
    base: str
    pid: int


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def app_server(database_url: str, data_dir: Path) -> Iterator[Server]:
    """`streamlit run streamlit_app.py` on a free loopback port; stopped on leaving, errors too."""
    port = _free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--server.headless", "true", "--browser.gatherUsageStats", "false"]  # fmt: skip
    env = {**os.environ, "DATABASE_URL": database_url, "DATA_DIR": str(data_dir),
           "LOAD_DEMO_DATA": "0"}  # fmt: skip
    log = (data_dir / "server.log").open("wb")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_LIMIT
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"the app server stopped: see {data_dir / 'server.log'}")
            try:
                if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the app server did not answer in time") from None
                time.sleep(0.25)
        yield Server(base, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=20)
        log.close()


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found + [g for c in found for g in _children(c)]


def _status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) in MB of the server and its child processes, if any (summed)."""
    pids = [pid, *_children(pid)]
    rss = sum(_status_kb(p, "VmRSS") for p in pids) / 1024
    hwm = sum(_status_kb(p, "VmHWM") for p in pids) / 1024
    return rss, hwm


def _stat(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return []


def cpu_seconds(pid: int) -> float:
    """User + system CPU time the process (and children it has waited for) has used."""
    fields = _stat(pid)
    ticks = sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> list[int]:
    """Every process below pid (by parent id), found through /proc."""
    parent = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields:
                parent[int(entry.name)] = int(fields[1])
    found, frontier = [], [pid]
    while frontier:
        children = [p for p, pp in parent.items() if pp in frontier]
        found += children
        frontier = children
    return found


def browser_cpu_seconds(server_pid: int) -> float:
    """CPU time of this process's children other than the app server: Playwright's driver and
    Chromium (its renderers draw every page on the same cores as the server)."""
    skip = {server_pid, *descendants(server_pid)}
    return sum(cpu_seconds(p) for p in descendants(os.getpid()) if p not in skip)
