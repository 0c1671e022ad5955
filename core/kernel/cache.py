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
from dataclasses import dataclass
from enum import Enum
from typing import Any, ParamSpec, TypeVar

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


def table_versions(session: Session, tables: Iterable[str]) -> tuple[tuple[str, int, int], ...]:
    """(table, stamp, largest id) for each table, in one round trip."""
    names = sorted(set(tables))
    stamps = TableStamp.__table__
    parts = []
    for name in names:
        stamp = select(stamps.c.stamp).where(stamps.c.table_name == name).scalar_subquery()
        largest = select(func.max(sql_column("id"))).select_from(table(name)).scalar_subquery()
        parts.append(select(literal(name), func.coalesce(stamp, 0), func.coalesce(largest, 0)))
    if not parts:
        return ()
    rows = session.execute(union_all(*parts) if len(parts) > 1 else parts[0]).all()
    return tuple(sorted((str(n), int(s), int(i)) for n, s, i in rows))


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
                    return copy.deepcopy(_entries[key])
                stats.misses += 1
            value = fn(session, *args, **kwargs)
            with _lock:
                _entries[key] = value
                while len(_entries) > MAX_ENTRIES:
                    _entries.popitem(last=False)
            return copy.deepcopy(value)

        cached.uncached = fn  # type: ignore[attr-defined]
        cached.tables = tables  # type: ignore[attr-defined]
        return cached  # type: ignore[return-value]

    return decorate
