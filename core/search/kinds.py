"""What the global search looks through in a table (a Kind, declared with the table in its
function's tables.py): the columns matched and each hit's two lines; helpers for those lines."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, SQLModel

from core.i18n.labels import t

Row = Any  # a SQLAlchemy Row holding a kind's `columns` by name
# Text of other tables a row is found by: (session) -> {row id: names}.
Related = Callable[[Session], dict[int, tuple[str, ...]]]


@dataclass(frozen=True)
class Kind:
    """One table the search reads: the text columns matched, the columns its lines need.

    Folded kinds are matched in Python on accent-folded copies kept per server (tables of up
    to some tens of thousands of rows); in_sql kinds (millions of rows: bookings) are matched
    with LIKE in the database, newest first by dated_by, and not accent-folded.
    """

    model: type[SQLModel]
    searched: tuple[str, ...]
    # (title, subtitle) of a row in the UI language; or describe_rows, for lines that need
    # other tables (a booking's venue): (session, rows, lang) -> (title, subtitle) per row
    describe: Callable[[Row, str], tuple[str, str]] | None = None
    describe_rows: Callable[[Session, list[Row], str], list[tuple[str, str]]] | None = None
    dated_by: str | None = None  # newest first by this column; alphabetical when None
    shown: tuple[str, ...] = ()
    words: Callable[[Row], Iterable[str]] = field(default=lambda row: ())  # matched too
    in_sql: bool = False
    # Text of other tables a row is found by (its partner cities' names in every language,
    # so "Brisbane" finds the receptions and events of 布里斯本): (session) -> {row id: names},
    # read when the index is built; the index is rebuilt when one of related_tables changes.
    related: Related | None = None
    related_tables: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.describe is None and self.describe_rows is None:
            raise ValueError(f"search kind {self.table}: describe or describe_rows is needed")

    @property
    def table(self) -> str:
        return self.model.__tablename__  # type: ignore[attr-defined]

    @property
    def index_columns(self) -> tuple[str, ...]:
        # No date: parsing 60,000 dates would cost more than folding the names.
        return ("id", *self.searched, *self.shown)

    @property
    def columns(self) -> tuple[str, ...]:
        dated = (self.dated_by,) if self.dated_by and self.dated_by not in self.shown else ()
        return (*self.index_columns, *dated)

    def lines(self, session: Session, rows: list[Row], lang: str) -> list[tuple[str, str]]:
        """(title, subtitle) of each row, in the UI language."""
        if self.describe_rows is not None:
            return self.describe_rows(session, rows, lang)
        describe = self.describe
        return [describe(row, lang) for row in rows]  # type: ignore[misc]


def line(lang: str, *parts: object) -> str:
    """A hit's second line: its non-empty parts joined by the language's separator."""
    return t("search.sep", lang).join(str(p) for p in parts if p not in (None, ""))


def both_languages(key: str) -> tuple[str, str]:
    # Enum labels in both languages, so an English word finds a record whatever the UI shows.
    return t(key, "zh-TW"), t(key, "en")


def named(first: str, second: str, lang: str) -> str:
    """「first（second）」, or first alone when second is empty or the same."""
    if not second or second == first:
        return first
    return f"{first} ({second})" if lang == "en" else f"{first}（{second}）"


def _city_names(session: Session) -> dict[int, tuple[str, ...]]:
    """{partner city id: its names, Chinese, English and own script}."""
    from db.models import PartnerCity

    rows = session.execute(
        select(PartnerCity.id, PartnerCity.name_zh, PartnerCity.name_en, PartnerCity.name_original)
    )
    return {row.id: tuple(x for x in row[1:] if x) for row in rows}


def by_city(model: type[SQLModel], column: str = "city_id") -> Related:
    """Kind.related for a table whose rows name one partner city in `column`."""

    def related(session: Session) -> dict[int, tuple[str, ...]]:
        names = _city_names(session)
        city = getattr(model, column)
        rows = session.execute(select(model.id, city).where(city.is_not(None)))  # type: ignore[attr-defined]
        return {row[0]: names.get(row[1], ()) for row in rows}

    return related


def by_cities(link: type[SQLModel], owner: str, column: str = "city_id") -> Related:
    """Kind.related for a table whose rows name partner cities through a link table."""

    def related(session: Session) -> dict[int, tuple[str, ...]]:
        names = _city_names(session)
        found: dict[int, tuple[str, ...]] = {}
        rows = session.execute(select(getattr(link, owner), getattr(link, column)))
        for row_id, city_id in rows:
            found[row_id] = found.get(row_id, ()) + names.get(city_id, ())
        return found

    return related
