"""Widgets the pages compose: period picker, figure tiles (tables: ui.editor.table_view)."""

from __future__ import annotations

import re
from contextlib import suppress
from datetime import date
from typing import Any

import streamlit as st

from core.i18n.labels import t
from core.kernel.periods import Period, presets
from core.kernel.roc_dates import ROCDateError, format_date, format_period, parse_roc
from ui.context import LANG_KEY, PERIOD_KEY, current_period, lang, session_lang

# What markdown (and Streamlit's LaTeX and HTML handling) would read as markup: two "$"
# (NT$…NT$) start a formula, [..](..) a link, <..> a tag.
_MARKUP = re.compile(r"([\\`*_\[\]<>~#|$])")


def plain(text: str) -> str:
    """Text typed by staff (names, summaries, file names) or a message quoting it, shown as
    typed in a markdown element: a link, image, heading or <script> in it stays inert text."""
    return _MARKUP.sub(r"\\\1", str(text))


def per_language(key: str) -> str:
    """The key of a widget whose labels depend on the language (enum labels, placeholders,
    names in zh or en): one widget per language, since a keyed widget keeps the labels it was
    created with. The choice made in the language used last carries over on a switch."""
    lg = lang()
    own, last = f"{key}.{lg}", st.session_state.get(f"{key}.@lang")
    if last and last != lg and f"{key}.{last}" in st.session_state:
        st.session_state[own] = st.session_state[f"{key}.{last}"]
    st.session_state[f"{key}.@lang"] = lg
    return own


def tabs(labels: list[str], key: str) -> list[Any]:
    """st.tabs whose chosen tab the server knows (`tab.open`), so a page draws the charts or
    preview of a tab only while it is shown: a navigation no longer builds every hidden chart.
    Choosing a tab reruns the page. Only tabs without inputs may skip their content (a
    skipped widget loses its state): tabs holding an editor draw it whether shown or not, so
    unsaved edits survive a look at another tab. One key per language (the tab is known by
    its label); tests choose a tab with session_state[tab_key(key, lang)] = label."""
    return st.tabs(labels, key=tab_key(key, lang()), on_change="rerun")


def tab_key(key: str, lg: str) -> str:
    return f"{key}.{lg}"


def kept(key: str, default: Any) -> str:
    """The key of an input in a tab drawn only while shown (see tabs): Streamlit forgets a
    widget's value when a run does not draw it, so its last value, kept by keep(), is put back
    before it is drawn again. Create the widget with this key and no value=."""
    if key not in st.session_state:
        st.session_state[key] = st.session_state.get(f"{key}.@kept", default)
    return key


def keep(key: str, value: Any) -> None:
    st.session_state[f"{key}.@kept"] = value


def _apply_preset(key: str) -> None:
    chosen = st.session_state[key]
    if chosen != "ui.preset.custom":
        period = presets(date.today())[chosen]
        st.session_state["period.start"] = format_date(period.start, session_lang())
        st.session_state["period.end"] = format_date(period.end, session_lang())


def show_period(period: Period) -> None:
    """Make `period` the shown one, the sidebar's widgets included (call before they are drawn,
    e.g. from a button's on_click): its dates in the language's calendar, the preset box on the
    preset it is, if any, else on 自訂."""
    st.session_state[PERIOD_KEY] = period
    st.session_state["period.start"] = format_date(period.start, session_lang())
    st.session_state["period.end"] = format_date(period.end, session_lang())
    _follow_dates()


def _follow_dates() -> None:
    """The preset box says which preset the typed dates are, or 自訂 (it kept saying
    議會報告期間 after other dates were typed)."""
    try:
        typed = Period(parse_roc(st.session_state["period.start"]),
                       parse_roc(st.session_state["period.end"]))  # fmt: skip
    except (KeyError, ValueError):  # ROCDateError is a ValueError; the picker says what is wrong
        return
    named = presets(date.today())
    shown = next((k for k, p in named.items() if p == typed), "ui.preset.custom")
    for key in [k for k in st.session_state if str(k).startswith("period.preset.")]:
        st.session_state[key] = shown


