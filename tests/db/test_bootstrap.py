"""First start: servers starting together on one empty database load the demo data once, and
nobody sees it half loaded."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text
from sqlmodel import Session

import db.models as m
from db import bootstrap, migrate, rollups
from db.engine import make_engine
from db.seed import count_rows, is_empty, load_demo_data
from tests.conftest import BACKENDS, _database_url, _drop_database

ROOT = Path(__file__).resolve().parents[2]
START = """
import json, sys
from db.bootstrap import prepare_database
from db.engine import make_engine
from db.seed import count_rows
from sqlmodel import Session
engine = make_engine(sys.argv[1])
print("imported", flush=True)
sys.stdin.readline()  # the test lets every process go at once
prepare_database(engine, load_demo=True)
with Session(engine) as session:
    print(json.dumps(count_rows(session)), flush=True)
engine.dispose()
"""


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database as a first start finds it: no file yet (SQLite), or a new empty database
    (PostgreSQL), never migrated."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'workspace.db'}"
        return
    admin = request.getfixturevalue("_pg_admin")
    name = f"t_{uuid.uuid4().hex[:16]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield _database_url(name)
    finally:
        _drop_database(admin, name)


def _counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            counts = count_rows(session)
            counts["app_user"] = session.scalar(select(func.count()).select_from(m.User))
        with engine.connect() as conn:
            assert rollups.differences(conn) == []
        return counts
    finally:
        engine.dispose()


@pytest.mark.slow
def test_two_servers_starting_together_load_the_demo_data_once(empty_url, tmp_path):
    starts = [
        subprocess.Popen([sys.executable, "-c", START, empty_url], cwd=ROOT, text=True,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]  # fmt: skip
    try:
        for start in starts:
            assert start.stdout.readline() == "imported\n", start.stderr.read()
        for start in starts:
            start.stdin.write("go\n")
            start.stdin.flush()
        seen = []
        for start in starts:
            out, err = start.communicate(timeout=300)
            assert start.returncode == 0, err
            seen.append(json.loads(out.strip().splitlines()[-1]))
    finally:
        for start in starts:
            if start.poll() is None:
                start.kill()
                start.wait()
    # What each server saw when its start was done is the whole demo data, loaded once.
    single = tmp_path / "single"
    single.mkdir()
    expected = _single_load(f"sqlite:///{single / 'workspace.db'}")
    assert seen == [expected, expected]
    assert _counts(empty_url) == {**expected, "app_user": 6}


def _single_load(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        migrate.upgrade_to_head(engine)
        with Session(engine) as session:
            counts = load_demo_data(session)
            session.commit()
        return counts
    finally:
        engine.dispose()


def test_a_start_that_finds_a_load_in_progress_waits_and_loads_nothing(db_url, monkeypatch):
    """A second server starts while the first is loading: it waits until the first commits,
    then finds the data instead of loading it again. (On SQLite it reads the database empty
    and waits for the start lock; on PostgreSQL its read waits for the load's table locks.)"""
    engine = make_engine(db_url)
    at_lock = threading.Event()
    real_lock = migrate.hold_start_lock

    def lock_noting_the_wait(session: Session) -> None:
        at_lock.set()
        real_lock(session)

    try:
        with Session(engine) as first:
            migrate.hold_start_lock(first)
            loaded = load_demo_data(first)
            monkeypatch.setattr(migrate, "hold_start_lock", lock_noting_the_wait)
            result: list[bool] = []
            second = threading.Thread(
                target=lambda: result.append(bootstrap.load_demo_once(engine))
            )
            second.start()
            _until_waiting(engine, at_lock)
            first.commit()
            second.join(timeout=120)
        assert result == [False]
        with Session(engine) as session:
            assert count_rows(session) == loaded
    finally:
        engine.dispose()


def _until_waiting(engine, at_lock: threading.Event) -> None:
    """Until the second start waits for the first: at the start lock, having read the
    database empty (SQLite, where the load is invisible to readers until it commits), or in
    a read blocked by the load's locks (PostgreSQL)."""
    if engine.dialect.name == "sqlite":
        assert at_lock.wait(timeout=60), "the second start never reached the start lock"
        with Session(engine) as reader:
            assert is_empty(reader)  # nothing of the first load is visible before commit
        return
    deadline = time.monotonic() + 60
    blocked = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock'"
    )
    with engine.connect() as conn:
        while not conn.execute(blocked).scalar():
            assert time.monotonic() < deadline, "the second start never waited for the first"
            conn.rollback()
            time.sleep(0.05)


def test_a_start_on_a_database_with_data_takes_no_lock(demo_db_url, monkeypatch):
    def no_lock(_session: Session) -> None:
        raise AssertionError("a later start took the start lock")

    monkeypatch.setattr(migrate, "hold_start_lock", no_lock)
    engine = make_engine(demo_db_url)
    try:
        assert bootstrap.load_demo_once(engine) is False
    finally:
        engine.dispose()
