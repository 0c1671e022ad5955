"""`python -m deploy.cluster`: N app servers behind nginx on loopback, sharing one database
(PostgreSQL, or the embedded SQLite file when they all run on this machine).

In order: refuse a database the servers cannot share; migrate once (and load the demo data,
with --demo); settle one shared secret; start N `streamlit run` processes with the same
environment; wait for each one's /_stcore/health; start nginx with sticky sessions in front;
on Ctrl-C or SIGTERM stop it all.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from core.accounts.session_keys import CookieKeyError, cookie_signing_key
from core.kernel.config import Settings
from db.engine import DatabaseUnavailable, make_engine, normalize_url
from deploy import nginx
from deploy.processes import Processes, StartError

ROOT = Path(__file__).resolve().parent.parent
SECRETS = ROOT / ".streamlit" / "secrets.toml"
NGINX = "/usr/sbin/nginx"


class ClusterError(RuntimeError):
    """The cluster cannot start; the message (zh-TW) says why."""


def shared_database(url: str) -> str:
    """The normalised URL every server is given, or ClusterError. PostgreSQL, or one SQLite
    file on this machine's own disk ("" = the embedded default, DATA_DIR/workspace.db): WAL lets
    the servers read while one of them writes, and a write waits for another's (busy_timeout).
    An in-memory SQLite database is one per process, so it is refused."""
    if not url:
        return ""
    try:
        parsed = make_url(normalize_url(url))
    except ArgumentError:
        raise ClusterError(f"DATABASE_URL 格式不正確：{url!r}") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite" and parsed.database in (None, "", ":memory:"):
        raise ClusterError(
            "多台應用伺服器必須共用同一個資料庫：記憶體中的 SQLite 每個程序各有一份，"
            "請指定 SQLite 檔案（sqlite:////路徑/workspace.db）或 PostgreSQL。"
        )
    if backend not in ("sqlite", "postgresql"):
        raise ClusterError(f"不支援的資料庫：{backend}（{url}）；請用 PostgreSQL 或 SQLite 檔案。")
    return normalize_url(url)


def shared_secret(settings: Settings | None = None) -> str:
    """The key every server signs the sign-in cookie with: the one the app itself would pick
    (secrets.toml [auth] cookie_key, WORKSPACE_COOKIE_KEY, else DATA_DIR/cookie_key), settled
    here once so that no two servers race to generate different ones."""
    secret = None
    if SECRETS.exists():
        secret = tomllib.loads(SECRETS.read_text(encoding="utf-8")).get("auth", {})
        secret = secret.get("cookie_key")
    return cookie_signing_key(secret, settings or Settings())


def streamlit_cookie_secret(key: str) -> str:
    """Streamlit's server.cookieSecret: derived from the one shared secret, not the same bytes."""
    return hmac.new(key.encode(), b"streamlit server.cookieSecret", hashlib.sha256).hexdigest()


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


