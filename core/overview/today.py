"""The overview (總覽): what needs the bureau today and in the coming days, from every function.

Every list takes `today` (Asia/Taipei), so it can be shown, and tested, for any day:
- the week ahead: receptions and exchange events from today through today + UPCOMING_DAYS;
- tie anniversaries (core.calendar.ties's milestone rules) through today + ANNIVERSARY_DAYS;
- venue bookings today (requested or approved) per centre, and cars out today;
- follow-up actions not done that are overdue or due within UPCOMING_DAYS;
- gifts received still waiting for their ethics report (core.gifts.ethics), and stock items
  below their threshold (core.gifts.stock).
Each item carries the link to its record (core.editing.links). Headline figures and their monthly
trend come from core.figures.compute, the changes since the user's previous sign-in from the audit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from core.calendar import ties as cal
from core.editing.links import RecordLink, record_link
from core.figures import compute as figures
from core.gifts import ethics as gift_ethics
from core.gifts import stock as gifts
from core.i18n.labels import enum_label, t, tn, unit_words
from core.kernel import holidays as holidays_tw
from core.kernel import local_time
from core.kernel.cache import stamped
from core.kernel.periods import Period
from core.kernel.roc_dates import format_date, format_time
from core.venues import bookings as venues
from db.models import (
    BookingStatus,
    Centre,
    Driver,
    ExchangeEvent,
    PartnerCity,
    Reception,
    ReceptionFollowUp,
    Trip,
    TripType,
    Vehicle,
)

UPCOMING_DAYS = 7
ANNIVERSARY_DAYS = 90


@dataclass(frozen=True)
class Item:
    """One line of the overview: when, what, a detail line, its record, and whether it is late."""

    kind: str
    day: date | None
    title: str
    detail: str
    link: RecordLink | None
    overdue: bool = False


def _hm(moment: datetime) -> str:
    return moment.strftime("%H:%M")


def _span(start: datetime, end: datetime, lang: str) -> str:
    """'09:00–12:00', or with the dates when it runs over more than one day."""
    if start.date() == end.date():
        return f"{_hm(start)}–{_hm(end)}"
    return f"{format_date(start, lang)} {_hm(start)}–{format_date(end, lang)} {_hm(end)}"


def _times(day: date, at: time | None, until: time | None, cities: list[PartnerCity],
           lang: str) -> list[str]:  # fmt: skip
    """The Taipei time (when known) and each partner city's local time (core.kernel.local_time)."""
    lines = []
    if at is not None and not cities:
        lines.append(format_time(at) + (f"–{format_time(until)}" if until else ""))
    lines += [
        local_time.city_line(c, local_time.local_pair(day, at, c.timezone, lang, until=until), lang)
        for c in cities
    ]
    return lines


def week_ahead(session: Session, today: date, lang: str) -> list[Item]:
    """Receptions and exchange events from today through today + UPCOMING_DAYS, by day, with
    their Taipei time and each partner city's local time, and the public holidays among them."""
    last = today + timedelta(days=UPCOMING_DAYS)
    items: list[Item] = []
    receptions = (
        select(Reception, PartnerCity)
        .outerjoin(PartnerCity, PartnerCity.id == Reception.city_id)
        .where(Reception.visit_date.between(today, last))
        .order_by(Reception.visit_date, Reception.id)
    )
    for r, city in session.execute(receptions):
        name = r.visitor_name_original if lang == "en" and r.visitor_name_original else None
        title = f"{name or r.visitor_name_zh} {r.title}".strip()
        parts = [r.organisation, r.country, r.host_official]
        parts += _times(r.visit_date, r.start_time, None, [city] if city else [], lang)
        detail = " · ".join(x for x in parts if x)
        items.append(Item("reception", r.visit_date, title, detail, record_link("reception", r.id)))
    events = list(session.scalars(
        select(ExchangeEvent)
        .where(ExchangeEvent.start_date <= last, ExchangeEvent.end_date >= today)
        .order_by(ExchangeEvent.start_date, ExchangeEvent.id)
    ))  # fmt: skip
    cities = local_time.event_cities(session, [ev.id for ev in events])
    for ev in events:
        parts = [enum_label(ev.kind, lang)]
        if ev.end_date != ev.start_date:
            parts.append(f"{format_date(ev.start_date, lang)}–{format_date(ev.end_date, lang)}")
        day = max(ev.start_date, today)
        if day == ev.start_date:  # under way since earlier: its start time is not today's
            until = ev.end_time if ev.start_date == ev.end_date else None
            parts += _times(ev.start_date, ev.start_time, until, cities[ev.id], lang)
        detail = " · ".join(parts)
        items.append(Item("event", day, ev.title, detail, record_link("exchange_event", ev.id)))
    # Public holidays of the week, for planning (a holiday is nobody's record: no link).
    for day, name in holidays_tw.holidays_between(today, last, lang).items():
        items.append(Item("holiday", day, name, t("ov.holiday", lang), None))
    return sorted(items, key=lambda i: (i.day, i.kind != "holiday", i.kind, i.title))


