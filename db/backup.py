"""`python -m db.backup`: one consistent archive of the database and the photos, app running.

The database is copied first, as one snapshot: SQLite through the online backup API (readers
and writers of the running app carry on), PostgreSQL with pg_dump on a snapshot this command
exports, in whose transaction it also counts the rows, so the manifest's counts are the dump's.
The photo folder is read after the snapshot: a photo the snapshot names was stored before its
row was committed (core.visitors.photos), so it is there unless deleted since. The archive is
read back and checked before it gets its name; retention then prunes older archives of ours.
Every run, failed ones too, is recorded for the admin page (core.kernel.backups).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from core.kernel.backups import BackupStatus, backup_dir, record_backup
from core.kernel.config import ROOT, Settings, get_settings
from core.kernel.file_modes import DIR_MODE, FILE_MODE, private_dir
from db.archive import (
    FORMAT_VERSION,
    PHOTO_NAME_RE,
    TAIPEI,
    ArchiveError,
    archive_name,
    count_rows,
    parse_archive_name,
    read_archive,
    schema_revision,
    write_archive,
)
from db.engine import DatabaseUnavailable, normalize_url
from db.pg_client import ToolFailed, run_tool

APP_NAME = "行國處業務工作台"


class BackupFailed(RuntimeError):
    """The backup could not be made; the message is zh-TW."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]
    removed: list[Path]


def database_url(settings: Settings) -> URL:
    try:
        return make_url(normalize_url(settings.url))
    except sa.exc.ArgumentError as exc:
        raise BackupFailed(f"DATABASE_URL 格式不正確：{exc}") from exc


def photos_dir(settings: Settings) -> Path:
    """The photo folder, as core.visitors.photos.photo_dir for these settings."""
    return settings.data_dir / "photos"


def list_photos(folder: Path) -> list[Path]:
    """The stored photo files; hidden files (an upload being written) and folders left out."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if PHOTO_NAME_RE.match(p.name) and p.is_file() and not p.is_symlink()
    )


def snapshot_sqlite(source: Path, dest: Path) -> tuple[dict[str, int], str | None]:
    """Copy the live SQLite file to dest with the online backup API; counts and revision of
    the copy, which is the snapshot the archive holds."""
    if not source.is_file():
        raise BackupFailed(f"找不到資料庫檔案：{source}")
    # mode=rw: never create an empty database where the configured one is missing.
    src = sqlite3.connect(f"{source.as_uri()}?mode=rw", uri=True, timeout=30)
    try:
        dst = sqlite3.connect(dest)
        try:
            src.backup(dst)  # one step: a read transaction, so one consistent state
            # A self-contained file: the copy carries the source's WAL flag otherwise.
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    engine = sa.create_engine(f"sqlite:///{dest}")
    try:
        with engine.connect() as conn:
            return count_rows(conn), schema_revision(conn)
    finally:
        engine.dispose()


def snapshot_postgres(url: URL, dest: Path) -> tuple[dict[str, int], str | None]:
    """pg_dump --format=custom of a snapshot exported by a REPEATABLE READ transaction that
    counts the rows meanwhile: the counts describe exactly what the dump holds."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                snapshot = conn.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
                counts, revision = count_rows(conn), schema_revision(conn)
                # The snapshot lives as long as this transaction: pg_dump runs inside it.
                args = ["--format=custom", "--no-password", f"--snapshot={snapshot}"]
                run_tool("pg_dump", [*args, f"--file={dest}"], url)
    except SQLAlchemyError as exc:
        where = url.render_as_string(hide_password=True)
        reason = " ".join(str(getattr(exc, "orig", exc)).split())
        raise DatabaseUnavailable(f"無法連線至資料庫 {where}：{reason}") from exc
    finally:
        engine.dispose()
    dest.chmod(FILE_MODE)
    return counts, revision


def app_version() -> str | None:
    """The commit the code runs from, when it runs from a git checkout; else None."""
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        return None
    done = subprocess.run(
        ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
        timeout=10,
    )
    return (done.stdout.strip() or None) if done.returncode == 0 else None


