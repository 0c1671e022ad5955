"""Bulk writes of the scale generator: COPY on PostgreSQL, executemany on SQLite, in chunks,
with a progress bar per table and the per-table change stamps."""

from __future__ import annotations

import sys
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TextIO

from sqlalchemy import Connection, Table, insert
from sqlmodel import Session, SQLModel

from core.editing.pipeline import Actor, AuditedWriter

CHUNK = 20_000  # rows per executemany or COPY: large enough to be fast, small enough for memory
SQLITE_CACHE_KIB = 262_144  # a 256 MiB page cache keeps the indexes of a 1M-row table in memory
# (fraction of the table's generation done, rows generated since the last batch)
Batches = Iterable[tuple[float, list[tuple[Any, ...]]]]


class Progress(Protocol):
    def update(self, fraction: float, rows: int) -> None: ...
    def close(self, rows: int, seconds: float) -> None: ...


ProgressFactory = Callable[[str], Progress]


@dataclass(frozen=True)
class TableResult:
    table: str
    rows: int
    seconds: float


def display_width(text: str) -> int:
    """Columns a terminal gives text: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int, right: bool = False) -> str:
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


class StderrBar:
    """`場地借用 [#########.........] 45%  523,000/約1,160,000 列  98,000 列/秒`, in place."""

    def __init__(self, label: str, stream: TextIO | None = None, width: int = 24) -> None:
        self.label, self.stream, self.width = label, stream or sys.stderr, width
        self.started = self.drawn = time.perf_counter()

    def _draw(self, fraction: float, rows: int, total: str, seconds: float) -> None:
        filled = int(self.width * min(fraction, 1.0))
        bar = "#" * filled + "." * (self.width - filled)
        rate = rows / seconds if seconds > 0 else 0.0
        text = (
            f"{pad(self.label, 14)} [{bar}] {fraction:4.0%}  {rows:,}/{total} 列  {rate:,.0f} 列/秒"
        )
        self.stream.write("\r" + text + " " * 4)
        self.stream.flush()

    def update(self, fraction: float, rows: int) -> None:
        now = time.perf_counter()
        if now - self.drawn < 0.1:
            return
        self.drawn = now
        # The total is known only at the end; until then estimate it from the share done.
        total = f"約{round(rows / fraction):,}" if fraction >= 0.02 else "…"
        self._draw(fraction, rows, total, now - self.started)

    def close(self, rows: int, seconds: float) -> None:
        self._draw(1.0, rows, f"{rows:,}", seconds)
        self.stream.write("\n")
        self.stream.flush()


class BulkWriter:
    """Writes generated rows into tables of one transaction and remembers what it wrote."""

    def __init__(self, session: Session, progress: ProgressFactory | None = None) -> None:
        self.session = session
        self.conn: Connection = session.connection()
        self.postgres = self.conn.dialect.name == "postgresql"
        self.progress = progress
        self.results: list[TableResult] = []

    def insert_returning_ids(self, table: Table, rows: Sequence[dict[str, Any]]) -> list[int]:
        """Insert a few parent rows and return their ids in the order given."""
        started = time.perf_counter()
        stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        ids = list(self.conn.execute(stmt, list(rows)).scalars())
        self.results.append(TableResult(table.name, len(ids), time.perf_counter() - started))
        return ids

    def write(self, table: Table, columns: Sequence[str], batches: Batches) -> int:
        """Insert every generated row, CHUNK rows at a time; returns the number of rows."""
        bar = self.progress(table.name) if self.progress else None
        started, done, buffer = time.perf_counter(), 0, []
        for fraction, rows in batches:
            buffer += rows
            if len(buffer) >= CHUNK:
                self._flush(table, columns, buffer)
                done, buffer = done + len(buffer), []
                if bar:
                    bar.update(fraction, done)
        if buffer:
            self._flush(table, columns, buffer)
            done += len(buffer)
        seconds = time.perf_counter() - started
        if bar:
            bar.close(done, seconds)
        self.results.append(TableResult(table.name, done, seconds))
        return done

    def _flush(self, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if self.postgres:
            # COPY through psycopg on the session's own connection, so it joins the transaction.
            raw = self.conn.connection.driver_connection
            names = ", ".join(columns)
            with (
                raw.cursor() as cursor,
                cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as cp,
            ):
                for row in rows:
                    cp.write_row(row)
        else:
            self.conn.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])

    def stamp(self, *also: str) -> None:
        """Bump the change stamp of every table written (and of `also`), so caches on any
        server go stale; no commit."""
        actor = Actor("db.seed", "admin")
        for name in sorted({r.table for r in self.results} | set(also)):
            AuditedWriter(self.session, actor, SQLModel.metadata.tables[name]).stamp()


def tune_sqlite(conn: Connection) -> Callable[[], None]:
    """A larger page cache for the load; returns the function that restores it afterwards.

    synchronous is left alone: the load is one transaction, so it syncs once either way.
    """
    if conn.dialect.name != "sqlite":
        return lambda: None
    raw = conn.connection.dbapi_connection
    before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")

    def restore() -> None:
        # The session has returned the connection to its pool by now; set it on the same one.
        raw.execute(f"PRAGMA cache_size={int(before)}")

    return restore


def analyze(session: Session, tables: Iterable[str]) -> None:
    """Fresh planner statistics for the tables written, committed; on SQLite also shrink the
    write-ahead log the load grew (it would otherwise keep its size on disk)."""
    conn = session.connection()
    for name in sorted(set(tables)):
        conn.exec_driver_sql(f"ANALYZE {name}")
    session.commit()
    if conn.dialect.name == "sqlite":
        with session.get_bind().connect() as other:
            other.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
