"""Cells of an imported file as field values: ROC dates, enum labels, names for ids, 是/否."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import Enum
from functools import cache
from types import NoneType
from typing import Any, get_args

from openpyxl.utils.datetime import from_excel
from sqlmodel import Session, SQLModel

from core.editing import tables
from core.editing.validate import fold_number
from core.i18n.labels import LANGUAGES, enum_options, message_lang, t
from core.kernel.roc_dates import (
    ROCDateError,
    format_date,
    format_datetime,
    parse_roc,
    parse_roc_datetime,
    parse_time_of_day,
)

_TRUE = {"是", "true", "yes", "y", "t", "1", "v", "✓"}
_FALSE = {"否", "false", "no", "n", "f", "0", "x", "✗"}
# The editor's way of naming a target that shares its name: 陳建宏（#12）; or just #12.
_TAGGED_ID = re.compile(r"^(?:.*[（(])?#(\d+)[)）]?$")
_DIGITS = re.compile(r"^[0-9]+$")


class CellProblem(ValueError):
    """A cell that cannot be read: a label key and its values; the caller adds row and field."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def key_of(text: str) -> str:
    """How names and labels are matched: full-width folded, case and spaces ignored."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def base_type(annotation: Any) -> tuple[Any, bool]:
    """(the type, whether None is allowed) of a field annotation such as `int | None`."""
    args = get_args(annotation)
    if NoneType in args:
        rest = [a for a in args if a is not NoneType]
        return (rest[0] if len(rest) == 1 else annotation), True
    return annotation, False


def read_int(value: Any) -> int | None:
    """An id or version: 12, 12.0, "12", "１２" or "1,234"; anything else is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = fold_number(value)  # １２, 1,234
    return int(text) if isinstance(text, str) and _DIGITS.match(text) else None


@cache
def _bool_words() -> dict[str, bool]:
    words = dict.fromkeys(_TRUE, True) | dict.fromkeys(_FALSE, False)
    for lang in LANGUAGES:
        words |= {key_of(t("io.yes", lang)): True, key_of(t("io.no", lang)): False}
    return words


