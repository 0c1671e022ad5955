"""Chart builders keep what they built for the same inputs, so a rerun reuses the chart.

A page draws its charts on every run (each navigation, each click), and building an Altair
chart — encodings, layers, titles, each property checked against the schema — costs 5–20 ms
of CPU before Streamlit even turns it into Vega-Lite. The inputs are small frames the pages
read through the stamped caches (core.kernel.cache), so the same data comes back until a save
changes it. `@memo_chart` keys a builder's result on a fingerprint of its arguments — a
frame's columns, types and the hash of every cell — plus today's date in Taipei (a builder
may mark the month in progress), and returns the very chart built before. ui.charts then
keeps the Vega-Lite spec it made from that chart on the chart itself, so an unchanged chart
costs neither its building nor its conversion again.

Callers must treat the chart as read-only (the house charts are: titled() and the layering
helpers copy). Arguments the fingerprint cannot read (an object without a value identity, a
frame of lists) make the call build afresh, uncached.
"""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import fields, is_dataclass
from datetime import date, datetime, time
from enum import Enum
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import pandas as pd

from core.kernel.config import get_settings

F = TypeVar("F", bound=Callable[..., Any])
SIZE = 512  # charts kept per process (a chart holds its few hundred rows of data)


class Unreadable(TypeError):
    """An argument has no fingerprint: the call is not cached."""


def fingerprint(value: Any) -> Hashable:
    """A hashable value equal for equal inputs (frames by content, not identity)."""
    if value is None or isinstance(value, (str, int, float, bool, date, datetime, time, Enum)):
        return (type(value).__name__, value)
    if isinstance(value, type):  # an Enum class naming the kinds of a chart's colours
        return ("type", value.__module__, value.__qualname__)
    if isinstance(value, pd.DataFrame):
        try:
            cells = int(pd.util.hash_pandas_object(value, index=True).sum())
        except TypeError as exc:  # cells of lists or dicts
            raise Unreadable(str(exc)) from exc
        return ("frame", tuple(map(str, value.columns)), tuple(map(str, value.dtypes)), cells)
    if isinstance(value, pd.Series):
        try:
            cells = int(pd.util.hash_pandas_object(value, index=True).sum())
        except TypeError as exc:
            raise Unreadable(str(exc)) from exc
        return ("series", str(value.name), str(value.dtype), cells)
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(fingerprint(v) for v in value))
    if isinstance(value, dict):
        return ("dict", tuple((fingerprint(k), fingerprint(v)) for k, v in value.items()))
    if is_dataclass(value) and not isinstance(value, type):
        parts = tuple((f.name, fingerprint(getattr(value, f.name))) for f in fields(value))
        return (type(value).__qualname__, parts)
    raise Unreadable(f"no fingerprint for {type(value).__name__}")


def _today() -> date:
    return datetime.now(ZoneInfo(get_settings().timezone)).date()


_kept: OrderedDict[Hashable, Any] = OrderedDict()
_lock = threading.Lock()


def memo_chart(build: F) -> F:
    """The builder, returning the chart it built before for the same arguments (and day)."""
    name = f"{build.__module__}.{build.__qualname__}"

    @functools.wraps(build)
    def kept(*args: Any, **kwargs: Any) -> Any:
        try:
            key = (name, _today(), fingerprint(args), fingerprint(sorted(kwargs.items())))
        except Unreadable:
            return build(*args, **kwargs)
        with _lock:
            if key in _kept:
                _kept.move_to_end(key)
                return _kept[key]
        chart = build(*args, **kwargs)
        with _lock:
            _kept[key] = chart
            while len(_kept) > SIZE:
                _kept.popitem(last=False)
        return chart

    kept.uncached = build  # type: ignore[attr-defined]
    return kept  # type: ignore[return-value]


def clear() -> None:
    with _lock:
        _kept.clear()
