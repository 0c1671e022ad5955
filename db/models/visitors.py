"""Receptions' follow-up actions and photos (the image files live under data_dir/photos)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field

from db.models.base import MULTILINE, Tracked, utcnow


class ReceptionGuest(Tracked, table=True):
    """A further member of a reception's delegation, with their own country: one delegation of
    nine envoys is one reception with its nine countries, not nine receptions. The reception's
    own row names its leader; a name the source does not give stays empty (shown as unknown)."""

    __tablename__ = "reception_guest"
    reception_id: int = Field(foreign_key="reception.id", ondelete="CASCADE", index=True)
    name_zh: str = Field(default="", max_length=120)
    name_original: str = Field(default="", max_length=160)
    title: str = Field(default="", max_length=120)
    title_en: str = Field(default="", max_length=120)  # for partner cities; empty: not known
    organisation: str = Field(default="", max_length=160)
    organisation_en: str = Field(default="", max_length=200)
    country: str = Field(max_length=40, index=True)
    is_ally: bool = Field(default=False)


class ReceptionFollowUp(Tracked, table=True):
    """Something promised at a reception: who does it, by when, and whether it is done."""

    __tablename__ = "reception_follow_up"
    reception_id: int = Field(foreign_key="reception.id", ondelete="CASCADE", index=True)
    action_item: str = Field(max_length=300)
    owner: str = Field(default="", max_length=60)
    due_date: date | None = Field(default=None, index=True)
    done: bool = Field(default=False)
    done_on: date | None = Field(default=None)
    note: str = Field(default="", max_length=500, schema_extra=MULTILINE)


class ReceptionPhoto(Tracked, table=True):
    """One photo of a reception; the file is stored once per content hash (sha256)."""

    __tablename__ = "reception_photo"
    __table_args__ = (sa.UniqueConstraint("reception_id", "sha256"),)
    reception_id: int = Field(foreign_key="reception.id", ondelete="CASCADE", index=True)
    original_filename: str = Field(max_length=200)
    # What the photo shows, for a briefing's numbered 照片 captions; empty: still to be written.
    caption: str = Field(default="", max_length=200)
    caption_en: str = Field(default="", max_length=300)
    stored_name: str = Field(max_length=80)
    content_type: str = Field(max_length=20)
    byte_size: int = Field(ge=1)
    sha256: str = Field(max_length=64, index=True)
    uploaded_by: str = Field(max_length=60)
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
