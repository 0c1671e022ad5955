"""Backups restore: a drill under concurrent writes on each backend, damaged archives and busy
targets refused with the target untouched, retention, and the last-backup record."""

from __future__ import annotations

import gzip
import hashlib
import io
import stat
import tarfile
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from core.kernel.backups import BackupStatus, last_backup, record_backup, status_path
from core.kernel.config import Settings
from db import backup, restore
from db.archive import MANIFEST, TAIPEI, archive_name, parse_archive_name, read_archive
from db.engine import make_engine
from db.models import Driver
from db.pg_client import libpq_env
from tests.conftest import (
    BACKENDS,
    _database_url,
    _drop_database,
    database_copy,
    dump_tables,
)

DAMAGED = "備份檔不完整或已被更改："


def _photo(folder: Path, payload: bytes) -> Path:
    """A photo file as core.visitors.photos stores one: named by its content hash."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = folder / f"{hashlib.sha256(payload).hexdigest()}.jpg"
    path.write_bytes(payload)
    return path


def _add_driver(url: str, name: str) -> None:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            session.add(Driver(name=name))
            session.commit()
    finally:
        engine.dispose()


def _dump(url: str) -> dict[str, list]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return dump_tables(session)
    finally:
        engine.dispose()


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())} if folder.exists() else {}


class Writer(threading.Thread):
    """Saves a driver after another through SQLAlchemy until stopped: the app at work."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.stop, self.saved = url, threading.Event(), 0
        self.going = threading.Event()  # set after the first few saves
        self.error: BaseException | None = None

    def run(self) -> None:
        engine = make_engine(self.url)
        try:
            while not self.stop.is_set():
                with Session(engine) as session:
                    session.add(Driver(name=f"夜班駕駛{self.saved:05d}"))
                    session.commit()
                self.saved += 1
                if self.saved == 5:
                    self.going.set()
                self.stop.wait(0.002)  # a busy app, not one that holds the GIL all along
        except BaseException as exc:  # reported by the test
            self.error = exc
        finally:
            engine.dispose()


@pytest.fixture(params=BACKENDS)
def drill(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Settings]]:
    """The URL of a database holding the demo data, and the settings of a target nothing was
    ever written to: on SQLite the embedded file of a new data folder (not there yet), on
    PostgreSQL a new bare database (CREATE DATABASE, no migrations)."""
    data = tmp_path / "target"
    with database_copy(request.param, request, tmp_path, demo=True) as demo_url:
        if request.param == "sqlite":
            yield demo_url, Settings(database_url="", data_dir=data)
            return
        admin: Engine = request.getfixturevalue("_pg_admin")
        name = f"t_restore_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield demo_url, Settings(database_url=_database_url(name), data_dir=data)
        finally:
            _drop_database(admin, name)


def test_restore_drill_under_concurrent_writes(drill: tuple[str, Settings], tmp_path: Path):
    demo_db_url, fresh_target = drill
    backend = "sqlite" if demo_db_url.startswith("sqlite") else "postgresql"
    source = Settings(database_url=demo_db_url, data_dir=tmp_path / "source")
    photos = [
        _photo(source.data_dir / "photos", b"\xff\xd8\xff" + bytes([i]) * 999) for i in (1, 2)
    ]
    before = _dump(demo_db_url)

    writer = Writer(demo_db_url)
    writer.start()
    assert writer.going.wait(30), writer.error
    saved_at_start = writer.saved
    result = backup.run_backup(source)
    saved_at_end = writer.saved
    writer.stop.set()
    writer.join()
    assert writer.error is None
    assert saved_at_end > saved_at_start, "the writer kept saving while the backup ran"
    after = _dump(demo_db_url)

    archive = result.path
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert stat.S_IMODE(archive.parent.stat().st_mode) == 0o700
    assert parse_archive_name(archive.name) is not None
    manifest = result.manifest
    assert manifest["backend"] == backend
    assert manifest["schema_revision"]
    # The snapshot holds some of the writer's rows: more than before it, fewer than after.
    assert len(before["driver"]) < manifest["tables"]["driver"] <= len(after["driver"])

    restored_manifest = restore.restore(fresh_target, archive)
    assert restored_manifest == manifest
    restored = _dump(fresh_target.url)
    # Row for row: the archive's counts are its own dump's; untouched tables are as they were;
    # the drivers are exactly those saved up to the snapshot, nothing half-written.
    assert {name: len(rows) for name, rows in restored.items()} == {
        name: n for name, n in manifest["tables"].items() if name != "alembic_version"
    }
    for name, rows in restored.items():
        if before[name] == after[name]:
            assert rows == after[name], name
    assert restored["driver"] == after["driver"][: manifest["tables"]["driver"]]
    # Every photo's bytes, as the manifest says they were.
    on_disk = _files(fresh_target.data_dir / "photos")
    assert on_disk == {p.name: p.read_bytes() for p in photos}
    assert {p["name"]: p["sha256"] for p in manifest["photos"]} == {
        name: hashlib.sha256(data).hexdigest() for name, data in on_disk.items()
    }


