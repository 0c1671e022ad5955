"""Streamlit parts of the venue page: the day / week schedule, the charts of the period and the
filters of the booking and venue tables (the booking form is ui/venue_booking_form.py)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import pandas as pd
import streamlit as st

from core.i18n.labels import enum_label, enum_options, t
from core.kernel import holidays as holidays_tw
from core.kernel import monthly
from core.kernel.charts import file_stem, monthly_bars
from core.kernel.periods import Period
from core.kernel.roc_dates import ROCDateError, format_date, format_datetime, parse_roc
from core.venues import bookings as venues
from core.venues import use as venue_use
from core.venues.charts import (
    day_label,
    events_by_month_chart,
    heatmap_chart,
    marked_day_label,
    purpose_chart,
    timeline_chart,
    utilisation_chart,
)
from core.visitors.receptions import taipei_today
from db.models import BookingKind, BookingPurpose, BookingStatus, Centre, VenueKind
from ui.charts import show_chart
from ui.context import db_session, lang, session_lang
from ui.widgets import dates_follow_language, keep, kept, plain

DAY_KEY, LAST_DAY_KEY = "ven.sched.day", "ven.sched.last_day"
JUMP = "ven.sched.jump"  # (centre, venue id, day) the schedule moves to on the next run
ALL = 0  # the venue choice "every venue of the centre"


# Widgets whose options are shown through labels carry the language in their key (as the
# period picker does): a selectbox keeps showing the old language's label otherwise.


def active_venues(active_only: bool = True) -> list[venues.VenueInfo]:
    with db_session() as session:
        return venues.list_venues(session, active_only=active_only)


def span(start: datetime, end: datetime) -> str:
    return f"{start:%H:%M}–{end:%H:%M}"


def _shift_day(days: int | None) -> None:
    """Move the schedule's date (None: back to today); a callback, before the input is drawn."""
    current = st.session_state.get(LAST_DAY_KEY) or taipei_today()
    moved = taipei_today() if days is None else current + timedelta(days=days)
    st.session_state[DAY_KEY] = format_date(moved, session_lang())


def _pick_day(step: int) -> date:
    """The schedule's date as typed (民國, or YYYY-MM-DD in English; either is read), with
    buttons a day or week back and forward."""
    lg = lang()
    dates_follow_language(DAY_KEY)
    st.session_state.setdefault(DAY_KEY, format_date(taipei_today(), lg))
    unit = "week" if step == 7 else "day"
    text_col, prev_col, today_col, next_col = st.columns([3, 1, 1, 1], vertical_alignment="bottom")
    text = text_col.text_input(t("ven.sched.day", lg), key=DAY_KEY)
    prev_col.button(
        t(f"ven.sched.prev_{unit}", lg), key="ven.sched.prev", on_click=_shift_day, args=(-step,),
        icon=":material/chevron_left:", width="stretch",
    )  # fmt: skip
    today_col.button(
        t("ven.sched.today", lg), key="ven.sched.today", on_click=_shift_day, args=(None,),
        width="stretch",
    )  # fmt: skip
    next_col.button(
        t(f"ven.sched.next_{unit}", lg), key="ven.sched.next", on_click=_shift_day, args=(step,),
        icon=":material/chevron_right:", width="stretch",
    )  # fmt: skip
    try:
        day = parse_roc(text)
    except ROCDateError as exc:
        day = st.session_state.get(LAST_DAY_KEY) or taipei_today()
        shown = t("ven.sched.bad_day", lg, date=format_date(day, lg))
        st.error(plain(f"{exc.in_language(lg)} {shown}"))
    st.session_state[LAST_DAY_KEY] = day
    return day


