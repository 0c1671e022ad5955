"""Per-session context every page reads: language, period, database session."""

from __future__ import annotations

import runpy
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import streamlit as st
from sqlalchemy import Engine
from sqlmodel import Session

from core.i18n.labels import DEFAULT_LANG
from core.kernel.periods import REPORT_PERIOD, Period

LANG_KEY = "lang"
PERIOD_KEY = "period"
FRAME_KEY = "_frame_running"
APP = Path(__file__).resolve().parent.parent / "streamlit_app.py"


@contextmanager
def framed() -> Iterator[None]:
    """Mark the page run as coming through streamlit_app.py (the frame)."""
    st.session_state[FRAME_KEY] = True
    try:
        yield
    finally:
        st.session_state[FRAME_KEY] = False


def require_frame() -> None:
    """Run the frame when Streamlit ran a page file on its own, then stop.

    With a pages/ folder beside the entry script, Streamlit runs the first script run of a
    server process in its legacy mode, which executes the requested page file directly and
    would skip the frame (navigation, and later sign-in). Running the frame here puts it back.
    """
    if not st.session_state.get(FRAME_KEY):
        runpy.run_path(str(APP), run_name="__main__")
        st.stop()


def lang() -> str:
    """The UI language; every page starts with this call, which also checks for the frame."""
    require_frame()
    return st.session_state.get(LANG_KEY, DEFAULT_LANG)


def current_period() -> Period:
    return st.session_state.get(PERIOD_KEY, REPORT_PERIOD)


@st.cache_resource(show_spinner=False)
def _engine() -> Engine:
    """Checked, migrated engine, once per server process (demo data on first start)."""
    from db.bootstrap import prepare_database

    return prepare_database()


def engine() -> Engine:
    return _engine()


@contextmanager
def db_session() -> Iterator[Session]:
    with Session(engine()) as session:
        yield session