@pytest.fixture(params=BACKENDS)
def pair(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Settings, Settings]]:
    """A small source (one driver, two photos) and a target that already holds a driver and a
    photo of its own, each an empty migrated database of the backend otherwise."""
    (tmp_path / "s").mkdir()
    (tmp_path / "t").mkdir()
    with (
        database_copy(request.param, request, tmp_path / "s") as source_url,
        database_copy(request.param, request, tmp_path / "t") as target_url,
    ):
        source = Settings(database_url=source_url, data_dir=tmp_path / "source")
        target = Settings(database_url=target_url, data_dir=tmp_path / "target")
        _add_driver(source_url, "王小明")
        _photo(source.data_dir / "photos", b"\xff\xd8\xffsource-1")
        _photo(source.data_dir / "photos", b"\xff\xd8\xffsource-2")
        _add_driver(target_url, "陳大文")
        _photo(target.data_dir / "photos", b"\xff\xd8\xfftarget")
        yield source, target


def _state(settings: Settings) -> tuple[dict, dict]:
    return _dump(settings.url), _files(settings.data_dir / "photos")


def _flip_byte_in_member(archive: Path, member: str, out: Path) -> None:
    """Change one byte in the middle of a member's data and gzip the tar again, so that only
    the archive's own checksums (not gzip's) can notice."""
    raw = bytearray(gzip.decompress(archive.read_bytes()))
    with tarfile.open(fileobj=io.BytesIO(bytes(raw))) as tar:
        info = tar.getmember(member)
    raw[info.offset_data + info.size // 2] ^= 0x01
    out.write_bytes(gzip.compress(bytes(raw)))


def _db_member(settings: Settings) -> str:
    return "database.sqlite3" if settings.url.startswith("sqlite") else "database.pgdump"


@pytest.mark.parametrize("damage", ["truncated", "gzip byte", "database", "photo", MANIFEST])
def test_damaged_archive_is_refused_and_target_untouched(
    pair: tuple[Settings, Settings], tmp_path: Path, damage: str, capsys: pytest.CaptureFixture
):
    source, target = pair
    archive = backup.run_backup(source).path
    bad = tmp_path / archive.name
    if damage == "truncated":
        bad.write_bytes(archive.read_bytes()[: archive.stat().st_size * 2 // 3])
        expected = DAMAGED + "無法讀完整個檔案"
    elif damage == "gzip byte":
        data = bytearray(archive.read_bytes())
        data[len(data) // 2] ^= 0x01
        bad.write_bytes(bytes(data))
        expected = DAMAGED
    else:
        if damage == "database":
            member = _db_member(source)
        elif damage == "photo":
            with tarfile.open(archive) as tar:
                member = next(n for n in tar.getnames() if n.startswith("photos/"))
        else:
            member = MANIFEST
        _flip_byte_in_member(archive, member, bad)
        expected = f"{DAMAGED}{member} 的檢查碼不符"
    state = _state(target)

    with pytest.raises(restore.RestoreRefused) as refused:
        restore.restore(target, bad, force=True)
    assert str(refused.value).startswith(expected)
    assert restore.main([str(bad), "--force"], target) == 1
    assert f"還原未執行：{expected}" in capsys.readouterr().err
    assert _state(target) == state
    # Nothing staged is left behind, beside the photos or beside an SQLite file.
    assert [p.name for p in target.data_dir.iterdir()] == ["photos"]
    if target.url.startswith("sqlite"):
        assert not [p for p in Path(target.url.removeprefix("sqlite:///")).parent.glob(".*")]


def test_non_empty_target_is_refused_without_force(pair: tuple[Settings, Settings]):
    source, target = pair
    archive = backup.run_backup(source).path
    state = _state(target)
    with pytest.raises(restore.RestoreRefused, match="目標資料庫 .* 已有資料.*請加上 --force"):
        restore.restore(target, archive)
    assert _state(target) == state

    # An empty database but a photo folder with files: refused too.
    engine = make_engine(target.url)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM driver"))
    engine.dispose()
    with pytest.raises(restore.RestoreRefused, match="照片資料夾 .* 已有 1 個檔案.*--force"):
        restore.restore(target, archive)

    restore.restore(target, archive, force=True)
    assert _state(target) == _state(source)


def test_sqlite_restore_is_refused_while_an_app_has_the_file_open(tmp_path: Path, request):
    with database_copy("sqlite", request, tmp_path) as url:
        source = Settings(database_url=url, data_dir=tmp_path / "source")
        archive = backup.run_backup(source).path
        target = Settings(database_url="", data_dir=tmp_path / "target")
        restore.restore(target, archive)
        running = make_engine(target.url)  # an app server's pool keeps its connection open
        try:
            with running.connect() as conn:
                conn.execute(text("SELECT count(*) FROM driver"))
            with pytest.raises(restore.RestoreRefused, match="正被其他程式使用.*停止所有應用程式"):
                restore.restore(target, archive, force=True)
        finally:
            running.dispose()
        restore.restore(target, archive, force=True)


def test_cross_backend_restore_is_refused(tmp_path: Path, request):
    if "postgresql" not in BACKENDS:
        pytest.skip("needs TEST_DATABASE_URL")
    with database_copy("sqlite", request, tmp_path) as url:
        archive = backup.run_backup(Settings(database_url=url, data_dir=tmp_path / "s")).path
    with database_copy("postgresql", request, tmp_path) as pg_url:
        target = Settings(database_url=pg_url, data_dir=tmp_path / "t")
        with pytest.raises(
            restore.RestoreRefused, match="此備份來自 SQLite.*不支援跨資料庫種類還原"
        ):
            restore.restore(target, archive)


def _taipei(text_: str) -> datetime:
    return datetime.strptime(text_, "%Y-%m-%d %H:%M").replace(tzinfo=TAIPEI)


def test_retention_keeps_the_newest_of_each_day_and_month_and_nothing_foreign(tmp_path: Path):
    times = {
        "2026-12-07 03:00": 1,
        "2026-12-07 12:00": 2,  # two archives within one minute: -2 is the newer
        "2026-12-06 03:00": 1,
        "2026-12-05 03:00": 1,
        "2026-12-04 03:00": 1,
        "2026-11-30 03:00": 1,
        "2026-11-15 03:00": 1,
        "2026-10-31 03:00": 1,
    }
    for when, serials in times.items():
        for serial in range(1, serials + 1):
            (tmp_path / archive_name(_taipei(when), serial)).write_bytes(b"x")
    foreign = [
        "last_backup.json",
        "notes.txt",
        "workspace-20261001-0300.tar.gz.bak",
        "other-20261001-0300.tar.gz",
        ".workspace-20261001-0300.tar.gz.123.part",
        "workspace-2026100-0300.tar.gz",
    ]
    for name in foreign:
        (tmp_path / name).write_bytes(b"keep me")
    (tmp_path / "workspace-20260901-0300.tar.gz.d").mkdir()

    removed = backup.prune(tmp_path, keep_daily=3, keep_monthly=2)

    kept = {
        "workspace-20261207-1200-2.tar.gz",  # newest of 12-07 and of December
        "workspace-20261206-0300.tar.gz",
        "workspace-20261205-0300.tar.gz",
        "workspace-20261130-0300.tar.gz",  # newest of November
    }
    assert {p.name for p in tmp_path.iterdir()} == kept | set(foreign) | {
        "workspace-20260901-0300.tar.gz.d"
    }
    assert {p.name for p in removed} == {
        "workspace-20261207-0300.tar.gz",
        "workspace-20261207-1200.tar.gz",
        "workspace-20261204-0300.tar.gz",
        "workspace-20261115-0300.tar.gz",
        "workspace-20261031-0300.tar.gz",
    }


def test_backup_command_applies_retention_and_records_the_run(tmp_path: Path, request):
    with database_copy("sqlite", request, tmp_path) as url:
        settings = Settings(database_url=url, data_dir=tmp_path / "data")
        out = tmp_path / "data" / "backups"
        out.mkdir(parents=True)
        old = out / archive_name(datetime.now(UTC) - timedelta(days=40))
        old.write_bytes(b"an older archive")
        (out / "README.txt").write_text("not ours")

        assert backup.main(["--keep-daily", "1"], settings) == 0

    names = sorted(p.name for p in out.iterdir())
    assert len([n for n in names if parse_archive_name(n)]) == 1 and old.name not in names
    assert "README.txt" in names and "last_backup.json" in names
    status = last_backup(settings)
    assert status is not None and status.ok and status.archive in names
    assert status.size == (out / status.archive).stat().st_size
    assert stat.S_IMODE(status_path(settings).stat().st_mode) == 0o600
    read_archive(out / status.archive)  # whole and checked


def test_a_failed_backup_is_recorded_and_keeps_the_last_good_one(tmp_path: Path, capsys):
    settings = Settings(database_url=f"sqlite:///{tmp_path}/missing.db", data_dir=tmp_path)
    good = datetime(2026, 12, 1, 19, 0, tzinfo=UTC)
    record_backup(settings, BackupStatus(good, True, "備份完成", "workspace-20261202-0300.tar.gz"))

    assert backup.main([], settings) == 1

    assert "備份失敗：找不到資料庫檔案" in capsys.readouterr().err
    status = last_backup(settings)
    assert status is not None and not status.ok
    assert status.message.startswith("備份失敗：找不到資料庫檔案")
    assert status.last_ok_at == good and status.last_ok_archive == "workspace-20261202-0300.tar.gz"
    assert not (tmp_path / "missing.db").exists()
    assert [p.name for p in (tmp_path / "backups").iterdir()] == ["last_backup.json"]


def test_last_backup_and_is_stale(tmp_path: Path):
    settings = Settings(data_dir=tmp_path)
    assert last_backup(settings) is None

    at = datetime(2026, 12, 7, 19, 0, tzinfo=UTC)
    record_backup(settings, BackupStatus(at, True, "備份完成", "a.tar.gz", size=10))
    status = last_backup(settings)
    assert status is not None and status.ok and status.last_ok_at == at
    assert not status.is_stale(at + timedelta(days=6, hours=23))
    assert status.is_stale(at + timedelta(days=7, minutes=1))
    assert status.is_stale(at + timedelta(days=2), days=1)
    assert not status.needs_attention(at + timedelta(days=1))

    record_backup(settings, BackupStatus(at + timedelta(days=1), False, "備份失敗：磁碟已滿"))
    failed = last_backup(settings)
    assert failed is not None and not failed.ok and failed.last_ok_at == at
    assert not failed.is_stale(at + timedelta(days=2))  # the last good one is still recent
    assert failed.needs_attention(at + timedelta(days=2))

    status_path(settings).write_text("{not json")
    broken = last_backup(settings)
    assert broken is not None and not broken.ok and "無法讀取" in broken.message
    assert broken.is_stale(at)


def test_pg_tools_get_the_password_from_the_environment_not_the_command_line():
    url = make_url(
        "postgresql+psycopg://clerk:s3cret@db.example:5433/bureau"
        "?sslmode=require&application_name=backup"
    )
    env = libpq_env(url)
    assert env["PGPASSWORD"] == "s3cret" and env["PGUSER"] == "clerk"
    assert (env["PGHOST"], env["PGPORT"], env["PGDATABASE"]) == ("db.example", "5433", "bureau")
    assert (env["PGSSLMODE"], env["PGAPPNAME"]) == ("require", "backup")


def test_backups_read_the_folder_the_app_stores_photos_in(clean_caches: None):
    from core.kernel.config import get_settings
    from core.visitors.photos import photo_dir

    assert backup.photos_dir(get_settings()) == photo_dir()
