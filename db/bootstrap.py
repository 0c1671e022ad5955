"""Bring the configured database up to date on start: reachable, migrated, demo data if wanted."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session

from core.kernel.config import get_settings
from core.kernel.file_modes import FILE_MODE, tighten, tighten_tree
from db.engine import check_connection, get_engine

log = logging.getLogger(__name__)


def prepare_database(engine: Engine | None = None, *, load_demo: bool | None = None) -> Engine:
    """Check the connection, apply migrations and, on the demo database, load the demo data.

    A demo database also gets the demo accounts (core.accounts.users.DEMO_ACCOUNTS), including one
    created before they existed.

    Raises db.engine.DatabaseUnavailable with a zh-TW message when the database is unusable.
    """
    from core.accounts.users import ensure_demo_accounts
    from db.migrate import upgrade_to_head
    from db.seed import is_empty, load_demo_data

    engine = engine or get_engine()
    _restrict_files(engine)
    check_connection(engine)
    upgrade_to_head(engine)
    if load_demo is None:
        load_demo = get_settings().demo_data
    if load_demo:
        with Session(engine) as session:
            if is_empty(session):
                counts = load_demo_data(session)
                session.commit()
                log.info("demo data loaded: %s", counts)
            created = ensure_demo_accounts(session)
            if created:
                log.info("demo accounts created: %s", ", ".join(created))
    return engine


def _restrict_files(engine: Engine) -> None:
    """Folders and files of a data folder made before the app set modes (0755 / 0644) are
    restricted to the app's account on start: the data folder (photos, key file, embedded
    database) and an SQLite file kept elsewhere."""
    tighten_tree(get_settings().data_dir)
    database = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
    if database and database != ":memory:":
        for suffix in ("", "-wal", "-shm"):
            tighten(Path(database + suffix), FILE_MODE)
