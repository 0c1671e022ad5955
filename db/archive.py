"""Backup archives: names, the manifest, per-member checksums, and writing and reading the tar.

One archive is a gzip'd tar of, in this order: the database (``database.sqlite3`` or
``database.pgdump``), ``photos/<name>`` for every photo file, ``manifest.json`` and
``manifest.json.sha256``. The manifest lists every other member's sha256 and size, and the last
member holds the manifest's own sha256: a reader stages every member, then checks them all, so
a truncated archive (gzip ends early, or members are missing) and an altered byte anywhere are
refused before anything is restored. The checksums find damage, not forgery: whoever can write
the archive can write matching checksums too, which is why archives are 0600 in a 0700 folder.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import tarfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import Connection

from core.kernel.file_modes import FILE_MODE

FORMAT_VERSION = 1
TAIPEI = ZoneInfo("Asia/Taipei")
DB_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
MANIFEST = "manifest.json"
MANIFEST_SUM = "manifest.json.sha256"
PHOTO_PREFIX = "photos/"
# workspace-20261207-0300.tar.gz, and -2, -3 … for a second archive within the same minute.
NAME_RE = re.compile(r"^workspace-(\d{8})-(\d{4})(?:-(\d{1,3}))?\.tar\.gz$")
# A photo's stored name: no folder part, nothing hidden (core.visitors.photos: <sha256>.<ext>).
PHOTO_NAME_RE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,200}$")
# Tables that are not "data" when judging whether a restore target is empty: the schema's
# version, and the calendar of months the migrations fill (db.rollups) in every new database.
SCHEMA_TABLES = frozenset({"alembic_version", "calendar_month"})
CHUNK = 1024 * 1024


class ArchiveError(Exception):
    """The archive cannot be used; the message is zh-TW and says what is wrong."""


@dataclass(frozen=True)
class ArchiveName:
    """An archive file name of ours and the Taipei time it carries."""

    name: str
    taken_at: datetime  # Taipei wall time, aware
    serial: int  # 1 for the first archive of its minute


def archive_name(taken_at: datetime, serial: int = 1) -> str:
    """workspace-YYYYMMDD-HHMM.tar.gz in Taipei time; a serial > 1 is appended as -N."""
    local = taken_at.astimezone(TAIPEI)
    suffix = f"-{serial}" if serial > 1 else ""
    return f"workspace-{local:%Y%m%d-%H%M}{suffix}.tar.gz"


def parse_archive_name(name: str) -> ArchiveName | None:
    """The time an archive name of ours carries; None for any other file name."""
    match = NAME_RE.match(name)
    if not match:
        return None
    try:
        when = datetime.strptime(match[1] + match[2], "%Y%m%d%H%M").replace(tzinfo=TAIPEI)
    except ValueError:
        return None
    return ArchiveName(name, when, int(match[3] or 1))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as src:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def count_rows(conn: Connection) -> dict[str, int]:
    """Rows per table of the connection's database (its current schema), by table name."""
    names = sorted(sa.inspect(conn).get_table_names())
    return {
        name: conn.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar_one()
        for name in names
    }


def schema_revision(conn: Connection) -> str | None:
    """The Alembic revision the database is at, read from alembic_version."""
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def holds_data(counts: dict[str, int]) -> bool:
    """True when some table other than the schema's own holds a row."""
    return any(n for name, n in counts.items() if name not in SCHEMA_TABLES)


# --- writing ------------------------------------------------------------------------------------


class _Hashing(io.RawIOBase):
    """A reader that hashes what passes through it, as tarfile copies a member."""

    def __init__(self, src: IO[bytes]) -> None:
        self.src, self.digest = src, hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.src.read(len(buffer))
        self.digest.update(data)
        buffer[: len(data)] = data
        return len(data)


def _info(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(mtime), FILE_MODE
    return info


def write_archive(
    out: IO[bytes], database: Path, backend: str, photos: Iterable[Path], manifest: dict[str, Any]
) -> dict[str, Any]:
    """Write the archive to out: the database file, the photos, then the manifest (manifest's
    fields plus members and photos) and its checksum. Returns the manifest written.

    A photo deleted between listing and reading (an upload removed meanwhile) is left out:
    the database snapshot was taken first, so the file it names is gone from the app too."""
    members: dict[str, dict[str, Any]] = {}
    listed: list[dict[str, Any]] = []
    with tarfile.open(fileobj=out, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
        db_member = DB_MEMBERS[backend]
        with database.open("rb") as src:
            size = os.fstat(src.fileno()).st_size
            hashing = _Hashing(src)
            tar.addfile(_info(db_member, size, database.stat().st_mtime), hashing)
        members[db_member] = {"sha256": hashing.digest.hexdigest(), "size": size}
        for photo in sorted(photos):
            try:
                data = photo.read_bytes()
            except FileNotFoundError:
                continue
            digest = hashlib.sha256(data).hexdigest()
            tar.addfile(
                _info(PHOTO_PREFIX + photo.name, len(data), photo.stat().st_mtime),
                io.BytesIO(data),
            )
            members[PHOTO_PREFIX + photo.name] = {"sha256": digest, "size": len(data)}
            listed.append({"name": photo.name, "sha256": digest, "size": len(data)})
        manifest = {**manifest, "photos": listed, "members": members}
        body = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
        now = datetime.now().timestamp()
        tar.addfile(_info(MANIFEST, len(body), now), io.BytesIO(body))
        digest = hashlib.sha256(body).hexdigest().encode() + b"\n"
        tar.addfile(_info(MANIFEST_SUM, len(digest), now), io.BytesIO(digest))
    return manifest


# --- reading ------------------------------------------------------------------------------------


def _damaged(detail: str) -> ArchiveError:
    return ArchiveError(f"備份檔不完整或已被更改：{detail}")


def read_archive(
    archive: Path, database: Path | None = None, photos: Path | None = None
) -> dict[str, Any]:
    """Stage the archive's database as the file `database` and its photos into the existing
    folder `photos` (new 0600 files), checking every member against the manifest; returns the
    manifest. With neither, it only checks (db.backup reads back what it wrote). Raises
    ArchiveError, zh-TW, on any damage: the caller then removes what was staged and has
    touched nothing else."""
    seen: dict[str, dict[str, Any]] = {}
    names: set[str] = set()
    manifest_body = manifest_sum = b""
    try:
        with tarfile.open(archive, mode="r|gz") as tar:
            for member in tar:
                name = member.name
                if not member.isfile():
                    raise _damaged(f"成員 {name} 不是一般檔案")
                if name in names:
                    raise _damaged(f"成員 {name} 重複出現")
                names.add(name)
                src = tar.extractfile(member)
                assert src is not None
                if name == MANIFEST:
                    manifest_body = src.read()
                elif name == MANIFEST_SUM:
                    manifest_sum = src.read()
                else:
                    seen[name] = _stage(src, _target(name, database, photos))
    except ArchiveError:
        raise
    except FileNotFoundError as exc:
        raise ArchiveError(f"找不到備份檔：{archive}") from exc
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise _damaged(f"無法讀完整個檔案（{exc}）") from exc
    return _check(seen, manifest_body, manifest_sum)


def _target(name: str, database: Path | None, photos: Path | None) -> Path | None:
    if name in DB_MEMBERS.values():
        return database
    photo = name.removeprefix(PHOTO_PREFIX)
    if name.startswith(PHOTO_PREFIX) and PHOTO_NAME_RE.match(photo):
        return photos / photo if photos is not None else None
    raise _damaged(f"含有不屬於備份的成員 {name!r}")


def _stage(src: IO[bytes], target: Path | None) -> dict[str, Any]:
    """Copy a member to target (a new 0600 file), or only hash it when target is None."""
    digest, size = hashlib.sha256(), 0
    out = None
    if target is not None:
        out = os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE), "wb")
    try:
        while chunk := src.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            if out is not None:
                out.write(chunk)
    finally:
        if out is not None:
            out.close()
    return {"sha256": digest.hexdigest(), "size": size}


def _check(seen: dict[str, dict[str, Any]], body: bytes, recorded_sum: bytes) -> dict[str, Any]:
    if not body:
        raise _damaged(f"缺少 {MANIFEST}")
    if not recorded_sum:
        raise _damaged(f"缺少 {MANIFEST_SUM}")
    if hashlib.sha256(body).hexdigest() != recorded_sum.decode(errors="replace").strip():
        raise _damaged(f"{MANIFEST} 的檢查碼不符")
    try:
        manifest = json.loads(body)
        members: dict[str, dict[str, Any]] = manifest["members"]
        version = manifest["format"]
    except (ValueError, KeyError, TypeError) as exc:
        raise _damaged(f"{MANIFEST} 無法解讀（{exc}）") from exc
    if version != FORMAT_VERSION:
        raise ArchiveError(
            f"備份檔格式版本 {version} 不是此版程式能讀的（{FORMAT_VERSION}），請以較新的程式還原"
        )
    missing = sorted(set(members) - set(seen))
    extra = sorted(set(seen) - set(members))
    if missing:
        raise _damaged(f"缺少 {len(missing)} 個成員（{', '.join(missing[:5])}）")
    if extra:
        raise _damaged(f"有 {len(extra)} 個未列於 {MANIFEST} 的成員（{', '.join(extra[:5])}）")
    for name, expected in sorted(members.items()):
        if seen[name] != {"sha256": expected.get("sha256"), "size": expected.get("size")}:
            raise _damaged(f"{name} 的檢查碼不符")
    photo_members = {PHOTO_PREFIX + p["name"]: p for p in manifest.get("photos", [])}
    if set(photo_members) != {n for n in members if n.startswith(PHOTO_PREFIX)}:
        raise _damaged(f"{MANIFEST} 的照片清單與成員不一致")
    return manifest
