"""Files only the app's own account may read: the data folder 0700, the database and photos 0600."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

DIR_MODE, FILE_MODE = 0o700, 0o600
# The embedded database holds password hashes, sessions and every record; photos show visitors.
# Nobody else on the server needs to read them: backups run as the app's account (deploy/README).
OPEN_BITS = stat.S_IRWXG | stat.S_IRWXO

log = logging.getLogger(__name__)


def private_dir(path: Path) -> Path:
    """Create the folder (and its parents) if missing; one this call creates is 0700."""
    if not path.is_dir():
        path.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)  # parents keep the usual mode
        path.chmod(DIR_MODE)
    return path


def create_private_file(path: Path) -> None:
    """Create an empty 0600 file unless one exists (SQLite gives its -wal and -shm files the
    database file's mode, so creating the file first is enough for all three)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return
    os.close(fd)


def write_private_file(path: Path, data: bytes) -> None:
    """Write data to a new 0600 file (replacing one left by a crashed write)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    path.chmod(FILE_MODE)  # O_CREAT does not change the mode of a file that was already there


def tighten(path: Path, mode: int) -> bool:
    """Take group and others' access away from an existing file or folder; True when it had
    some. A path that is missing, a symbolic link or not ours is left alone."""
    try:
        current = path.lstat().st_mode
        if stat.S_ISLNK(current) or not current & OPEN_BITS:
            return False
        path.chmod(mode)
    except FileNotFoundError:
        return False
    except PermissionError:
        log.warning("cannot restrict %s (mode %o): not owned by this account", path, current)
        return False
    log.warning("restricted %s from mode %o to %o", path, stat.S_IMODE(current), mode)
    return True


def tighten_tree(folder: Path) -> list[Path]:
    """Tighten a data folder made before modes were set: the folder and its subfolders 0700,
    their files 0600. Returns what was changed."""
    if not folder.is_dir():
        return []
    changed = [folder] if tighten(folder, DIR_MODE) else []
    for root, dirs, files in os.walk(folder):
        for name in dirs:
            if tighten(Path(root, name), DIR_MODE):
                changed.append(Path(root, name))
        for name in files:
            if tighten(Path(root, name), FILE_MODE):
                changed.append(Path(root, name))
    return changed
