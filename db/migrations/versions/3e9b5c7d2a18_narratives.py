"""what a briefing tells of an event or reception in its own words

- reception_photo.caption / caption_en: what the photo shows, numbered 照片 1：… under a
  briefing's narrative item (empty: marked as still to be written, never the file name).
- exchange_event.summary_en, reception.summary_en: the summary in English for partner cities
  (empty: not known; the Chinese is shown then, as for titles).

Columns are added with ALTER TABLE in place on SQLite (recreate="never"), as in 7c4d2e9a1b63.

Revision ID: 3e9b5c7d2a18
Revises: 7c4d2e9a1b63
Create Date: 2026-12-07 15:00:00+08:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (the column types below)
from alembic import op

revision: str = "3e9b5c7d2a18"
down_revision: str | Sequence[str] | None = "7c4d2e9a1b63"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("reception_photo", "caption", 200),
    ("reception_photo", "caption_en", 300),
    ("exchange_event", "summary_en", 3000),
    ("reception", "summary_en", 3000),
)


def upgrade() -> None:
    for table, column, length in COLUMNS:
        with op.batch_alter_table(table, recreate="never") as batch_op:
            batch_op.add_column(
                sa.Column(column, sqlmodel.sql.sqltypes.AutoString(length=length),
                          nullable=False, server_default="")
            )  # fmt: skip


def downgrade() -> None:
    for table, column, _length in reversed(COLUMNS):
        with op.batch_alter_table(table, recreate="never") as batch_op:
            batch_op.drop_column(column)
