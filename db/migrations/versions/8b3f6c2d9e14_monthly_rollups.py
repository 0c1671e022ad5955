"""monthly rollups of bookings and trips, kept by triggers

calendar_month (1900–2200), venue_booking_month (approved bookings starting in a month and
their seconds falling in it, per venue and kind) and trip_month (trips and km per month of
their start and type); triggers on venue_booking and trip keep them in step; both are counted
from the rows already there.

Revision ID: 8b3f6c2d9e14
Revises: 5d2e8b41c7a3
Create Date: 2026-11-27 19:00:00+08:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db import rollups

revision: str = "8b3f6c2d9e14"
down_revision: str | Sequence[str] | None = "5d2e8b41c7a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KIND = sa.Enum("event", "meeting", name="bookingkind", native_enum=False,
               create_constraint=False, length=24)  # fmt: skip
TRIP_TYPE = sa.Enum("dispatch", "loan", name="triptype", native_enum=False,
                    create_constraint=False, length=24)  # fmt: skip


def upgrade() -> None:
    op.create_table(
        "calendar_month",
        sa.Column("month", sa.DateTime(), nullable=False),
        sa.Column("next_month", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("month"),
        sa.UniqueConstraint("next_month"),
    )
    op.create_table(
        "venue_booking_month",
        sa.Column("month", sa.DateTime(), nullable=False),
        sa.Column("venue_id", sa.Integer(), nullable=False),
        sa.Column("kind", KIND, nullable=False),
        sa.Column("bookings", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("month", "venue_id", "kind"),
    )
    op.create_table(
        "trip_month",
        sa.Column("month", sa.DateTime(), nullable=False),
        sa.Column("trip_type", TRIP_TYPE, nullable=False),
        sa.Column("trips", sa.Integer(), nullable=False),
        sa.Column("km", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("month", "trip_type"),
    )
    conn = op.get_bind()
    rollups.fill_calendar(conn)
    # Only the rollups of this revision: later revisions make (and drop) their own.
    rollups.rebuild(conn, rollups.FIRST)
    rollups.create_triggers(conn, rollups.FIRST)


def downgrade() -> None:
    rollups.drop_triggers(op.get_bind(), rollups.FIRST)
    op.drop_table("trip_month")
    op.drop_table("venue_booking_month")
    op.drop_table("calendar_month")
