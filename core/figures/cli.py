"""Command line of core.figures: JSON for scripts, a zh-TW table with ROC dates for people."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from core.i18n.labels import t
from core.kernel.roc_dates import ROCDateError, format_roc, format_roc_period, parse_roc


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one clear line, exit 2, no usage dump
        print(f"參數錯誤：{message}", file=sys.stderr)
        raise SystemExit(2)


def _date(text: str) -> date:
    try:
        return parse_roc(text)
    except ROCDateError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _format_value(key: str, value: object) -> str:
    if value is None:
        return "—"
    if key.endswith("_pct"):
        return f"{value:.2f}%"
    if key.endswith("as_of") or key.startswith("period."):
        return format_roc(date.fromisoformat(str(value)), "long")
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def render_table(figures: dict[str, object]) -> str:
    """A readable zh-TW table: label, value; ROC dates, thousands separators."""
    start, end = (date.fromisoformat(str(figures[k])) for k in ("period.start", "period.end"))
    lines = [f"{t('app.bureau')}　{t('ui.period_caption', period=format_roc_period(start, end))}"]
    rows = [(t(f"fig.{k}"), _format_value(k, v)) for k, v in figures.items()
            if not k.startswith("period.")]  # fmt: skip
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        # Full-width labels: pad with ideographic spaces so the values line up.
        lines.append(f"{label}{'　' * (width - len(label))}  {value:>12}")
    return "\n".join(lines)


def run(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="python -m core.figures", description="期間統計數字")
    parser.add_argument(
        "--start", required=True, type=_date, help="起日，如 2022-07-01 或 111/07/01"
    )
    parser.add_argument("--end", required=True, type=_date, help="迄日，如 2023-03-15 或 112/03/15")
    parser.add_argument("--json", action="store_true", help="輸出 JSON")
    args = parser.parse_args(argv)
    if args.end < args.start:
        parser.error(t("ui.period_error"))

    from sqlmodel import Session

    from core.figures.compute import compute_figures
    from db.bootstrap import prepare_database
    from db.engine import DatabaseUnavailable

    try:
        engine = prepare_database()
        with Session(engine) as session:
            figures = compute_figures(session, args.start, args.end)
    except DatabaseUnavailable as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(figures, ensure_ascii=False, indent=2))
    else:
        print(render_table(figures))
    return 0
