"""per-vehicle monthly rollup of trips, kept by triggers

vehicle_trip_month: per month of their start and vehicle, the trips, dispatch trips, loans,
km, seconds, the one-day trips' seconds inside the working window (weekdays 08:00–18:00) and
how many trips end on a later day; triggers on trip keep it in step (db/rollups.py); it is
counted from the trips already there. core.fleet.usage.vehicle_usage reads a period's whole
months from it.

Revision ID: 4c6e1a8f3b57
Revises: c5d81e2f4a90
Create Date: 2026-12-07 15:00:00+08:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db import rollups

revision: str = "4c6e1a8f3b57"
down_revision: str | Sequence[str] | None = "c5d81e2f4a90"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLLUP = ("vehicle_trip_month",)


def upgrade() -> None:
    op.create_table(
        "vehicle_trip_month",
        sa.Column("month", sa.DateTime(), nullable=False),
        sa.Column("vehicle_id", sa.Integer(), nullable=False),
        sa.Column("trips", sa.Integer(), nullable=False),
        sa.Column("dispatch", sa.Integer(), nullable=False),
        sa.Column("loans", sa.Integer(), nullable=False),
        sa.Column("km", sa.Float(), nullable=False),
        sa.Column("seconds", sa.BigInteger(), nullable=False),
        sa.Column("working_seconds", sa.BigInteger(), nullable=False),
        sa.Column("multi_day", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("month", "vehicle_id"),
    )
    conn = op.get_bind()
    rollups.rebuild(conn, ROLLUP)
    rollups.create_triggers(conn, ROLLUP)


def downgrade() -> None:
    rollups.drop_triggers(op.get_bind(), ROLLUP)
    op.drop_table("vehicle_trip_month")
