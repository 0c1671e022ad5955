"""Engine and session factory: SQLite (WAL, foreign keys on) by default, or DATABASE_URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError
from sqlmodel import Session

from core.kernel.config import get_settings
from core.kernel.file_modes import create_private_file, private_dir


class DatabaseUnavailable(RuntimeError):
    """The configured database cannot be reached or the URL is wrong; the message is for staff."""


def normalize_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use psycopg 3 for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    # WAL lets readers go on while one writer saves; foreign keys are off in SQLite unless asked.
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def make_engine(url: str) -> Engine:
    """Build an engine for url; raises DatabaseUnavailable for a malformed URL."""
    try:
        parsed = make_url(normalize_url(url))
    except ArgumentError as exc:
        raise DatabaseUnavailable(f"DATABASE_URL 格式不正確：{url!r}（{exc}）") from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            # Made before SQLite opens it: SQLite would create the file 0644 (umask 022).
            path = Path(parsed.database)
            private_dir(path.parent)
            create_private_file(path)
        engine = create_engine(parsed, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        # pre_ping drops connections that died when the server restarted.
        return create_engine(parsed, pool_pre_ping=True, pool_size=5, max_overflow=10)
    except (ArgumentError, ImportError, SQLAlchemyError) as exc:
        raise DatabaseUnavailable(f"無法使用資料庫設定 {parsed.render_as_string()}：{exc}") from exc


def check_connection(engine: Engine) -> None:
    """Raise DatabaseUnavailable with a readable message when the database does not answer."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except (OperationalError, SQLAlchemyError, OSError) as exc:
        where = engine.url.render_as_string(hide_password=True)
        reason = (
            str(getattr(exc, "orig", exc)).strip().splitlines()[0]
            if str(exc)
            else type(exc).__name__
        )
        raise DatabaseUnavailable(f"無法連線至資料庫 {where}：{reason}") from exc


@lru_cache(maxsize=8)
def get_engine(url: str | None = None) -> Engine:
    """The process-wide engine for url (default: the configured database)."""
    return make_engine(url or get_settings().url)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(engine or get_engine()) as session:
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise
