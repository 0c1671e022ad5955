"""Command line for scheduled briefings:

    python -m core.briefing --start 2022-07-01 --end 2023-03-15 --format docx --out report.docx
    (--format pptx | pdf, --lang en, --sections fleet,staffing, --items fleet.by_month,…,
    --previous 110/07/01 111/03/15 to compare with a chosen period, --no-compare for none,
    --layout council for the council book's sections with slots to write in)

Dates in any form core.kernel.roc_dates reads (2022-07-01, 111/07/01, 111年7月1日). Exit status 0 on
success, 2 on bad arguments or an unreachable database; messages in zh-TW.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from core.figures.cli import _date, _Parser
from core.i18n.labels import t


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def run(argv: list[str] | None = None) -> int:
    from core.briefing.build import (
        ALL_OPTIONS,
        FORMATS,
        LAYOUTS,
        SECTIONS,
        BriefingRequest,
        default_items,
    )

    parser = _Parser(prog="python -m core.briefing", description=t("brief.cli.description"))
    parser.add_argument(
        "--start", required=True, type=_date, help="起日，如 2022-07-01 或 111/07/01"
    )
    parser.add_argument("--end", required=True, type=_date, help="迄日，如 2023-03-15 或 112/03/15")
    parser.add_argument("--format", required=True, choices=FORMATS, help="檔案格式")
    parser.add_argument("--out", required=True, type=Path, help="輸出檔案路徑")
    parser.add_argument(
        "--lang", default="zh-TW", choices=("zh-TW", "en"), help="語言（預設 zh-TW）"
    )
    parser.add_argument(
        "--sections",
        type=_names,
        default=list(SECTIONS),
        help=f"業務，以逗號分隔（預設全部：{','.join(SECTIONS)}）",
    )
    parser.add_argument(
        "--items",
        type=_names,
        default=None,
        help=f"圖表，以逗號分隔（預設為各業務的預設圖表；可用：{','.join(ALL_OPTIONS)}）",
    )
    parser.add_argument(
        "--previous", nargs=2, type=_date, metavar=("起日", "迄日"), default=None,
        help="比較的上期起訖日（預設為本期之前、長度相同的期間）",
    )  # fmt: skip
    parser.add_argument("--no-compare", action="store_true", help="不列上期比較")
    parser.add_argument(
        "--layout", default="functions", choices=LAYOUTS,
        help="版面：functions 依業務分節（預設）、council 議會業務報告格式（含待填寫欄位）",
    )  # fmt: skip
    parser.add_argument(
        "--narrative", action="append", default=[], metavar="種類:編號",
        help="以標題與摘要呈現的紀錄，可重複：event:12（交流活動）、reception:7（外賓接待，附照片）",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.end < args.start:
        parser.error(t("ui.period_error"))
    if args.previous and args.previous[1] < args.previous[0]:
        parser.error(t("ui.period_error"))
    items = args.items if args.items is not None else default_items(args.sections)
    try:
        request = BriefingRequest(
            args.start, args.end, tuple(args.sections), frozenset(items), args.lang,
            compare=not args.no_compare,
            previous=tuple(args.previous) if args.previous else None,
            layout=args.layout, narratives=tuple(args.narrative),
        )  # fmt: skip
    except ValueError as exc:
        parser.error(str(exc))
    if not args.out.parent.exists():
        parser.error(f"輸出資料夾不存在：{args.out.parent}")

    from sqlmodel import Session

    from core.briefing.build import build_file
    from db.bootstrap import prepare_database
    from db.engine import DatabaseUnavailable

    began = time.perf_counter()
    try:
        engine = prepare_database()
        with Session(engine) as session:
            data = build_file(session, request, args.format)
    except (DatabaseUnavailable, ValueError) as exc:  # a narrative's record gone or outside
        print(str(exc), file=sys.stderr)
        return 2
    # Written to a temporary name first: a reader never sees half a file.
    partial = args.out.with_name(args.out.name + ".part")
    partial.write_bytes(data)
    partial.replace(args.out)
    seconds = time.perf_counter() - began
    print(t("brief.cli.done", path=args.out, size=len(data), seconds=seconds))
    return 0
