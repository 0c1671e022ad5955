"""Child processes: each started with its own log, polled until healthy, stopped in order."""

from __future__ import annotations

import subprocess
import time
import urllib.request
from pathlib import Path
from typing import IO

HEALTH_TIMEOUT = 120.0  # s; a first start imports a lot, and the machine may be busy


class StartError(RuntimeError):
    """A process ended or stayed unhealthy while starting; the message (zh-TW) says which."""


class Processes:
    """Children by name, each writing stdout and stderr to <log_dir>/<name>.log."""

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.procs: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        self._files: list[IO[bytes]] = []

    def spawn(self, name: str, cmd: list[str], *, cwd: Path, env: dict[str, str]) -> None:
        log = self.log_dir / f"{name.replace(':', '-')}.log"
        out = log.open("wb")
        self._files.append(out)
        # A session of its own: Ctrl-C reaches the supervising script only, which stops the
        # children in its own order.
        self.procs[name] = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.logs[name] = log

    def wait_healthy(self, name: str, url: str, timeout: float = HEALTH_TIMEOUT) -> None:
        """Poll url until it answers 200; StartError if the process ends or time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.procs[name].poll() is not None:
                tail = self.logs[name].read_text(errors="replace")[-1500:]
                raise StartError(f"{name} 啟動失敗（紀錄 {self.logs[name]}）：\n{tail}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.25)
        raise StartError(f"{name} 在 {timeout:.0f} 秒內未通過健康檢查 {url}")

    def wait_any(self) -> str:
        """Block until one of the processes ends; its name."""
        while True:
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    return name
            time.sleep(0.5)

    def stop(self, *first: str) -> None:
        """Stop the named processes first, then the others (SIGTERM, SIGKILL after 20 s)."""
        for group in (list(first), [n for n in self.procs if n not in first]):
            running = [self.procs[n] for n in group if n in self.procs]
            for proc in running:
                if proc.poll() is None:
                    proc.terminate()
            for proc in running:
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        self.procs.clear()
        for out in self._files:
            out.close()
        self._files.clear()
