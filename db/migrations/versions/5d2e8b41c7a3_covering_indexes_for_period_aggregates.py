"""covering indexes for the period aggregates of bookings and trips

At city scale (a million bookings) the figures and charts of a period read only index
entries: approved bookings by start time (with end, venue, kind and purpose), and trips by
start time (with type, km and requesting agency); and a venue's last approved booking before
a moment is one index lookup.

Revision ID: 5d2e8b41c7a3
Revises: c3f1a9d27b40
Create Date: 2026-11-27 17:00:00+08:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5d2e8b41c7a3"
down_revision: str | Sequence[str] | None = "c3f1a9d27b40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BOOKING = ["status", "starts_at", "ends_at", "venue_id", "kind", "purpose"]
TRIP = ["starts_at", "trip_type", "km", "requesting_agency"]


def upgrade() -> None:
    op.create_index("ix_venue_booking_status_starts_at", "venue_booking", BOOKING)
    op.create_index(
        "ix_venue_booking_venue_status_starts_at", "venue_booking",
        ["venue_id", "status", "starts_at"],
    )  # fmt: skip
    op.create_index("ix_trip_starts_at_covering", "trip", TRIP)
    # Fresh statistics, so the planner weighs the new indexes against the old ones.
    op.execute("ANALYZE venue_booking")
    op.execute("ANALYZE trip")


def downgrade() -> None:
    op.drop_index("ix_trip_starts_at_covering", table_name="trip")
    op.drop_index("ix_venue_booking_venue_status_starts_at", table_name="venue_booking")
    op.drop_index("ix_venue_booking_status_starts_at", table_name="venue_booking")
