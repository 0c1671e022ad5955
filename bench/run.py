"""`python -m bench [--database-url URL] [--only GROUPS] [--repeat N] [--profile PAGE]`: time what
staff wait for and print a table per group (median, fastest, slowest of N runs, the target and
whether it is met, rows moved from the database, statements sent, Python peak memory).

Groups: pages (every page cold and warm through AppTest, and the naive page for the ratio),
figures, save (100 edited rows and back), briefing, search (the sidebar's global search),
memory (10 browser sessions on a real server), concurrency (20 browser sessions navigating),
load (20 sessions on Streamlit's websocket protocol with no browser, on the app and on the
Streamlit floor, bench/floor_app.py, with a few Chromium sessions as a cross-check; --url
loads a server that is already running instead of the app's own),
start (the quick start's first start on an empty data folder, and a later one, until Chromium
shows the sign-in form; it needs no database, so `--only start` makes none).
Without --database-url it builds a fresh SQLite file with the demo data in a temporary folder,
so a run never touches data/workspace.db. A given database is only migrated (never seeded); the
benchmark adds its account bench.admin (a random password, never shown) for the run and removes
it with all its sign-ins when the run ends, on an error or Ctrl-C too; what stays is the audit
log's entries (the account made and removed, the save group's saves, which it saves back).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

from bench import rows as moved_rows
from bench.report import BROWSER_HEAD, MEMORY_HEAD, Note, Row, print_table

GROUPS = (
    "pages", "figures", "save", "briefing", "search", "memory", "concurrency", "load", "start",
)  # fmt: skip
# The briefing first, for its cold run (vl-convert starting, the font registered).
ORDER = ("briefing", "figures", "save", "search", "pages", "memory", "concurrency", "load")


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="database to measure (default: a fresh demo SQLite)")
    parser.add_argument("--only", default="", help=f"comma-separated groups of {','.join(GROUPS)}")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measure (default 5)")
    parser.add_argument("--pages", default="", help="only these pages (stems, comma-separated)")
    parser.add_argument(
        "--sessions",
        type=int,
        default=20,
        help="browsers in concurrency, websocket sessions in load",
    )
    parser.add_argument("--rounds", type=int, default=3, help="walks through the pages each")
    parser.add_argument(
        "--think-ms", type=int, default=500, help="concurrency: pause between navigations"
    )
    parser.add_argument(
        "--think",
        type=float,
        default=5.0,
        help="load: mean seconds between a session's navigations (±50 %%)",
    )
    parser.add_argument(
        "--duration", type=float, help="load: walk for this many seconds instead of --rounds"
    )
    parser.add_argument(
        "--browsers",
        type=int,
        default=3,
        help="load: Chromium sessions of the cross-check (0: none)",
    )
    parser.add_argument(
        "--url",
        help="load: a running app server (or nginx) to load instead "
        "of the bench's own; needs --database-url of its database",
    )
    parser.add_argument(
        "--server-pids",
        default="",
        help="load with --url: the app servers' PIDs, comma-separated, for "
        "their CPU and memory (default: the process listening on the port)",
    )
    parser.add_argument(
        "--streamlit-option",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="load: a Streamlit option for its app and floor servers, e.g. "
        "runner.postScriptGC=false (repeatable)",
    )
    parser.add_argument("--profile", metavar="PAGE", help="cProfile one run of PAGE (a stem)")
    parser.add_argument("--cold", action="store_true", help="with --profile: the cold run")
    args = parser.parse_args(argv)
    chosen = [g.strip() for g in args.only.split(",") if g.strip()]
    unknown = set(chosen) - set(GROUPS)
    if unknown:
        parser.error(f"unknown groups: {', '.join(sorted(unknown))}")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.sessions < 1 or args.rounds < 1 or args.browsers < 0 or args.think < 0:
        parser.error("--sessions and --rounds must be at least 1, --browsers and --think ≥ 0")
    if args.duration is not None and args.duration <= 0:
        parser.error("--duration must be positive")
    if args.url and not args.database_url:
        parser.error(
            "--url needs --database-url: the database that server uses, where the "
            "benchmark's account and its sign-in are recorded"
        )
    for option in args.streamlit_option:
        name, equals, _ = option.partition("=")
        if not equals or "." not in name:
            parser.error(f"--streamlit-option takes section.name=value, not {option!r}")
    try:
        args.server_pids = [int(p) for p in args.server_pids.split(",") if p.strip()]
    except ValueError:
        parser.error("--server-pids takes process ids, comma-separated")
    args.groups = chosen or ([] if args.profile else list(GROUPS))
    return args


def _setup(url: str, folder: Path, demo: bool):
    """The environment the app reads, the counting listeners, the migrated database."""
    os.environ.update(DATABASE_URL=url, DATA_DIR=str(folder), LOAD_DEMO_DATA="0")
    from core.kernel.config import get_settings

    get_settings.cache_clear()
    moved_rows.install()
    from db.bootstrap import prepare_database
    from db.engine import make_engine

    engine = prepare_database(make_engine(url), load_demo=demo)
    from bench.caches import track_app_engines

    track_app_engines()
    return engine


def _page_paths(stems: str) -> list[str] | None:
    from bench.pages import PAGES

    wanted = [s.strip() for s in stems.split(",") if s.strip()]
    return [p for p in PAGES if Path(p).stem in wanted] if wanted else None


def _run_group(group: str, args, engine, url: str, folder: Path, token: str) -> list[tuple]:
    """The group's tables: (title, rows, column heads or None)."""
    each = f"median of {args.repeat}"
    if group == "pages":
        from bench.naive import naive_rows
        from bench.pages import page_rows

        pages = page_rows(token, args.repeat, _page_paths(args.pages))
        return [(f"Pages ({each}; AppTest script runs as an admin, report period)", pages, None),
                (f"Naive page ({each}; whole table into pandas, all shown)",
                 naive_rows(engine, args.repeat, pages), None)]  # fmt: skip
    if group == "figures":
        from bench.data import figures_rows

        rows = figures_rows(engine, args.repeat)
        return [(f"Figures ({each}; core.figures.compute.compute_figures)", rows, None)]
    if group == "save":
        from bench.data import save_rows

        rows = save_rows(engine, args.repeat)
        return [(f"Saving ({each}; core.editing.pipeline.save_changes)", rows, None)]
    if group == "briefing":
        from bench.data import briefing_rows

        return [(f"Briefings ({each})", briefing_rows(engine, args.repeat), None)]
    if group == "search":
        from bench.search import search_rows

        rows = search_rows(engine, args.repeat)
        return [(f"Global search ({each}; core.search.finder.search_grouped)", rows, None)]
    if group == "memory":
        from bench.browser import memory_rows

        rows = memory_rows(url, folder / "memory", engine)
        return [("Server memory (a real app server, 10 Chromium sessions)", rows, MEMORY_HEAD)]
    if group == "load":
        from bench.load import load_tables

        return load_tables(args, engine, url, folder)
    from bench.browser import concurrency_rows

    notes, failed = concurrency_rows(url, folder / "concurrency", engine, args.sessions,
                                     args.rounds, args.think_ms / 1000)  # fmt: skip
    title = (f"Concurrency ({args.sessions} Chromium sessions × {args.rounds} rounds, "
             f"{args.think_ms} ms between clicks)")  # fmt: skip
    for line, times in Counter(failed).most_common(20):
        notes.append(Note(f"  failed: {line}", f"× {times}"))
    return [(title, notes, BROWSER_HEAD)]


