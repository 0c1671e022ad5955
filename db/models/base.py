"""Shared columns (id, timestamps, version) and helpers for enum-valued columns."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

# Stable names for constraints and indexes so Alembic and both backends agree.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# The marker of a text field whose value may span lines (tab and line breaks allowed): notes,
# summaries, topics, participants. Every other text field is one line (core.editing.validate).
MULTILINE: dict[str, Any] = {"json_schema_extra": {"multiline": True}}


def utcnow() -> datetime:
    return datetime.now(UTC)


def enum_type(enum_cls: type[Enum], length: int = 24) -> sa.Enum:
    """Store an enum as its value in a VARCHAR (no native PostgreSQL ENUM to migrate)."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
    )


class Tracked(SQLModel):
    """Every table: integer id, created/updated timestamps (UTC) and an edit version."""

    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(
        default_factory=utcnow,
        sa_type=sa.DateTime(timezone=True),
        nullable=False,
        sa_column_kwargs={"default": utcnow},
    )
    updated_at: datetime = Field(
        default_factory=utcnow,
        sa_type=sa.DateTime(timezone=True),
        nullable=False,
        sa_column_kwargs={"default": utcnow, "onupdate": utcnow},
    )
    # Bumped on every update; the editor refuses a save whose loaded version is stale.
    version: int = Field(default=1, ge=1, nullable=False, sa_column_kwargs={"default": 1})
