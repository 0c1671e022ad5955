"""The one registry of tables: each bureau function declares its tables once, in
core/<function>/tables.py, and everything that needs a list of tables reads it from here.

A function's tables.py holds ``SECTION`` (the section leads are given, and the page its tables
live on) and ``TABLES`` (``SECTION.table(...)`` for each table: its listing spec, business rules,
search kind, chart). From them come the listing specs (``SPECS``), who may edit what
(``TABLE_SECTIONS``), whose history a lead reads (``HISTORY_SECTIONS``), the page a record link
opens (``SECTION_PAGES``), the rules every save runs (``RULES``), the global search's kinds, the
sections accounts may hold and the sidebar's function pages.

Loaded on first use, not on import: the function packages import core.editing (validate,
tables) for their rules and specs, so nothing may read the registry while a module is still
being imported. The views below (SPECS …) can be imported anywhere; they read the registry
when they are used.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlmodel import Session, SQLModel

    from core.editing.tables import TableSpec
    from core.editing.validate import Batch, RowError
    from core.search.kinds import Kind

# A business rule: the session and one save's validated batch in, zh-TW errors out.
Rule = Callable[["Session", "Batch"], list["RowError"]]

# The bureau's functions, in the sidebar's order; core/<name>/tables.py declares each one's
# SECTION and TABLES (tests/core/test_registry.py finds any tables.py missing here).
FUNCTIONS: tuple[str, ...] = ("calendar", "visitors", "gifts", "venues", "fleet", "staffing")

# Tables no section owns, and why: no lead edits them, no page lists them, no link opens them.
INTERNAL: dict[str, str] = {
    "app_user": "accounts, kept by 使用者管理 and python -m core.accounts",
    "auth_session": "server-side sign-ins (core.accounts.auth)",
    "digest_delivery": "daily digests sent, one per user and day (core.notify)",
    "audit_log": "the audit log itself, read back by 異動紀錄",
    "table_stamp": "every table's change stamp (core.kernel.cache)",
    "calendar_month": "the months the rollups are kept for (db/rollups.py)",
    "venue_booking_month": "monthly rollup of bookings, kept by triggers (db/rollups.py)",
    "trip_month": "monthly rollup of trips, kept by triggers (db/rollups.py)",
    "vehicle_trip_month": "monthly rollup of trips per vehicle, kept by triggers (db/rollups.py)",
}


@dataclass(frozen=True)
class Table:
    """One registered table: what every part of the workspace needs to know about it."""

    model: type[SQLModel]
    section: str
    page: str
    # How the table is listed, edited, exported and shown in a record card; None for a
    # table kept by its function's own code and only read back in 異動紀錄 (photos).
    spec: TableSpec | None
    # Run on every save of the table (editor, import, restore) once its fields are valid.
    rules: tuple[Rule, ...]
    search: Kind | None  # what the sidebar's search finds in it; None: not searched
    editable: bool = True  # False: leads only read its history
    # (start, end, strictly after): the end of a range may not come before its start
    span: tuple[str, str, bool] | None = None
    own_chart: bool = False  # its page draws its own charts: no generic chart
    split_by: str | None = None  # the generic chart's colours; None: its first enum column

    @property
    def name(self) -> str:
        return self.model.__tablename__  # type: ignore[attr-defined]

    @property
    def label_key(self) -> str:
        """The table's name as staff know it (history, refusals, exports, record cards)."""
        return f"history.table.{self.name}"

    @property
    def generic_chart(self) -> bool:
        """Rows per month of its period column are charted for it (core.editing.charts)."""
        return bool(self.spec and self.spec.period_column and not self.own_chart)


@dataclass(frozen=True)
class Section:
    """A bureau function: the section leads are given, and the page its tables live on."""

    name: str
    page: str  # the page file, from the repository's root ("pages/venue_usage.py")
    title: str  # label key of the page's title ("page.venues")
    icon: str
    group: str  # label key of the sidebar group it is listed under ("nav.administration")

    def table(
        self,
        spec: TableSpec,
        *,
        rules: list[Rule] | tuple[Rule, ...],
        search: Kind | None,
        span: tuple[str, str, bool] | None = None,
        own_chart: bool = False,
        split_by: str | None = None,
    ) -> Table:
        """A table of this section, listed, edited and linked on its page. Rules and search
        are always given (an empty list, None) so that none is forgotten."""
        return Table(
            spec.model, self.name, self.page, spec, tuple(rules), search,
            span=span, own_chart=own_chart, split_by=split_by,
        )  # fmt: skip

    def history_only(self, model: type[SQLModel]) -> Table:
        """A table the function's own code writes (audited), whose history its leads read."""
        return Table(model, self.name, self.page, None, (), None, editable=False)


@dataclass(frozen=True)
class _Loaded:
    sections: tuple[Section, ...]
    tables: dict[str, Table]
    specs: dict[str, TableSpec]
    table_sections: dict[str, str]
    history_sections: dict[str, str]
    section_pages: dict[str, str]
    rules: dict[str, tuple[Rule, ...]]