def anniversaries_ahead(session: Session, today: date, lang: str) -> list[Item]:
    """Milestone anniversaries of ties from today through today + ANNIVERSARY_DAYS."""
    titles = {k: t(f"cal.anniv{s}", lang) for k, s in
              (("anniv", ""), ("month", ".month"), ("year", ".year"))}  # fmt: skip
    found = cal.anniversaries(session, today, today + timedelta(days=ANNIVERSARY_DAYS))
    return [
        Item(
            "anniversary",
            a.day,
            cal.anniversary_title(a, titles, lang == "en"),
            tn("ov.in_days", (a.day - today).days, lang),
            record_link("partner_city", a.city_id),
        )  # fmt: skip
        for a in found
    ]


def bookings_today(session: Session, today: date, lang: str) -> dict[str, list[Item]]:
    """Requested and approved bookings running today, per centre (centre value → items),
    read through core.venues.bookings.bookings_between (two index range reads, cached)."""
    lo = datetime.combine(today, time.min)
    venue_list = venues.list_venues(session, active_only=False)
    by_id = {v.id: v for v in venue_list}
    found = venues.bookings_between(session, list(by_id), lo, lo + timedelta(days=1))
    out: dict[str, list[Item]] = {c.value: [] for c in Centre}
    for b in found.sort_values(["starts_at", "venue_id"]).itertuples():
        venue = by_id[b.venue_id]
        status = (
            ""
            if b.status == BookingStatus.APPROVED
            else f" · {enum_label(b.status, lang, BookingStatus)}"
        )
        title = f"{_span(b.starts_at, b.ends_at, lang)} {venue.name}"
        detail = f"{b.title or b.organiser_agency}{status}"
        link = record_link("venue_booking", b.id)
        out[venue.centre.value].append(Item("booking", today, title, detail, link))
    return out


