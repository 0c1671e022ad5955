"""Register of gifts received, checked against the 公務員廉政倫理規範 reporting duties.

A gift needs a written report (簽報) and notice to the ethics office (政風) when its value is
above the 正常社交禮俗標準 (Settings.gift_social_limit, NT$3,000), or when it comes from a party
with interests, is not 公務禮儀 and is above Settings.gift_interest_limit (NT$500). The report is
due within Settings.gift_report_days (3) calendar days: the day of receipt is not counted, so a
gift received on the 18th is on time when notified on the 21st and late on the 22nd.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import select
from sqlmodel import Session

from core.config import Settings, get_settings
from core.periods import Period
from db.models import GiftReceived


class EthicsStatus(StrEnum):
    NOT_REQUIRED = "not_required"  # no report needed
    PENDING = "pending"  # needed, not yet made, still within the days allowed
    OVERDUE = "overdue"  # needed, not made, the days allowed have passed
    ON_TIME = "on_time"  # made within the days allowed
    LATE = "late"  # made, but after the days allowed


NEEDS_ACTION = (EthicsStatus.OVERDUE, EthicsStatus.PENDING)


def today_taipei(settings: Settings | None = None) -> date:
    return datetime.now(ZoneInfo((settings or get_settings()).timezone)).date()


def needs_report(
    value: int, has_interest: bool, courtesy: bool, settings: Settings | None = None
) -> bool:
    s = settings or get_settings()
    if value > s.gift_social_limit:
        return True
    return has_interest and not courtesy and value > s.gift_interest_limit


def report_due(received_on: date, settings: Settings | None = None) -> date:
    """The last day the report is on time."""
    return received_on + timedelta(days=(settings or get_settings()).gift_report_days)


def ethics_status(
    received_on: date,
    value: int,
    has_interest: bool,
    courtesy: bool,
    notified_on: date | None,
    today: date,
    settings: Settings | None = None,
) -> EthicsStatus:
    if not needs_report(value, has_interest, courtesy, settings):
        return EthicsStatus.NOT_REQUIRED
    due = report_due(received_on, settings)
    if notified_on is not None:
        return EthicsStatus.ON_TIME if notified_on <= due else EthicsStatus.LATE
    return EthicsStatus.PENDING if today <= due else EthicsStatus.OVERDUE


REGISTER_COLUMNS = [
    "id", "received_on", "donor", "presenting_person", "donor_country", "recipient_official",
    "recipient_title", "description", "estimated_value", "occasion", "official_courtesy",
    "donor_has_interest", "disposition", "ethics_notified_on", "location", "group_ref",
]  # fmt: skip


def gift_register(
    session: Session,
    period: Period | None = None,
    today: date | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Every gift received (in the period, if given), oldest first, with its report status."""
    stmt = select(*[getattr(GiftReceived, c) for c in REGISTER_COLUMNS])
    if period is not None:
        stmt = stmt.where(
            GiftReceived.received_on >= period.start, GiftReceived.received_on <= period.end
        )
    stmt = stmt.order_by(GiftReceived.received_on, GiftReceived.id)
    df = pd.DataFrame(session.execute(stmt).all(), columns=REGISTER_COLUMNS)
    day = today or today_taipei(settings)
    df["report_due"] = [
        report_due(r.received_on, settings) if needs_report(
            r.estimated_value, r.donor_has_interest, r.official_courtesy, settings
        ) else None
        for r in df.itertuples()
    ]  # fmt: skip
    df["ethics_status"] = [
        ethics_status(
            r.received_on, r.estimated_value, r.donor_has_interest, r.official_courtesy,
            r.ethics_notified_on, day, settings,
        ).value
        for r in df.itertuples()
    ]  # fmt: skip
    return df


def needs_action(register: pd.DataFrame) -> pd.DataFrame:
    """Gifts whose report is overdue (first) or still to be made."""
    wanted = register[register["ethics_status"].isin([s.value for s in NEEDS_ACTION])]
    order = wanted["ethics_status"].map({s.value: i for i, s in enumerate(NEEDS_ACTION)})
    return wanted.assign(_o=order).sort_values(["_o", "received_on"]).drop(columns="_o")


VALUE_BANDS = ("low", "mid", "high")


def value_band(value: int, settings: Settings | None = None) -> str:
    """low: below the interest limit (<500); mid: up to the social limit; high: above it."""
    s = settings or get_settings()
    if value < s.gift_interest_limit:
        return "low"
    return "mid" if value <= s.gift_social_limit else "high"
