"""The last backup's outcome (`python -m db.backup` writes it), read back for the admin page.

`db.backup` records every run, failed ones too, in ``data_dir/backups/last_backup.json``
whatever ``--out`` names: the app looks in one place. A failed run keeps the time and archive
of the last run that worked, so that "when did a backup last work" survives a bad night.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

from core.kernel.config import Settings
from core.kernel.file_modes import FILE_MODE, private_dir

STATUS_NAME = "last_backup.json"


@dataclass(frozen=True)
class BackupStatus:
    """One backup run: when it ended (aware UTC), whether it worked, what it wrote or why not."""

    finished_at: datetime
    ok: bool
    message: str  # zh-TW, as the command printed it
    archive: str | None = None  # file name of the archive written
    size: int | None = None  # bytes
    out_dir: str | None = None
    last_ok_at: datetime | None = None  # the newest run that worked (this one, if it did)
    last_ok_archive: str | None = None

    def is_stale(self, now: datetime, days: float = 7) -> bool:
        """True when no backup has worked within `days` before now (aware datetime)."""
        return self.last_ok_at is None or now - self.last_ok_at > timedelta(days=days)

    def needs_attention(self, now: datetime, days: float = 7) -> bool:
        """What the admin page warns about: the last run failed, or the last good one is old."""
        return not self.ok or self.is_stale(now, days)


def backup_dir(settings: Settings) -> Path:
    """The default folder of archives, and always the folder of the status record."""
    return settings.data_dir / "backups"


def status_path(settings: Settings) -> Path:
    return backup_dir(settings) / STATUS_NAME


def last_backup(settings: Settings) -> BackupStatus | None:
    """The last recorded run; None when no backup has ever run on this data folder.

    A record that cannot be read is reported as a failed run rather than as no run: the page
    should warn either way, and say why."""
    path = status_path(settings)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return _from_json(raw)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError) as exc:
        when = datetime.fromtimestamp(path.stat().st_mtime).astimezone() if path.exists() else None
        return BackupStatus(
            finished_at=when or datetime.now().astimezone(),
            ok=False,
            message=f"備份紀錄 {path} 無法讀取：{exc}",
        )


def record_backup(settings: Settings, status: BackupStatus) -> BackupStatus:
    """Write status as the last run (atomically, 0600); a failed one inherits the last good
    run's time and archive from the record it replaces. Returns what was written."""
    if status.ok:
        status = replace(status, last_ok_at=status.finished_at, last_ok_archive=status.archive)
    else:
        previous = last_backup(settings)
        if previous is not None and previous.last_ok_at is not None:
            status = replace(
                status,
                last_ok_at=previous.last_ok_at,
                last_ok_archive=previous.last_ok_archive,
            )
    path = status_path(settings)
    private_dir(path.parent)
    partial = path.with_name(f".{STATUS_NAME}.{os.getpid()}.part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(_to_json(status), out, ensure_ascii=False, indent=2)
    os.replace(partial, path)
    return status


def _to_json(status: BackupStatus) -> dict:
    raw = asdict(status)
    for key in ("finished_at", "last_ok_at"):
        raw[key] = raw[key].isoformat() if raw[key] else None
    return raw


def _from_json(raw: dict) -> BackupStatus:
    def when(value: str | None) -> datetime | None:
        if value is None:
            return None
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError(f"時間未含時區：{value}")
        return parsed

    finished = when(raw["finished_at"])
    if finished is None:
        raise ValueError("缺少 finished_at")
    return BackupStatus(
        finished_at=finished,
        ok=bool(raw["ok"]),
        message=str(raw.get("message", "")),
        archive=raw.get("archive"),
        size=raw.get("size"),
        out_dir=raw.get("out_dir"),
        last_ok_at=when(raw.get("last_ok_at")),
        last_ok_archive=raw.get("last_ok_archive"),
    )
