"""The venue page's booking form for section leads: one request per form, written at most once."""

from __future__ import annotations

import secrets
from datetime import date, datetime
from typing import Any

import streamlit as st

from core.editing.links import record_link
from core.editing.pipeline import PermissionDenied, can_edit
from core.editing.validate import row_label
from core.i18n.labels import enum_label, enum_options, messages_in, t, tn
from core.kernel.roc_dates import ROCDateError, format_date, format_datetime, parse_roc
from core.venues import bookings as venues
from core.visitors.receptions import taipei_today
from db.models import BookingKind, BookingPurpose, BookingStatus, VenueKind
from ui import auth
from ui.context import db_session, lang, page_file
from ui.editor import reload_rows
from ui.venues_view import JUMP, active_venues, open_on, span
from ui.widgets import dates_follow_language, plain

# (message, booking id, token of the form drawn after it) of the last save: said above the
# form until the next save.
SAVED = "ven.form.saved"
# The current request's token. Every input of the request and its button are keyed by it, so
# after a save the form is a new, empty one with a new button: a second click, or one the
# browser queued while the save ran, still names the old button and the old values, matches no
# widget of this run and books nothing. (Clearing the inputs' session state is not enough: the
# browser keeps showing, and sends back, the values it holds for a widget id it still knows.)
TOKEN = "ven.form.token"
CUSTOM = "custom"


def _token() -> str:
    if TOKEN not in st.session_state:
        st.session_state[TOKEN] = secrets.token_hex(6)
    return st.session_state[TOKEN]


def _slot_options(slots: list[venues.Slot], day: date) -> dict[str, tuple[str, venues.Slot | None]]:
    """{option: (label, slot)}: the free slots by their time span, then "custom times"."""
    lg = lang()
    standard = venues.standard_slots(day)
    options: dict[str, tuple[str, venues.Slot | None]] = {}
    for slot in slots:
        key = "ven.form.slot_standard" if slot in standard else "ven.form.slot_gap"
        options[span(*slot)] = (t(key, lg, span=span(*slot)), slot)
    options[CUSTOM] = (t("ven.form.slot_custom", lg), None)
    return options


def booking_form(default_venue: int | None, default_day: date) -> None:
    """A new booking for those who may edit bookings: venue, day, one of the day's free slots
    (times adjustable), title, organiser, purpose, kind, attendees, status; saved through the
    edit pipeline (checks, venue rules, audit), its refusals shown as they come."""
    if not can_edit(auth.actor(), "venue_booking"):
        return
    lg = lang()
    rooms = active_venues()
    if not rooms:
        return
    by_id = {v.id: v for v in rooms}
    with st.container(border=True):
        st.subheader(t("ven.form.title", lg))
        if _last_saved():
            _saved(*st.session_state[SAVED][:2])
        st.session_state.setdefault(f"ven.form.venue.{lg}", default_venue or rooms[0].id)
        _follow_schedule(default_venue, default_day)
        dates_follow_language("ven.form.day")
        left, right = st.columns(2)
        options = {
            v.id: t(
                "ven.form.venue_option", lg, venue=venues.venue_label(v, lg), capacity=v.capacity
            )
            for v in rooms
        }
        venue_id = left.selectbox(
            t("ven.form.venue", lg),
            list(options),
            key=f"ven.form.venue.{lg}",
            format_func=options.get,
        )
        try:
            day = parse_roc(right.text_input(t("ven.form.day", lg), key="ven.form.day"))
        except ROCDateError as exc:
            st.error(plain(exc.in_language(lg)))
            return
        _form_fields(by_id[venue_id], day)


def _last_saved() -> bool:
    """True while the form is the one drawn after a save (the notice stays until it is used)."""
    saved = st.session_state.get(SAVED)
    if saved is not None and saved[2] != _token():
        del st.session_state[SAVED]
        return False
    return saved is not None


def _saved(message: str, booking_id: int) -> None:
    """The saved booking, said once, with a link that opens its record card."""
    st.success(plain(message), icon=":material/check_circle:")
    link = record_link("venue_booking", booking_id)
    if link is not None:
        st.page_link(
            page_file(link.page), label=t("ven.form.open_saved", lang(), id=booking_id),
            query_params=link.query_params, icon=":material/open_in_new:",
        )  # fmt: skip


def _follow_schedule(venue_id: int | None, day: date) -> None:
    """Put the schedule's venue (when it shows one) and day in the form when the schedule
    changes to them; the form's own choices stay until then."""
    if st.session_state.get("ven.form.follows") != (venue_id, day):
        st.session_state["ven.form.follows"] = (venue_id, day)
        if venue_id is not None:
            st.session_state[f"ven.form.venue.{lang()}"] = venue_id
        st.session_state["ven.form.day"] = format_date(day, lang())


