"""`python -m core.accounts` as staff run it: migrates first, audits as cli:<user>, short errors."""

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlmodel import Session

import core.accounts.cli as cli
from db.engine import make_engine
from db.models import AuditEntry, User
from tests.conftest import TEST_DATABASE_URL, _drop_schema, _schema_url

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "first chief pass 1"


def run_cli(url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "core.accounts", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=ROOT,
        timeout=120,
    )


def _users(url: str) -> dict[str, User]:
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            return {u.username: u for u in session.scalars(select(User))}
    finally:
        engine.dispose()


@pytest.fixture
def fresh_url(tmp_path: Path) -> str:
    """A SQLite file that does not exist yet: the CLI must create and migrate it."""
    return f"sqlite:///{tmp_path / 'new' / 'workspace.db'}"


@pytest.fixture(scope="module")
def _admin_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the account admin, made once by the CLI; tests get a copy."""
    path = tmp_path_factory.mktemp("cli") / "template.db"
    url = f"sqlite:///{path}"
    done = run_cli(url, "add", "admin", "--role", "admin", "--password-stdin", stdin=PASSWORD)
    assert done.returncode == 0, done.stderr
    make_engine(url).dispose()
    return path


@pytest.fixture
def with_admin(_admin_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "workspace.db"
    shutil.copy(_admin_template, path)
    return f"sqlite:///{path}"


def test_add_first_admin_on_a_fresh_database_is_audited(fresh_url):
    args = ("add", "admin", "--role", "admin", "--name", "系統管理者", "--password-stdin")
    done = run_cli(fresh_url, *args, stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    assert "已新增帳號" in done.stdout and "admin" in done.stdout and done.stderr == ""
    admin = _users(fresh_url)["admin"]
    assert (admin.role, admin.display_name) == ("admin", "系統管理者")
    engine = make_engine(fresh_url)
    try:
        with Session(engine) as session:
            (entry,) = session.scalars(select(AuditEntry)).all()
    finally:
        engine.dispose()
    assert entry.username.startswith("cli:") and entry.action == "insert"
    assert "password_hash" not in entry.after


def test_lifecycle_of_an_account(with_admin):
    url = with_admin
    add = ("add", "wang", "--role", "lead", "--sections", "fleet,gifts", "--password-stdin")
    assert run_cli(url, *add, stdin="lead password 1").returncode == 0
    listed = run_cli(url, "list")
    assert listed.returncode == 0
    assert [line.split()[0] for line in listed.stdout.splitlines()] == ["admin", "wang"]
    assert "公務車、禮品" in listed.stdout or "禮品、公務車" in listed.stdout
    for command in ("disable", "enable", "unlock"):
        assert run_cli(url, command, "wang").returncode == 0, command
    assert run_cli(url, "set-role", "wang", "--role", "viewer").returncode == 0
    reset = run_cli(url, "reset-password", "wang", "--password-stdin", stdin="new password 22")
    assert reset.returncode == 0 and "已重設密碼" in reset.stdout
    wang = _users(url)["wang"]
    assert (wang.role, wang.active, wang.version) == (
        "viewer",
        True,
        5,
    )  # disable, enable, set-role, reset; unlock was a no-op


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("add", "bob", "--role", "owner", "--password-stdin"), PASSWORD, "不是有效的角色"),
        (("add", "bob", "--role", "lead", "--password-stdin"), PASSWORD, "至少需要一個業務範圍"),
        (("add", "bob", "--role", "lead", "--sections", "pets"), "", "「pets」不是有效"),
        (("add", "bob", "--role", "viewer", "--password-stdin"), "short", "至少需要 10 個字元"),
        (("add", "bob", "--role", "viewer", "--password-stdin"), " spaced password", "空白"),
        (("add", "bob", "--role", "viewer", "--password-stdin"), "", "沒有讀到密碼"),
        (("add", "Bob!", "--role", "viewer"), "", "帳號須為 3 至 40 個字元"),
        (("add", "admin", "--role", "viewer", "--password-stdin"), PASSWORD, "已存在"),
        (("add", "demo.x", "--role", "viewer", "--password-stdin"), PASSWORD, "保留給示範帳號"),
        (("add", "bench.x", "--role", "admin", "--password-stdin"), PASSWORD, "保留給效能測試"),
        (("add", "bob", "--role", "viewer", "--password-stdin"), "Bob-2025-pass", "帳號名稱"),
        (("add", "bob", "--role", "viewer", "--password-stdin"), "1234567890", "連續"),
        (("add", "bob", "--role", "viewer", "--password-stdin"), "Password2024!", "常見"),
        (("reset-password", "admin", "--password-stdin"), "my-admin-secret", "帳號名稱"),
        (("add", "bob"), "", "缺少必要參數 --role"),
        (("frobnicate",), "", "參數錯誤"),
        (("disable", "nobody"), "", "找不到帳號「nobody」"),
        (("disable", "admin"), "", "最後一位啟用中的管理者"),
        (("set-role", "admin", "--role", "viewer"), "", "最後一位啟用中的管理者"),
    ],
)
def test_bad_input_gives_one_chinese_line_and_exit_2(with_admin, args, stdin, message):
    done = run_cli(with_admin, *args, stdin=stdin)
    assert done.returncode == 2
    assert message in done.stderr and done.stderr.count("\n") == 1, done.stderr
    assert done.stdout == ""
    assert set(_users(with_admin)) == {"admin"}
    assert _users(with_admin)["admin"].active


def test_unreachable_database_gives_the_zh_message_and_exit_2():
    done = run_cli("postgresql+psycopg://nobody@127.0.0.1:1/none", "list")
    assert done.returncode == 2
    assert done.stderr.startswith("無法連線至資料庫") and done.stderr.count("\n") == 1


def test_typed_passwords_must_match(monkeypatch):
    typed = iter(["first password 1", "other password 2"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda _prompt: next(typed))
    with pytest.raises(ValueError, match="兩次輸入的密碼不一致"):
        cli._read_password(from_stdin=False, username="bob")


@pytest.mark.skipif(not TEST_DATABASE_URL, reason="TEST_DATABASE_URL is not set")
def test_first_admin_on_a_fresh_postgresql_schema():
    admin = make_engine(TEST_DATABASE_URL).execution_options(isolation_level="AUTOCOMMIT")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = _schema_url(schema)
        add = ("add", "admin", "--role", "admin", "--password-stdin")
        done = run_cli(url, *add, stdin=PASSWORD)
        assert done.returncode == 0, done.stderr
        assert run_cli(url, "disable", "admin").returncode == 2
        assert _users(url)["admin"].active
    finally:
        _drop_schema(admin, schema)
        admin.dispose()
