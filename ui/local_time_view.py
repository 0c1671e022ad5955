"""Streamlit pieces showing partner cities' local time (the words come from kernel.local_time)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st
from sqlmodel import Session

from core.i18n.labels import t
from core.kernel import local_time
from core.kernel.roc_dates import format_time
from db.models import ExchangeEvent, PartnerCity, Reception
from ui.widgets import plain


def event_times(session: Session, event: ExchangeEvent, lg: str) -> None:
    """The event's Taipei time, then each linked city's local time (or offset) on its own line."""
    lines = local_time.event_local_lines(session, event, lg)
    if event.start_time is not None:
        until = f"–{format_time(event.end_time)}" if event.end_time else ""
        st.markdown(plain(t("lt.taipei_time", lg, time=format_time(event.start_time) + until)))
    if lines:
        st.caption(t("lt.heading", lg))
        st.markdown("\n".join(f"- {plain(line)}" for line in lines))


def city_offset(city: PartnerCity, day: date, lg: str) -> None:
    """A city's UTC offset and difference from Taipei on a day (an anniversary has no time)."""
    text = local_time.local_pair(day, None, city.timezone, lg)
    st.caption(plain(local_time.city_line(city, text, lg)))


def reception_time(reception: Reception, city: PartnerCity | None, lg: str) -> None:
    """The reception's time in Taipei and in its partner city (its offset when no time)."""
    if city is None:
        return
    text = local_time.local_pair(reception.visit_date, reception.start_time, city.timezone, lg)
    st.caption(plain(f"{t('lt.col.local', lg)}｜{local_time.city_line(city, text, lg)}"))


def with_local_column(
    session: Session, coming: pd.DataFrame, shown: pd.DataFrame, lg: str
) -> pd.DataFrame:
    """The coming-up listing with a 當地時間 column (cities' local times, offsets)."""
    out = shown.copy()
    out[t("lt.col.local", lg)] = local_time.coming_up_local(session, coming, lg)
    return out
