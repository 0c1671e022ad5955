"""The data folder is the app account's alone: a fresh start makes it 0700 and the database 0600
(its -wal and -shm too), and a start on a folder made before that restricts what it finds."""

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# What the app does on start (ui.context): migrate the configured database; the process stays
# connected while the test looks, as a running server is.
START = """
import sys
from db.bootstrap import prepare_database
engine = prepare_database(load_demo=False)
with engine.connect() as conn:
    conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS probe (x)")
    conn.exec_driver_sql("INSERT INTO probe VALUES (1)")
    conn.commit()
    print("ready", flush=True)
    sys.stdin.readline()
"""


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _modes(data: Path) -> dict[str, int]:
    """{path relative to the data folder ('.' for itself): mode} of everything in it."""
    return {str(p.relative_to(data)): _mode(p) for p in [data, *sorted(data.rglob("*"))]}


def _start(data: Path) -> dict[str, int]:
    """Start on DATA_DIR=data with the usual umask 022; the modes seen while it is connected."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "LOAD_DEMO_DATA")}
    env["DATA_DIR"] = str(data)
    proc = subprocess.Popen(
        [sys.executable, "-c", START], cwd=ROOT, env=env, text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        preexec_fn=lambda: os.umask(0o022),
    )  # fmt: skip
    try:
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read()
        return _modes(data)
    finally:
        proc.communicate("\n", timeout=60)


def test_a_fresh_start_makes_the_folder_0700_and_the_database_0600(tmp_path):
    data = tmp_path / "fresh" / "data"
    modes = _start(data)
    assert modes["."] == 0o700
    # SQLite's WAL files exist while a connection is open and take the database file's mode.
    assert {"workspace.db", "workspace.db-wal", "workspace.db-shm"} <= set(modes), modes
    assert {name: mode for name, mode in modes.items() if name != "."} == dict.fromkeys(
        [name for name in modes if name != "."], 0o600
    )


def test_a_start_restricts_a_folder_made_before(tmp_path):
    data = tmp_path / "data"
    (data / "photos").mkdir(parents=True, mode=0o755)
    data.chmod(0o755)
    (data / "photos").chmod(0o755)
    old = sqlite3.connect(data / "workspace.db")  # as an older version left it: 0644
    old.execute("CREATE TABLE earlier (x)")
    old.commit()
    old.close()
    photo = data / "photos" / "abc.jpg"
    photo.write_bytes(b"\xff\xd8\xff")
    for path in (data / "workspace.db", photo):
        path.chmod(0o644)
    modes = _start(data)
    assert (modes["."], modes["photos"]) == (0o700, 0o700)
    assert modes["workspace.db"] == modes["photos/abc.jpg"] == 0o600
    # the data it held is still there
    with sqlite3.connect(data / "workspace.db") as conn:
        assert conn.execute("SELECT count(*) FROM earlier").fetchone() == (0,)
