"""Shared fixtures: an empty migrated database per test, demo databases, per backend.

Backends: SQLite always; PostgreSQL too when TEST_DATABASE_URL is set
(e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test). Migrations run once per worker, into
a template, and so does the demo data load, into a second template: each database a test gets
is a copy (an SQLite file copy, or a PostgreSQL database ``t_<hex>`` created from the template
database with CREATE DATABASE … TEMPLATE), dropped afterwards, even when the test fails.
(``_schema_url`` gives an empty schema of the test database instead, for tests that need one
without migrations.)

Fixtures:
    db_url       URL of an empty database at head, one per test.
    engine       db.engine.make_engine(db_url), disposed after the test.
    session      sqlmodel.Session(engine), closed after the test.
    demo_db_url  URL of a database holding the demo data, one per test: write to it freely.
    demo_url     URL of a database holding the demo data, one per backend per worker, shared by
                 every test of the worker: treat it as read-only.
    demo_engine  Engine on demo_url, shared likewise: treat it as read-only.

AppTest page fixtures (helpers in tests/apptest.py):
    accounts     demo_url with the test accounts of tests.apptest.ACCOUNTS added.
    clean_caches the app's settings, engine and cookie key caches cleared around the test.
    anonymous    an AppTest of the app on the shared demo database, nobody signed in.
    app          that AppTest signed in as t.admin: every page.

For module- or session-scoped databases: ``database_copy(backend, request, directory,
demo=True)`` (a context manager) gives the URL of a copy of the empty or the demo template.
"""

from __future__ import annotations

import gc
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Connection, Engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from db.engine import make_engine, normalize_url
from db.migrate import upgrade_to_head

