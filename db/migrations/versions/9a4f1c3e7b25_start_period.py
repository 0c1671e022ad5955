"""the period each user's pages open on

- app_user.start_period: this_half (the running half-year, the default), report (the last
  council report's period) or last_month (core.kernel.periods.START_PERIODS).

Revision ID: 9a4f1c3e7b25
Revises: 3e9b5c7d2a18
Create Date: 2026-12-07 16:00:00+08:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (the column type below)
from alembic import op

revision: str = "9a4f1c3e7b25"
down_revision: str | Sequence[str] | None = "3e9b5c7d2a18"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("app_user", recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("start_period", sqlmodel.sql.sqltypes.AutoString(length=20),
                      nullable=False, server_default="this_half")
        )  # fmt: skip


def downgrade() -> None:
    with op.batch_alter_table("app_user", recreate="never") as batch_op:
        batch_op.drop_column("start_period")
