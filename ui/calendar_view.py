"""Streamlit pieces of the sister-city calendar page (logic lives in core.calendar.ties)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st
from sqlmodel import Session

from core.calendar import charts as calendar_charts
from core.calendar import ties as cal
from core.gifts.ethics import today_taipei
from core.i18n.labels import enum_label, t
from core.kernel.periods import Period
from core.kernel.roc_dates import format_date
from db.models import DatePrecision, ExchangeEvent, PartnerCity, TieType
from ui import local_time_view
from ui.charts import show_chart
from ui.widgets import per_language, plain

CALENDAR_HEIGHT = 650  # px, FullCalendar's own height option (toolbar included)
_FRAME_CSS = f"""<style>
div[data-testid="stElementContainer"]:has(> div > iframe[title="streamlit_calendar.calendar"]),
div[data-testid="stElementContainer"]:has(> iframe[title="streamlit_calendar.calendar"]) {{
  display: block !important;
}}
iframe[title="streamlit_calendar.calendar"] {{
  min-height: {CALENDAR_HEIGHT + 10}px; width: 100%;
}}
</style>"""


def _titles(lg: str) -> dict[str, str]:
    return {"anniv": t("cal.anniv", lg), "month": t("cal.anniv.month", lg),
            "year": t("cal.anniv.year", lg)}  # fmt: skip


def _listing(df: pd.DataFrame, lg: str) -> pd.DataFrame:
    return pd.DataFrame({
        t("cal.col.date", lg): df["date"].map(lambda d: format_date(d, lg)),
        t("cal.col.kind", lg): df["kind"].map(lambda k: t(f"cal.kind.{k}", lg)),
        t("cal.col.title", lg): df["title"],
    })  # fmt: skip


def calendar_panel(session: Session, period: Period, lg: str) -> None:
    """Events and anniversaries in FullCalendar, opening on the period's first month; a click
    shows the details. The calendar holds whole years around the period and today, so a month
    paged to outside the sidebar's period (or the 今天 button) is not blank."""
    shown = cal.feed_window(period, today_taipei())
    feed = cal.calendar_feed(session, shown.start, shown.end, _titles(lg), lg == "en")
    st.caption(t("cal.legend", lg))
    st.caption(t("cal.window", lg, start=shown.start.year - 1911, end=shown.end.year - 1911)
               if lg == "zh-TW" else
               t("cal.window", lg, start=shown.start.year, end=shown.end.year))  # fmt: skip
    try:
        from streamlit_calendar import calendar
    except ImportError:
        st.warning(t("cal.fallback", lg))
        rows = [{"date": date.fromisoformat(e["start"]), "kind": e["extendedProps"]["kind"],
                 "title": e["title"]} for e in feed]  # fmt: skip
        frame = pd.DataFrame(rows, columns=["date", "kind", "title"])
        st.dataframe(_listing(frame, lg), hide_index=True, width="stretch", placeholder="")
        return
    options = {
        "initialDate": period.start.isoformat(),
        "initialView": "dayGridMonth",
        "headerToolbar": {
            "left": "prev,next today",
            "center": "title",
            "right": "dayGridMonth,timeGridWeek,listMonth",
        },  # fmt: skip
        # The 民國 calendar in the title and list dates (Intl reads the -u-ca-roc extension).
        "locale": "zh-tw-u-ca-roc" if lg == "zh-TW" else "en",
        "buttonText": {k: t(f"cal.btn.{k}", lg) for k in ("today", "month", "week", "list")},
        "allDayText": t("cal.all_day", lg),
        "height": CALENDAR_HEIGHT,
    }
    # streamlit-calendar 1.4.0 measures its height once, when it mounts. Streamlit 1.67 hides a
    # component frame whose height is 0, and a frame that mounts where another component's
    # (the sign-in cookie's) was, or that remounts after a click, starts hidden, measures 0 and
    # stays hidden. The frame's size is fixed here instead; FullCalendar follows the resize.
    st.html(_FRAME_CSS)
    state = calendar(events=feed, options=options, callbacks=["eventClick"], key="cal.calendar")
    st.caption(t("cal.click_hint", lg))
    clicked = (state or {}).get("eventClick", {}).get("event", {}).get("id")
    if clicked and not clicked.startswith("holiday-"):  # a holiday has no details to show
        st.session_state["cal.picked"] = clicked
    picked = st.session_state.get("cal.picked")
    if picked:
        _details(session, picked, lg)