# One day for the demo data of the whole run, its subprocesses and app servers included
# (db.seed.common.DEMO_TODAY: what is open now is placed around it).
os.environ.setdefault("DEMO_TODAY", datetime.now(ZoneInfo("Asia/Taipei")).date().isoformat())
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKENDS = ["sqlite", "postgresql"] if TEST_DATABASE_URL else ["sqlite"]
E2E = Path(__file__).parent / "e2e"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Work units of `-n 2 --dist loadgroup` (the README's command).

    Browser tests form one unit ("browser"), run one after another in one worker: each starts
    app servers and Chromium, which would compete with one another. They are collected first,
    so that unit starts at once instead of being handed out last; the other worker takes the
    rest meanwhile. Every other test file is a unit of its own, so its module-scoped fixtures
    (a demo database of its own, a briefing drawn once) are made once, in one worker, instead
    of once in each worker that gets some of its tests.
    """
    for item in items:
        if item.path.is_relative_to(E2E):
            item.add_marker(pytest.mark.xdist_group("browser"))
        else:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
    items.sort(key=lambda item: not item.path.is_relative_to(E2E))  # stable: order kept within


@pytest.fixture(scope="session")
def _pg_admin() -> Iterator[Engine]:
    """Autocommit engine on TEST_DATABASE_URL that creates and drops the per-test schemas."""
    admin = make_engine(TEST_DATABASE_URL).execution_options(isolation_level="AUTOCOMMIT")
    yield admin
    admin.dispose()


def _schema_url(schema: str) -> str:
    url = make_url(normalize_url(TEST_DATABASE_URL)).update_query_dict(
        # A libpq startup option, so every pooled connection gets it; application_name lets
        # the cleanup find the connections a test left open.
        {"options": f"-csearch_path={schema},public", "application_name": schema}
    )
    return url.render_as_string(hide_password=False)


def _drop_schema(admin: Engine, schema: str) -> None:
    """DROP SCHEMA CASCADE, even when a test left a connection open inside a transaction."""
    drop = text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    with admin.connect() as conn:
        conn.execute(text("SET lock_timeout = '1s'"))
        for release_locks in (gc.collect, lambda: _terminate(conn, schema)):
            try:
                conn.execute(drop)
                return
            except OperationalError:
                # Blocked by an engine a test did not dispose: first let the garbage collector
                # return its connections to their pool, then end its sessions.
                release_locks()
        conn.execute(text("SET lock_timeout = 0"))
        conn.execute(drop)


def _terminate(conn: Connection, schema: str) -> None:
    conn.execute(
        text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = :schema AND pid <> pg_backend_pid()"
        ),
        {"schema": schema},
    )


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file migrated to head once per worker: each test gets a copy (about 1 ms,
    where migrating takes 0.1–0.4 s)."""
    path = tmp_path_factory.mktemp("template") / "workspace.db"
    _migrate(f"sqlite:///{path}")  # disposed: the WAL is checkpointed into the file
    return path


@pytest.fixture(scope="session")
def _sqlite_demo_template(_sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the migrated template with the demo data, loaded once per worker (4–10 s)."""
    path = tmp_path_factory.mktemp("demo_template") / "workspace.db"
    shutil.copyfile(_sqlite_template, path)
    _load_demo(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def _pg_template(_pg_admin: Engine) -> Iterator[str]:
    """A PostgreSQL database migrated to head once per worker: each test gets a database
    created from it (CREATE DATABASE … TEMPLATE, about 40 ms, where migrating takes 0.4–1 s)."""
    name = f"tmpl_{uuid.uuid4().hex[:16]}"
    with _pg_admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        _migrate(_database_url(name))  # disposed: a template must have no connection
        yield name
    finally:
        _drop_database(_pg_admin, name)


@pytest.fixture(scope="session")
def _pg_demo_template(_pg_admin: Engine, _pg_template: str) -> Iterator[str]:
    """A copy of the migrated template database with the demo data, loaded once per worker
    (8–20 s); a copy of it takes 0.1–0.3 s."""
    name = f"tmpl_demo_{uuid.uuid4().hex[:16]}"
    _create_database(_pg_admin, name, _pg_template)
    try:
        _load_demo(_database_url(name))  # disposed: a template must have no connection
        yield name
    finally:
        _drop_database(_pg_admin, name)


def _load_demo(url: str) -> None:
    from db.seed import load_demo_data

    engine = make_engine(url)
    try:
        with Session(engine) as session:
            load_demo_data(session)
            session.commit()
        if engine.dialect.name == "postgresql":
            # Planner statistics, as autovacuum would gather them soon after such a load:
            # every copy gets them, instead of each guessing from empty tables.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("ANALYZE"))
    finally:
        engine.dispose()


def _database_url(name: str) -> str:
    url = make_url(normalize_url(TEST_DATABASE_URL)).set(database=name)
    # application_name lets a look at pg_stat_activity tell which test left a connection.
    url = url.update_query_dict({"application_name": name})
    return url.render_as_string(hide_password=False)


def _create_database(admin: Engine, name: str, template: str) -> None:
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY WAL_LOG'))


def _drop_database(admin: Engine, name: str) -> None:
    """DROP DATABASE … WITH (FORCE): a connection a test left open does not hold it."""
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def database_copy(
    backend: str, request: pytest.FixtureRequest, directory: Path, *, demo: bool = False
) -> Iterator[str]:
    """Yield the URL of a new database at head, a copy of the worker's template: empty, or
    holding the demo data when demo is true. Removed afterwards; writable meanwhile."""
    if backend == "sqlite":
        template = "_sqlite_demo_template" if demo else "_sqlite_template"
        path = directory / "workspace.db"
        shutil.copyfile(request.getfixturevalue(template), path)
        yield f"sqlite:///{path}"
        return
    admin: Engine = request.getfixturevalue("_pg_admin")
    source: str = request.getfixturevalue("_pg_demo_template" if demo else "_pg_template")
    name = f"t_{uuid.uuid4().hex[:16]}"
    _create_database(admin, name, source)
    try:
        yield _database_url(name)
    finally:
        _drop_database(admin, name)


def _migrate(url: str) -> None:
    engine = make_engine(url)
    try:
        upgrade_to_head(engine)
    finally:
        engine.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An isolated, empty database migrated to head, for this test only."""
    with database_copy(request.param, request, tmp_path) as url:
        yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as session:
        yield session


@pytest.fixture(params=BACKENDS)
def demo_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An isolated database holding the demo data, for this test only: write to it freely."""
    with database_copy(request.param, request, tmp_path, demo=True) as url:
        yield url


@pytest.fixture(scope="session")
def _shared_demo() -> Iterator[tuple[dict[str, str], ExitStack]]:
    """{backend: URL} of the worker's shared demo databases, and what removes them at the end.

    demo_url is parametrised by backend, and pytest ends such a fixture whenever a test wants
    the other backend: the databases are kept here instead, so that switching back and forth
    costs nothing."""
    with ExitStack() as stack:
        yield {}, stack


@pytest.fixture(scope="session", params=BACKENDS)
def demo_url(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _shared_demo: tuple[dict[str, str], ExitStack],
) -> str:
    """A database holding the demo data, shared by the worker's tests: read-only for tests."""
    urls, stack = _shared_demo
    if request.param not in urls:
        directory = tmp_path_factory.mktemp(f"demo_{request.param}")
        copy = database_copy(request.param, request, directory, demo=True)
        urls[request.param] = stack.enter_context(copy)
    return urls[request.param]


def dump_tables(session: Session) -> dict[str, list]:
    """Every row of every table (audit log, change stamps and rollups included), in key order:
    what "the database is exactly as it was" compares. Ends the session's transaction."""
    from sqlmodel import SQLModel

    out = {
        name: [tuple(r) for r in session.execute(select(table).order_by(*table.primary_key))]
        for name, table in SQLModel.metadata.tables.items()
    }
    session.rollback()
    return out


@pytest.fixture(scope="session")
def demo_engine(demo_url: str) -> Iterator[Engine]:
    engine = make_engine(demo_url)
    yield engine
    engine.dispose()


# --- AppTest page fixtures ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def accounts(demo_url: str) -> str:
    """The shared demo database with the test accounts (cheap bcrypt); its URL."""
    from core.accounts import auth
    from db.models import User
    from tests.apptest import ACCOUNTS, add_account

    engine = make_engine(demo_url)
    original, auth.BCRYPT_ROUNDS = auth.BCRYPT_ROUNDS, 4
    try:
        with Session(engine) as session:
            for username, (role, sections) in ACCOUNTS.items():
                if session.scalar(select(User.id).where(User.username == username)) is None:
                    add_account(session, username, role, sections)
    finally:
        auth.BCRYPT_ROUNDS = original
        engine.dispose()
    return demo_url


@pytest.fixture
def clean_caches(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    from core.kernel.config import get_settings
    from db.engine import get_engine
    from ui.auth import signing_key
    from ui.context import _engine

    monkeypatch.setenv("DATA_DIR", str(tmp_path))  # the generated cookie key goes here

    def clear() -> None:
        get_settings.cache_clear()
        get_engine.cache_clear()
        _engine.clear()
        signing_key.clear()

    clear()
    yield
    clear()


@pytest.fixture
def anonymous(accounts: str, monkeypatch: pytest.MonkeyPatch, clean_caches: None):
    """The app against the demo database, nobody signed in."""
    from streamlit.testing.v1 import AppTest

    from core.kernel.config import get_settings
    from tests.apptest import APP

    monkeypatch.setenv("DATABASE_URL", accounts)
    get_settings.cache_clear()
    return AppTest.from_file(str(APP), default_timeout=60)


@pytest.fixture
def app(anonymous, accounts: str):
    """Signed in as an administrator: every page."""
    from tests.apptest import signed_in

    return signed_in(anonymous, accounts, "t.admin")
