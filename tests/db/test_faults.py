"""Faults: the app process killed in the middle of a large save leaves all of it or none of it
(SQLite and PostgreSQL); a PostgreSQL restart under a running app costs at most one clear retry
message, and the next action works (no dead pooled connections).

The restart needs a server of its own: the suite's shared PostgreSQL serves the other worker's
tests meanwhile. It is a throwaway cluster (initdb as the postgres user) on a free port.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from core.editing.pipeline import Actor, EditorState, save_changes
from db.engine import make_engine
from db.migrate import upgrade_to_head
from db.models import AuditEntry, Driver
from tests.conftest import TEST_DATABASE_URL, dump_tables

ROOT = Path(__file__).resolve().parents[2]
ADMIN = Actor("root", "admin")
ROWS = 2_000  # a save of this many new rows takes a second or two: long enough to cut

# The save, in a process of its own: it says when it starts writing, and when it is done.
SAVER = """
import sys
from sqlmodel import Session
from core.editing.pipeline import Actor, EditorState, save_changes
from db.engine import make_engine
from db.models import Driver

url, rows, attempt = sys.argv[1], int(sys.argv[2]), sys.argv[3]
engine = make_engine(url)
# Names of their own per attempt: a save an earlier attempt completed must not make this one
# a refusal of repeated names (driver names are unique).
added = [{"name": f"壓測駕駛{attempt}-{i:05d}", "phone": "07-1234567"} for i in range(rows)]
with Session(engine) as session:
    print("writing", flush=True)
    state = EditorState([], added_rows=added)
    result = save_changes(session, Driver, state, actor=Actor("root", "admin"))