@dataclass
class Cluster:
    """N app servers (ports port+1 … port+N unless backend_ports) and nginx on `port`."""

    database_url: str
    servers: int = 2
    port: int = 8500
    host: str = "127.0.0.1"
    demo: bool = False
    secret: str | None = None  # default: shared_secret()
    env: dict[str, str | None] = field(default_factory=dict)  # extra environment; None unsets
    run_dir: Path | None = None  # logs and nginx's prefix; default a temporary folder
    with_nginx: bool = True
    backend_ports: list[int] | None = None
    processes: Processes | None = field(default=None, init=False)

    @property
    def ports(self) -> list[int]:
        return self.backend_ports or [self.port + 1 + i for i in range(self.servers)]

    @property
    def backends(self) -> list[str]:
        return [f"http://{self.host}:{p}" for p in self.ports]

    @property
    def url(self) -> str | None:
        return f"http://{self.host}:{self.port}" if self.with_nginx else None

    def prepare(self) -> None:
        """Migrate (and load the demo data) once, before any server starts."""
        from db.bootstrap import prepare_database

        settings = self.settings()
        try:
            engine = make_engine(settings.url)
        except DatabaseUnavailable as exc:
            raise ClusterError(str(exc)) from None
        try:
            prepare_database(engine, load_demo=self.demo or settings.demo_data)
        except DatabaseUnavailable as exc:
            raise ClusterError(str(exc)) from None
        finally:
            engine.dispose()

    def settings(self) -> Settings:
        """The servers' settings, as each of them will read them from server_env."""
        data_dir = self.env.get("DATA_DIR")
        return Settings(database_url=self.database_url,
                        **({"data_dir": Path(data_dir)} if data_dir else {}))  # fmt: skip

    def server_env(self) -> dict[str, str]:
        """One environment for every server: same database, same secrets, same demo mode."""
        try:
            key = shared_secret(Settings(workspace_cookie_key=self.secret) if self.secret else None)
        except CookieKeyError as exc:
            raise ClusterError(str(exc)) from None
        env: dict[str, str | None] = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "WORKSPACE_COOKIE_KEY": key,
            # In the environment, not on the command line, where `ps` would show it.
            "STREAMLIT_SERVER_COOKIE_SECRET": streamlit_cookie_secret(key),
            "PYTHONUNBUFFERED": "1",
            **({"LOAD_DEMO_DATA": "1"} if self.demo else {}),
            **self.env,
        }
        return {k: v for k, v in env.items() if v is not None}

    def start(self) -> None:
        self.database_url = shared_database(self.database_url)
        if not self.ports:
            raise ClusterError("至少需要一個應用伺服器（--servers 1 以上）。")
        wanted = self.ports + ([self.port] if self.with_nginx else [])
        busy = [p for p in wanted if not _port_free(self.host, p)]
        if busy:
            raise ClusterError(f"連接埠已被占用：{', '.join(map(str, busy))}，請改用 --port。")
        self.run_dir = self.run_dir or Path(tempfile.mkdtemp(prefix="bureau-cluster-"))
        try:
            self.run_dir.mkdir(parents=True, exist_ok=True)  # --run-dir of a folder not made yet
        except OSError as exc:
            raise ClusterError(f"無法建立紀錄資料夾 {self.run_dir}：{exc.strerror}") from None
        self.processes = Processes(self.run_dir)
        self.prepare()
        env = self.server_env()
        for port in self.ports:
            cmd = [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
                   "--server.port", str(port), "--server.address", self.host,
                   "--server.headless", "true"]  # fmt: skip
            self.processes.spawn(f"streamlit:{port}", cmd, cwd=ROOT, env=env)
        try:
            for port, base in zip(self.ports, self.backends, strict=True):
                self.processes.wait_healthy(f"streamlit:{port}", f"{base}/_stcore/health")
            if self.with_nginx:
                self._start_nginx()
        except StartError as exc:
            raise ClusterError(str(exc)) from None

    def _start_nginx(self) -> None:
        exe = shutil.which("nginx") or (NGINX if Path(NGINX).exists() else None)
        if exe is None:
            raise ClusterError("找不到 nginx：請先安裝（apt-get install nginx），或加 --no-nginx。")
        assert self.run_dir is not None and self.url is not None
        prefix = self.run_dir / "nginx"
        text = nginx.render(f"{self.host}:{self.port}", [b.split("//")[1] for b in self.backends])
        conf = nginx.write_prefix(prefix, text)
        base = [exe, "-p", str(prefix), "-c", str(conf), "-e", str(prefix / "logs" / "error.log")]
        check = subprocess.run([*base, "-t"], capture_output=True, text=True)
        if check.returncode != 0:
            raise ClusterError(f"nginx 設定檢查（nginx -t）失敗：\n{check.stderr.strip()}")
        self.processes.spawn(
            "nginx", [*base, "-g", "daemon off;"], cwd=prefix, env=dict(os.environ)
        )
        self.processes.wait_healthy("nginx", f"{self.url}/_stcore/health")

    def stop(self) -> None:
        """nginx first (no request reaches a stopping server), then the app servers."""
        if self.processes is not None:
            self.processes.stop("nginx")

    def __enter__(self) -> Cluster:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m deploy.cluster",
        description="在本機啟動 N 個應用伺服器與前置的 nginx（黏性連線），共用一個資料庫"
        "（PostgreSQL，或本機的內建 SQLite 檔案）。",
    )
    p.add_argument("--servers", type=int, default=2, help="應用伺服器數（預設 2）")
    p.add_argument("--port", type=int, default=8500, help="nginx 的連接埠；伺服器用其後 N 個")
    p.add_argument("--host", default="127.0.0.1", help="監聽位址（預設 127.0.0.1）")
    p.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""),
                   help="資料庫連線字串（預設讀 DATABASE_URL；皆無則用 DATA_DIR 的"
                        "內建 SQLite 檔案）")  # fmt: skip
    p.add_argument("--demo", action="store_true", help="載入示範資料與示範帳號（空資料庫）")
    p.add_argument("--run-dir", type=Path, help="紀錄與 nginx 設定的資料夾（預設暫存資料夾）")
    p.add_argument("--no-nginx", action="store_true", help="只啟動應用伺服器")
    return p


def _interrupt(*_: object) -> None:
    # Once: a second Ctrl-C (or the SIGTERM a wrapper sends as well) during the stop would cut
    # it short and leave servers and nginx running with nobody to stop them.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    demo = args.demo or Settings().load_demo_data is True
    cluster = Cluster(
        args.database_url, servers=args.servers, port=args.port, host=args.host, demo=demo,
        run_dir=args.run_dir, with_nginx=not args.no_nginx,
    )  # fmt: skip
    # Also SIGINT: a shell that starts this in the background has it ignored, and Python then
    # leaves it ignored.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupt)
    temporary = args.run_dir is None
    try:
        with cluster:
            assert cluster.processes is not None
            procs = cluster.processes.procs
            # With their PIDs, for `python -m bench --only load --url … --server-pids …`.
            pairs = zip(cluster.ports, cluster.backends, strict=True)
            shown = [f"{base}（PID {procs[f'streamlit:{port}'].pid}）" for port, base in pairs]
            print("應用伺服器：" + "、".join(shown), flush=True)
            print(f"紀錄：{cluster.run_dir}", flush=True)
            print(f"請開啟 {cluster.url or cluster.backends[0]}（Ctrl-C 停止）", flush=True)
            ended = cluster.processes.wait_any()
            log = cluster.processes.logs[ended]
            print(f"{ended} 已結束（紀錄 {log}），停止全部程序。", file=sys.stderr)
            temporary = False  # keep the logs for whoever looks into it
            return 1
    except KeyboardInterrupt:
        print("已停止全部程序。")
        return 0
    except ClusterError as exc:
        print(exc, file=sys.stderr)
        temporary = False
        return 2
    finally:
        if temporary and cluster.run_dir is not None:
            shutil.rmtree(cluster.run_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
