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
def app_server(
    database_url: str, data_dir: Path, script: str = "streamlit_app.py",
    options: list[str] | None = None,
) -> Iterator[Server]:  # fmt: skip
    """`streamlit run <script>` (the app unless told) on a free loopback port, logging to
    data_dir/server.log, with Streamlit's `options` (["runner.postScriptGC=false"]) on its
    command line; stopped on leaving, errors too."""
    port = _free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", script,
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--server.headless", "true", "--browser.gatherUsageStats", "false"]  # fmt: skip
    for option in options or []:
        name, _, value = option.partition("=")
        cmd += [f"--{name}", value]
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
        stop(proc)
        log.close()


def stop(proc: subprocess.Popen) -> None:
    """Ask a server to stop, and kill it if it has not within 20 s."""
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=20)


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


def server_cpu_seconds(pids: list[int]) -> float:
    """CPU time of the given server processes and every process below them, summed."""
    every = {p for pid in pids for p in (pid, *descendants(pid))}
    return sum(cpu_seconds(p) for p in every)


def servers_memory_mb(pids: list[int]) -> tuple[float, float]:
    """VmRSS in MB of the given servers and their children, summed, and the largest VmHWM of
    any one of them (the limit is per process: each holds its own sessions and caches)."""
    both = [memory_mb(pid) for pid in pids]
    return sum(r for r, _ in both), max((h for _, h in both), default=0.0)


def _socket_inodes(port: int) -> set[str]:
    """Inodes of the sockets listening on `port` (IPv4 and IPv6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                found.add(inode)
    return found


def listening_pids(port: int) -> list[int]:
    """Processes (of this user: others' /proc/<pid>/fd cannot be read) listening on `port`."""
    inodes = {f"socket:[{i}]" for i in _socket_inodes(port)}
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            links = {os.readlink(fd) for fd in (entry / "fd").iterdir()}
        except OSError:
            continue
        if links & inodes:
            pids.append(int(entry.name))
    return sorted(pids)


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""
