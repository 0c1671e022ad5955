"""Figures for the report's period equal the council report's, on every backend."""

import json
import os
import subprocess
import sys
from datetime import date

import pytest
from sqlmodel import Session

from core.figures.cli import render_table
from core.figures.compute import compute_figures
from core.kernel.periods import REPORT_PERIOD, Period, half_year_of, previous_month

REPORT = {
    "venue.events_opened": 207,
    "venue.meeting_bookings": 2041,
    "fleet.dispatch_trips": 770,
    "fleet.loan_trips": 51,
    "fleet.total_trips": 821,
    "staffing.as_of": "2023-02-28",
    "staffing.worker_agencies": 5339,
    "staffing.worker_schools": 596,
    "staffing.worker_total": 5935,
    "staffing.assistant": 591,
    "staffing.contract_public": 13,
    "staffing.contract_central": 11,
    "staffing.engineer": 15,
    "staffing.temp_subtotal": 630,
    "staffing.other": 1450,
    "staffing.temp_total": 2080,
    "staffing.grand_total": 8015,
    "staffing.baseline_worker_total": 8462,
    "staffing.baseline_temp_total": 3462,
    "staffing.baseline_assistant": 1390,
    "staffing.worker_reduction_pct": 29.86,
    "staffing.temp_reduction_pct": 39.92,
    "staffing.assistant_reduction_pct": 57.48,
}


@pytest.fixture(scope="module")
def report_figures(demo_engine):
    with Session(demo_engine) as session:
        return compute_figures(session, REPORT_PERIOD.start, REPORT_PERIOD.end)


@pytest.mark.parametrize(("key", "expected"), REPORT.items(), ids=list(REPORT))
def test_report_period_figure(report_figures, key, expected):
    assert report_figures[key] == expected


def test_visitor_and_exchange_counts_are_the_reports_named_ones(report_figures):
    # The report names 30 visitors in its list plus the Kumamoto and Japan-trip hosts: the nine
    # envoys came as one delegation, and four were met abroad (in Tokyo and Fukuoka).
    assert report_figures["visitors.receptions"] == 25
    assert report_figures["visitors.abroad"] == 4
    # Its section 一 has 13 exchange items (two of them celebrated in two events each); the
    # 香港年宵 event has no partner city.
    assert report_figures["exchange.events"] == 15
    assert report_figures["exchange.other_events"] == 1


def test_a_period_with_no_activity_counts_zero(demo_engine):
    with Session(demo_engine) as session:
        figures = compute_figures(session, date(2011, 6, 1), date(2011, 6, 2))
    assert figures["venue.meeting_bookings"] == 0
    assert figures["fleet.total_trips"] == 0


def test_staffing_before_any_snapshot_is_empty(demo_engine):
    with Session(demo_engine) as session:
        figures = compute_figures(session, date(1990, 1, 1), date(1990, 12, 31))
    assert figures["staffing.as_of"] is None


def test_end_before_start_is_refused():
    with pytest.raises(ValueError, match="迄日不可早於起日"):
        Period(date(2023, 3, 15), date(2022, 7, 1))


def test_period_bounds_cover_the_whole_last_day():
    p = Period(date(2023, 3, 15), date(2023, 3, 15))
    assert (p.end_dt - p.start_dt).days == 1


def test_presets():
    assert half_year_of(date(2026, 11, 26)) == Period(date(2026, 7, 1), date(2026, 12, 31))
    assert previous_month(date(2026, 1, 10)) == Period(date(2025, 12, 1), date(2025, 12, 31))


def test_readable_table_uses_roc_dates(report_figures):
    text = render_table(report_figures)
    assert "111年7月1日至112年3月15日" in text
    assert "112年2月28日" in text and "29.86%" in text and "8,015" in text


def _cli(*args, url=None):
    env = {**os.environ, "DATABASE_URL": url or "sqlite:////nonexistent/dir/x.db"}
    return subprocess.run(
        [sys.executable, "-m", "core.figures", *args],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip


def test_cli_json_gives_the_report_figures(demo_url):
    result = _cli("--start", "2022-07-01", "--end", "2023-03-15", "--json", url=demo_url)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert {k: figures[k] for k in REPORT} == REPORT


def test_cli_accepts_roc_dates_and_prints_a_table(demo_url):
    result = _cli("--start", "111/07/01", "--end", "1120315", url=demo_url)
    assert result.returncode == 0, result.stderr
    assert "公務車調派車次" in result.stdout and "770" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("--start", "2023-03-15", "--end", "2022-07-01"),
        ("--start", "yesterday", "--end", "2023-03-15"),
        ("--start", "2022-07-01"),
        ("--start", "民國0年1月1日", "--end", "2023-03-15"),
    ],
)
def test_cli_bad_arguments_one_line_exit_2(args):
    result = _cli(*args)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_cli_unreachable_database_is_one_clear_line():
    url = "postgresql+psycopg://nobody@127.0.0.1:1/x"
    result = _cli("--start", "2022-07-01", "--end", "2023-03-15", url=url)
    assert result.returncode == 2
    assert result.stderr.startswith("無法連線至資料庫") and "Traceback" not in result.stderr
