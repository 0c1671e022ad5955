"""no overlapping bookings or trips (PostgreSQL exclusion constraints)

Two active bookings of one venue, or two trips of one vehicle or one driver, may not share
a moment: [starts_at, ends_at) ranges compared with && (touching ends do not overlap).
core.venues.rules / core.fleet.rules check the same in every save on every backend and name
the clashing row; these constraints back them up against saves racing from another server.
SQLite has no exclusion constraints; there a save holds the write lock while it checks.

Revision ID: c3f1a9d27b40
Revises: a760963b6fdc
Create Date: 2026-11-27 11:40:00+08:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c3f1a9d27b40"
down_revision: str | Sequence[str] | None = "a760963b6fdc"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The statuses whose bookings hold their slot (core.venues.rules.ACTIVE).
_ACTIVE = "status IN ('requested', 'approved')"
CONSTRAINTS = {
    "venue_booking_no_overlap": (
        "venue_booking",
        f"EXCLUDE USING gist (venue_id WITH =, tsrange(starts_at, ends_at, '[)') WITH &&) "
        f"WHERE ({_ACTIVE})",
    ),
    "trip_vehicle_no_overlap": (
        "trip",
        "EXCLUDE USING gist (vehicle_id WITH =, tsrange(starts_at, ends_at, '[)') WITH &&)",
    ),
    "trip_driver_no_overlap": (
        "trip",
        "EXCLUDE USING gist (driver_id WITH =, tsrange(starts_at, ends_at, '[)') WITH &&) "
        "WHERE (driver_id IS NOT NULL)",
    ),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    # btree_gist gives integer columns the gist "=" the constraints need; it is a trusted
    # extension (PostgreSQL 13+), so the database owner may create it. Kept in public so a
    # deployment schema dropped later does not take it along.
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public")
    for name, (table, definition) in CONSTRAINTS.items():
        op.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, (table, _) in CONSTRAINTS.items():
        op.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {name}")