LANG_OWNER = "lang.user"  # (username, the language the database holds for them)


def follow_user_language(username: str, lg: str) -> None:
    """The language is the user's, not the browser session's. Call before the language box is
    drawn: on the first run signed in, the box is set to the one they last chose; a switch
    after that is kept for their next sign-in, so a reload or another browser opens in it."""
    from core.accounts.users import own_language, set_own_language
    from core.editing.pipeline import Actor
    from ui.context import db_session

    known = st.session_state.get(LANG_OWNER)
    actor = Actor(username, "viewer")
    if known is None or known[0] != username:
        with db_session() as session:
            saved = own_language(session, actor)
        st.session_state[LANG_OWNER] = (username, saved or lg)
        if saved and saved != lg:
            st.session_state[LANG_KEY] = saved
    elif known[1] != lg:
        with db_session() as session:
            set_own_language(session, actor, lg)
        st.session_state[LANG_OWNER] = (username, lg)


def open_on_start_period(username: str) -> None:
    """Once per browser session: the period the user's pages open on (我的帳號, by default the
    running half-year, so today's work is in view)."""
    if PERIOD_KEY in st.session_state:
        return
    from core.accounts.users import own_start_period
    from core.editing.pipeline import Actor
    from core.kernel.periods import start_period
    from ui.context import db_session

    with db_session() as session:
        choice = own_start_period(session, Actor(username, "viewer"))
    st.session_state[PERIOD_KEY] = start_period(choice, date.today())


def dates_follow_language(*keys: str) -> None:
    """Date inputs (text, under keys) in the language's calendar after a switch (115/12/04 ↔
    2026-12-04); call before they are drawn. A date that cannot be read stays as typed, for
    its input to say why."""
    lg = lang()
    for key in keys:
        if st.session_state.get(f"{key}.@lang", lg) != lg:
            with suppress(KeyError, ROCDateError):
                st.session_state[key] = format_date(parse_roc(st.session_state[key]), lg)
        st.session_state[f"{key}.@lang"] = lg


def period_picker() -> Period:
    """Sidebar picker in the language's dates (民國 in zh-TW, YYYY-MM-DD in English; either is
    read); keeps the last valid period when the input is bad."""
    lg = lang()
    period = current_period()
    dates_follow_language("period.start", "period.end")
    st.session_state.setdefault("period.start", format_date(period.start, lg))
    st.session_state.setdefault("period.end", format_date(period.end, lg))
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
        start_text = st.text_input(t("ui.period_start", lg), key="period.start",
                                   on_change=_follow_dates)  # fmt: skip
        end_text = st.text_input(t("ui.period_end", lg), key="period.end",
                                 on_change=_follow_dates)  # fmt: skip
        try:
            chosen = Period(parse_roc(start_text), parse_roc(end_text))
        except ROCDateError as exc:
            st.error(exc.in_language(lg))
            return period
        except ValueError:
            st.error(t("ui.period_error", lg))
            return period
    st.session_state[PERIOD_KEY] = chosen
    return chosen


def period_caption(period: Period) -> None:
    lg = lang()
    st.caption(t("ui.period_caption", lg, period=format_period(period.start, period.end, lg)))


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


def tile_row(count: int, name: str) -> list[Any]:
    """Columns for `count` metric tiles, in a container keyed tiles_<name> (unique on the
    page): on a phone the app's CSS (assets/css/narrow.css) sets them two per row, where
    Streamlit would stack them one per row."""
    return st.container(key=f"tiles_{name}").columns(count)


def figure_tiles(figures: dict[str, Any], keys: list[str]) -> None:
    """One bordered metric per figure key, labelled from the catalogue."""
    lg = lang()
    for col, key in zip(tile_row(len(keys), keys[0]), keys, strict=True):
        col.metric(t(f"fig.{key}", lg), _format(key, figures.get(key)), border=True)
