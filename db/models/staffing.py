"""Staffing: 工級 and 臨時人員 headcount per agency or school, and temp-staff reviews."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field

from db.models.base import MULTILINE, Tracked, enum_type


class UnitType(StrEnum):
    AGENCY = "agency"  # 本府所屬機關
    SCHOOL = "school"  # 學校


class StaffCategory(StrEnum):
    WORKER = "worker"  # 工級人員
    ASSISTANT = "assistant"  # 業務助理
    CONTRACT = "contract"  # 約用人員
    ENGINEER = "engineer"  # 僱用工程員
    OTHER = "other"  # 其他（臨時人員進用要點）


class BudgetSource(StrEnum):
    NONE = "none"  # 不分
    PUBLIC = "public"  # 公務預算
    CENTRAL = "central"  # 中央補助費
    ENGINEERING = "engineering"  # 工程管理費
    FUND = "fund"  # 基金（如醫療藥品基金）
    PROGRAMME = "programme"  # 計畫經費


TEMP_CATEGORIES = (
    StaffCategory.ASSISTANT,
    StaffCategory.CONTRACT,
    StaffCategory.ENGINEER,
    StaffCategory.OTHER,
)


class StaffingSnapshot(Tracked, table=True):
    """Headcount as of one date; the 2010 county-city merger is the baseline."""

    __tablename__ = "staffing_snapshot"
    as_of: date = Field(unique=True, index=True)
    label: str = Field(default="", max_length=60)
    is_baseline: bool = Field(default=False)
    # Not a recorded table: values filled in between recorded ones (the demo's 100–111年).
    # Figures from it are marked 「推估」 wherever they are shown.
    is_estimate: bool = Field(default=False)
    note: str = Field(default="", max_length=1000, schema_extra=MULTILINE)


class StaffingCount(Tracked, table=True):
    """Headcount of one category (and budget source) in one agency or school."""

    __tablename__ = "staffing_count"
    __table_args__ = (sa.UniqueConstraint("snapshot_id", "unit_name", "category", "budget_source"),)
    snapshot_id: int = Field(foreign_key="staffing_snapshot.id", ondelete="CASCADE", index=True)
    unit_name: str = Field(max_length=60)
    unit_type: UnitType = Field(sa_type=enum_type(UnitType))
    category: StaffCategory = Field(sa_type=enum_type(StaffCategory))
    budget_source: BudgetSource = Field(default=BudgetSource.NONE, sa_type=enum_type(BudgetSource))
    headcount: int = Field(ge=0, le=100_000)
    note: str = Field(default="", max_length=200, schema_extra=MULTILINE)


class TempStaffReview(Tracked, table=True):
    """A meeting of the temp-staff review committee: cases heard, people approved."""

    __tablename__ = "temp_staff_review"
    meeting_date: date = Field(index=True)
    cases: int = Field(ge=0, le=1000)
    approved_people: int = Field(ge=0, le=10_000)
    note: str = Field(default="", max_length=500, schema_extra=MULTILINE)
