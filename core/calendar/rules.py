"""Business rules of partner cities and exchange events, run on every save (editor and import).

Partner cities: the time zone is an IANA name zoneinfo knows (Asia/Tokyo, America/Chicago),
since every local time shown for the city is computed from it.
Exchange events: times of day are Asia/Taipei wall time; an end time needs a start time, and on
a one-day event it must be after the start time (on a longer event the end time is on the last
day, so any time of day is fine). The anniversary an event celebrates is one the bureau marks
(core.calendar.ties.MILESTONE_YEARS: 5, 10 … 50, 60).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from core.calendar.ties import MILESTONE_YEARS
from core.editing.validate import Batch, RowError, row_label
from core.i18n.labels import t
from core.kernel.local_time import is_valid_zone
from core.kernel.roc_dates import format_time


def _changed_rows(batch: Batch) -> list[tuple[int | str, dict[str, Any]]]:
    return [(pos, row) for pos, (_id, row) in batch.edited.items()] + list(batch.added)


def timezone_errors(_session: Session, batch: Batch) -> list[RowError]:
    """Each added or edited city whose time zone is not an IANA zone name."""
    errors = []
    for pos, row in _changed_rows(batch):
        zone = row.get("timezone") or ""
        if not is_valid_zone(zone):
            text = t("rule.city.bad_timezone", row=row_label(pos), field=t("col.timezone"),
                     value=zone)  # fmt: skip
            errors.append(RowError(pos, "timezone", text))
    return errors


def event_time_errors(_session: Session, batch: Batch) -> list[RowError]:
    """Each added or edited event whose end time has no start time, or (one day) is not after it."""
    errors = []
    for pos, row in _changed_rows(batch):
        start, end = row.get("start_time"), row.get("end_time")
        names = dict(row=row_label(pos), start=t("col.start_time"), end=t("col.end_time"))
        if end is not None and start is None:
            errors.append(RowError(pos, "end_time", t("rule.event.end_time_alone", **names)))
        elif end is not None and row["start_date"] == row["end_date"] and end <= start:
            text = t("rule.event.end_time_not_after", start_value=format_time(start),
                     end_value=format_time(end), **names)  # fmt: skip
            errors.append(RowError(pos, "end_time", text))
    return errors


def milestone_errors(_session: Session, batch: Batch) -> list[RowError]:
    """Each added or edited event celebrating an anniversary that is not a marked milestone."""
    errors = []
    for pos, row in _changed_rows(batch):
        years = row.get("milestone_years")
        if years is not None and years not in MILESTONE_YEARS:
            text = t("rule.event.not_a_milestone", row=row_label(pos), value=years,
                     field=t("col.milestone_years"),
                     choices="、".join(str(y) for y in MILESTONE_YEARS))  # fmt: skip
            errors.append(RowError(pos, "milestone_years", text))
    return errors
