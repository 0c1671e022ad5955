"""Who gets a daily digest and what is in it, from the overview's own lists (core.overview.today).

Per section (core.editing.registry's names), on the digest's day D (Asia/Taipei):
- visitors: follow-up actions of receptions not done and overdue (due before D);
- gifts: gifts received whose ethics report is overdue or still due (core.gifts.ethics);
- venues: bookings (requested or approved) running from D + 1 through the next working day,
  per centre (a Friday's digest holds the weekend's and Monday's: nobody reads it on Saturday);
- fleet: trips (cars out) running on those days;
- calendar: tie anniversaries from D through D + ANNIVERSARY_DAYS.
Staffing has nothing that falls due, so it has no part.

A lead gets the parts of the sections they edit; an administrator, who edits every section, gets
every part; a viewer gets none. Nobody gets a digest without an e-mail address, with the digest
turned off on 帳號設定, with the account disabled, or with nothing to report that day.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import select
from sqlmodel import Session

from core.editing import registry
from core.i18n.labels import DEFAULT_LANG, enum_label
from core.kernel.holidays import is_working_day
from core.overview import today as overview
from core.overview.today import Item
from db.models import Centre, User, UserRole

ANNIVERSARY_DAYS = 30


def _visitors(session: Session, day: date, lang: str) -> list[Item]:
    return [i for i in overview.follow_ups_due(session, day, lang) if i.overdue]


def _gifts(session: Session, day: date, lang: str) -> list[Item]:
    # The register holds every gift; one received after the day (a --day in the past) waits
    # for nothing yet.
    return [i for i in overview.gifts_to_report(session, day, lang) if i.day <= day]


# A digest looks ahead at most this far for the next working day (the Lunar New Year's days
# off run to nine).
MAX_AHEAD = 14


def days_ahead(day: date) -> list[date]:
    """The days a digest sent on `day` covers for bookings and cars: from tomorrow through the
    next working day (Taiwan's days off and make-up workdays, core.kernel.holidays)."""
    out = []
    for n in range(1, MAX_AHEAD + 1):
        out.append(day + timedelta(days=n))
        if is_working_day(out[-1]):
            break
    return out


def _once(items: list[Item]) -> list[Item]:
    """Each record once: a booking or trip over several of the days is listed on its first."""
    seen: set[tuple[str, int]] = set()
    out = []
    for item in items:
        key = (item.link.table, item.link.row_id) if item.link else None
        if key is None or key not in seen:
            out.append(item)
            if key is not None:
                seen.add(key)
    return out


def _venues(session: Session, day: date, lang: str) -> list[Item]:
    found = []
    for ahead in days_ahead(day):
        per_centre = overview.bookings_today(session, ahead, lang)
        found += [
            replace(item, detail=f"{enum_label(Centre(centre), lang)} · {item.detail}")
            for centre, items in per_centre.items()
            for item in items
        ]
    return _once(found)


def _fleet(session: Session, day: date, lang: str) -> list[Item]:
    return _once([i for ahead in days_ahead(day) for i in overview.cars_out(session, ahead, lang)])


def _calendar(session: Session, day: date, lang: str) -> list[Item]:
    last = day + timedelta(days=ANNIVERSARY_DAYS)
    return [i for i in overview.anniversaries_ahead(session, day, lang) if i.day <= last]


Builder = Callable[[Session, date, str], list[Item]]
# The sections with a part in the digest (the overview keeps ANNIVERSARY_DAYS ≥ ours).
PARTS: dict[str, Builder] = {
    "calendar": _calendar,
    "visitors": _visitors,
    "gifts": _gifts,
    "venues": _venues,
    "fleet": _fleet,
}


@dataclass(frozen=True)
class Recipient:
    """An account that may get a digest: an address, the digest on, and sections with a part."""

    username: str
    display_name: str
    email: str
    lang: str
    admin: bool
    sections: tuple[str, ...]  # in the order of the bureau's pages


@dataclass(frozen=True)
class Digest:
    recipient: Recipient
    day: date
    parts: tuple[tuple[str, tuple[Item, ...]], ...]  # (section, its items): none empty

    @property
    def count(self) -> int:
        return sum(len(items) for _section, items in self.parts)


def digest_sections(role: str, sections: str) -> tuple[str, ...]:
    """The sections whose parts an account gets: a lead's own, every one for an administrator,
    none for a viewer; in the order of the bureau's pages."""
    if role == UserRole.ADMIN.value:
        wanted = set(PARTS)
    elif role == UserRole.LEAD.value:
        wanted = {s.strip() for s in (sections or "").split(",")} & set(PARTS)
    else:
        wanted = set()
    return tuple(s for s in registry.section_names() if s in wanted)


def recipients(session: Session) -> list[Recipient]:
    """Active accounts with an e-mail address and the digest on whose role has a part, by
    username."""
    found = session.scalars(
        select(User)
        .where(User.active.is_(True), User.daily_digest.is_(True), User.email.is_not(None))
        .order_by(User.username)
    )
    out = []
    for user in found:
        role = UserRole(user.role).value
        sections = digest_sections(role, user.sections)
        email = (user.email or "").strip()
        if email and sections:
            lang = "en" if user.language == "en" else DEFAULT_LANG
            name = " ".join((user.display_name or user.username).split())  # one header line
            admin = role == UserRole.ADMIN.value
            out.append(Recipient(user.username, name, email, lang, admin, sections))
    return out


def build_digests(session: Session, day: date, people: list[Recipient]) -> list[Digest]:
    """The digest of each of these people for `day`, leaving out those with nothing in it.
    Each section's list is read once per language, however many people share it."""
    lists: dict[tuple[str, str], tuple[Item, ...]] = {}
    digests = []
    for person in people:
        parts = []
        for section in person.sections:
            key = (section, person.lang)
            if key not in lists:
                lists[key] = tuple(PARTS[section](session, day, person.lang))
            if lists[key]:
                parts.append((section, lists[key]))
        if parts:
            digests.append(Digest(person, day, tuple(parts)))
    return digests
