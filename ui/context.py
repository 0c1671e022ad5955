"""Per-session context every page reads: language, period, database session."""

from __future__ import annotations

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
ROOT = Path(__file__).resolve().parent.parent


def page_file(page: str) -> Path:
    """A page file named from the repository's root ("pages/x.py"), for st.Page and
    st.page_link: they read a relative path from the main script's folder, frame/, where no
    pages/ stands (streamlit_app.py says why)."""
    return ROOT / page


def lang() -> str:
    """The UI language the frame's sidebar set (the frame runs before every page)."""
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
