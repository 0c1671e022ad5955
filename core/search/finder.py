"""Global search: one text finds records of every table declared with a search kind
(core/<function>/tables.py, gathered by core.editing.registry): partner cities, visitors, gifts,
venues, vehicles and bookings.

Matching is the same on SQLite and PostgreSQL: NFKC, any case, 臺 = 台, and for names also
without accents (Sebastien finds Sébastien, Da Nang finds Đà Nẵng). Accent folding cannot be
written portably in SQL, so the tables a city has hundreds or thousands of rows in (cities,
receptions, gifts, venues, vehicles) are folded in Python: each table's searched columns are
read once into a folded index kept per process (13 MB for 60,000 receptions) and rebuilt when
the table's change stamp or largest id moves (kernel.cache.table_versions), so a save on any app
server is seen by the next search. Bookings run into millions at city scale: their kind is
matched in SQL (in_sql) with bound LIKE patterns (wildcards escaped, both spellings of 臺/台),
newest first and bounded by LIMIT. There the query is NFKC-normalised but the stored text is
not folded: case is ignored (for ASCII letters only on SQLite), accents and full-width letters
are not.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select
from sqlmodel import Session

from core.editing.links import RecordLink, record_link
from core.editing.registry import search_kinds, search_tables
from core.kernel.cache import stamped, table_versions
from core.search.kinds import Kind, Row
from core.search.text import LIKE_ESCAPE, clean_query, fold, like_patterns

DEFAULT_LIMIT = 5
MAX_LIMIT = 50
SQL_WINDOW = 100  # newest matching rows of an in_sql kind read and counted; beyond: "100+"
SEP = "\x00"  # between a record's folded fields: not whitespace, and no query holds it


@dataclass(frozen=True)
class SearchHit:
    """One record found: its table and id, two lines in the UI language, and its link."""

    table: str
    row_id: int
    title: str
    subtitle: str
    link: RecordLink | None


@dataclass(frozen=True)
class KindResults:
    """The hits of one table, and how many records matched (at least, when `capped`)."""

    table: str
    hits: tuple[SearchHit, ...]
    total: int
    capped: bool = False

    @property
    def more(self) -> int:
        return self.total - len(self.hits)


# (database, table) -> (the table's versions, [(row id, folded text)] in display order)
_indexes: dict[tuple[str, str], tuple[tuple, list[tuple[int, str]]]] = {}
_lock = threading.Lock()


def clear() -> None:
    """Forget the folded indexes (benchmarks' cold runs, tests)."""
    with _lock:
        _indexes.clear()


def search(
    session: Session, text: str | None, lang: str, limit_per_kind: int = DEFAULT_LIMIT
) -> list[SearchHit]:
    """Every kind's best hits, kind by kind; SearchInputError (zh-TW) for a refused text."""
    return [
        hit for kind in search_grouped(session, text, lang, limit_per_kind) for hit in kind.hits
    ]


def search_grouped(
    session: Session, text: str | None, lang: str, limit_per_kind: int = DEFAULT_LIMIT
) -> list[KindResults]:
    """The kinds with at least one match, in the sidebar's order, each with its count."""
    query = clean_query(text, lang)  # refused before any query reaches the database
    limit = max(1, min(int(limit_per_kind), MAX_LIMIT))
    return _search_all(session, query, lang, limit)


@stamped(tables_of=search_tables)
def _search_all(session: Session, query: str, lang: str, limit: int) -> list[KindResults]:
    # Kept by change stamps: the sidebar reruns with every click on a page, the search need not.
    needle = fold(query)
    kinds = search_kinds()
    folded = [kind.table for kind in kinds if not kind.in_sql]
    related = [t for kind in kinds if not kind.in_sql for t in kind.related_tables]
    watched = list(dict.fromkeys([*folded, *related]))
    versions = {name: (stamp, top) for name, stamp, top in table_versions(session, watched)}
    results = [
        _sql_kind(session, kind, query, lang, limit)
        if kind.in_sql
        else _folded_kind(session, kind, needle, lang, limit, versions)
        for kind in kinds
    ]
    return [r for r in results if r.total]


def _folded_kind(
    session: Session, kind: Kind, needle: str, lang: str, limit: int, versions: dict
) -> KindResults:
    version = tuple(versions[t] for t in (kind.table, *kind.related_tables))
    index = _index(session, kind, version)
    matched = [(_rank(text, needle), i) for i, (_, text) in enumerate(index) if needle in text]
    top = [index[i][0] for _, i in sorted(matched)[:limit]]
    return KindResults(kind.table, _describe(session, kind, top, lang), len(matched))


def _rank(text: str, needle: str) -> int:
    """0: a whole field, 1: the start of a field or word, 2: anywhere else."""
    if f"{SEP}{needle}{SEP}" in text:
        return 0
    return 1 if f"{SEP}{needle}" in text or f" {needle}" in text else 2


def _index(session: Session, kind: Kind, version: tuple) -> list[tuple[int, str]]:
    key = (session.get_bind().url.render_as_string(hide_password=True), kind.table)
    with _lock:
        kept = _indexes.get(key)
    if kept and kept[0] == version:
        return kept[1]
    index = _build_index(session, kind)
    with _lock:  # a concurrent run may build the same index; the last one kept is as good
        _indexes[key] = (version, index)
    return index


def _build_index(session: Session, kind: Kind) -> list[tuple[int, str]]:
    """(id, folded text) per row, newest first (dates sort alike everywhere) or by folded name
    (sorted here: SQLite and PostgreSQL collate names differently)."""
    model = kind.model
    stmt = select(*(getattr(model, c) for c in kind.index_columns))
    if kind.dated_by:
        stmt = stmt.order_by(getattr(model, kind.dated_by).desc(), model.id.desc())
    related = kind.related(session) if kind.related else {}
    index = [
        (int(row.id), _folded_text(kind, row, related.get(row.id, ())))
        for row in session.execute(stmt)
    ]
    return index if kind.dated_by else sorted(index, key=lambda e: (e[1], e[0]))


def _folded_text(kind: Kind, row: Row, related: tuple[str, ...] = ()) -> str:
    # One fold of the joined fields, read by position (the searched columns follow the id):
    # half the time of a fold per field read by name, over 60,000 receptions.
    fields = [*(value or "" for value in row[1 : 1 + len(kind.searched)]), *kind.words(row)]
    fields += related  # each name a field of its own: "Brisbane" is a whole field
    text = fold(SEP.join(fields)).replace(f" {SEP}", SEP).replace(f"{SEP} ", SEP)
    return f"{SEP}{text}{SEP}"


def _describe(session: Session, kind: Kind, ids: list[int], lang: str) -> tuple[SearchHit, ...]:
    if not ids:
        return ()
    model = kind.model
    stmt = select(*(getattr(model, c) for c in kind.columns)).where(model.id.in_(ids))
    found = {row.id: row for row in session.execute(stmt)}
    rows = [found[i] for i in ids if i in found]
    return _hits(session, kind, rows, lang)


def _hits(session: Session, kind: Kind, rows: list[Row], lang: str) -> tuple[SearchHit, ...]:
    lines = kind.lines(session, rows, lang)
    return tuple(_hit(kind.table, row, *shown) for row, shown in zip(rows, lines, strict=True))


def _hit(table: str, row: Row, title: str, subtitle: str) -> SearchHit:
    return SearchHit(table, int(row.id), title, subtitle, record_link(table, row.id))


def _sql_kind(session: Session, kind: Kind, query: str, lang: str, limit: int) -> KindResults:
    """The newest matching rows (at most SQL_WINDOW read), whole-field matches first."""
    rows = _sql_rows(session, kind, query)
    needle, capped = fold(query), len(rows) > SQL_WINDOW
    rows = rows[:SQL_WINDOW]
    texts = [SEP + SEP.join(fold(getattr(r, c) or "") for c in kind.searched) + SEP for r in rows]
    ranked = sorted(range(len(rows)), key=lambda i: _rank(texts[i], needle))  # stable: newest
    top = [rows[i] for i in ranked[:limit]]
    return KindResults(kind.table, _hits(session, kind, top, lang), len(rows), capped)


def _sql_rows(session: Session, kind: Kind, query: str) -> list[Row]:
    """Up to SQL_WINDOW + 1 matching rows, newest first.

    Most searches (a visitor, a city) match few bookings or none, and must read the whole table
    to know: in table order that read costs half what the walk down the start-time index costs
    (SQLite, 1.25 million bookings). Only when that finds more than the window is the index
    walked, which then reaches the window's newest matches early."""
    model = kind.model
    columns = (getattr(model, c) for c in kind.columns)
    stmt = select(*columns).where(_sql_match(session, kind, query))
    few = session.execute(stmt.limit(SQL_WINDOW + 1)).all()
    dated = kind.dated_by or "id"
    if len(few) <= SQL_WINDOW:  # every match: sorted here
        return sorted(few, key=lambda r: (getattr(r, dated), r.id), reverse=True)
    newest = stmt.order_by(getattr(model, dated).desc(), model.id.desc()).limit(SQL_WINDOW + 1)
    return list(session.execute(newest).all())


def _sql_match(session: Session, kind: Kind, query: str) -> ColumnElement[bool]:
    """ILIKE on PostgreSQL, LIKE on SQLite (which folds ASCII case itself: SQLAlchemy's ilike
    there wraps both sides in lower(), and a scan of 1.25 million bookings took 1.6 times as
    long); the text is a bound parameter with its wildcards escaped."""
    postgres = session.get_bind().dialect.name == "postgresql"
    columns = [getattr(kind.model, c) for c in kind.searched]
    return or_(
        *(
            col.ilike(p, escape=LIKE_ESCAPE) if postgres else col.like(p, escape=LIKE_ESCAPE)
            for p in like_patterns(query)
            for col in columns
        )
    )
