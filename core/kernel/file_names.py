"""Every download's file name in one style: ASCII words joined by _, then the period or day
it covers in ISO form, so files sort by date in any folder and survive any mail system:

    reception_2022-07-01_2023-03-15.xlsx    briefing_2022-07-01_2023-03-15_zh-TW.docx
    fleet_usage_2023-03.xlsx                sister_city_calendar_Da_Nang_2026-01-01_2026-12-31.ics

The words come from a key (a table or chart key, accents folded, anything else a separator);
the UI language shows in the file's contents, not its name.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from core.kernel.periods import Period


def words(text: str) -> str:
    """fleet.trips_by_month -> fleet_trips_by_month; Đà Nẵng -> Da_Nang; 館舍 -> ''."""
    folded = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    ascii_only = folded.encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "_", ascii_only).strip("_")


def file_stem(
    key: str,
    period: Period | None = None,
    as_of: date | None = None,
    *,
    month: date | None = None,
    fallback: str = "export",
) -> str:
    """key's words, then the period (2022-07-01_2023-03-15), the month (2023-03) or the day."""
    stem = words(key) or fallback
    if period is not None and period.start != period.end:
        stem += f"_{period.start.isoformat()}_{period.end.isoformat()}"
    elif period is not None:
        stem += f"_{period.start.isoformat()}"
    elif month is not None:
        stem += f"_{month:%Y-%m}"
    elif as_of is not None:
        stem += f"_{as_of.isoformat()}"
    return stem
