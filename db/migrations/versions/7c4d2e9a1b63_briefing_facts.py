"""what a briefing may state as fact

- exchange_event.milestone_years: the tie anniversary an event celebrates (締盟40周年紀念展);
  exchange_event.dates_are_estimates: dates placed in the period, not stated by the source.
- gift_item.kind: gift or relief goods (relief is not counted as gifts given).
- reception.abroad: a meeting abroad, not a visitor to Kaohsiung.
- reception_guest: the further members of a delegation, each with a country.
- exchange_event.title_en, venue.name_en, gift_item.name_en, reception(_guest).title_en and
  organisation_en: the English a partner city reads
  (empty where the workspace has none; the Chinese is shown then).
- staffing_snapshot.is_estimate, gift_movement.is_estimate: values made up to fill a history
  (the demo's generated 100–111年 tables, its invented gift quantities), never printed as fact.

Columns are added with ALTER TABLE in place on SQLite (recreate="never"), as in 0eee16a2a7b2:
a batch copy of reception would cascade to its follow-ups and photos.

Revision ID: 7c4d2e9a1b63
Revises: 0eee16a2a7b2
Create Date: 2026-12-07 12:00:00+08:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (the column types below)
from alembic import op

revision: str = "7c4d2e9a1b63"
down_revision: str | Sequence[str] | None = "0eee16a2a7b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FALSE = sa.false()
ENGLISH = (
    ("exchange_event", "title_en", 200),
    ("venue", "name_en", 80),
    ("gift_item", "name_en", 120),
    ("reception", "title_en", 120),
    ("reception", "organisation_en", 200),
)


def upgrade() -> None:
    with op.batch_alter_table("exchange_event", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("milestone_years", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("dates_are_estimates", sa.Boolean(), nullable=False, server_default=FALSE)
        )
    with op.batch_alter_table("gift_item", recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("kind", sa.String(length=24), nullable=False, server_default="gift")
        )
    with op.batch_alter_table("reception", recreate="never") as batch_op:
        batch_op.add_column(sa.Column("abroad", sa.Boolean(), nullable=False, server_default=FALSE))
    for table in ("staffing_snapshot", "gift_movement"):
        with op.batch_alter_table(table, recreate="never") as batch_op:
            batch_op.add_column(
                sa.Column("is_estimate", sa.Boolean(), nullable=False, server_default=FALSE)
            )
    for table, column, length in ENGLISH:
        with op.batch_alter_table(table, recreate="never") as batch_op:
            batch_op.add_column(
                sa.Column(column, sqlmodel.sql.sqltypes.AutoString(length=length),
                          nullable=False, server_default="")
            )  # fmt: skip
    op.create_table(
        "reception_guest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("reception_id", sa.Integer(), nullable=False),
        sa.Column("name_zh", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("name_original", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("title_en", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("organisation", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.Column("organisation_en", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("is_ally", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reception_id"],
            ["reception.id"],
            name=op.f("fk_reception_guest_reception_id_reception"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reception_guest")),
    )
    with op.batch_alter_table("reception_guest") as batch_op:
        batch_op.create_index(batch_op.f("ix_reception_guest_country"), ["country"])
        batch_op.create_index(batch_op.f("ix_reception_guest_reception_id"), ["reception_id"])


def downgrade() -> None:
    op.drop_table("reception_guest")
    for table, column, _length in reversed(ENGLISH):
        with op.batch_alter_table(table, recreate="never") as batch_op:
            batch_op.drop_column(column)
    for table in ("gift_movement", "staffing_snapshot"):
        with op.batch_alter_table(table, recreate="never") as batch_op:
            batch_op.drop_column("is_estimate")
    with op.batch_alter_table("reception", recreate="never") as batch_op:
        batch_op.drop_column("abroad")
    with op.batch_alter_table("gift_item", recreate="never") as batch_op:
        batch_op.drop_column("kind")
    with op.batch_alter_table("exchange_event", recreate="never") as batch_op:
        batch_op.drop_column("dates_are_estimates")
        batch_op.drop_column("milestone_years")