# Loaded once per process. Several sessions' first runs start together on a new server: the
# lock makes the others wait for the thread that loads it. It is re-entrant so that the
# loading thread itself, reading the registry while it imports (a module reading it at import
# time), reaches the check below and gets the error instead of waiting on itself.
_lock = threading.RLock()
_loading = False
_state: _Loaded | None = None


def _declarations() -> Iterator[Any]:
    for name in FUNCTIONS:
        yield importlib.import_module(f"core.{name}.tables")


def _loaded() -> _Loaded:
    global _loading, _state
    state = _state
    if state is not None:
        return state
    with _lock:
        if _state is not None:
            return _state
        if _loading:
            raise RuntimeError(
                "the table registry was read while the function packages were being imported: "
                "read it when called, not at import time"
            )
        _loading = True
        try:
            modules = list(_declarations())
        finally:
            _loading = False
        _state = _build(modules)
        return _state


def _build(modules: list[Any]) -> _Loaded:
    sections = tuple(module.SECTION for module in modules)
    tables: dict[str, Table] = {}
    for module in modules:
        for table in module.TABLES:
            if table.name in tables:
                raise ValueError(f"table {table.name} is registered twice")
            if table.section != module.SECTION.name:
                raise ValueError(f"table {table.name} is declared outside its section")
            tables[table.name] = table
    edited = {name: t for name, t in tables.items() if t.editable}
    return _Loaded(
        sections=sections,
        tables=tables,
        specs={name: t.spec for name, t in tables.items() if t.spec is not None},
        table_sections={name: t.section for name, t in edited.items()},
        history_sections={name: t.section for name, t in tables.items()},
        section_pages={s.name: s.page for s in sections},
        rules={name: t.rules for name, t in edited.items()},
    )


def reload() -> None:
    """Read the declarations again on next use (a test that registers a table of its own)."""
    global _state
    with _lock:
        _state = None


def tables() -> tuple[Table, ...]:
    """Every registered table, function by function in the sidebar's order."""
    return tuple(_loaded().tables.values())


def table(name: str) -> Table | None:
    return _loaded().tables.get(name)


def sections() -> tuple[Section, ...]:
    """The bureau's functions in the sidebar's order."""
    return _loaded().sections


def section_names() -> tuple[str, ...]:
    """The sections a lead may be given, in the order of the bureau's pages."""
    return tuple(s.name for s in sections())


def model_for(name: str) -> type[SQLModel] | None:
    found = table(name)
    return found.model if found else None


def navigation() -> dict[str, list[tuple[str, str, str]]]:
    """{sidebar group label key: [(page file, title label key, icon)]} of the function pages,
    groups and pages in the order of FUNCTIONS."""
    groups: dict[str, list[tuple[str, str, str]]] = {}
    for s in sections():
        groups.setdefault(s.group, []).append((s.page, s.title, s.icon))
    return groups


def search_kinds() -> tuple[Kind, ...]:
    """What the global search looks through: folded kinds first (registry order), then the
    ones matched in SQL (the big tables)."""
    kinds = [t.search for t in tables() if t.search is not None]
    return tuple(sorted(kinds, key=lambda kind: kind.in_sql))  # stable: order kept within


def search_tables(*_args: Any, **_kwargs: Any) -> list[str]:
    """The tables the global search reads (its results are kept until one of them changes)."""
    kinds = search_kinds()
    return list(
        dict.fromkeys([k.table for k in kinds] + [t for k in kinds for t in k.related_tables])
    )


class _View(MutableMapping[str, Any]):
    """A dict of the loaded registry, read on each use (so importing it loads nothing).

    Writes go to the loaded registry until it is loaded again: only tests write, through
    monkeypatch (a slower rule, say), which puts the old value back."""

    def __init__(self, pick: Callable[[_Loaded], dict[str, Any]]) -> None:
        self._pick = pick

    def _data(self) -> dict[str, Any]:
        return self._pick(_loaded())

    def __getitem__(self, key: str) -> Any:
        return self._data()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self._data()[key] = value

    def __delitem__(self, key: str) -> None:
        del self._data()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data())

    def __len__(self) -> int:
        return len(self._data())

    def __repr__(self) -> str:
        return repr(self._data())


# table -> its listing spec
SPECS: MutableMapping[str, TableSpec] = _View(lambda r: r.specs)
# table -> the section whose leads edit it (tables missing here are never edited)
TABLE_SECTIONS: MutableMapping[str, str] = _View(lambda r: r.table_sections)
# table -> the section whose leads read its history (edited tables, and photos)
HISTORY_SECTIONS: MutableMapping[str, str] = _View(lambda r: r.history_sections)
# section -> the page file its tables' records open on
SECTION_PAGES: MutableMapping[str, str] = _View(lambda r: r.section_pages)
# table -> the business rules every save of it runs, in order
RULES: MutableMapping[str, tuple[Rule, ...]] = _View(lambda r: r.rules)
