"""The environment line printed before the tables: machine, versions, database and its size."""

from __future__ import annotations

import os
import platform
import sqlite3
from pathlib import Path

import sqlalchemy
import streamlit
from sqlalchemy import Engine, func, select, table, text

BIG_TABLES = ("venue_booking", "trip", "reception", "exchange_event", "gift_movement",
              "gift_received", "staffing_count", "audit_log")  # fmt: skip


def _ram_gb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return float("nan")


def _server(engine: Engine) -> tuple[str, str]:
    """(server version, database size)."""
    if engine.dialect.name == "sqlite":
        path = engine.url.database or ""
        size = Path(path).stat().st_size if path and Path(path).exists() else 0
        wal = Path(path + "-wal")
        size += wal.stat().st_size if wal.exists() else 0
        return f"SQLite {sqlite3.sqlite_version}", f"{size / 2**20:,.0f} MB"
    with engine.connect() as conn:
        version = conn.execute(text("SHOW server_version")).scalar_one()
        size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
    return f"PostgreSQL {version.split()[0]}", f"{size / 2**20:,.0f} MB"


def row_counts(engine: Engine) -> dict[str, int]:
    counts = {}
    with engine.connect() as conn:
        for name in BIG_TABLES:
            try:
                counts[name] = conn.execute(select(func.count()).select_from(table(name))).scalar()
            except sqlalchemy.exc.SQLAlchemyError:
                conn.rollback()
    return counts


def machine() -> str:
    return (
        f"machine: {os.cpu_count()} cores, {_ram_gb():.1f} GB RAM, {platform.machine()}; "
        f"Python {platform.python_version()}, Streamlit {streamlit.__version__}, "
        f"SQLAlchemy {sqlalchemy.__version__}"
    )


def environment(engine: Engine) -> str:
    server, size = _server(engine)
    counts = ", ".join(f"{name} {n:,}" for name, n in row_counts(engine).items())
    where = engine.url.render_as_string(hide_password=True)
    return f"{machine()}\ndatabase: {server}, {size}, {where}\nrows: {counts}"
