"""`python -m db.restore ARCHIVE [--force]`: put a backup back into the configured database
and photo folder, then prove it by recounting and rehashing.

Nothing is changed until the whole archive has been read and checked (every member's sha256,
the manifest's own) and staged beside its target, and the target is known to be empty (or
--force is given). Then SQLite's file is renamed into place (stop every app server first: the
command refuses while another process has the file open), and PostgreSQL gets pg_restore in
one transaction, which either restores everything or nothing. The photo folder is swapped by
renaming. An archive of one backend is not restored into the other: SQLite and PostgreSQL
archives hold each backend's own format (a file copy, a pg_dump).

Exit codes: 0 restored and verified; 1 refused or failed with the target left as it was;
2 the target was changed but does not match the manifest (or failed midway).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import URL
from sqlalchemy.exc import SQLAlchemyError

from core.kernel.config import Settings, get_settings
from core.kernel.file_modes import DIR_MODE, FILE_MODE, private_dir
from db.archive import (
    DB_MEMBERS,
    SCHEMA_TABLES,
    ArchiveError,
    count_rows,
    holds_data,
    read_archive,
    schema_revision,
    sha256_file,
)
from db.backup import BackupFailed, database_url, list_photos, photos_dir
from db.engine import DatabaseUnavailable
from db.migrate import alembic_config
from db.pg_client import ToolFailed, run_tool

BACKENDS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


class RestoreRefused(RuntimeError):
    """Refused or failed before the target was changed; the message is zh-TW."""


class RestoreBroken(RuntimeError):
    """The target was changed and is not what the archive holds; the message is zh-TW."""


def restore(settings: Settings, archive: Path, *, force: bool = False) -> dict[str, Any]:
    """Restore archive into the configured database and photo folder; returns the manifest.

    Raises RestoreRefused (target untouched) or RestoreBroken (target changed, not verified)."""
    url = database_url(settings)
    backend = url.get_backend_name()
    if not archive.is_file():
        raise RestoreRefused(f"找不到備份檔：{archive}")
    if backend not in BACKENDS:
        raise RestoreRefused(f"不支援還原至此種資料庫：{backend}")
    private_dir(settings.data_dir)
    staging = settings.data_dir / f".restore-{os.getpid()}.tmp"
    shutil.rmtree(staging, ignore_errors=True)  # left by a crashed run under the same pid
    staging.mkdir(mode=DIR_MODE)
    staged_photos = staging / "photos"
    staged_photos.mkdir(mode=DIR_MODE)
    if backend == "sqlite":
        target = _sqlite_target(url)
        # Beside the target, so that the rename into place is atomic (one file system).
        staged_db = private_dir(target.parent) / f".{target.name}.restore-{os.getpid()}"
    else:
        staged_db = staging / DB_MEMBERS["postgresql"]
    try:
        try:
            manifest = read_archive(archive, staged_db, staged_photos)
        except ArchiveError as exc:
            raise RestoreRefused(str(exc)) from exc
        _check_manifest(manifest, backend)
        if backend == "sqlite":
            _restore_sqlite(manifest, staged_db, target, staged_photos, settings, force)
        else:
            _restore_postgres(manifest, staged_db, url, staged_photos, settings, force)
    finally:
        staged_db.unlink(missing_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
    _verify(manifest, settings, url)
    return manifest


def _sqlite_target(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise RestoreRefused("無法還原至記憶體中的 SQLite 資料庫")
    return Path(url.database)


def _check_manifest(manifest: dict[str, Any], backend: str) -> None:
    source = manifest.get("backend")
    if source != backend:
        raise RestoreRefused(
            f"此備份來自 {BACKENDS.get(source, source)}，設定的資料庫是 {BACKENDS[backend]}："
            "不支援跨資料庫種類還原，請還原至同種資料庫"
        )
    if DB_MEMBERS[backend] not in manifest["members"]:
        raise RestoreRefused(f"備份檔不完整或已被更改：缺少 {DB_MEMBERS[backend]}")
    revision = manifest.get("schema_revision")
    try:
        known = revision is not None and ScriptDirectory.from_config(alembic_config()).get_revision(
            revision
        )
    except CommandError:
        known = False
    if not known:
        raise RestoreRefused(
            f"備份的資料庫結構版本 {revision} 不是此版程式認得的：請以製作備份的程式版本（"
            f"{manifest.get('app_version') or '不明'}）或更新的版本還原"
        )


def _mismatch(found: dict[str, int], expected: dict[str, int]) -> str | None:
    """The first difference between two row counts per table, in words; None when equal."""
    for name in sorted(set(found) | set(expected)):
        if name not in found:
            return f"缺少資料表 {name}"
        if name not in expected:
            return f"多出 manifest.json 未記載的資料表 {name}"
        if found[name] != expected[name]:
            return f"資料表 {name} 有 {found[name]:,} 列，備份時為 {expected[name]:,} 列"
    return None


def _refuse_photos(settings: Settings, force: bool) -> None:
    present = list(photos_dir(settings).iterdir()) if photos_dir(settings).is_dir() else []
    if present and not force:
        raise RestoreRefused(
            f"照片資料夾 {photos_dir(settings)} 已有 {len(present)} 個檔案：若確定要以備份取代，"
            "請加上 --force"
        )


def _refuse_data(where: str, counts: dict[str, int], force: bool) -> None:
    if holds_data(counts) and not force:
        rows = sum(n for name, n in counts.items() if name not in SCHEMA_TABLES)
        raise RestoreRefused(
            f"目標資料庫 {where} 已有資料（{rows:,} 列）：若確定要以備份覆蓋，請加上 --force"
        )


def _restore_sqlite(
    manifest: dict[str, Any],
    staged: Path,
    target: Path,
    staged_photos: Path,
    settings: Settings,
    force: bool,
) -> None:
    """Check the staged copy, take the target's file lock (refused while an app server has it
    open), then swap the photo folder and rename the copy over the target."""
    engine = sa.create_engine(f"sqlite:///{staged}", poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            if conn.exec_driver_sql("PRAGMA integrity_check").scalar() != "ok":
                raise RestoreRefused("備份檔內的 SQLite 資料庫未通過完整性檢查")
            found, revision = count_rows(conn), schema_revision(conn)
    finally:
        engine.dispose()
    if problem := _mismatch(found, manifest["tables"]):
        raise RestoreRefused(f"備份檔內的資料庫與 manifest.json 不符：{problem}")
    if revision != manifest["schema_revision"]:
        raise RestoreRefused("備份檔內的資料庫結構版本與 manifest.json 不符")
    lock = _lock_sqlite(target) if target.exists() and target.stat().st_size else None
    try:
        if lock is not None:
            _refuse_data(str(target), _sqlite_counts(lock), force)
        _refuse_photos(settings, force)
        if lock is not None:
            # Fold the WAL into the old file and empty it: a WAL left beside the new file
            # would be replayed into it by the next connection.
            lock.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        if lock is not None:
            lock.close()
    undo = _swap_photos(staged_photos, settings)
    try:
        staged.chmod(FILE_MODE)
        os.replace(staged, target)
    except OSError as exc:
        undo()
        raise RestoreRefused(f"無法將資料庫檔案放回 {target}：{exc}") from exc
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    undo.finish()


def _lock_sqlite(target: Path) -> sqlite3.Connection:
    """An exclusive lock on the target file: in WAL mode it is refused while any other
    connection (a running app server's pool) has the file open, so a running app is found."""
    con = sqlite3.connect(f"{target.as_uri()}?mode=rw", uri=True, timeout=1, isolation_level=None)
    try:
        con.execute("PRAGMA locking_mode=EXCLUSIVE")
        con.execute("BEGIN EXCLUSIVE")
        con.execute("COMMIT")
    except sqlite3.OperationalError as exc:
        con.close()
        if "locked" in str(exc) or "busy" in str(exc):
            raise RestoreRefused(
                f"資料庫檔案 {target} 正被其他程式使用：請先停止所有應用程式伺服器再還原"
            ) from exc
        raise RestoreRefused(f"無法開啟目標資料庫 {target}：{exc}") from exc
    except sqlite3.DatabaseError as exc:
        con.close()
        # Not overwritten even with --force: a file that is no database may be anything.
        raise RestoreRefused(f"目標檔案 {target} 不是可讀的 SQLite 資料庫：{exc}") from exc
    return con


def _sqlite_counts(con: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in con.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {name: con.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


def _restore_postgres(
    manifest: dict[str, Any],
    dump: Path,
    url: URL,
    staged_photos: Path,
    settings: Settings,
    force: bool,
) -> None:
    """pg_restore in one transaction (all or nothing), --clean when the schema is there
    already; then the photo folder is swapped."""
    where = url.render_as_string(hide_password=True)
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            counts = count_rows(conn)
    except SQLAlchemyError as exc:
        reason = " ".join(str(getattr(exc, "orig", exc)).split())
        raise RestoreRefused(f"無法連線至資料庫 {where}：{reason}") from exc
    finally:
        engine.dispose()
    _refuse_data(where, counts, force)
    _refuse_photos(settings, force)
    args = ["--no-owner", "--single-transaction", "--exit-on-error", "--no-password"]
    if counts:  # tables are there (a migrated empty database, or --force): replace them
        args += ["--clean", "--if-exists"]
    database = (url.database or "").replace("\\", "\\\\").replace("'", "\\'")
    try:
        run_tool("pg_restore", [*args, f"--dbname=dbname='{database}'", str(dump)], url)
    except ToolFailed as exc:
        raise RestoreRefused(f"{exc}（交易已復原，資料庫未變更）") from exc
    undo = _swap_photos(staged_photos, settings)
    undo.finish()
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("ANALYZE"))  # pg_restore brings no planner statistics
    finally:
        engine.dispose()


class _PhotoSwap:
    """The photo folder replaced by the staged one; undo() puts the old one back, finish()
    deletes it."""

    def __init__(self, staged: Path, settings: Settings) -> None:
        self.folder = photos_dir(settings)
        self.old = staged.parent / "photos.before"
        self.had_old = self.folder.exists()
        if self.had_old:
            os.replace(self.folder, self.old)
        os.replace(staged, self.folder)

    def __call__(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        if self.had_old:
            os.replace(self.old, self.folder)

    def finish(self) -> None:
        shutil.rmtree(self.old, ignore_errors=True)


def _swap_photos(staged: Path, settings: Settings) -> _PhotoSwap:
    return _PhotoSwap(staged, settings)


def _verify(manifest: dict[str, Any], settings: Settings, url: URL) -> None:
    """Recount the restored database and rehash the photo folder against the manifest."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            found = count_rows(conn)
    except SQLAlchemyError as exc:
        raise RestoreBroken(f"還原後無法讀取資料庫以核對：{exc}") from exc
    finally:
        engine.dispose()
    if problem := _mismatch(found, manifest["tables"]):
        raise RestoreBroken(f"還原後核對不符：{problem}")
    folder = photos_dir(settings)
    on_disk = {p.name: p for p in list_photos(folder)}
    for photo in manifest["photos"]:
        path = on_disk.pop(photo["name"], None)
        if path is None:
            raise RestoreBroken(f"還原後核對不符：照片 {photo['name']} 不在 {folder}")
        if path.stat().st_size != photo["size"] or sha256_file(path) != photo["sha256"]:
            raise RestoreBroken(f"還原後核對不符：照片 {photo['name']} 的內容與備份時不同")
    if on_disk:
        raise RestoreBroken(f"還原後核對不符：照片資料夾多出 {len(on_disk)} 個備份中沒有的檔案")


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m db.restore",
        description="由備份檔還原資料庫與照片資料夾（SQLite：請先停止應用程式）。",
    )
    parser.add_argument("archive", type=Path, help="備份檔（workspace-….tar.gz）")
    parser.add_argument("--force", action="store_true", help="目標已有資料或照片時仍覆蓋")
    args = parser.parse_args(argv)
    settings = settings or get_settings()
    try:
        manifest = restore(settings, args.archive, force=args.force)
    except (RestoreRefused, BackupFailed, DatabaseUnavailable) as exc:
        print(f"還原未執行：{exc}", file=sys.stderr)
        return 1
    except RestoreBroken as exc:
        print(f"還原失敗：{exc}", file=sys.stderr)
        return 2
    except (OSError, SQLAlchemyError, sqlite3.Error) as exc:
        print(f"還原失敗：{type(exc).__name__}：{exc}", file=sys.stderr)
        return 2
    rows = sum(manifest["tables"].values())
    taken = datetime.fromisoformat(manifest["created_at_taipei"]).strftime("%Y-%m-%d %H:%M")
    print(
        f"還原完成並已核對：{len(manifest['tables'])} 個資料表共 {rows:,} 列、"
        f"照片 {len(manifest['photos'])} 張，與 {taken}（臺北時間）的備份相同。"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
