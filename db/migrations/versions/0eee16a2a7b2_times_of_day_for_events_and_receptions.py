"""times of day for exchange events and receptions

exchange_event.start_time / end_time and reception.start_time: Asia/Taipei wall time, all
nullable (the rows already there have no known time and stay all-day).

On SQLite the columns are added and dropped with ALTER TABLE in place (recreate="never"): a
batch copy would drop the reception table, and with foreign keys on, that delete would cascade
to its follow-ups and photos and unlink its gift records.

Revision ID: 0eee16a2a7b2
Revises: 8b3f6c2d9e14
Create Date: 2026-11-28 01:00:00+08:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0eee16a2a7b2"
down_revision: str | Sequence[str] | None = "8b3f6c2d9e14"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = {"exchange_event": ("start_time", "end_time"), "reception": ("start_time",)}


def upgrade() -> None:
    for table, names in COLUMNS.items():
        with op.batch_alter_table(table, schema=None, recreate="never") as batch_op:
            for name in names:
                batch_op.add_column(sa.Column(name, sa.Time(), nullable=True))


def downgrade() -> None:
    for table, names in COLUMNS.items():
        with op.batch_alter_table(table, schema=None, recreate="never") as batch_op:
            for name in reversed(names):
                batch_op.drop_column(name)
