"""`python -m db.seed`: load the demo data into the configured, migrated and empty database."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlmodel import Session

from core.config import get_settings
from db.engine import DatabaseUnavailable, make_engine, normalize_url
from db.seed import TABLES, is_empty, load_demo_data

LABELS = {
    "partner_city": "姊妹市及友好城市",
    "exchange_event": "交流活動",
    "exchange_event_city": "活動與城市關聯",
    "reception": "外賓接待",
    "gift_item": "禮品品項",
    "gift_movement": "禮品進出紀錄",
    "gift_received": "受贈禮品登錄",
    "venue": "場地",
    "venue_booking": "場地借用",
    "vehicle": "公務車輛",
    "driver": "駕駛",
    "trip": "派車紀錄",
    "staffing_snapshot": "員額統計時點",
    "staffing_count": "員額統計明細",
    "temp_staff_review": "臨時人員審查會議",
}


def _parser() -> argparse.ArgumentParser:
    # Room for a later --scale N (more generated history) without changing the call.
    return argparse.ArgumentParser(
        prog="python -m db.seed",
        description="將示範資料（依112年4月26日業務報告）載入已建立資料表且尚無資料的資料庫。",
    )


def _sqlite_file_missing(url: str) -> Path | None:
    """Connecting to SQLite creates the file; refuse first so a missing schema stays untouched."""
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    path = Path(parsed.database)
    return None if parsed.database == ":memory:" or path.exists() else path


def main(argv: list[str] | None = None) -> int:
    _parser().parse_args(argv)
    url = get_settings().url
    try:
        missing = _sqlite_file_missing(url)
        if missing is not None:
            print(f"找不到資料庫檔案 {missing}，請先執行資料庫遷移建立資料表。", file=sys.stderr)
            return 1
        engine = make_engine(url)
        tables = set(sa.inspect(engine).get_table_names())
    except (DatabaseUnavailable, sa.exc.SQLAlchemyError) as exc:
        print(f"無法連線至資料庫：{exc}", file=sys.stderr)
        return 1
    absent = [t.__tablename__ for t in TABLES if t.__tablename__ not in tables]
    if absent:
        print(f"資料表尚未建立（{'、'.join(absent)}），請先執行資料庫遷移。", file=sys.stderr)
        return 1
    with Session(engine) as session:
        if not is_empty(session):
            print("資料庫已有資料，為避免覆蓋或重複，未載入示範資料。", file=sys.stderr)
            return 2
        counts = load_demo_data(session)
        session.commit()
    print("已載入示範資料：")
    for table, n in counts.items():
        print(f"  {LABELS.get(table, table)}：{n:,} 筆")
    return 0


if __name__ == "__main__":
    sys.exit(main())