def _load() -> float:
    return os.getloadavg()[0]


def _stop_on_sigterm(signum, _frame) -> None:
    # SIGTERM would end the process at once; as an exception, the app servers and browsers
    # are shut down on the way out and the temporary folder is removed.
    raise SystemExit(128 + signum)


def _measure(args: argparse.Namespace, engine, url: str, folder: Path) -> int:
    """Run the chosen groups and print their tables; how many groups failed."""
    from bench.account import open_token
    from bench.caches import clear_caches

    print(f"cold runs clear: {', '.join(clear_caches())}", flush=True)
    token = open_token(engine)
    failed = 0
    for group in (g for g in ORDER if g in args.groups):
        began = time.perf_counter()
        print(f"[{group} …]", file=sys.stderr, flush=True)
        load = _load()
        try:
            tables = _run_group(group, args, engine, url, folder, token)
        except Exception as exc:  # one group failing does not stop the others
            failed += 1
            traceback.print_exc()
            tables = [(group, [Row(group, error=f"{type(exc).__name__}: {exc}")], None)]
        # Other work on the machine shows in the load average: printed with each table.
        where = f"{engine.dialect.name}, load {load:.1f}→{_load():.1f}"
        for title, rows, head in tables:
            name, _, rest = title.partition(" (")
            print_table(f"{name} ({where}; {rest}" if rest else f"{name} ({where})",
                        rows, head)  # fmt: skip
        took = time.perf_counter() - began
        print(f"[{group} took {took:.0f} s]", file=sys.stderr, flush=True)
    if args.profile:
        from bench.pages import profile_page

        page = _page_paths(args.profile) or [args.profile]
        print("\n" + profile_page(page[0], token, cold=args.cold), flush=True)
    return failed