def _details(session: Session, picked: str, lg: str) -> None:
    kind, _, rest = picked.partition("-")
    with st.container(border=True):
        st.subheader(t("cal.details", lg))
        if kind == "event" and rest.isdigit():
            ev = session.get(ExchangeEvent, int(rest))
            if ev is None:
                return
            st.markdown(f"**{plain(ev.title)}**")
            st.markdown(plain(f"{enum_label(ev.kind, lg)}｜{format_date(ev.start_date, lg)} – "
                              f"{format_date(ev.end_date, lg)}｜{ev.location}"))  # fmt: skip
            if ev.participants:
                st.markdown(plain(ev.participants))
            if ev.summary:
                st.markdown(plain(ev.summary))
            local_time_view.event_times(session, ev, lg)
        elif kind == "anniv":
            city_id, _, year = rest.partition("-")
            city = session.get(PartnerCity, int(city_id)) if city_id.isdigit() else None
            if city is None or not year.isdigit():
                return
            a = cal.anniversaries(session, date(int(year), 1, 1), date(int(year), 12, 31))
            match = [x for x in a if x.city_id == city.id]
            if match:
                title = cal.anniversary_title(match[0], _titles(lg), lg == "en")
                st.markdown(f"**{plain(title)}**")
            signed = cal.signed_text(city.signed_on, city.signed_precision, lg)
            st.markdown(plain(f"{city.name_en}（{city.country}）｜{enum_label(city.tie_type, lg)}｜"
                              f"{t('cal.col.signed', lg)} {signed}"))  # fmt: skip
            if match:
                local_time_view.city_offset(city, match[0].day, lg)


def coming_up_panel(session: Session, lg: str) -> None:
    today = today_taipei()  # Asia/Taipei, not the server's zone
    st.caption(t("cal.coming.caption", lg, today=format_date(today, lg)))
    df = cal.coming_up(session, today, _titles(lg), lg == "en")
    if df.empty:
        st.info(t("cal.coming.none", lg))
        return
    shown = local_time_view.with_local_column(session, df, _listing(df, lg), lg)
    st.dataframe(shown, hide_index=True, width="stretch", placeholder="")


def directory_panel(session: Session, lg: str) -> dict[str, list[str]]:
    """Filters, the directory table, the map and a city's timeline; returns the filters."""
    everything = cal.directory(session)
    c1, c2, c3 = st.columns(3)
    every = t("ui.filter.all", lg)
    countries = c1.multiselect(
        t("cal.filter.country", lg), sorted(everything["country"].unique()),
        key=per_language("cal.filter.country"), placeholder=every,
    )  # fmt: skip
    regions = c2.multiselect(
        t("cal.filter.region", lg), sorted(everything["region"].unique()),
        key=per_language("cal.filter.region"), placeholder=every,
    )  # fmt: skip
    ties = c3.multiselect(
        t("cal.filter.tie", lg),
        [m.value for m in TieType],
        format_func=lambda v: enum_label(v, lg, TieType),
        key=per_language("cal.filter.tie"),
        placeholder=every,
    )
    df = cal.directory(session, countries, regions, ties)
    if df.empty:
        st.info(t("cal.directory.none", lg))
        return {"country": countries, "region": regions, "tie_type": ties}
    shown = pd.DataFrame({
        t("cal.col.city", lg): df["name_zh"],
        t("cal.col.name_en", lg): df["name_en"],
        t("cal.col.country", lg): df["country"],
        t("cal.col.region", lg): df["region"],
        t("cal.col.tie", lg): df["tie_type"].map(lambda v: enum_label(v, lg, TieType)),
        t("cal.col.signed", lg): [
            cal.signed_text(d, p, lg)
            for d, p in zip(df["signed_on"], df["signed_precision"], strict=True)
        ],
        t("cal.col.precision", lg): df["signed_precision"].map(
            lambda v: enum_label(v, lg, DatePrecision)
        ),
    })  # fmt: skip
    st.dataframe(shown, hide_index=True, width="stretch", placeholder="")
    show_chart(calendar_charts.partner_map(df, lg), key="cal.partner_map")
    names = dict(zip(df["id"].astype(int), df["name_en" if lg == "en" else "name_zh"], strict=True))
    picked = st.selectbox(t("cal.timeline.pick", lg), list(names), format_func=names.get,
                          key=per_language("cal.timeline.pick"))  # fmt: skip
    if picked is not None:
        timeline = cal.city_timeline(session, int(picked), lg == "en")
        if timeline.empty:
            st.info(t("cal.timeline.none", lg))
        else:
            st.dataframe(_listing(timeline, lg), hide_index=True, width="stretch", placeholder="")
    return {"country": countries, "region": regions, "tie_type": ties}


def charts_panel(session: Session, period: Period, lg: str) -> None:
    monthly = cal.exchanges_by_month(session, period)
    if monthly.empty:
        st.info(t("cal.chart.none", lg))
    else:
        chart = calendar_charts.exchanges_chart(monthly, lg, period=period)
        show_chart(chart, key="cal.exchanges_by_month")
    left, right = st.columns(2)
    show_chart(
        calendar_charts.ties_by_country_chart(cal.ties_by_country(session), lg),
        key="cal.ties_by_country", container=left,
    )  # fmt: skip
    show_chart(
        calendar_charts.ties_by_decade_chart(cal.ties_by_decade(session), lg),
        key="cal.ties_by_decade", container=right,
    )  # fmt: skip
