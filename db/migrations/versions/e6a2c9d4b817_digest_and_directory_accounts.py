"""e-mail digests and directory (OpenID Connect) accounts

- app_user.email: where the daily digest goes (python -m core.notify).
- app_user.daily_digest: the user's own choice on 帳號設定; on unless turned off.
- app_user.directory_subject: the city directory's account (the OpenID Connect `sub`) an
  administrator linked to this account; unique, empty for local sign-in only.
- digest_delivery: one row per user and Taipei day a digest was sent, so a second run of the
  command that day sends nothing twice.

Revision ID: e6a2c9d4b817
Revises: 7d2f9b4e1c60
Create Date: 2026-12-08 05:00:00+08:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (the column types below)
from alembic import op

revision: str = "e6a2c9d4b817"
down_revision: str | Sequence[str] | None = "7d2f9b4e1c60"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("app_user", recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True)
        )
        batch_op.add_column(
            sa.Column("daily_digest", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "directory_subject", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True
            )
        )
    # A unique index rather than a constraint: SQLite adds no constraint to an existing table.
    op.create_index("uq_app_user_directory_subject", "app_user", ["directory_subject"], unique=True)
    op.create_table(
        "digest_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("items", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_delivery")),
        sa.UniqueConstraint("username", "day", name=op.f("uq_digest_delivery_username_day")),
    )
    op.create_index(
        op.f("ix_digest_delivery_username"), "digest_delivery", ["username"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_digest_delivery_username"), table_name="digest_delivery")
    op.drop_table("digest_delivery")
    op.drop_index("uq_app_user_directory_subject", table_name="app_user")
    with op.batch_alter_table("app_user", recreate="never") as batch_op:
        batch_op.drop_column("directory_subject")
        batch_op.drop_column("daily_digest")
        batch_op.drop_column("email")
