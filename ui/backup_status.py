"""The last backup as an administrator needs to see it: when, which archive, and a warning when
it failed or none has worked for a week (core.kernel.backups reads what db.backup recorded)."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from core.i18n.labels import t
from core.kernel.backups import BackupStatus, last_backup
from core.kernel.config import get_settings
from core.kernel.local_time import TAIPEI
from core.kernel.roc_dates import format_datetime
from ui.widgets import plain

STALE_DAYS = 7


def _when(at: datetime, lg: str) -> str:
    return format_datetime(at.astimezone(TAIPEI), lg)


def _size(size: int | None) -> str:
    if size is None:
        return "?"
    return f"{size / 1024 / 1024:,.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:,.0f} KB"


def backup_notice(lg: str, now: datetime | None = None) -> None:
    """One line under the title: the last good backup, or a warning saying what is wrong."""
    status: BackupStatus | None = last_backup(get_settings())
    now = now or datetime.now(UTC)
    if status is None:
        st.warning(t("backup.none", lg), icon=":material/backup:")
        return
    if not status.needs_attention(now, STALE_DAYS):
        line = t("backup.ok", lg, when=_when(status.finished_at, lg),
                 archive=plain(status.archive or "?"), size=_size(status.size))  # fmt: skip
        st.caption(f":material/backup: {line}")
        return
    lines = []
    if not status.ok:
        when = _when(status.finished_at, lg)
        lines.append(t("backup.failed", lg, when=when, message=plain(status.message)))
    if status.is_stale(now, STALE_DAYS):
        if status.last_ok_at is None:
            lines.append(t("backup.never_ok", lg))
        else:
            lines.append(t("backup.stale", lg, days=STALE_DAYS, last=_when(status.last_ok_at, lg),
                           archive=plain(status.last_ok_archive or "?")))  # fmt: skip
    st.warning("\n\n".join(lines), icon=":material/backup:")
