"""Register of gifts received, checked against the 公務員廉政倫理規範 reporting duties.

A gift needs a written report (簽報) and notice to the ethics office (政風) when its value is
above the 正常社交禮俗標準 (Settings.gift_social_limit, NT$3,000), when it comes from a party
with interests, is not 公務禮儀 and is above Settings.gift_interest_limit (NT$500), or when it
takes what one source gave one official in the calendar year above
Settings.gift_social_year_limit (NT$10,000). The report is due within Settings.gift_report_days
(3) calendar days: the day of receipt is not counted, so a gift received on the 18th is on time
when reported on the 21st and late on the 22nd. The report counts as made on the earlier of
簽報日期 (report_filed_on) and 知會政風日期 (ethics_notified_on): the written report goes through
政風 either way, and rows registered before 簽報日期 existed carry only the notice date.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import pandas as pd
from sqlalchemy import select
from sqlmodel import Session

from core.kernel.cache import stamped
from core.kernel.config import Settings, get_settings
from core.kernel.periods import Period
from db.models import Disposition, GiftReceived


class EthicsStatus(StrEnum):
    NOT_REQUIRED = "not_required"  # no report needed
    PENDING = "pending"  # needed, not yet made, still within the days allowed
    OVERDUE = "overdue"  # needed, not made, the days allowed have passed
    ON_TIME = "on_time"  # made within the days allowed
    LATE = "late"  # made, but after the days allowed


NEEDS_ACTION = (EthicsStatus.OVERDUE, EthicsStatus.PENDING)


def today_taipei(settings: Settings | None = None) -> date:
    return datetime.now(ZoneInfo((settings or get_settings()).timezone)).date()


class ReportReason(StrEnum):
    SOCIAL = "social"  # above the per-occasion 正常社交禮俗 limit
    INTEREST = "interest"  # from a party with interests, not 公務禮儀, above the interest limit
    YEAR = "year"  # the year's total from the same source to the same official above the limit


def report_reasons(
    value: int,
    has_interest: bool,
    courtesy: bool,
    settings: Settings | None = None,
    year_total: int = 0,
) -> tuple[ReportReason, ...]:
    """Why a gift must be reported (empty: it need not be)."""
    s = settings or get_settings()
    reasons = []
    if value > s.gift_social_limit:
        reasons.append(ReportReason.SOCIAL)
    if has_interest and not courtesy and value > s.gift_interest_limit:
        reasons.append(ReportReason.INTEREST)
    if year_total > s.gift_social_year_limit:
        reasons.append(ReportReason.YEAR)
    return tuple(reasons)


def needs_report(
    value: int,
    has_interest: bool,
    courtesy: bool,
    settings: Settings | None = None,
    year_total: int = 0,
) -> bool:
    return bool(report_reasons(value, has_interest, courtesy, settings, year_total))


def report_due(received_on: date, settings: Settings | None = None) -> date:
    """The last day the report is on time."""
    return received_on + timedelta(days=(settings or get_settings()).gift_report_days)


def _date(value: object) -> date | None:
    return None if value is None or pd.isna(value) else value  # type: ignore[return-value]


def report_made_on(filed_on: date | None, notified_on: date | None) -> date | None:
    """The day the report was made: the earlier of 簽報日期 and 知會政風日期, if either is known."""
    made = [d for d in (_date(filed_on), _date(notified_on)) if d is not None]
    return min(made) if made else None


def ethics_status(
    received_on: date,
    value: int,
    has_interest: bool,
    courtesy: bool,
    notified_on: date | None,
    today: date,
    settings: Settings | None = None,
    *,
    filed_on: date | None = None,
    year_total: int = 0,
) -> EthicsStatus:
    if not needs_report(value, has_interest, courtesy, settings, year_total):
        return EthicsStatus.NOT_REQUIRED
    due = report_due(received_on, settings)
    made = report_made_on(filed_on, notified_on)
    if made is not None:
        return EthicsStatus.ON_TIME if made <= due else EthicsStatus.LATE
    return EthicsStatus.PENDING if today <= due else EthicsStatus.OVERDUE


def source_key(text: str) -> str:
    """A donor or official as the yearly total compares them: NFKC, no spaces, any case
    (日本 熊本縣, 日本熊本縣 and 日本　熊本縣 are one source)."""
    return "".join(unicodedata.normalize("NFKC", text or "").split()).casefold()


def year_totals(gifts: pd.DataFrame) -> pd.Series:
    """For each gift, what the same donor gave the same official in that calendar year, up to
    and including the gift's day (columns donor, recipient_official, received_on,
    estimated_value).

    DOMAIN.md sets the NT$10,000 a year "from one source" per official, so the total is per
    recipient, not for the bureau: two officials each receiving NT$6,000 from one donor are both
    within the limit. Gifts of the same day count together whatever order they were entered in,
    as items presented together are valued together. The year is the calendar year of receipt.
    """
    if gifts.empty:
        return pd.Series([], index=gifts.index, dtype="int64")
    keys = pd.DataFrame(
        {
            "donor": gifts["donor"].map(source_key),
            "official": gifts["recipient_official"].map(source_key),
            "year": gifts["received_on"].map(lambda d: d.year),
            "day": gifts["received_on"],
            "value": gifts["estimated_value"].astype("int64"),
        },
        index=gifts.index,
    )
    daily = keys.groupby(["donor", "official", "year", "day"])["value"].sum()
    running = daily.groupby(level=["donor", "official", "year"]).cumsum()
    index = pd.MultiIndex.from_frame(keys[["donor", "official", "year", "day"]])
    return pd.Series(running.reindex(index).to_numpy(), index=gifts.index, dtype="int64")


REGISTER_COLUMNS = [
    "id", "received_on", "donor", "presenting_person", "donor_country", "recipient_official",
    "recipient_title", "description", "estimated_value", "occasion", "official_courtesy",
    "donor_has_interest", "disposition", "returned_on", "report_filed_on", "ethics_notified_on",
    "location", "group_ref",
]  # fmt: skip


def gift_register(
    session: Session,
    period: Period | None = None,
    today: date | None = None,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """Every gift received (in the period, if given), oldest first, with its flags.

    Besides REGISTER_COLUMNS: year_total (see year_totals), over_year_limit, report_reasons
    (ReportReason values), report_due (None when no report is needed), ethics_status and
    return_pending (退還 without the day it went back).
    """
    # Kept until a gift is saved, the day turns or the limits change (the settings are keyed).
    return _register(session, period, today or today_taipei(settings), settings or get_settings())


@stamped("gift_received")
def _register(
    session: Session, period: Period | None, today: date, settings: Settings
) -> pd.DataFrame:
    stmt = select(*[getattr(GiftReceived, c) for c in REGISTER_COLUMNS])
    if period is not None:
        # Earlier gifts of the period's first year still count towards the yearly totals.
        start = date(period.start.year, 1, 1)
        stmt = stmt.where(GiftReceived.received_on >= start, GiftReceived.received_on <= period.end)
    stmt = stmt.order_by(GiftReceived.received_on, GiftReceived.id)
    df = pd.DataFrame(session.execute(stmt).all(), columns=REGISTER_COLUMNS)
    df = with_flags(df, today, settings)
    if period is not None:
        df = df[df["received_on"] >= period.start].reset_index(drop=True)
    return df


def with_flags(df: pd.DataFrame, today: date, settings: Settings | None = None) -> pd.DataFrame:
    """The register rows with the columns gift_register adds to them."""
    s = settings or get_settings()
    df = df.assign(year_total=year_totals(df))
    df["over_year_limit"] = df["year_total"] > s.gift_social_year_limit
    df["report_reasons"] = [
        tuple(r.value for r in report_reasons(
            x.estimated_value, x.donor_has_interest, x.official_courtesy, s, x.year_total
        ))
        for x in df.itertuples()
    ]  # fmt: skip
    df["report_due"] = [
        report_due(x.received_on, s) if x.report_reasons else None for x in df.itertuples()
    ]
    df["ethics_status"] = [
        ethics_status(
            x.received_on, x.estimated_value, x.donor_has_interest, x.official_courtesy,
            x.ethics_notified_on, today, s, filed_on=x.report_filed_on, year_total=x.year_total,
        ).value
        for x in df.itertuples()
    ]  # fmt: skip
    df["return_pending"] = [
        x.disposition == Disposition.RETURNED and _date(x.returned_on) is None
        for x in df.itertuples()
    ]
    return df


def needs_action(register: pd.DataFrame) -> pd.DataFrame:
    """Gifts waiting for someone: report overdue (first), report still due, then gifts to be
    returned whose return is not recorded yet; oldest first within each."""
    report = register["ethics_status"].isin([s.value for s in NEEDS_ACTION])
    wanted = register[report | register["return_pending"].astype(bool)]
    rank = {s.value: i for i, s in enumerate(NEEDS_ACTION)}
    order = wanted["ethics_status"].map(lambda v: rank.get(v, len(rank)))
    return (
        wanted.assign(_o=order).sort_values(["_o", "received_on"], kind="stable").drop(columns="_o")
    )


VALUE_BANDS = ("low", "mid", "high")


def value_band(value: int, settings: Settings | None = None) -> str:
    """low: below the interest limit (<500); mid: up to the social limit; high: above it."""
    s = settings or get_settings()
    if value < s.gift_interest_limit:
        return "low"
    return "mid" if value <= s.gift_social_limit else "high"