def _bool(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    # Anything else is left for pydantic to report as malformed.
    return _bool_words().get(key_of(str(value)), value)


@cache
def _enum_words(enum_cls: type[Enum]) -> dict[str, str]:
    """{stored value or label in any language, as matched: stored value}"""
    words = {}
    for lang in LANGUAGES:
        for stored, label in enum_options(enum_cls, lang).items():
            words |= {key_of(label): stored, key_of(stored): stored}
    return words


def _enum(enum_cls: type[Enum], value: Any) -> Any:
    # An unknown value is left for pydantic to report as not one of the options.
    return _enum_words(enum_cls).get(key_of(str(value)), value)


# An .xlsx number in a date column is Excel's serial date (1900 date system: 45005 = 2023-03-20,
# its fraction the time of day). Five digits span 1927–2173; six and seven are compact ROC
# dates (990315, 1120315), read as before.
_SERIALS = range(10_000, 100_000)
_SERIAL_TEXT = re.compile(r"^([0-9]{5})(\.[0-9]+)?$")


def _serial(value: Any) -> datetime | None:
    """The moment an Excel serial number stands for, to the second; None for another value."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        return None
    if int(value) not in _SERIALS:
        return None
    moment = from_excel(value)
    return (moment + timedelta(microseconds=500_000)).replace(microsecond=0)


def _serial_in_text(value: Any, shown: Callable[[datetime, str], str]) -> None:
    """A CSV holds text only: a bare 5-digit number is a serial date Excel wrote as a number."""
    text = unicodedata.normalize("NFKC", value).strip() if isinstance(value, str) else ""
    if _SERIAL_TEXT.match(text):
        moment = _serial(float(text))
        raise CellProblem("io.serial_date", value=value, date=shown(moment, message_lang()))


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if moment := _serial(value):
        return moment.date()
    _serial_in_text(value, format_date)
    try:
        return parse_roc(str(read_int(value) or value))
    except ROCDateError as exc:
        raise CellProblem("io.bad_date", detail=exc.in_language(message_lang())) from None


def _datetime(value: Any) -> datetime:
    """As the table editor reads it: 112/03/15 14:30, 2023-03-15T14:30, a date alone = 00:00;
    an Excel serial number from an .xlsx too."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime.combine(value, datetime.min.time())
    if moment := _serial(value):
        return moment
    _serial_in_text(value, format_datetime)
    try:
        return parse_roc_datetime(str(read_int(value) or value))
    except ROCDateError as exc:
        raise CellProblem("io.bad_date", detail=exc.in_language(message_lang())) from None


def _time(value: Any) -> time:
    """A time of day: 09:30, 9:30, 09:30:00, or an Excel time cell; Asia/Taipei wall time."""
    try:
        return parse_time_of_day(value)
    except ROCDateError as exc:
        raise CellProblem("io.bad_date", detail=exc.in_language(message_lang())) from None


def _text(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone number or code Excel stored as a number
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


@cache
def _foreign_keys(model: type[SQLModel]) -> frozenset[str]:
    return frozenset(c.name for c in model.__table__.columns if c.foreign_keys)


@dataclass
class CellReader:
    """Reads the cells of one table's file; loads each foreign key's names once."""

    session: Session
    spec: tables.TableSpec
    _names: dict[str, dict[str, set[int]]] = field(default_factory=dict)

    def read(self, name: str, value: Any, current: Any = None) -> Any:
        """The value to hand to the edit pipeline; None for a blank cell ("" for text).

        current is the row's value in the database, if it is an update: a name several rows
        share (two receptions of one delegation) still means the row it already points at.
        """
        kind, nullable = base_type(self.spec.model.model_fields[name].annotation)
        if isinstance(value, str) and not value.strip() and kind is not str:
            value = None  # a cell holding only spaces (or "") is blank, not a bad date or number
        if value is None:
            return "" if kind is str and not nullable else None
        if self._is_foreign_key(name):
            return self._foreign_key(name, value, current)
        if kind is bool:
            return _bool(value)
        if isinstance(kind, type) and issubclass(kind, Enum):
            return _enum(kind, value)
        if kind is datetime:
            return _datetime(value)
        if kind is date:
            return _date(value)
        if kind is time:
            return _time(value)
        if kind in (int, float):
            return fold_number(value)
        if kind is str:
            return _text(value)
        return value

    def _is_foreign_key(self, name: str) -> bool:
        return name in _foreign_keys(self.spec.model)

    def _foreign_key(self, name: str, value: Any, current: Any) -> int:
        text = unicodedata.normalize("NFKC", value) if isinstance(value, str) else ""
        tagged = _TAGGED_ID.match(text.strip())  # 陳建宏（#12）, ＃１２
        if tagged:
            return int(tagged[1])
        if isinstance(value, str) and name in self.spec.lookups:
            ids = self._ids_named(name).get(key_of(value), set())
            if current in ids:
                return current
            if len(ids) > 1:
                raise CellProblem(
                    "io.ambiguous_name", value=value, ids="、".join(map(str, sorted(ids)))
                )
            if ids:
                return next(iter(ids))
        number = read_int(value)
        if number is None:
            raise CellProblem("io.unknown_name", value=value)
        return number  # the pipeline reports an id that does not exist

    def _ids_named(self, fk: str) -> dict[str, set[int]]:
        """{name as matched: ids} in every language, for names shown instead of ids."""
        if fk not in self._names:
            found: dict[str, set[int]] = {}
            for lang in LANGUAGES:
                for bare in (False, True):  # 112/03/10 服部誠太郎, or 服部誠太郎 alone
                    named = tables.lookup_names(self.session, self.spec, fk, lang, bare=bare)
                    for row_id, name in named.items():
                        found.setdefault(key_of(name), set()).add(row_id)
            self._names[fk] = found
        return self._names[fk]
