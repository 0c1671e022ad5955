"""Bring a database to the latest schema: on app start, in tests, or `python -m db.migrate`."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from db.engine import DatabaseUnavailable, check_connection, make_engine

ROOT = Path(__file__).resolve().parent.parent
ALEMBIC_INI = ROOT / "alembic.ini"
# pg_advisory_xact_lock key: app instances starting together migrate one after the other.
MIGRATION_LOCK_KEY = 0x4B48_5753_4D49_47  # "KHWSMIG"
# Seconds to wait for SQLite's write lock held by another process's migrations or demo data.
LOCK_WAIT = 300.0


def alembic_config() -> Config:
    """The repository's alembic.ini, usable from any working directory."""
    return Config(str(ALEMBIC_INI))


def _skip_version_table(name: str | None, type_: str, _parent: dict[str, Any]) -> bool:
    return not (type_ == "table" and name == "alembic_version")


def context_options(connection: Connection) -> dict[str, Any]:
    """MigrationContext options shared by env.py and the schema-drift test."""
    dialect = connection.dialect.name
    options: dict[str, Any] = {
        "compare_type": True,
        # SQLite cannot ALTER most things; batch mode copies the table instead.
        "render_as_batch": dialect == "sqlite",
        "include_name": _skip_version_table,
    }
    if dialect == "postgresql":
        # Keep alembic_version in the first schema of search_path: an alembic_version in a later
        # schema (e.g. public) must not be mistaken for this one's.
        schema = connection.exec_driver_sql("SELECT current_schema()").scalar()
        options["version_table_schema"] = schema
    return options


@contextmanager
def migration_transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction that holds the migration lock until it commits."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        elif conn.dialect.name == "sqlite":
            # pysqlite does not BEGIN before DDL; take the write lock so the DDL is atomic too.
            begin_immediate(conn)
        yield conn


def hold_start_lock(session: Session) -> None:
    """Hold the lock migrations take until the session's transaction ends, for the demo data
    load of a first start (db.bootstrap.load_demo_once): PostgreSQL's advisory lock, SQLite's
    write lock (waiting for another process's load, however long it takes)."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    elif conn.dialect.name == "sqlite" and not conn.connection.driver_connection.in_transaction:
        begin_immediate(conn)


def begin_immediate(conn: Connection, wait: float = LOCK_WAIT) -> None:
    """BEGIN IMMEDIATE on SQLite, trying again while another process holds the write lock: one
    try gives up after busy_timeout (10 s), and a first start's migrations and demo data may
    hold it longer on a busy machine."""
    deadline = time.monotonic() + wait
    while True:
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            return
        except OperationalError as exc:
            if "locked" not in str(exc.orig) or time.monotonic() > deadline:
                raise


def upgrade_to_head(engine: Engine) -> None:
    """Apply pending migrations to engine's database; a no-op when it is already at head."""
    check_connection(engine)
    with migration_transaction(engine) as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, None for a database never migrated."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts=context_options(conn))
        return context.get_current_revision()


def head_revision() -> str:
    """The newest revision in db/migrations/versions."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "db/migrations/versions has no revision"
    return head


def main() -> int:
    """Upgrade the configured database; exit 2 with one line on stderr when it is unreachable."""
    from core.kernel.config import get_settings

    try:
        engine = make_engine(get_settings().url)
        try:
            check_connection(engine)
            before = current_revision(engine)
            upgrade_to_head(engine)
        finally:
            engine.dispose()
    except DatabaseUnavailable as exc:
        print(" ".join(str(exc).split("\n")), file=sys.stderr)
        return 2
    head = head_revision()
    if before == head:
        print(f"資料庫已是最新版本（{head}）。")
    else:
        print(f"資料庫已由 {before or '空白'} 升級至 {head}。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