def run_backup(
    settings: Settings,
    out_dir: Path | None = None,
    *,
    keep_daily: int | None = None,
    keep_monthly: int | None = None,
    now: datetime | None = None,
) -> BackupResult:
    """Write one archive into out_dir (default data_dir/backups) and apply retention when
    keep_daily or keep_monthly is given. Raises BackupFailed, ArchiveError, ToolFailed or
    DatabaseUnavailable (zh-TW) and leaves no partial file behind."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    out_dir = private_dir(out_dir or backup_dir(settings))
    url = database_url(settings)
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise BackupFailed(f"不支援備份此種資料庫：{backend}")
    staging = out_dir / f".backup-{os.getpid()}.tmp"
    partial = out_dir / f".{archive_name(now)}.{os.getpid()}.part"
    try:
        staging.mkdir(mode=DIR_MODE)
        snapshot = staging / "database"
        if backend == "sqlite":
            if not url.database or url.database == ":memory:":
                raise BackupFailed("記憶體中的 SQLite 資料庫無法備份")
            counts, revision = snapshot_sqlite(Path(url.database), snapshot)
        else:
            counts, revision = snapshot_postgres(url, snapshot)
        manifest = {
            "format": FORMAT_VERSION,
            "app": APP_NAME,
            "app_version": app_version(),
            "created_at_utc": now.isoformat(),
            "created_at_taipei": now.astimezone(TAIPEI).isoformat(),
            "backend": backend,
            "schema_revision": revision,
            "tables": counts,
        }
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
        with os.fdopen(fd, "wb") as out:
            manifest = write_archive(
                out, snapshot, backend, list_photos(photos_dir(settings)), manifest
            )
            out.flush()
            os.fsync(out.fileno())
        read_archive(partial)  # what was written reads back whole, before it is named
        path = _publish(partial, out_dir, now)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        partial.unlink(missing_ok=True)
    removed: list[Path] = []
    if keep_daily is not None or keep_monthly is not None:
        removed = prune(out_dir, keep_daily or 0, keep_monthly or 0, protect=path)
    return BackupResult(path, manifest, removed)


def _publish(partial: Path, out_dir: Path, now: datetime) -> Path:
    """Give the finished archive its name without replacing another: a second archive within
    the same minute becomes -2, -3 …; os.link fails rather than overwrite, atomically."""
    for serial in range(1, 1000):
        path = out_dir / archive_name(now, serial)
        try:
            os.link(partial, path)
        except FileExistsError:
            continue
        dir_fd = os.open(out_dir, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return path
    raise BackupFailed(f"{out_dir} 中同一分鐘的備份檔已達上限")


def prune(
    out_dir: Path, keep_daily: int, keep_monthly: int, protect: Path | None = None
) -> list[Path]:
    """Delete our archives (by name: workspace-YYYYMMDD-HHMM[-N].tar.gz) except the newest of
    each of the newest keep_daily days and of the newest keep_monthly months (Taipei dates),
    and `protect`. Any other file is never touched. Returns what was deleted."""
    ours = sorted(
        (
            parsed
            for p in out_dir.iterdir()
            if (parsed := parse_archive_name(p.name)) and p.is_file() and not p.is_symlink()
        ),
        key=lambda a: (a.taken_at, a.serial),
        reverse=True,
    )
    newest_of_day: dict[Any, str] = {}
    newest_of_month: dict[Any, str] = {}
    for archive in ours:  # newest first: the first one of a day is the day's newest
        newest_of_day.setdefault(archive.taken_at.date(), archive.name)
        newest_of_month.setdefault((archive.taken_at.year, archive.taken_at.month), archive.name)
    keep = set(list(newest_of_day.values())[:keep_daily])
    keep |= set(list(newest_of_month.values())[:keep_monthly])
    if protect is not None:
        keep.add(protect.name)
    removed = []
    for archive in ours:
        if archive.name not in keep:
            (out_dir / archive.name).unlink(missing_ok=True)
            removed.append(out_dir / archive.name)
    return removed


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.1f} KB"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m db.backup",
        description="備份資料庫與照片資料夾為單一封存檔（應用程式執行中亦可）。",
    )
    parser.add_argument("--out", type=Path, help="備份檔資料夾（預設 DATA_DIR/backups）")
    parser.add_argument("--keep-daily", type=_count, metavar="N", help="保留最近 N 天各一份")
    parser.add_argument("--keep-monthly", type=_count, metavar="M", help="保留最近 M 個月各一份")
    return parser


def _count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = -1
    if number < 0:
        raise argparse.ArgumentTypeError(f"須為 0 以上的整數：{value!r}")
    return number


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    """Back up, print the outcome in zh-TW and record it; 0 on success, 1 on failure."""
    args = _parser().parse_args(argv)
    settings = settings or get_settings()
    try:
        result = run_backup(
            settings, args.out, keep_daily=args.keep_daily, keep_monthly=args.keep_monthly
        )
    except (BackupFailed, ArchiveError, ToolFailed, DatabaseUnavailable) as exc:
        message = f"備份失敗：{exc}"
    except (OSError, SQLAlchemyError, sqlite3.Error) as exc:
        message = f"備份失敗：{type(exc).__name__}：{exc}"
    else:
        size = result.path.stat().st_size
        rows = sum(result.manifest["tables"].values())
        message = (
            f"備份完成：{result.path}（{_size(size)}；{len(result.manifest['tables'])} 個資料表"
            f"共 {rows:,} 列，照片 {len(result.manifest['photos'])} 張）"
        )
        record_backup(
            settings,
            BackupStatus(
                finished_at=datetime.now(UTC),
                ok=True,
                message=message,
                archive=result.path.name,
                size=size,
                out_dir=str(result.path.parent),
            ),
        )
        print(message)
        for path in result.removed:
            print(f"依保留規則刪除舊備份：{path.name}")
        return 0
    out_dir = str(args.out or backup_dir(settings))
    try:
        record_backup(
            settings,
            BackupStatus(finished_at=datetime.now(UTC), ok=False, message=message, out_dir=out_dir),
        )
    except OSError as exc:
        print(f"備份結果無法記錄：{exc}", file=sys.stderr)
    print(message, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
