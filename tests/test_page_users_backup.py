"""使用者管理 shows the administrator the last backup db.backup recorded, and warns when there is
none, when it failed, or when none has worked for a week."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.kernel.backups import BackupStatus, record_backup
from core.kernel.config import get_settings


def _users_page(app):
    app.run()
    app.switch_page("pages/users.py").run()
    assert not app.exception
    return app


def _record(finished_at: datetime, ok: bool, message: str = "", archive: str | None = None):
    status = BackupStatus(finished_at=finished_at, ok=ok, message=message, archive=archive,
                          size=3 * 1024 * 1024 if ok else None)  # fmt: skip
    record_backup(get_settings(), status)


def _warnings(app) -> str:
    return "\n".join(w.value for w in app.warning)


def test_no_backup_on_record_is_a_warning(app):
    page = _users_page(app)
    assert "尚無任何備份紀錄" in _warnings(page)
    assert "python -m db.backup" in _warnings(page)


def test_a_recent_good_backup_is_one_quiet_line(app):
    last_night = datetime.now(UTC) - timedelta(hours=5)
    _record(last_night, True, "ok", "workspace-20261207-0300.tar.gz")
    page = _users_page(app)
    assert not page.warning
    line = " ".join(c.value for c in page.caption)
    assert "上次備份" in line and "workspace-20261207-0300.tar.gz" in line and "3.0 MB" in line


def test_a_failed_backup_says_why_and_when_the_last_good_one_was(app):
    now = datetime.now(UTC)
    _record(now - timedelta(days=9), True, "ok", "workspace-20261128-0300.tar.gz")
    _record(now - timedelta(hours=4), False, "無法連線至資料庫 postgresql://db/ws：timeout")
    shown = _warnings(_users_page(app))
    assert "上次備份失敗" in shown and "無法連線至資料庫" in shown
    assert "已超過 7 天沒有成功的備份" in shown and "workspace-20261128-0300.tar.gz" in shown


def test_a_good_backup_older_than_a_week_is_a_warning(app):
    _record(datetime.now(UTC) - timedelta(days=8), True, "ok", "workspace-20261129-0300.tar.gz")
    shown = _warnings(_users_page(app))
    assert "已超過 7 天沒有成功的備份" in shown and "上次備份失敗" not in shown
