"""Sister-city calendar: anniversaries, a FullCalendar feed, coming-up list, directory, timeline.

Anniversary rules:
- Milestone years are MILESTONE_YEARS (5, 10, … 50, then 60); other years get no entry.
- A tie signed on 29 February has its anniversary on 28 February in non-leap years.
- A tie whose signing date is known only to the month (or year) gets no day-exact anniversary:
  it is shown on the 1st of that month (1 January for year-only ties) with `exact=False`
  and the precision ("month" / "year"), and its title says so.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

import pandas as pd
from sqlalchemy import and_, func, select
from sqlmodel import Session

from core.i18n.labels import in_english
from core.kernel import holidays as holidays_tw
from core.kernel.cache import stamped
from core.kernel.monthly import _frame, month_key
from core.kernel.periods import Period, month_period
from core.kernel.roc_dates import MONTHS_EN, english_date, format_roc, roc_year
from db.models import (
    DatePrecision,
    ExchangeEvent,
    ExchangeEventCity,
    GiftItem,
    GiftMovement,
    GiftReceived,
    PartnerCity,
    Reception,
)

MILESTONE_YEARS: tuple[int, ...] = (5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 60)

COLOURS: dict[str, str] = {"event": "#0b5394", "anniversary": "#cc4125", "inexact": "#e69138"}
# Public holidays: muted grey with dark text, so they read as background to the bureau's entries.
HOLIDAY_COLOUR, HOLIDAY_TEXT = "#d9d9d9", "#434343"


@dataclass(frozen=True)
class Anniversary:
    city_id: int
    city_name: str
    years: int
    day: date
    precision: str  # DatePrecision value
    exact: bool
    city_name_en: str = ""


def signed_text(signed_on: date | None, precision: str, lang: str) -> str:
    """A signing date written only as far as it is known: 86/09/09, 75年9月, 75年 (zh-TW);
    9 September 1997, September 1986, 1986 (English, the partner city's own calendar).

    A date known only to the month or year is stored on its first day; printing that day
    would state a fact the bureau does not know."""
    if signed_on is None:
        return ""
    precision = DatePrecision(precision).value
    if lang == "en":
        if precision == DatePrecision.YEAR:
            return str(signed_on.year)
        if precision == DatePrecision.MONTH:
            return f"{MONTHS_EN[signed_on.month - 1]} {signed_on.year}"
        return english_date(signed_on)
    if precision == DatePrecision.YEAR:
        return f"{roc_year(signed_on)}年"
    if precision == DatePrecision.MONTH:
        return f"{roc_year(signed_on)}年{signed_on.month}月"
    return format_roc(signed_on)


def anniversary_day(signed_on: date, precision: str, year: int) -> date:
    """The day a tie's anniversary is shown in `year` (see the module rules)."""
    if precision != DatePrecision.DAY:
        month = signed_on.month if precision == DatePrecision.MONTH else 1
        return date(year, month, 1)
    if signed_on.month == 2 and signed_on.day == 29:
        try:
            return date(year, 2, 29)
        except ValueError:
            return date(year, 2, 28)
    return signed_on.replace(year=year)


def anniversaries(session: Session, start: date, end: date) -> list[Anniversary]:
    """Milestone anniversaries falling in [start, end] (inclusive), by day then city."""
    found: list[Anniversary] = []
    for city in _cities(session):
        for year in range(start.year, end.year + 1):
            years = year - city.signed_on.year
            if years not in MILESTONE_YEARS:
                continue
            precision = DatePrecision(city.signed_precision).value
            day = anniversary_day(city.signed_on, precision, year)
            if start <= day <= end:
                found.append(
                    Anniversary(
                        city.id,
                        city.name_zh,
                        years,
                        day,
                        precision,
                        precision == "day",
                        city.name_en,
                    )  # fmt: skip
                )
    return sorted(found, key=lambda a: (a.day, a.city_name))


@dataclass(frozen=True)
class Milestone:
    """A tie's milestone a briefing may name for a period: celebrated by exchange events in it
    (`events`, their titles) or falling in it on a known day (`day`; None when only the year or
    month is known and an event celebrated it)."""

    city: PartnerCity
    years: int
    day: date | None
    events: tuple[str, ...]
    first_event_on: date | None = None  # the first celebrating event's start

    @property
    def sort_day(self) -> date:
        return self.day or self.first_event_on or date.max


def milestones(session: Session, start: date, end: date) -> list[Milestone]:
    """The milestones of [start, end] that are true: those exchange events in the period
    celebrate (exchange_event.milestone_years, with the event's cities), and those whose
    anniversary day is known and falls in it. A tie known only to the year (San Antonio 1982)
    gets none from its date alone: 1 January is where the calendar shows it, not when it was.
    A tie known to the month counts when that whole month lies in the period."""
    cities = {c.id: c for c in _cities(session)}
    found: dict[tuple[int, int], Milestone] = {}
    celebrated = session.execute(
        select(
            ExchangeEvent.title,
            ExchangeEvent.milestone_years,
            ExchangeEventCity.city_id,
            ExchangeEvent.start_date,
        )
        .join(ExchangeEventCity, ExchangeEventCity.event_id == ExchangeEvent.id)
        .where(
            ExchangeEvent.milestone_years.is_not(None),
            ExchangeEvent.start_date <= end,
            ExchangeEvent.end_date >= start,
        )
        .order_by(ExchangeEvent.start_date, ExchangeEvent.id)
    ).all()
    for title, years, city_id, started in celebrated:
        key = (city_id, years)
        known = found.get(key)
        if known:
            found[key] = replace(known, events=(*known.events, title))
        else:
            found[key] = Milestone(cities[city_id], years, None, (title,), max(started, start))
    for a in anniversaries(session, start, end):
        if a.precision == DatePrecision.YEAR:
            continue
        if a.precision == DatePrecision.MONTH and not Period(start, end).covers(
            month_period(a.day)
        ):
            continue
        key = (a.city_id, a.years)
        day = a.day if a.exact else None
        known = found.get(key)
        found[key] = (
            replace(known, day=day)
            if known
            else Milestone(cities[a.city_id], a.years, day, (), None if day else a.day)
        )
    return sorted(found.values(), key=lambda m: (m.sort_day, m.city.name_zh))


def _cities(session: Session) -> list[PartnerCity]:
    return list(session.scalars(select(PartnerCity).order_by(PartnerCity.signed_on)))


def _title(ev: ExchangeEvent, english: bool) -> str:
    """The event's English title for English readers, where it has one."""
    return in_english(ev.title, ev.title_en, "en" if english else "zh-TW")


def _events(session: Session, start: date, end: date) -> list[ExchangeEvent]:
    stmt = (
        select(ExchangeEvent)
        .where(ExchangeEvent.start_date <= end, ExchangeEvent.end_date >= start)
        .order_by(ExchangeEvent.start_date, ExchangeEvent.id)
    )
    return list(session.scalars(stmt))


def anniversary_title(
    a: Anniversary, lang_titles: dict[str, str] | None = None, english: bool = False
) -> str:
    """'布里斯本市 締盟25週年' (+ '（僅知月份）'/'（僅知年份）' when not day-exact); in English
    the city's English name with the English words from `lang_titles`."""
    titles = lang_titles or {
        "anniv": "締盟{n}週年",
        "month": "（僅知月份）",
        "year": "（僅知年份）",
    }
    name = a.city_name_en if english and a.city_name_en else a.city_name
    text = f"{name} {titles['anniv'].format(n=a.years)}"
    return text if a.exact else text + titles[a.precision]


def feed_window(period: Period, today: date) -> Period:
    """The whole years the calendar page holds: from the year before the earlier of the
    period's start and today to the year after the later of its end and today, so a month
    paged to outside the sidebar's period (or 今天) is not blank."""
    first = min(period.start, today).year - 1
    last = max(period.end, today).year + 1
    return Period(date(first, 1, 1), date(last, 12, 31))


def calendar_feed(
    session: Session,
    start: date,
    end: date,
    titles: dict[str, str] | None = None,
    english: bool = False,
    holidays: bool = True,
) -> list[dict]:
    """FullCalendar events in [start, end]: exchange events (all-day, end exclusive),
    anniversaries and (unless holidays=False) Taiwan's public holidays."""
    feed: list[dict] = []
    for ev in _events(session, start, end):
        feed.append({
            "id": f"event-{ev.id}",
            "title": _title(ev, english),
            "start": ev.start_date.isoformat(),
            "end": (ev.end_date + timedelta(days=1)).isoformat(),
            "allDay": True,
            "color": COLOURS["event"],
            "extendedProps": {"kind": "event", "event_kind": getattr(ev.kind, "value", ev.kind)},
        })  # fmt: skip
    for a in anniversaries(session, start, end):
        feed.append({
            "id": f"anniv-{a.city_id}-{a.day.year}",
            "title": anniversary_title(a, titles, english),
            "start": a.day.isoformat(),
            "end": (a.day + timedelta(days=1)).isoformat(),
            "allDay": True,
            "color": COLOURS["anniversary" if a.exact else "inexact"],
            "extendedProps": {"kind": "anniversary", "years": a.years, "exact": a.exact},
        })  # fmt: skip
    return feed + (holiday_entries(start, end, english) if holidays else [])


def holiday_entries(start: date, end: date, english: bool = False) -> list[dict]:
    """The public holidays in [start, end] as all-day FullCalendar entries, named in the UI's
    language (core.kernel.holidays)."""
    names = holidays_tw.holidays_between(start, end, "en" if english else "zh-TW")
    return [
        {"id": f"holiday-{day.isoformat()}", "title": name, "start": day.isoformat(),
         "end": (day + timedelta(days=1)).isoformat(), "allDay": True,
         "color": HOLIDAY_COLOUR, "textColor": HOLIDAY_TEXT, "extendedProps": {"kind": "holiday"}}
        for day, name in names.items()
    ]  # fmt: skip


def coming_up(
    session: Session, today: date, titles: dict[str, str] | None = None, english: bool = False
) -> pd.DataFrame:
    """Anniversaries and exchange events from today up to (not incl.) the same day next year."""
    last = anniversary_day(today, "day", today.year + 1) - timedelta(days=1)
    rows = [
        {
            "date": a.day,
            "kind": "anniversary",
            "title": anniversary_title(a, titles, english),
            "ref": a.city_id,
        }  # fmt: skip
        for a in anniversaries(session, today, last)
    ]
    rows += [
        {
            "date": max(ev.start_date, today),
            "kind": "event",
            "title": _title(ev, english),
            "ref": ev.id,
        }  # fmt: skip
        for ev in _events(session, today, last)
    ]
    df = pd.DataFrame(rows, columns=["date", "kind", "title", "ref"])
    return df.sort_values(["date", "kind", "title"], ignore_index=True)


@stamped("partner_city")
def directory(
    session: Session,
    countries: list[str] | None = None,
    regions: list[str] | None = None,
    tie_types: list[str] | None = None,
) -> pd.DataFrame:
    """Partner cities filtered by country, region and tie type (empty/None = all)."""
    stmt = select(PartnerCity).order_by(PartnerCity.signed_on, PartnerCity.id)
    if countries:
        stmt = stmt.where(PartnerCity.country.in_(countries))
    if regions:
        stmt = stmt.where(PartnerCity.region.in_(regions))
    if tie_types:
        stmt = stmt.where(PartnerCity.tie_type.in_(tie_types))
    cols = ["id", "name_zh", "name_en", "country", "region", "tie_type", "signed_on",
            "signed_precision", "latitude", "longitude"]  # fmt: skip
    rows = [{c: getattr(city, c) for c in cols} for city in session.scalars(stmt)]
    df = pd.DataFrame(rows, columns=cols)
    for c in ("tie_type", "signed_precision"):
        df[c] = df[c].map(lambda v: getattr(v, "value", v))
    return df


TIMELINE_TABLES = (
    "exchange_event", "exchange_event_city", "reception", "gift_movement", "gift_item",
    "gift_received",
)  # fmt: skip


@stamped(*TIMELINE_TABLES)
def city_timeline(session: Session, city_id: int, english: bool = False) -> pd.DataFrame:
    """Everything linked to a city, by date: exchange events, receptions, gift movements, gifts.
    In English a reception is titled with the visitor's name in the original script."""
    rows: list[dict] = []
    ev_stmt = (
        select(ExchangeEvent)
        .join(ExchangeEventCity, ExchangeEventCity.event_id == ExchangeEvent.id)
        .where(ExchangeEventCity.city_id == city_id)
    )
    for ev in session.scalars(ev_stmt):
        rows.append(
            {"date": ev.start_date, "kind": "event", "title": _title(ev, english), "ref": ev.id}
        )
    for r in session.scalars(select(Reception).where(Reception.city_id == city_id)):
        name = r.visitor_name_original if english and r.visitor_name_original else None
        title = f"{name or r.visitor_name_zh} {r.title}".strip()
        rows.append({"date": r.visit_date, "kind": "reception", "title": title, "ref": r.id})
    mv_stmt = (
        select(GiftMovement, GiftItem.name)
        .join(GiftItem, GiftItem.id == GiftMovement.item_id)
        .where(GiftMovement.city_id == city_id)
    )
    for mv, name in session.execute(mv_stmt):
        title = f"{name} ×{mv.quantity}"
        rows.append({"date": mv.moved_on, "kind": "gift_movement", "title": title, "ref": mv.id})
    for g in session.scalars(select(GiftReceived).where(GiftReceived.city_id == city_id)):
        rows.append({"date": g.received_on, "kind": "gift_received", "title": g.description,
                     "ref": g.id})  # fmt: skip
    df = pd.DataFrame(rows, columns=["date", "kind", "title", "ref"])
    return df.sort_values(["date", "kind", "ref"], ignore_index=True)


@stamped("exchange_event")
def exchanges_by_month(session: Session, period: Period) -> pd.DataFrame:
    """Exchange events per start month and kind (GROUP BY in SQL)."""
    month = month_key(session, ExchangeEvent.start_date).label("month")
    stmt = (
        select(month, ExchangeEvent.kind, func.count())
        .where(
            and_(ExchangeEvent.start_date >= period.start, ExchangeEvent.start_date <= period.end)
        )
        .group_by(month, ExchangeEvent.kind)
        .order_by(month)
    )
    df = _frame(session.execute(stmt).all(), ["month", "kind", "count"])
    df["kind"] = df["kind"].map(lambda k: getattr(k, "value", k))
    return df


@stamped("partner_city")
def ties_by_country(session: Session) -> pd.DataFrame:
    stmt = (
        select(PartnerCity.country, func.count())
        .group_by(PartnerCity.country)
        .order_by(func.count().desc(), PartnerCity.country)
    )
    return pd.DataFrame(session.execute(stmt).all(), columns=["country", "count"])


@stamped("partner_city")
def ties_by_decade(session: Session) -> pd.DataFrame:
    counts: dict[int, int] = {}
    for signed in session.scalars(select(PartnerCity.signed_on)):
        decade = signed.year // 10 * 10
        counts[decade] = counts.get(decade, 0) + 1
    return pd.DataFrame(sorted(counts.items()), columns=["decade", "count"])
