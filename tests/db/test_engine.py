"""Engine setup: SQLite pragmas, readable zh-TW errors, URL normalisation and the migrate CLI."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from db.engine import DatabaseUnavailable, check_connection, make_engine, normalize_url

ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:1/x"


@pytest.fixture
def sqlite_engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    yield engine
    engine.dispose()


def test_sqlite_connection_uses_wal_and_foreign_keys(sqlite_engine):
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_sqlite_refuses_foreign_key_violation(sqlite_engine):
    with sqlite_engine.begin() as conn:
        conn.execute(text("CREATE TABLE parent (id INTEGER PRIMARY KEY)"))
        conn.execute(text("CREATE TABLE child (parent_id INTEGER REFERENCES parent (id))"))
    with pytest.raises(IntegrityError), sqlite_engine.begin() as conn:
        conn.execute(text("INSERT INTO child (parent_id) VALUES (42)"))


def test_malformed_url_is_database_unavailable():
    with pytest.raises(DatabaseUnavailable, match="格式不正確"):
        make_engine("not a url")


def test_unreachable_postgresql_is_database_unavailable():
    engine = make_engine(UNREACHABLE)
    with pytest.raises(DatabaseUnavailable, match="無法連線至資料庫"):
        check_connection(engine)
    engine.dispose()


def test_migrate_cli_exits_2_with_one_line_when_database_unreachable():
    env = {**os.environ, "DATABASE_URL": UNREACHABLE}
    result = subprocess.run(
        [sys.executable, "-m", "db.migrate"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "無法連線至資料庫" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("url", ["postgres://u@h/db", "postgresql://u@h/db"])
def test_postgres_urls_use_psycopg(url):
    assert normalize_url(url) == "postgresql+psycopg://u@h/db"
