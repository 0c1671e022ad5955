"""Read results kept per process and keyed by the tables' change stamps.

Every save bumps its table's row in `table_stamp` inside the save's own transaction
(core.editing.pipeline.AuditedWriter), so a write on any app server changes the key every server
computes: the next read anywhere recomputes, and nobody serves a stale result. The key also
holds each table's largest id, so rows inserted without the edit pipeline (the demo and scale
loaders, a test's fixture) are seen too.

Only read paths use it: pages, the briefing, the figures. The stamps are read before the
result is computed, so a save committing in between can only store newer data under the older
key (recomputed anyway once the new stamp is seen), never older data under the newer key.
"""

from __future__ import annotations

import copy
import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from enum import Enum
from typing import Any, ParamSpec, TypeVar

import pandas as pd
from sqlalchemy import column as sql_column
from sqlalchemy import func, literal, select, table, union_all
from sqlmodel import Session

from db.models import TableStamp

MAX_ENTRIES = 1024
P = ParamSpec("P")
R = TypeVar("R")

_lock = threading.Lock()
_entries: OrderedDict[Hashable, Any] = OrderedDict()


@dataclass
class Stats:
    hits: int = 0
    misses: int = 0


stats = Stats()


def clear() -> None:
    """Forget every kept result (benchmarks' cold runs, tests)."""
    with _lock:
        _entries.clear()
        stats.hits = stats.misses = 0


def _database(session: Session) -> str:
    """Which database (and PostgreSQL schema, carried in the URL's options) a session reads."""
    return session.get_bind().url.render_as_string(hide_password=True)


@functools.lru_cache(maxsize=256)
def _versions_query(names: tuple[str, ...]) -> Any:
    """One statement reading (table, stamp, largest id) of each of `names`, built once."""
    stamps = TableStamp.__table__
    parts = []
    for name in names:
        stamp = select(stamps.c.stamp).where(stamps.c.table_name == name).scalar_subquery()
        largest = select(func.max(sql_column("id"))).select_from(table(name)).scalar_subquery()
        parts.append(select(literal(name), func.coalesce(stamp, 0), func.coalesce(largest, 0)))
    return union_all(*parts) if len(parts) > 1 else parts[0]


def _read_versions(session: Session, names: Iterable[str]) -> dict[str, tuple[int, int]]:
    rows = session.execute(_versions_query(tuple(sorted(set(names))))).all()
    return {str(n): (int(s), int(i)) for n, s, i in rows}


# Within one script run (new_run): every table's version read once, by database.
_run_versions: ContextVar[dict[str, dict[str, tuple[int, int]]] | None] = ContextVar(
    "cache_run_versions", default=None
)
# The tables kept functions have read so far, by database (a test's throwaway table exists in
# its own database only).
_known: dict[str, set[str]] = {}


def new_run() -> None:
    """Start a script run: from now on in this thread, each table's version is read once (with
    every table a kept function reads, in one round trip) and reused by every read function of
    the run; a save in the run forgets them (forget_versions).

    A page calls a dozen kept functions; each reading its own tables' versions cost a round
    trip apiece. The run's reads now share one snapshot of the versions, taken at its first
    kept read: a save committed elsewhere during the run is seen by the next run, as a save
    committed right after the run would be.
    """
    _run_versions.set({})


def end_run() -> None:
    """Back to reading the versions at every call (outside a script run)."""
    _run_versions.set(None)


def forget_versions() -> None:
    """This thread wrote: the run's next read reads the versions again."""
    memo = _run_versions.get()
    if memo:
        memo.clear()


def table_versions(session: Session, tables: Iterable[str]) -> tuple[tuple[str, int, int], ...]:
    """(table, stamp, largest id) for each table, in one round trip (none when the run has read
    them already)."""
    names = set(tables)
    if not names:
        return ()
    memo = _run_versions.get()
    if memo is None:
        found = _read_versions(session, names)
    else:
        database = _database(session)
        seen = memo.setdefault(database, {})
        if not names <= seen.keys():
            with _lock:
                known = _known.setdefault(database, set())
                known.update(names)
                wanted = set(known)
            seen.update(_read_versions(session, wanted))
        found = seen
    return tuple(sorted((n, *found[n]) for n in names))


# Values no caller can change in place: handed out as they are.
_ATOMS = (str, int, float, bool, bytes, type(None), date, time, Decimal, Enum)


def _copied(value: Any) -> Any:
    """A copy of a kept result the caller may change freely, made without copy.deepcopy's memo
    where the shape is plain (lists of tuples of atoms: a page's thousands of options cost
    deepcopy milliseconds each run). Frames and series copy their data; anything else deepcopy.
    """
    if isinstance(value, _ATOMS):
        return value
    if isinstance(value, pd.DataFrame | pd.Series):
        return value.copy(deep=True)
    if isinstance(value, tuple) and all(isinstance(v, _ATOMS) for v in value):
        return value
    if isinstance(value, list):
        return [_copied(v) for v in value]
    if isinstance(value, dict) and type(value) is dict:
        return {k: _copied(v) for k, v in value.items()}
    if isinstance(value, tuple) and type(value) is tuple:
        return tuple(_copied(v) for v in value)
    return copy.deepcopy(value)


def _frozen(value: Any) -> Hashable:
    """A hashable stand-in for an argument (lists, sets, dicts and dataclasses included)."""
    if isinstance(value, Enum):
        return (type(value).__name__, value.value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _frozen(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, set | frozenset):
        return tuple(sorted(_frozen(v) for v in value))
    try:
        hash(value)
    except TypeError:
        return repr(value)
    return value


def stamped(
    *tables: str, tables_of: Callable[..., Iterable[str]] | None = None
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Keep a read function's results until one of `tables` changes (or, for a generic
    function, the tables `tables_of(*args, **kwargs)` names).

    The function's first argument is the Session; the others are its key (they must describe
    the result completely: pass "today" in rather than reading the clock inside). Callers get
    a deep copy, so changing a returned frame or dict never changes the kept one.
    """

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        name = f"{fn.__module__}.{fn.__qualname__}"

        @functools.wraps(fn)
        def cached(session: Session, *args: Any, **kwargs: Any) -> Any:
            read = tables_of(*args, **kwargs) if tables_of else tables
            versions = table_versions(session, read)
            key = (name, _database(session), _frozen(args), _frozen(kwargs), versions)
            with _lock:
                if key in _entries:
                    _entries.move_to_end(key)
                    stats.hits += 1
                    return _copied(_entries[key])
                stats.misses += 1
            value = fn(session, *args, **kwargs)
            with _lock:
                _entries[key] = value
                while len(_entries) > MAX_ENTRIES:
                    _entries.popitem(last=False)
            return _copied(value)

        cached.uncached = fn  # type: ignore[attr-defined]
        cached.tables = tables  # type: ignore[attr-defined]
        return cached  # type: ignore[return-value]

    return decorate