def _remove_account(engine) -> None:
    """The run's last write: bench.admin and its sign-ins gone, or a loud note saying how."""
    from bench.account import remove_account

    try:
        remove_account(engine)
    except Exception as exc:  # e.g. the database went away: say so, do not hide the cause
        print(f"bench.admin could NOT be removed ({type(exc).__name__}: {exc}); the next run "
              "removes it, or disable it: python -m core.accounts disable bench.admin",
              file=sys.stderr, flush=True)  # fmt: skip
        raise
    print("account bench.admin removed, its sign-ins ended", flush=True)


def _start_group(args: argparse.Namespace) -> int:
    """The start group: its own servers on their own data folders; 1 if it failed."""
    from bench.env import machine
    from bench.start import start_rows

    print(machine(), flush=True)
    print("[start …]", file=sys.stderr, flush=True)
    load, began, failed = _load(), time.perf_counter(), 0
    try:
        rows = start_rows(args.repeat)
    except Exception as exc:
        failed = 1
        traceback.print_exc()
        rows = [Row("start", error=f"{type(exc).__name__}: {exc}")]
    title = (f"Start (sqlite, load {load:.1f}→{_load():.1f}; median of {args.repeat}; the "
             "README's quick start on an empty data folder, then again on it)")  # fmt: skip
    print_table(title, rows)
    print(f"[start took {time.perf_counter() - began:.0f} s]", file=sys.stderr, flush=True)
    return failed


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    args = _parse(argv)
    failed = 0
    if "start" in args.groups:
        failed += _start_group(args)
        args.groups = [g for g in args.groups if g != "start"]
        if not args.groups and not args.profile:
            return 1 if failed else 0
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        folder = Path(tmp)
        for sub in ("memory", "concurrency", "load", "floor"):
            (folder / sub).mkdir()
        url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
        # Where the server at --url keeps its cookie key, unless the environment names one:
        # read before the bench points DATA_DIR at its own folder.
        from core.kernel.config import Settings

        args.key_dir = Settings().data_dir
        engine = _setup(url, folder, demo=args.database_url is None)
        from bench.account import ensure_account
        from bench.env import environment

        try:
            print(environment(engine))
            try:
                made = ensure_account(engine)
                left = "" if made else " (replacing one a killed run had left)"
                print(f"account bench.admin made for this run{left}", flush=True)
                failed += _measure(args, engine, url, folder)
            finally:
                _remove_account(engine)
        finally:
            engine.dispose()
    return 1 if failed else 0