def cars_out(session: Session, today: date, lang: str) -> list[Item]:
    """Trips running today, by start: those starting today and, per vehicle, the last trip
    started before today if it is still out (a vehicle is in one trip at a time). Two index
    range reads, so it stays quick at millions of trips."""
    lo = datetime.combine(today, time.min)
    hi = lo + timedelta(days=1)
    earlier = aliased(Trip)
    last_before = (
        select(earlier.id)
        .where(earlier.vehicle_id == Vehicle.id, earlier.starts_at < lo)
        .order_by(earlier.starts_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    still_out = select(last_before).select_from(Vehicle)
    base = (
        select(Trip, Vehicle.plate, Vehicle.kind, Driver.name)
        .join(Vehicle, Vehicle.id == Trip.vehicle_id)
        .outerjoin(Driver, Driver.id == Trip.driver_id)
    )
    rows = list(session.execute(base.where(Trip.starts_at >= lo, Trip.starts_at < hi)))
    rows += list(session.execute(base.where(Trip.id.in_(still_out), Trip.ends_at > lo)))
    items = []
    for trip, plate, kind, driver in sorted(rows, key=lambda r: (r[0].starts_at, r[1])):
        loan = trip.trip_type == TripType.LOAN
        title = f"{_span(trip.starts_at, trip.ends_at, lang)} {plate}（{enum_label(kind, lang)}）"
        parts = [trip.destination, trip.requesting_agency, driver or "",
                 t("ov.loan", lang) if loan else ""]  # fmt: skip
        detail = " · ".join(p for p in parts if p)
        items.append(Item("trip", today, title, detail, record_link("trip", trip.id)))
    return items


def follow_ups_due(session: Session, today: date, lang: str) -> list[Item]:
    """Follow-ups not done that are overdue or due through today + UPCOMING_DAYS, oldest first."""
    f = ReceptionFollowUp
    stmt = (
        select(f, Reception.visitor_name_zh, Reception.visitor_name_original)
        .join(Reception, Reception.id == f.reception_id)
        .where(
            f.done.is_(False),
            f.due_date.is_not(None),
            f.due_date <= today + timedelta(days=UPCOMING_DAYS),
        )
        .order_by(f.due_date, f.id)
    )
    items = []
    for fu, name_zh, name_original in session.execute(stmt):
        name = name_original if lang == "en" and name_original else name_zh
        late = fu.due_date < today
        when = (
            tn("ov.days_overdue", (today - fu.due_date).days, lang)
            if late
            else t("ov.due_on", lang, date=format_date(fu.due_date, lang))
        )
        detail = " · ".join(x for x in (name, fu.owner, when) if x)
        link = record_link("reception_follow_up", fu.id)
        items.append(Item("follow_up", fu.due_date, fu.action_item, detail, link, late))
    return items


def gifts_to_report(session: Session, today: date, lang: str) -> list[Item]:
    """Gifts received whose ethics report is overdue or still due (core.gifts.ethics)."""
    register = gift_ethics.gift_register(session, today=today)
    waiting = gift_ethics.needs_action(register)
    wanted = [s.value for s in gift_ethics.NEEDS_ACTION]
    items = []
    for g in waiting[waiting["ethics_status"].isin(wanted)].itertuples():
        late = g.ethics_status == gift_ethics.EthicsStatus.OVERDUE.value
        due = format_date(g.report_due, lang) if g.report_due else ""
        status = t(f"ov.ethics.{g.ethics_status}", lang, due=due)
        detail = " · ".join(
            x for x in (g.recipient_official, g.donor, f"NT${g.estimated_value:,}", status) if x
        )
        link = record_link("gift_received", g.id)
        items.append(Item("gift_report", g.received_on, g.description, detail, link, late))
    return items


def low_stock(session: Session, lang: str) -> list[Item]:
    """Active stock items with fewer on hand than their threshold, fewest first."""
    levels = gifts.stock_levels(session)
    low = levels[levels["low"]].sort_values(["on_hand", "name"])
    return [
        Item(
            "low_stock",
            None,
            row.name,
            t(
                "ov.stock_line",
                lang,
                on_hand=int(row.on_hand),
                threshold=int(row.threshold),
                unit=unit_words(row.unit, lang),
            ),
            record_link("gift_item", row.id),
            bool(row.on_hand <= 0),
        )  # fmt: skip
        for row in low.itertuples()
    ]


# Headline figures on the overview, one tile each with its monthly trend (figures.compute keys).
HEADLINE = (
    "visitors.receptions",
    "exchange.events",
    "gifts.received",
    "venue.events_opened",
    "fleet.total_trips",
    "staffing.grand_total",
)
TREND_MONTHS = 12


def _month_periods(end: date, months: int) -> list[Period]:
    """The `months` calendar months up to and including end's month, oldest first; the last one
    stops at end (a month not over yet is shown as far as it has gone)."""
    first = date(end.year, end.month, 1)
    periods = []
    for _ in range(months):
        last = min(end, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1))
        periods.append(Period(first, last))
        first = (first - timedelta(days=1)).replace(day=1)
    return periods[::-1]


# Every table figures.compute.compute_figures reads: the trend is kept until one of them changes.
FIGURE_TABLES = (
    "venue_booking", "venue", "trip", "reception", "exchange_event", "gift_received",
    "gift_movement", "staffing_snapshot", "staffing_count", "temp_staff_review",
)  # fmt: skip


@stamped(*FIGURE_TABLES)
def headline_trend(session: Session, end: date, months: int = TREND_MONTHS) -> pd.DataFrame:
    """Each HEADLINE figure per month, through end's month: columns month (first day), key, value
    (None where a figure has no value, e.g. no staffing snapshot yet). Every number comes from
    figures.compute.compute_figures for that month, so it matches the pages and the briefing."""
    rows = []
    for period in _month_periods(end, months):
        values = figures.compute_figures(session, period.start, period.end)
        rows += [{"month": period.start, "key": k, "value": values.get(k)} for k in HEADLINE]
    return pd.DataFrame(rows, columns=["month", "key", "value"])
