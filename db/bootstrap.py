"""Bring the configured database up to date on start: reachable, migrated, demo data if wanted."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from core.kernel.config import get_settings
from core.kernel.file_modes import FILE_MODE, tighten, tighten_tree
from core.kernel.stopwatch import Stopwatch
from db.engine import check_connection, get_engine

log = logging.getLogger(__name__)


def prepare_database(
    engine: Engine | None = None,
    *,
    load_demo: bool | None = None,
    stopwatch: Stopwatch | None = None,
) -> Engine:
    """Check the connection, apply migrations and, on the demo database, load the demo data.

    A demo database also gets the demo accounts (core.accounts.users.DEMO_ACCOUNTS), including one
    created before they existed. Servers starting together on one empty database load the demo
    data once (load_demo_once). `stopwatch` times each part (streamlit_app.py logs them).

    Raises db.engine.DatabaseUnavailable with a zh-TW message when the database is unusable.
    """
    from core.accounts.users import ensure_demo_accounts
    from db.migrate import upgrade_to_head

    watch = stopwatch or Stopwatch()
    engine = engine or get_engine()
    with watch.part("connect"):
        _restrict_files(engine)
        check_connection(engine)
    with watch.part("schema"):
        upgrade_to_head(engine)
    if load_demo is None:
        load_demo = get_settings().demo_data
    if load_demo:
        load_demo_once(engine, watch)
        with watch.part("accounts"), Session(engine) as session:
            created = ensure_demo_accounts(session)
        if created:
            log.info("demo accounts created: %s", ", ".join(created))
    return engine


def load_demo_once(engine: Engine, stopwatch: Stopwatch | None = None) -> bool:
    """Load the demo data into an empty database in one transaction; True if this call did.

    Under the start lock (db.migrate.hold_start_lock), so of several servers starting together
    one loads while the others wait and then find the data: nobody sees it half loaded, and
    nothing is loaded twice. A database that holds data is left alone without taking the lock.
    """
    from db.migrate import hold_start_lock
    from db.seed import is_empty, load_demo_data

    watch = stopwatch or Stopwatch()
    with Session(engine) as session:
        if not is_empty(session):
            return False
        # End the check's transaction before waiting for the lock: on PostgreSQL its reads hold
        # share locks on the tables, and the loading server's DDL (triggers suspended while it
        # loads) waits for them while this one waits for its lock: a deadlock.
        session.rollback()
        hold_start_lock(session)
        if not is_empty(session):  # another server loaded it while this one waited
            session.rollback()
            return False
        counts = load_demo_data(session, watch)
        with watch.part("commit"):
            session.commit()
    log.info("demo data loaded: %s", counts)
    return True


def _restrict_files(engine: Engine) -> None:
    """Folders and files of a data folder made before the app set modes (0755 / 0644) are
    restricted to the app's account on start: the data folder (photos, key file, embedded
    database) and an SQLite file kept elsewhere."""
    tighten_tree(get_settings().data_dir)
    database = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    if database and database != ":memory:":
        for suffix in ("", "-wal", "-shm"):
            tighten(Path(database + suffix), FILE_MODE)
