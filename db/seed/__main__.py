"""`python -m db.seed`: load the demo data into the configured, migrated and empty database;
`python -m db.seed --scale N`: add N units of city-scale history (db.seed.scale) on top of it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlmodel import Session

from core.kernel.config import get_settings
from core.kernel.roc_dates import format_roc_period
from db.engine import DatabaseUnavailable, make_engine, normalize_url
from db.seed import TABLES, is_empty, load_demo_data
from db.seed.scale import MAX_N, ScaleRefused, ScaleReport, generate_scale
from db.seed.scale_write import StderrBar, pad

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


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """Usage mistakes in zh-TW, exit status 2 as argparse's own."""
        self.exit(2, f"參數錯誤：{message}（說明：python -m db.seed --help）\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m db.seed",
        description="將示範資料（依112年4月26日業務報告）載入已建立資料表且尚無資料的資料庫。",
    )
    # Read as text and checked in main, so a bad N gets a zh-TW message of our own.
    parser.add_argument(
        "--scale",
        metavar="N",
        help=f"另產生 N 倍規模的十年歷史資料（105–114年，N 為 1 到 {MAX_N:,}；"
        "N=100 約 100 萬筆場地借用）；資料庫為空時先載入示範資料",
    )
    return parser


def _scale_n(text: str) -> int | None:
    """N from --scale, or None when it is not a whole number from 1 to MAX_N."""
    try:
        n = int(text.strip())
    except ValueError:
        return None
    return n if 1 <= n <= MAX_N else None


def _sqlite_file_missing(url: str) -> Path | None:
    """Connecting to SQLite creates the file; refuse first so a missing schema stays untouched."""
    parsed = make_url(normalize_url(url))
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    path = Path(parsed.database)
    return None if parsed.database == ":memory:" or path.exists() else path


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    scale = None if args.scale is None else _scale_n(args.scale)
    if args.scale is not None and scale is None:
        print(
            f"--scale 的 N 必須是 1 到 {MAX_N:,} 的整數（收到「{args.scale}」），未變更資料庫。",
            file=sys.stderr,
        )
        return 2
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
    needed = [t.__tablename__ for t in TABLES] + (["table_stamp"] if scale else [])
    absent = [name for name in needed if name not in tables]
    if absent:
        print(f"資料表尚未建立（{'、'.join(absent)}），請先執行資料庫遷移。", file=sys.stderr)
        return 1
    with Session(engine) as session:
        if scale is not None:
            return _scale(session, scale)
        if not is_empty(session):
            print("資料庫已有資料，為避免覆蓋或重複，未載入示範資料。", file=sys.stderr)
            return 2
        counts = load_demo_data(session)
        session.commit()
    print("已載入示範資料：")
    for table, n in counts.items():
        print(f"  {LABELS.get(table, table)}：{n:,} 筆")
    return 0


def _scale(session: Session, n: int) -> int:
    try:
        report = generate_scale(session, n, progress=lambda t: StderrBar(LABELS.get(t, t)))
    except ScaleRefused as exc:
        print(str(exc), file=sys.stderr)
        return 2
    _print_report(report)
    return 0


def _print_report(report: ScaleReport) -> None:
    if report.demo_rows:
        total = sum(report.demo_rows.values())
        print(f"資料庫原本沒有資料，已先載入示範資料：{total:,} 筆，{report.demo_seconds:.1f} 秒。")
    period = format_roc_period(report.start, report.end)
    print(f"已產生擴充資料 N={report.n}（{period}）：")
    print(f"  {pad('資料表', 16)}{pad('筆數', 12, right=True)}{pad('秒數', 9, right=True)}")
    for r in report.results:
        label = LABELS.get(r.table, r.table)
        print(f"  {pad(label, 16)}{r.rows:>12,}{r.seconds:>9.1f}")
    rows = sum(r.rows for r in report.results)
    print(f"  {pad('合計', 16)}{rows:>12,}{report.seconds:>9.1f}")
    print("（合計秒數含載入示範資料、更新變更戳記及 ANALYZE 統計資訊。）")


if __name__ == "__main__":
    sys.exit(main())