def schedule() -> tuple[int | None, date]:
    """Pick a centre (and a venue) and a day: the day's or week's bookings as a timeline, the
    free slots of a single venue, and the bookings as a table. Returns (venue id, day)."""
    lg = lang()
    rooms = active_venues()
    names = {v.id: venues.venue_label(v, lg) for v in rooms}
    centres = list(dict.fromkeys(v.centre.value for v in rooms))
    if not centres:
        st.info(t("ven.sched.none", lg))
        return None, taipei_today()
    jump = st.session_state.pop(JUMP, None)
    if jump:  # set before the widgets are drawn
        st.session_state[f"ven.sched.centre.{lg}"] = jump[0]
        st.session_state[f"ven.sched.venue.{jump[0]}.{lg}"] = jump[1]
        st.session_state[DAY_KEY] = format_date(jump[2], lg)
    left, middle, right = st.columns([2, 3, 2])
    centre = left.selectbox(
        t("ven.sched.centre", lg), centres, key=f"ven.sched.centre.{lg}",
        format_func=lambda c: enum_label(c, lg, Centre),
    )  # fmt: skip
    in_centre = [v for v in rooms if v.centre.value == centre]
    chosen = middle.selectbox(
        t("ven.sched.venue", lg), [ALL, *(v.id for v in in_centre)],
        key=f"ven.sched.venue.{centre}.{lg}",
        format_func=lambda i: t("ven.sched.all_venues", lg) if i == ALL else names[i],
    )  # fmt: skip
    view = right.segmented_control(
        t("ven.sched.view", lg), ["day", "week"], key="ven.sched.view", default="day",
        format_func=lambda v: t(f"ven.view.{v}", lg),
    ) or "day"  # fmt: skip
    day = _pick_day(7 if view == "week" else 1)
    shown = in_centre if chosen == ALL else [v for v in in_centre if v.id == chosen]
    first = day - timedelta(days=day.weekday()) if view == "week" else day
    days = [first + timedelta(days=i) for i in range(7 if view == "week" else 1)]
    start = datetime.combine(days[0], time.min)
    window = (start, start + timedelta(days=len(days)))
    with db_session() as session:
        booked = venues.bookings_between(session, [v.id for v in shown], *window)
    marks = holidays_tw.holidays_between(days[0], days[-1], lg)
    scope = enum_label(centre, lg, Centre) if chosen == ALL else names[chosen]
    if view == "week":
        title = t("ven.sched.title_week", lg, scope=scope, start=day_label(days[0], lg),
                  end=day_label(days[-1], lg))  # fmt: skip
    else:
        title = t("ven.sched.title_day", lg, scope=scope, date=marked_day_label(day, lg, marks))
    segments = venues.day_segments(booked, days[0], len(days))
    chart = timeline_chart(
        segments, venue_names={v.id: names[v.id] for v in shown}, days=days, title=title, lang=lg,
        holidays=marks,
    )  # fmt: skip
    # The file name carries the days shown, not the report period.
    stem = file_stem(f"venue_schedule_{view}", Period(days[0], days[-1]))
    show_chart(chart, key="ven.sched.chart", stem=stem)
    st.caption(t("ven.sched.caption", lg))
    if marks and (view == "week" or chosen == ALL):  # a single venue's day says it below
        listed = t("ui.list_sep", lg).join(marked_day_label(d, lg, marks) for d in marks)
        st.info(plain(t("hol.sched.notice", lg, days=listed)), icon=":material/event_busy:")
    _free_line(chosen, names.get(chosen, ""), day, view)
    _window_table(booked, names)
    return (None if chosen == ALL else chosen), day


def open_on(day: date, key: str) -> bool:
    """On a public holiday, say why no slots are offered and offer a checkbox (one per day) to
    show them anyway; True when the day's slots are to be shown."""
    lg = lang()
    notice = venues.holiday_notice(day, lg)
    if notice is None:
        return True
    st.info(plain(notice), icon=":material/event_busy:")
    return st.checkbox(
        t("hol.show_slots", lg), key=f"{key}.{day}", help=t("hol.show_slots_help", lg)
    )


def _free_line(venue_id: int, venue: str, day: date, view: str) -> None:
    lg = lang()
    if view != "day":
        return
    if venue_id == ALL:
        st.caption(t("ven.sched.pick_venue", lg))
        return
    if not open_on(day, "ven.sched.holiday_slots"):
        return
    with db_session() as session:
        free = venues.free_slots(session, venue_id, day, on_holidays=True)
    if free:
        standard = venues.standard_slots(free[0][0].date())
        groups = {
            "ven.sched.free_standard": [s for s in free if s in standard],
            "ven.sched.free_gaps": [s for s in free if s not in standard],
        }
        parts = [t(k, lg, slots="、".join(span(*s) for s in g)) for k, g in groups.items() if g]
        text = t("ven.sched.free", lg, venue=venue, slots="；".join(parts))
        st.success(plain(text), icon=":material/event_available:")
    else:
        st.warning(plain(t("ven.sched.no_free", lg, venue=venue)))


def _window_table(booked: pd.DataFrame, names: dict[int, str]) -> None:
    lg = lang()
    if booked.empty:
        st.info(t("ven.sched.none", lg))
        return
    rows = booked.sort_values(["starts_at", "venue_id"])
    purposes, statuses = enum_options(BookingPurpose, lg), enum_options(BookingStatus, lg)
    frame = pd.DataFrame(
        {
            t("ven.col.when", lg): [
                f"{format_datetime(s, lg)}–{e:%H:%M}" if s.date() == e.date()
                else f"{format_datetime(s, lg)}–{format_datetime(e, lg)}"
                for s, e in zip(rows["starts_at"], rows["ends_at"], strict=True)
            ],
            t("ven.col.venue", lg): rows["venue_id"].map(names).fillna(""),
            t("ven.col.title", lg): rows["title"].fillna(""),
            t("ven.col.organiser", lg): rows["organiser_agency"].fillna(""),
            t("ven.col.purpose", lg): rows["purpose"].map(purposes),
            t("ven.col.attendees", lg): rows["attendees"],
            t("ven.col.status", lg): rows["status"].map(statuses),
        }
    )  # fmt: skip
    st.dataframe(frame, hide_index=True, width="stretch", placeholder="")


