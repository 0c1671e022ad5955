"""What goes into the .ics file (core.calendar.ics): one Entry per exchange event, reception and tie
anniversary in a date range, for all cities or one city; text in the UI language."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session

from core.calendar import ties as cal
from core.i18n.labels import DEFAULT_LANG, enum_label, t
from core.kernel import local_time
from db.models import ExchangeEvent, ExchangeEventCity, PartnerCity, Reception

TAIPEI = ZoneInfo("Asia/Taipei")
UID_DOMAIN = "kcg-bureau-workspace"


@dataclass(frozen=True)
class Entry:
    """One VEVENT: start and end are dates (all-day, end exclusive) or Taipei datetimes."""

    uid: str
    summary: str
    start: date | datetime
    end: date | datetime | None
    stamp: datetime
    sequence: int = 0
    description: str = ""
    location: str = ""
    categories: list[str] = field(default_factory=list)
    busy: bool = True

    @property
    def kind(self) -> str:
        """exchange_event, reception or anniversary (the UID's first part)."""
        return self.uid.split("-", 1)[0]


def uid(table: str, *key: object) -> str:
    """exchange_event-12@kcg-bureau-workspace: the same record always gets the same UID."""
    return f"{table}-{'-'.join(str(k) for k in key)}@{UID_DOMAIN}"


def next_twelve_months(today: date) -> tuple[date, date]:
    """From today up to (not incl.) the same day next year, as the coming-up list counts."""
    return today, cal.anniversary_day(today, "day", today.year + 1) - timedelta(days=1)


def _stamp(moment: datetime | None) -> datetime:
    """A record's last change in UTC (SQLite gives UTC back without a zone)."""
    moment = moment or datetime(2000, 1, 1, tzinfo=UTC)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _at(day: date, at: time) -> datetime:
    return datetime.combine(day, at, TAIPEI)


def _event_span(ev: ExchangeEvent) -> tuple[date | datetime, date | datetime | None]:
    after = ev.end_date + timedelta(days=1)
    if ev.start_time is None:
        return ev.start_date, after
    if ev.end_time is not None:
        return _at(ev.start_date, ev.start_time), _at(ev.end_date, ev.end_time)
    end = _at(after, time(0)) if ev.end_date > ev.start_date else None
    return _at(ev.start_date, ev.start_time), end


def _lines(*parts: str) -> str:
    return "\n".join(p for p in parts if p)


def _events(session: Session, start: date, end: date, city_id: int | None) -> list[ExchangeEvent]:
    stmt = select(ExchangeEvent).where(
        ExchangeEvent.start_date <= end, ExchangeEvent.end_date >= start
    )
    if city_id is not None:
        linked = select(ExchangeEventCity.event_id).where(ExchangeEventCity.city_id == city_id)
        stmt = stmt.where(ExchangeEvent.id.in_(linked))
    return list(session.scalars(stmt.order_by(ExchangeEvent.start_date, ExchangeEvent.id)))


def event_entries(
    session: Session, start: date, end: date, city_id: int | None, lang: str
) -> list[Entry]:
    """Exchange events overlapping [start, end], with their cities' local times."""
    events = _events(session, start, end, city_id)
    cities = local_time.event_cities(session, [ev.id for ev in events])
    found = []
    for ev in events:
        linked = cities.get(ev.id, [])
        names = "、".join(local_time.city_name(c, lang) for c in linked)
        # Local times only for a timed event: offsets alone would be noise in an all-day entry.
        timed = linked if ev.start_time is not None else []
        local = [local_time.city_line(c, local_time.event_times(ev, c, lang), lang) for c in timed]
        description = _lines(
            t("ics.desc.kind", lang, value=enum_label(ev.kind, lang)),
            t("ics.desc.cities", lang, value=names) if names else "",
            t("ics.desc.participants", lang, value=ev.participants) if ev.participants else "",
            ev.summary,
            _lines(t("ics.desc.local", lang), *local) if local else "",
        )
        begin, finish = _event_span(ev)
        found.append(Entry(
            uid("exchange_event", ev.id), ev.title, begin, finish, _stamp(ev.updated_at),
            ev.version - 1, description, ev.location, [enum_label(ev.kind, lang)],
        ))  # fmt: skip
    return found


def _reception_summary(r: Reception, lang: str) -> str:
    english = lang == "en" and r.visitor_name_original
    name = r.visitor_name_original if english else r.visitor_name_zh
    who = " ".join(p for p in (name, r.title) if p)
    return t("ics.reception.summary", lang, name=who, organisation=r.organisation or r.country)


def _reception_description(r: Reception, city: PartnerCity | None, lang: str) -> str:
    category, mode = enum_label(r.category, lang), enum_label(r.mode, lang)
    local = ""
    if city is not None:
        pair = local_time.local_pair(r.visit_date, r.start_time, city.timezone, lang)
        local = local_time.city_line(city, pair, lang)
    return _lines(
        " ".join(p for p in (r.visitor_name_zh, r.visitor_name_original) if p),
        " ".join(p for p in (r.organisation, r.title, r.country) if p),
        t("ics.desc.category", lang, value=category, mode=mode),
        t("ics.desc.host", lang, value=r.host_official) if r.host_official else "",
        t("ics.desc.topics", lang, value=r.topics) if r.topics else "",
        t("ics.desc.estimate", lang) if r.date_is_estimate else "",
        r.summary,
        local,
    )


def reception_entries(
    session: Session, start: date, end: date, city_id: int | None, lang: str
) -> list[Entry]:
    """Receptions whose date is in [start, end]; with a time of day they are timed."""
    stmt = select(Reception, PartnerCity).outerjoin(
        PartnerCity, PartnerCity.id == Reception.city_id
    )
    stmt = stmt.where(Reception.visit_date >= start, Reception.visit_date <= end)
    if city_id is not None:
        stmt = stmt.where(Reception.city_id == city_id)
    found = []
    for r, city in session.execute(stmt.order_by(Reception.visit_date, Reception.id)):
        begin = r.visit_date if r.start_time is None else _at(r.visit_date, r.start_time)
        finish = r.visit_date + timedelta(days=1) if r.start_time is None else None
        found.append(Entry(
            uid("reception", r.id), _reception_summary(r, lang), begin, finish,
            _stamp(r.updated_at), r.version - 1, _reception_description(r, city, lang),
            categories=[t("cal.kind.reception", lang)],
        ))  # fmt: skip
    return found


def _anniversary_description(city: PartnerCity, day: date, lang: str) -> str:
    signed = cal.signed_text(city.signed_on, city.signed_precision, lang)
    offset = local_time.local_pair(day, None, city.timezone, lang)
    return _lines(
        t("ics.desc.tie", lang, value=enum_label(city.tie_type, lang)),
        t("ics.desc.signed", lang, value=signed),
        local_time.city_line(city, offset, lang),
    )


def anniversary_entries(
    session: Session, start: date, end: date, city_id: int | None, lang: str
) -> list[Entry]:
    """Milestone anniversaries in [start, end] (calendar.ties's rules), all-day and free time."""
    titles = {"anniv": t("cal.anniv", lang), "month": t("cal.anniv.month", lang),
              "year": t("cal.anniv.year", lang)}  # fmt: skip
    found = []
    for a in cal.anniversaries(session, start, end):
        if city_id is not None and a.city_id != city_id:
            continue
        city = session.get(PartnerCity, a.city_id)
        title = cal.anniversary_title(a, titles, lang == "en")
        found.append(Entry(
            uid("anniversary", a.city_id, a.day.year), title, a.day, a.day + timedelta(days=1),
            _stamp(city.updated_at), 0, _anniversary_description(city, a.day, lang),
            categories=[t("cal.kind.anniversary", lang)], busy=False,
        ))  # fmt: skip
    return found


def entries(
    session: Session, start: date, end: date, *, city_id: int | None = None,
    lang: str = DEFAULT_LANG,
) -> list[Entry]:  # fmt: skip
    """Every entry of the file: events, receptions and anniversaries in [start, end]."""
    return (
        event_entries(session, start, end, city_id, lang)
        + reception_entries(session, start, end, city_id, lang)
        + anniversary_entries(session, start, end, city_id, lang)
    )