print("done" if result.ok else f"refused {result.messages()}", flush=True)
"""


def _counts(url: str) -> tuple[int, int]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            drivers = session.scalar(select(func.count()).select_from(Driver))
            audited = session.scalar(select(func.count()).select_from(AuditEntry))
            return drivers, audited
    finally:
        engine.dispose()


def test_a_save_killed_midway_leaves_all_or_nothing(db_url):
    """SIGKILL at several moments of a 2,000-row save: every time the database holds none of
    it or all of it (rows and audit entries alike), and at least one kill lands mid-save."""
    cut_midway = 0
    for delay in (0.2, 0.6, 1.5):
        before = _counts(db_url)
        saver = subprocess.Popen(
            [sys.executable, "-c", SAVER, db_url, str(ROWS), str(delay)], cwd=ROOT,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert saver.stdout.readline().strip() == "writing", saver.stderr.read()
        time.sleep(delay)
        finished = saver.poll() is not None
        saver.send_signal(signal.SIGKILL)
        out, _ = saver.communicate(timeout=30)
        assert "refused" not in out, out[:300]
        cut_midway += not finished and "done" not in out
        drivers, audited = _counts(db_url)  # opening the database recovers it
        added = drivers - before[0]
        assert added in (0, ROWS), f"{added} of {ROWS} rows after a kill at {delay} s"
        assert audited - before[1] == added  # one audit entry per written row, or none
    assert cut_midway, "every save finished before its kill: the test proved nothing"


# --- a PostgreSQL restart -----------------------------------------------------------------------

PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(*args: str) -> subprocess.CompletedProcess:
    command = [str(PG_BIN / args[0]), *args[1:]]
    if os.geteuid() == 0:  # the server refuses to run as root
        command = ["runuser", "-u", "postgres", "--", *command]
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=120)


class OwnServer:
    """A throwaway PostgreSQL cluster on a free port (initdb as the postgres user)."""

    def __init__(self) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="pg_fault_"))
        self.home.chmod(0o777)
        self.data, port = self.home / "data", _free_port()
        self.options = f"-p {port} -c listen_addresses=127.0.0.1 -k {self.home} -c fsync=off"
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        _as_postgres("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust")

    def _ctl(self, *args: str) -> None:
        # With a log file, the server does not hold pg_ctl's output pipe open.
        log = str(self.home / "log")
        _as_postgres("pg_ctl", "-D", str(self.data), "-o", self.options, "-l", log, *args)

    def start(self) -> None:
        self._ctl("-w", "start")

    def stop(self) -> None:
        self._ctl("-m", "fast", "-w", "stop")

    def restart(self) -> None:
        self._ctl("-m", "fast", "-w", "restart")


@pytest.fixture(scope="module")
def own_server() -> Iterator[OwnServer]:
    """A server of its own, migrated to head, that the tests may restart and stop."""
    if not TEST_DATABASE_URL or PG_BIN is None or shutil.which("runuser") is None:
        pytest.skip("needs TEST_DATABASE_URL set, PostgreSQL's server binaries and runuser")
    server = OwnServer()
    server.start()
    engine = make_engine(server.url)
    upgrade_to_head(engine)
    engine.dispose()
    try:
        yield server
    finally:
        _as_postgres("pg_ctl", "-D", str(server.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(server.home, ignore_errors=True)


def _add_driver(session: Session, name: str):
    return save_changes(session, Driver, EditorState([], added_rows=[{"name": name}]), actor=ADMIN)


def test_the_next_save_after_a_restart_works(own_server):
    engine = make_engine(own_server.url)  # the app's engine: a pool that outlives the restart
    try:
        with Session(engine) as session:
            assert _add_driver(session, "重啟前").ok  # a pooled connection now exists
        own_server.restart()
        with Session(engine) as session:
            assert _add_driver(session, "重啟後").ok  # the dead connection was replaced
            names = session.scalars(select(Driver.name).where(Driver.name.like("重啟%"))).all()
        assert sorted(names) == ["重啟前", "重啟後"]
    finally:
        engine.dispose()


def test_a_save_cut_by_a_restart_is_one_clear_message_then_works(own_server):
    engine = make_engine(own_server.url)
    try:
        with Session(engine) as session:
            before = dump_tables(session)
            # The page loaded its rows on a connection, and the server restarts before Save.
            session.connection()
            own_server.restart()
            cut = _add_driver(session, "中斷的儲存")
        assert not cut.ok
        assert cut.messages() == [
            "儲存失敗：與資料庫的連線中斷（資料庫可能正在重新啟動），本次未寫入任何資料，"
            "請稍候再按一次「儲存變更」"
        ]
        with Session(engine) as session:
            assert dump_tables(session) == before
            again = _add_driver(session, "中斷的儲存")
            assert again.ok  # the same save, pressed again, goes through
    finally:
        engine.dispose()


def test_the_app_shows_one_clear_message_while_the_database_is_down(own_server, monkeypatch):
    """A page open in the app: the database restarts (the next run works), then stays down
    for a while (one zh-TW message and a reload button, no traceback), then comes back."""
    from streamlit.testing.v1 import AppTest

    from core.accounts import auth
    from core.i18n.labels import t
    from tests.apptest import APP, signed_in

    engine = make_engine(own_server.url)
    with Session(engine) as session:
        auth.create_user(session, username="fault.admin", password="fault-pass-2023", role="admin")
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", own_server.url)
    monkeypatch.setenv("DATA_DIR", tempfile.mkdtemp(prefix="fault_app_"))
    from core.kernel.config import get_settings
    from ui.context import _engine

    get_settings.cache_clear()
    _engine.clear()
    try:
        app = AppTest.from_file(str(APP), default_timeout=60)
        at = signed_in(app, own_server.url, "fault.admin")
        at.run()
        at.switch_page("pages/staffing_table.py").run()
        assert not at.exception and at.title[0].value == t("page.staffing")

        own_server.restart()
        at.run()
        assert not at.exception and not at.warning and at.title[0].value == t("page.staffing")

        own_server.stop()
        try:
            at.run()
            assert not at.exception, at.exception
            assert [e.value for e in at.error] == [t("ui.db_disconnected")]
            assert at.button(key="frame.db_retry")
        finally:
            own_server.start()
        at.button(key="frame.db_retry").click().run()
        assert not at.exception and not at.error and at.title[0].value == t("page.staffing")
    finally:  # the next test's app gets its own engine and settings
        _engine.clear()
        get_settings.cache_clear()