# --- charts and table filters ----------------------------------------------------------------


def charts(period: Period) -> None:
    lg = lang()
    with db_session() as session:
        by_kind = monthly.bookings_by_month(session, period)
        by_month = venue_use.purpose_by_month(session, period)
        grid = venue_use.weekday_hours(session, period)
    if by_month.empty:
        st.info(t("ven.chart.none", lg))
        return
    left, right = st.columns(2)
    show_chart(
        monthly_bars(by_kind, BookingKind, title_key="chart.bookings_by_month", lang=lg,
                     period=period),
        key="ven.bookings_by_month", container=left,
    )  # fmt: skip
    chart = events_by_month_chart(by_month, period, lg)
    show_chart(chart, key="ven.events_by_month", container=right)
    left, right = st.columns(2)
    chart = purpose_chart(venue_use.purpose_totals(by_month), period, lg)
    show_chart(chart, key="ven.by_purpose", container=left)
    with right:
        show_chart(heatmap_chart(grid, period, lg), key="ven.heatmap")
        st.caption(t("ven.heatmap.caption", lg))
    _utilisation(period)


def _utilisation(period: Period) -> None:
    """Utilisation per venue: public holidays left out of the hours available unless the
    checkbox is cleared, and the definition that applies."""
    lg = lang()
    key = kept("ven.util.exclude_holidays", True)  # the charts tab is drawn only while shown
    exclude = st.checkbox(t("hol.util.exclude", lg), key=key, help=t("hol.util.exclude_help", lg))
    keep(key, exclude)
    with db_session() as session:
        use = venue_use.utilisation(session, period, exclude_holidays=exclude)
    names = {v.id: venues.venue_label(v, lg) for v in active_venues(active_only=False)}
    labels = [names.get(i, str(i)) for i in use["venue_id"]]
    show_chart(utilisation_chart(use, labels, period, lg), key="ven.utilisation")
    hours = venue_use.available_hours(period, exclude_holidays=exclude)
    if exclude:
        st.caption(t("hol.util.definition", lg, hours=hours, **venue_use.day_counts(period)))
    else:
        st.caption(t("ven.util.definition", lg, days=venue_use.weekdays(period), hours=hours))


def _multiselect(column: Any, label_key: str, options: dict[Any, str], key: str) -> list[Any]:
    return column.multiselect(
        t(label_key, lang()), list(options), format_func=options.get, key=f"{key}.{lang()}",
        placeholder=t("ven.filter.all", lang()),
    )  # fmt: skip


def booking_filters() -> dict[str, list[Any]]:
    """Centre, venue, purpose, kind and status widgets → {column: values} for the bookings."""
    lg = lang()
    rooms = active_venues(active_only=False)
    centres = {c.value: enum_label(c, lg) for c in Centre}
    top = st.columns([2, 3])
    chosen_centres = _multiselect(top[0], "ven.filter.centre", centres, "ven.filter.centre")
    offered = [v for v in rooms if not chosen_centres or v.centre.value in chosen_centres]
    names = {v.id: venues.venue_label(v, lg) for v in offered}
    chosen_venues = _multiselect(top[1], "ven.filter.venue", names, "ven.filter.venue")
    columns = {"purpose": BookingPurpose, "kind": BookingKind, "status": BookingStatus}
    chosen = {
        name: _multiselect(
            column, f"ven.filter.{name}", enum_options(enum, lg), f"ven.filter.{name}"
        )
        for column, (name, enum) in zip(st.columns(3), columns.items(), strict=True)
    }
    return venues.booking_filters(rooms, chosen_centres, chosen_venues, **chosen)


def venue_filters() -> dict[str, list[Any]]:
    """Centre and venue-type widgets → {column: values} for the venue list."""
    lg = lang()
    left, right = st.columns(2)
    centres = _multiselect(left, "ven.filter.centre", enum_options(Centre, lg), "ven.list.centre")
    kinds = _multiselect(
        right, "ven.filter.venue_kind", enum_options(VenueKind, lg), "ven.list.kind"
    )
    return {"centre": centres, "kind": kinds}
