"""Run PostgreSQL's client tools (pg_dump, pg_restore) on the database a SQLAlchemy URL names.

Everything about the connection goes through libpq's environment variables, nothing through
the command line: a password there would show in `ps` to every account on the server.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL

# URL query parameters libpq understands, and the environment variable that carries each.
QUERY_ENV = {
    "host": "PGHOST",
    "port": "PGPORT",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "options": "PGOPTIONS",
    "application_name": "PGAPPNAME",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}


class ToolFailed(RuntimeError):
    """A client tool is missing or exited non-zero; the message is zh-TW with its stderr."""


def libpq_env(url: URL) -> dict[str, str]:
    """os.environ with the PG* variables that make libpq connect where url points."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for key, value in {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password,
        "PGDATABASE": url.database,
    }.items():
        if value:
            env[key] = str(value)
    for key, var in QUERY_ENV.items():
        value = url.query.get(key)
        if isinstance(value, tuple):  # a parameter given twice: libpq would take the last
            value = value[-1]
        if value:
            env[var] = str(value)
    return env


def run_tool(tool: str, args: list[str], url: URL) -> None:
    """Run tool (pg_dump or pg_restore) against url's database; raise ToolFailed on failure."""
    path = shutil.which(tool) or (f"/usr/bin/{tool}" if Path(f"/usr/bin/{tool}").exists() else None)
    if path is None:
        raise ToolFailed(f"找不到 {tool}：請安裝 PostgreSQL 用戶端工具（postgresql-client）")
    done = subprocess.run(
        [path, *args], env=libpq_env(url), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        detail = " ".join(done.stderr.split())[:2000] or f"結束代碼 {done.returncode}"
        raise ToolFailed(f"{tool} 執行失敗：{detail}")
