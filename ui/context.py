"""Per-session context every page reads: language, period, database session."""

from __future__ import annotations

import runpy
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import streamlit as st
from sqlalchemy import Engine
from sqlmodel import Session
from streamlit.runtime.pages_manager import PagesManager

from core.i18n.labels import DEFAULT_LANG
from core.kernel.periods import Period, half_year_of
from core.kernel.stopwatch import Stopwatch

LANG_KEY = "lang"  # the UI language (zh-TW or en)
LANG_BOX = "lang.box"  # the sidebar's language box, which sets LANG_KEY
PERIOD_KEY = "period"
ROOT = Path(__file__).resolve().parent.parent


def page_file(page: str) -> Path:
    """A page file named from the repository's root ("pages/x.py"), for st.Page and
    st.page_link: they read a relative path from the main script's folder, frame/, where no
    pages/ stands (streamlit_app.py says why)."""
    return ROOT / page


def lang() -> str:
    """The UI language the frame's sidebar set (the frame runs before every page)."""
    if PagesManager.uses_pages_directory:
        _frame_instead()
    return st.session_state.get(LANG_KEY, DEFAULT_LANG)


def session_lang() -> str:
    """The language as the session holds it, for callbacks (which run before the frame, so
    lang()'s page-test detour must not run there)."""
    return st.session_state.get(LANG_KEY, DEFAULT_LANG)


def _frame_instead() -> None:
    """Run the frame instead of a page file Streamlit ran on its own, then stop: for the page
    tests only. AppTest.from_file("streamlit_app.py") resets Streamlit's pages/ flag before
    every run, and with pages/ beside that file it runs a switched-to page file directly. The
    served app never gets here: its main script, frame/main.py, has no pages/ beside it, so the
    flag is False from its first session on and no page's safety depends on this call."""
    runpy.run_path(str(ROOT / "frame" / "main.py"), run_name="__main__")
    st.stop()


def current_period() -> Period:
    """The shown period: the sidebar's, else the running half-year (the frame opens each
    session on the user's own choice, ui.widgets.open_on_start_period)."""
    return st.session_state.get(PERIOD_KEY) or half_year_of(date.today())


@st.cache_resource(show_spinner=False)
def _engine(_stopwatch: Stopwatch | None = None) -> Engine:
    """Checked, migrated engine, once per server process (demo data on first start); the
    stopwatch (not part of the cache key) times the parts of the run that makes it."""
    from db.bootstrap import prepare_database

    return prepare_database(stopwatch=_stopwatch)


def engine(stopwatch: Stopwatch | None = None) -> Engine:
    return _engine(stopwatch)


@contextmanager
def db_session() -> Iterator[Session]:
    with Session(engine()) as session:
        yield session
