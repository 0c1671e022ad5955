"""The generic chart of a registered table: its rows per month of its period column, split by
the options of an enum column, in the house style, so a new table has a chart with no code
(the table editor shows it for every table whose declaration has no chart of its own)."""

from __future__ import annotations

import types
import typing
from datetime import date
from enum import Enum
from typing import Any

import altair as alt
import pandas as pd
from sqlalchemy import func, select
from sqlmodel import Session

from core.editing import registry
from core.editing.tables import Filters, column_label, filter_clauses
from core.i18n.labels import enum_label, t
from core.kernel.cache import stamped
from core.kernel.chart_memo import memo_chart
from core.kernel.charts import roc_month_label, titled
from core.kernel.monthly import month_key
from core.kernel.periods import Period

COLUMNS = ["month", "kind", "count"]


def _enum_of(model: Any, name: str) -> type[Enum] | None:
    """The field's enum class (Optional unwrapped), or None when it is not an enum."""
    annotation = model.model_fields[name].annotation
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        annotation = next((a for a in typing.get_args(annotation) if a is not type(None)), None)
    return annotation if isinstance(annotation, type) and issubclass(annotation, Enum) else None


def split_column(table: registry.Table) -> str | None:
    """The column whose options colour the bars: the declared one, else the first enum field."""
    if table.split_by:
        return table.split_by
    return next((n for n in table.model.model_fields if _enum_of(table.model, n)), None)


def _months(first: date, last: date) -> list[date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


@stamped(tables_of=lambda name, *_args, **_kw: [name])
def rows_by_month(
    session: Session, name: str, period: Period | None, filters: Filters | None = None
) -> pd.DataFrame:
    """Rows per month (first day, every month of the period or of the rows, empty ones as 0)
    and option of the split column ("" without one): columns month, kind, count."""
    table = _charted(name)
    spec, split = table.spec, split_column(table)
    month = month_key(session, getattr(spec.model, spec.period_column))
    keys = [month, *([getattr(spec.model, split)] if split else [])]
    stmt = select(*keys, func.count()).where(*filter_clauses(spec, period, "", filters))
    found = session.execute(stmt.group_by(*keys)).all()
    counts = {
        (date.fromisoformat(f"{row[0]}-01"), _stored(row[1]) if split else ""): int(row[-1])
        for row in found
    }
    rows = [(m, kind, n) for (m, kind), n in counts.items()]
    seen = {m for m, _ in counts}
    if period is not None:
        span = [(period.start, period.end)]
    else:
        span = [(min(seen), max(seen))] if seen else []
    rows += [(m, "", 0) for first, last in span for m in _months(first, last) if m not in seen]
    frame = pd.DataFrame(sorted(rows, key=lambda r: (r[0], r[1])), columns=COLUMNS)
    frame["month"] = pd.to_datetime(frame["month"])
    frame["count"] = frame["count"].astype(int)
    return frame


def _charted(name: str) -> registry.Table:
    table = registry.table(name)
    if table is None or table.spec is None or not table.spec.period_column:
        raise LookupError(f"{name} has no period column to chart")
    return table


def _stored(value: Any) -> str:
    return value.value if isinstance(value, Enum) else str(value or "")


@memo_chart
def month_chart(frame: pd.DataFrame, name: str, lang: str, period: Period | None) -> alt.Chart:
    """Stacked bars per month (x labelled 112/03), coloured by the split column's options in
    their declared order; titled with the table's name and the source line."""
    table = _charted(name)
    data = frame.copy()
    data["roc_month"] = data["month"].map(lambda m: roc_month_label(m, None, lang))
    count = t("chart.count", lang)
    month = alt.Tooltip("roc_month:O", title=t("chart.month", lang))
    encoding: dict[str, Any] = {
        "x": alt.X("roc_month:O", title=None, sort=None, axis=alt.Axis(labelAngle=0)),
        "y": alt.Y("count:Q", title=count, stack="zero", axis=alt.Axis(tickMinStep=1)),
        "tooltip": [month, alt.Tooltip("count:Q", title=count, format=",")],
    }
    split = split_column(table)
    enum_cls = _enum_of(table.model, split) if split else None
    if split and enum_cls is not None:
        options = [enum_label(member, lang) for member in enum_cls]
        data["option"] = data["kind"].map(lambda k: enum_label(k, lang, enum_cls) if k else "")
        title = column_label(table.spec, split, lang)
        encoding["color"] = alt.Color(
            "option:N", title=title, scale=alt.Scale(domain=options), sort=options
        )
        encoding["tooltip"].insert(1, alt.Tooltip("option:N", title=title))
    chart = alt.Chart(data).mark_bar().encode(**encoding).properties(height=280)
    heading = t("chart.generic.title", lang, table=t(table.label_key, lang))
    return titled(chart, heading, lang=lang, period=period)
