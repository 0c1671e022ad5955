"""The staffing tables, declared once (core.editing.registry): snapshots, their counts, and the
temp-staff review meetings."""

from __future__ import annotations

from core.editing.registry import Section
from core.editing.tables import TableSpec
from core.staffing.rules import count_source_errors, snapshot_baseline_errors
from db import models as m

SECTION = Section(
    "staffing", page="pages/staffing_table.py", title="page.staffing", icon=":material/groups:",
    group="nav.administration",
)  # fmt: skip

TABLES = (
    SECTION.table(
        TableSpec(m.StaffingSnapshot, "as_of", ("-as_of",), ("label", "note")),
        rules=[snapshot_baseline_errors],
        search=None,
        own_chart=True,  # the trend over all snapshots
    ),
    SECTION.table(
        TableSpec(
            m.StaffingCount,
            None,
            ("unit_type", "unit_name", "category", "budget_source"),
            ("unit_name", "note"),
            {"snapshot_id": (m.StaffingSnapshot, "label")},
        ),
        rules=[count_source_errors],
        search=None,
    ),
    SECTION.table(
        TableSpec(m.TempStaffReview, "meeting_date", ("-meeting_date",), ("note",)),
        rules=[],
        search=None,
    ),
)
