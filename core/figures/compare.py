"""This period beside the last: every headline figure with the previous period's, the change
and the change in percent (本期／上期／增減／%).

The previous period is by default the one just before, of the same length (111/7/1–112/3/15,
258 days, is compared with 110/10/16–111/6/30); any other can be chosen. Staffing is a count at
a date: its figures are those of the latest table on or before each period's end. A figure is
marked as an estimate when either period's value rests on one (interpolated staffing tables,
estimated gift quantities), so no change is read as fact that is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from core.kernel.periods import Period

# The figures compared, per briefing section, in the order the sections print them.
COMPARED: dict[str, tuple[str, ...]] = {
    "calendar": ("exchange.events", "exchange.other_events"),
    "visitors": ("visitors.receptions", "visitors.video", "visitors.allies", "visitors.abroad"),
    "gifts": ("gifts.given_out", "gifts.received", "gifts.report_required", "gifts.relief_out"),
    "venues": ("venue.events_opened", "venue.meeting_bookings", "venue.booked_hours"),
    "fleet": ("fleet.dispatch_trips", "fleet.loan_trips", "fleet.total_trips", "fleet.km"),
    "staffing": (
        "staffing.worker_total",
        "staffing.temp_total",
        "staffing.grand_total",
        "staffing.review_meetings",
        "staffing.review_cases",
        "staffing.review_approved",
    ),
}
# Which figures rest on an estimate when the period's figures say so.
ESTIMATED_BY: dict[str, str] = {
    "gifts.given_out": "gifts.given_out_estimated",
    "staffing.worker_total": "staffing.is_estimate",
    "staffing.temp_total": "staffing.is_estimate",
    "staffing.grand_total": "staffing.is_estimate",
}


def previous_period(current: Period) -> Period:
    """The period of the same length that ends the day before this one starts."""
    days = (current.end - current.start).days
    end = current.start - timedelta(days=1)
    return Period(end - timedelta(days=days), end)


@dataclass(frozen=True)
class Change:
    key: str
    now: float | None
    before: float | None
    estimated: bool  # either value rests on an estimate

    @property
    def difference(self) -> float | None:
        if self.now is None or self.before is None:
            return None
        return round(self.now - self.before, 1)

    @property
    def percent(self) -> float | None:
        """The change in percent of the previous value; None when that is 0 or unknown."""
        if self.difference is None or not self.before:
            return None
        return round(self.difference / self.before * 100, 2)


def changes(
    now: dict[str, Any], before: dict[str, Any], sections: tuple[str, ...]
) -> dict[str, list[Change]]:
    """Per section, its compared figures with both values (None where a period has none)."""
    out: dict[str, list[Change]] = {}
    for section in sections:
        rows = []
        for key in COMPARED.get(section, ()):
            flag = ESTIMATED_BY.get(key)
            estimated = bool(flag and (now.get(flag) or before.get(flag)))
            rows.append(Change(key, now.get(key), before.get(key), estimated))
        out[section] = rows
    return out
