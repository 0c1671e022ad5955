"""the language each user's pages are shown in

- app_user.language: zh-TW or en, set when the user switches the sidebar's language and used
  at their next sign-in; empty until they first switch (the pages open in zh-TW).

Revision ID: c5d81e2f4a90
Revises: 9a4f1c3e7b25
Create Date: 2026-12-07 22:00:00+08:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (the column type below)
from alembic import op

revision: str = "c5d81e2f4a90"
down_revision: str | Sequence[str] | None = "9a4f1c3e7b25"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("app_user", recreate="never") as batch_op:
        batch_op.add_column(
            sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("app_user", recreate="never") as batch_op:
        batch_op.drop_column("language")