def _form_fields(venue: venues.VenueInfo, day: date) -> None:
    lg, token = lang(), _token()
    if not open_on(day, "ven.form.holiday_slots"):
        return  # no slots, no submit: a holiday is booked only when asked for
    with db_session() as session:
        slots = venues.free_slots(session, venue.id, day, on_holidays=True)
    if not slots:
        st.warning(t("ven.form.no_slots", lg))
    options = _slot_options(slots, day)
    choice = st.selectbox(
        t("ven.form.slot", lg), list(options), key=f"ven.form.slot.{venue.id}.{day}.{lg}.{token}",
        format_func=lambda o: options[o][0],
    )  # fmt: skip
    slot = options[choice][1] or (venues.at_hour(day, 9), venues.at_hour(day, 10))
    # Times keyed by the slot, so choosing another slot puts its times in the inputs.
    suffix = f"{venue.id}.{day}.{choice}.{token}"
    start_col, end_col = st.columns(2)
    start = start_col.time_input(
        t("ven.form.start", lg), value=slot[0].time(), step=1800, key=f"ven.form.start.{suffix}"
    )
    end = end_col.time_input(
        t("ven.form.end", lg), value=slot[1].time(), step=1800, key=f"ven.form.end.{suffix}"
    )
    title = st.text_input(
        t("ven.form.booking_title", lg), key=f"ven.form.booking_title.{token}", max_chars=200
    )
    organiser = st.text_input(
        t("ven.form.organiser", lg), key=f"ven.form.organiser.{token}", max_chars=60,
        placeholder=t("ven.form.organiser_hint", lg),
    )  # fmt: skip
    meeting_room = venue.kind == VenueKind.MEETING_ROOM
    purposes, kinds = enum_options(BookingPurpose, lg), enum_options(BookingKind, lg)
    statuses = {s.value: enum_label(s, lg) for s in venues.ACTIVE_STATUSES}
    p_col, k_col, a_col, s_col = st.columns(4)
    usual = BookingPurpose.MEETING if meeting_room else BookingPurpose.POLICY
    purpose = p_col.selectbox(
        t("ven.form.purpose", lg), list(purposes), format_func=purposes.get,
        index=list(purposes).index(usual), key=f"ven.form.purpose.{venue.kind.value}.{lg}.{token}",
    )  # fmt: skip
    kind = k_col.selectbox(
        t("ven.form.kind", lg), list(kinds), format_func=kinds.get,
        index=list(kinds).index(BookingKind.MEETING if meeting_room else BookingKind.EVENT),
        key=f"ven.form.kind.{venue.kind.value}.{lg}.{token}",
    )  # fmt: skip
    attendees = a_col.number_input(
        t("ven.form.attendees", lg), min_value=0, value=0, step=1,
        key=f"ven.form.attendees.{token}",
    )  # fmt: skip
    status = s_col.selectbox(
        t("ven.form.status", lg), list(statuses), format_func=statuses.get,
        index=list(statuses).index(BookingStatus.APPROVED), key=f"ven.form.status.{lg}.{token}",
    )  # fmt: skip
    notes = [
        t("ven.form.capacity", lg, venue=venues.venue_label(venue, lg), capacity=venue.capacity)
    ]
    ahead = (day - taipei_today()).days
    if 0 <= ahead < 14:
        notes.append(t("ven.form.notice", lg, days=ahead))
    st.caption(plain("　".join(notes)))  # the venue name as staff typed it
    if st.button(t("ven.form.submit", lg), type="primary", key=f"ven.form.submit.{token}",
                 icon=":material/event_available:"):  # fmt: skip
        if not (title or organiser) and _last_saved():
            return  # the click after a save landed on the new, empty form: the notice stands
        values = dict(
            venue_id=venue.id, starts_at=datetime.combine(day, start),
            ends_at=datetime.combine(day, end), title=title, organiser_agency=organiser,
            purpose=purpose, kind=kind, attendees=int(attendees), status=status,
        )  # fmt: skip
        _submit(venue, values, token)


def _submit(venue: venues.VenueInfo, values: dict[str, Any], token: str) -> None:
    lg = lang()
    # The token is retired BEFORE the write: whatever run comes next, this request is done.
    st.session_state[TOKEN] = fresh = secrets.token_hex(6)
    try:
        with db_session() as session, messages_in(lg):
            result = venues.create_booking(session, values, actor=auth.actor())
    except PermissionDenied as exc:
        st.session_state[TOKEN] = token  # nothing written: the same request, as typed
        st.error(plain(str(exc)))
        return
    if not result.ok:
        st.session_state[TOKEN] = token
        # One booking, not a table: "新增第 1 列" would only confuse.
        row = row_label("new #1", lg)
        messages = [m.removeprefix(row).lstrip("：: ") for m in result.messages()]
        st.error(tn("ven.form.refused", len(messages), lg))
        st.markdown("\n".join(f"- {plain(m)}" for m in messages))
        return
    booking_id = result.inserted_ids[0]
    when = f"{format_datetime(values['starts_at'], lg)}–{values['ends_at']:%H:%M}"
    message = t(
        "ven.form.saved", lg, id=booking_id, venue=venues.venue_label(venue, lg),
        when=when, title=values["title"] or values["organiser_agency"],
    )  # fmt: skip
    st.session_state[SAVED] = (message, booking_id, fresh)
    # Show the new booking: the schedule moves to its venue and day on the next run.
    st.session_state[JUMP] = (venue.centre.value, venue.id, values["starts_at"].date())
    reload_rows("venue_booking")
    st.rerun()
