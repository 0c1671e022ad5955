"""Widgets the pages compose: period picker, figure tiles, a paged read-only record table."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import streamlit as st

from core import tables
from core.labels import t
from core.periods import Period, presets
from core.roc_dates import ROCDateError, format_roc, format_roc_period, parse_roc
from ui.context import PERIOD_KEY, current_period, db_session, lang


def _apply_preset(key: str) -> None:
    chosen = st.session_state[key]
    if chosen != "ui.preset.custom":
        period = presets(date.today())[chosen]
        st.session_state["period.start"] = format_roc(period.start)
        st.session_state["period.end"] = format_roc(period.end)


def period_picker() -> Period:
    """Sidebar picker in ROC dates; keeps the last valid period when the input is bad."""
    lg = lang()
    period = current_period()
    st.session_state.setdefault("period.start", format_roc(period.start))
    st.session_state.setdefault("period.end", format_roc(period.end))
    named = presets(date.today())
    options = [*named, "ui.preset.custom"]
    shown = next((k for k, p in named.items() if p == period), "ui.preset.custom")
    with st.sidebar.expander(t("ui.period", lg), expanded=True):
        # One widget per language: its options are shown through labels of that language.
        st.selectbox(
            t("ui.period_preset", lg), options, index=options.index(shown),
            key=f"period.preset.{lg}", format_func=lambda k: t(k, lg), on_change=_apply_preset,
            args=(f"period.preset.{lg}",),
        )  # fmt: skip
        start_text = st.text_input(t("ui.period_start", lg), key="period.start")
        end_text = st.text_input(t("ui.period_end", lg), key="period.end")
        try:
            chosen = Period(parse_roc(start_text), parse_roc(end_text))
        except ROCDateError as exc:
            st.error(str(exc))
            return period
        except ValueError:
            st.error(t("ui.period_error", lg))
            return period
    st.session_state[PERIOD_KEY] = chosen
    return chosen


def period_caption(period: Period) -> None:
    st.caption(t("ui.period_caption", lang(), period=format_roc_period(period.start, period.end)))


def _format(key: str, value: Any) -> str:
    if value is None:
        return "—"
    if key.endswith("_pct"):
        return f"{value:.2f}%"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def figure_tiles(figures: dict[str, Any], keys: list[str]) -> None:
    """One bordered metric per figure key, labelled from the catalogue."""
    lg = lang()
    for col, key in zip(st.columns(len(keys)), keys, strict=True):
        col.metric(t(f"fig.{key}", lg), _format(key, figures.get(key)), border=True)


def record_table(table: str, period: Period | None, *, page_size: int = 25) -> None:
    """Searchable, server-side paged read-only table of one table's rows in the period."""
    lg = lang()
    spec = tables.SPECS[table]
    search = st.text_input(
        t("ui.search", lg), key=f"{table}.search", placeholder=t("ui.search_hint", lg)
    )
    with db_session() as session:
        total = tables.count_rows(session, spec, period, search)
        if total == 0:
            st.info(t("ui.no_records", lg))
            return
        pages = max(1, math.ceil(total / page_size))
        if st.session_state.get(f"{table}.page", 1) > pages:
            # A narrower search or period left the old page number past the end.
            st.session_state[f"{table}.page"] = 1
        page = st.session_state.get(f"{table}.page", 1)
        rows = tables.fetch_page(
            session, spec, period, search=search, page=page, page_size=page_size
        )
        frame = tables.display_frame(session, spec, rows, lg)
    st.dataframe(frame, hide_index=True)
    left, right = st.columns([3, 1])
    with left:
        st.pagination(pages, key=f"{table}.page")
    right.caption(t("ui.rows_total", lg, n=f"{total:,}"))
