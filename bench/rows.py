"""Rows moved from the database and statements sent, counted for every engine in the process.

PostgreSQL (psycopg): a client-side cursor receives the whole result on execute, and its
rowcount is then the number of rows the server sent, so every statement that returns rows adds
its rowcount (read or not by our code: they crossed the wire either way).
SQLite: rows are produced only as they are fetched (sqlite3's rowcount is -1 for a SELECT), so
each connection is made with a sqlite3.Connection subclass whose cursors count the rows their
fetch methods hand out.

Listeners sit on the Engine class, so the app's own engine (made inside an AppTest run) is
counted without touching its code. `install()` once, then `measure()` around what to count.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Engine, event


@dataclass
class Moved:
    rows: int = 0
    queries: int = 0


_lock = threading.Lock()
_total = Moved()
_installed = False


def _add(rows: int = 0, queries: int = 0) -> None:
    with _lock:
        _total.rows += rows
        _total.queries += queries


class CountingCursor(sqlite3.Cursor):
    """A sqlite3 cursor that counts the rows its fetch methods return."""

    def fetchone(self):
        row = super().fetchone()
        if row is not None:
            _add(1)
        return row

    def fetchmany(self, size: int | None = None):
        rows = super().fetchmany() if size is None else super().fetchmany(size)
        _add(len(rows))
        return rows

    def fetchall(self):
        rows = super().fetchall()
        _add(len(rows))
        return rows

    def __next__(self):
        row = super().__next__()
        _add(1)
        return row


class CountingConnection(sqlite3.Connection):
    """Hands out CountingCursors (Connection.execute goes through cursor() too)."""

    def cursor(self, factory=CountingCursor):  # type: ignore[override]
        return super().cursor(factory)


def _do_connect(dialect, _conn_rec, _cargs, cparams) -> None:
    # Changing cparams in place makes SQLAlchemy connect with them.
    if dialect.name == "sqlite":
        cparams["factory"] = CountingConnection


def _before_execute(_conn, _cursor, _statement, _params, _context, _executemany) -> None:
    _add(queries=1)


def _after_execute(conn, cursor, _statement, _params, _context, _executemany) -> None:
    if conn.dialect.name != "sqlite" and cursor.description is not None:
        _add(rows=max(cursor.rowcount, 0))


def install() -> None:
    """Count from now on, for engines made before or after (new SQLite connections only)."""
    global _installed
    if _installed:
        return
    event.listen(Engine, "do_connect", _do_connect)
    event.listen(Engine, "before_cursor_execute", _before_execute)
    event.listen(Engine, "after_cursor_execute", _after_execute)
    _installed = True


def snapshot() -> Moved:
    with _lock:
        return Moved(_total.rows, _total.queries)


@contextmanager
def measure() -> Iterator[Moved]:
    """Rows and statements between entering and leaving; the yielded object is filled on exit."""
    before = snapshot()
    moved = Moved()
    try:
        yield moved
    finally:
        after = snapshot()
        moved.rows = after.rows - before.rows
        moved.queries = after.queries - before.queries
