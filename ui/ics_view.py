"""The sister-city page's 「下載行事曆（.ics）」: pick a city and dates, download (calendar.ics)."""

from __future__ import annotations

from collections import Counter
from datetime import date

import streamlit as st

from core.calendar import ics
from core.calendar import ties as cal
from core.gifts.ethics import today_taipei
from core.i18n.labels import t
from core.kernel.periods import Period
from core.kernel.roc_dates import format_period
from ui.context import db_session
from ui.widgets import per_language


def _ranges(period: Period, lg: str) -> dict[str, tuple[date, date, str]]:
    """{choice: (first day, last day, label)}: the page's period, or the next 12 months."""
    start, end = ics.next_twelve_months(today_taipei())  # Asia/Taipei, not the server's zone
    coming = format_period(start, end, lg)
    shown = format_period(period.start, period.end, lg)
    return {
        "year": (start, end, t("ics.range.year", lg, dates=coming)),
        "period": (period.start, period.end, t("ics.range.period", lg, period=shown)),
    }


def download_popover(period: Period, lg: str) -> None:
    """A popover button beside the calendar: city (all or one), dates, then the .ics file."""
    with st.popover(t("ics.button", lg), icon=":material/event:"):
        st.caption(t("ics.caption", lg))
        with db_session() as session:
            cities = cal.directory(session)
        names = dict(zip(cities["id"].astype(int), cities["name_en" if lg == "en" else "name_zh"],
                         strict=True))  # fmt: skip
        city = st.selectbox(
            t("ics.city", lg), [None, *names], key=per_language("cal.ics.city"),
            format_func=lambda c: t("ics.city.all", lg) if c is None else names[c],
            placeholder=t("ics.city.all", lg),  # a None choice shows the placeholder, not its label
        )  # fmt: skip
        ranges = _ranges(period, lg)
        choice = st.radio(
            t("ics.range", lg), list(ranges), format_func=lambda k: ranges[k][2],
            key=per_language("cal.ics.range"),
        )  # fmt: skip
        start, end, _ = ranges[choice or "year"]
        city_id = None if city is None else int(city)
        with db_session() as session:
            found = ics.entries(session, start, end, city_id=city_id, lang=lg)
            name = ics.file_name(session, city_id, start, end)
        counts = Counter(e.kind for e in found)
        st.caption(t(
            "ics.count", lg, n=len(found), events=counts["exchange_event"],
            receptions=counts["reception"], anniversaries=counts["anniversary"],
        ))  # fmt: skip

        def data() -> bytes:
            with db_session() as session:
                return ics.build_ics(session, start, end, city_id=city_id, lang=lg)

        st.download_button(
            t("ics.download", lg), data, file_name=name, mime=ics.MIME, key="cal.ics.download",
            on_click="ignore", icon=":material/download:", type="primary",
        )  # fmt: skip
