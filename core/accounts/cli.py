"""`python -m core.accounts`: manage accounts from a shell, e.g. the first admin of a new database.

Acts as the admin "cli:<os user>", so every change is in the audit log. Exit code 2 with one
zh-TW line on stderr for bad input, a refused change or an unreachable database.
"""

from __future__ import annotations

import argparse
import getpass
import re
import sys
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from core.accounts import auth, users
from core.editing.pipeline import Actor, PermissionDenied
from core.i18n.labels import enum_label, t
from db.models import UserRole

# argparse's own (English) messages, as zh-TW label keys.
_ARGPARSE_MESSAGES = (
    (re.compile(r"the following arguments are required: (?P<args>.+)"), "users.cli.missing"),
    (re.compile(r"argument (?P<arg>\S+): invalid choice: (?P<value>\S+)"), "users.cli.choice"),
    (re.compile(r"unrecognized arguments: (?P<args>.+)"), "users.cli.unknown"),
    (re.compile(r"argument (?P<arg>\S+): expected one argument"), "users.cli.one_value"),
)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one zh-TW line, exit 2, no usage dump
        for pattern, key in _ARGPARSE_MESSAGES:
            match = pattern.search(message)
            if match:
                message = t(key, **match.groupdict())
                break
        print(t("users.cli.bad_args", detail=message), file=sys.stderr)
        raise SystemExit(2)


def _sections(text: str) -> list[str]:
    return [s.strip() for s in text.split(",") if s.strip()]


def _parser() -> _Parser:
    parser = _Parser(prog="python -m core.accounts", description=t("users.cli.description"))
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    roles = "{" + ",".join(r.value for r in UserRole) + "}"

    def command(name: str, help_key: str, *, password: bool = False) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=t(help_key), description=t(help_key))
        sub.add_argument("username", metavar="USERNAME", help=t("users.cli.help.username"))
        if password:
            sub.add_argument(
                "--password-stdin", action="store_true", help=t("users.cli.help.password_stdin")
            )
        return sub

    add = command("add", "users.cli.help.add", password=True)
    add.add_argument("--role", required=True, metavar=roles, help=t("users.cli.help.role"))
    add.add_argument("--sections", type=_sections, default=[], help=t("users.cli.help.sections"))
    add.add_argument("--name", default="", help=t("users.cli.help.name"))
    commands.add_parser("list", help=t("users.cli.help.list"), description=t("users.cli.help.list"))
    set_role = command("set-role", "users.cli.help.set_role")
    set_role.add_argument("--role", required=True, metavar=roles, help=t("users.cli.help.role"))
    set_role.add_argument("--sections", type=_sections, help=t("users.cli.help.sections"))
    command("disable", "users.cli.help.disable")
    command("enable", "users.cli.help.enable")
    command("reset-password", "users.cli.help.reset_password", password=True)
    command("unlock", "users.cli.help.unlock")
    return parser


def _read_password(from_stdin: bool, username: str) -> str:
    """One line from stdin (for scripts), else typed twice without echo; the policy applied."""
    try:
        if from_stdin:
            password = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
        else:
            password = getpass.getpass(t("users.cli.prompt"))
            if getpass.getpass(t("users.cli.prompt_again")) != password:
                raise ValueError(t("users.cli.mismatch"))
    except EOFError:
        password = ""
    if not password:
        raise ValueError(t("users.cli.no_password"))
    auth.check_password(password, username)
    return password


def _actor() -> Actor:
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no login name in a bare container
        who = "unknown"
    return Actor(username=f"cli:{who}"[:60], role=UserRole.ADMIN.value)


def _describe(user: users.UserInfo, width: int = 0) -> str:
    """admin  管理者  —  啟用  王小明: one account on one line."""
    sections = "、".join(t(f"section.{s}") for s in user.sections) or "—"
    role = enum_label(user.role, enum_cls=UserRole)
    name = user.display_name or user.username
    return f"{user.username.ljust(width)}  {role}  {sections}  {users.state_label(user)}  {name}"


def _list(session: Session, actor: Actor, args: argparse.Namespace, _password: str) -> str:
    found = users.list_users(session, actor)
    if not found:
        return t("users.cli.none")
    width = max(len(u.username) for u in found)
    return "\n".join(_describe(user, width) for user in found)


def _add(session: Session, actor: Actor, args: argparse.Namespace, password: str) -> str:
    user = users.add_user(
        session, actor, args.username, password, args.role, args.sections, args.name
    )
    return t("users.cli.added", user=_describe(user))


def _set_role(session: Session, actor: Actor, args: argparse.Namespace, _password: str) -> str:
    user = users.update_user(session, actor, args.username, role=args.role, sections=args.sections)
    return t("users.cli.updated", user=_describe(user))


def _active(value: bool) -> Callable[[Session, Actor, argparse.Namespace, str], str]:
    def change(session: Session, actor: Actor, args: argparse.Namespace, _password: str) -> str:
        user = users.update_user(session, actor, args.username, active=value)
        return t("users.cli.updated", user=_describe(user))

    return change


def _reset(session: Session, actor: Actor, args: argparse.Namespace, password: str) -> str:
    user = users.reset_password(session, actor, args.username, password)
    return t("users.cli.password_reset", user=_describe(user))


def _unlock(session: Session, actor: Actor, args: argparse.Namespace, _password: str) -> str:
    user = users.unlock_user(session, actor, args.username)
    return t("users.cli.updated", user=_describe(user))


COMMANDS = {
    "add": _add,
    "list": _list,
    "set-role": _set_role,
    "disable": _active(False),
    "enable": _active(True),
    "reset-password": _reset,
    "unlock": _unlock,
}


def _check_early(args: argparse.Namespace) -> None:
    """Input errors before the database is touched (and before the password is asked for)."""
    if args.command == "add":
        if not auth.USERNAME_PATTERN.fullmatch(args.username):
            raise ValueError(t("auth.bad_username"))
        auth.check_role_sections(args.role, args.sections)
        auth.check_display_name(args.name)
    elif args.command == "set-role" and args.sections is not None:
        auth.check_role_sections(args.role, args.sections)


def run(argv: list[str] | None = None) -> int:
    from db.engine import DatabaseUnavailable, get_engine
    from db.migrate import upgrade_to_head

    args = _parser().parse_args(argv)
    try:
        _check_early(args)
        password = ""
        if args.command in ("add", "reset-password"):
            password = _read_password(args.password_stdin, args.username)
        engine = get_engine()
        upgrade_to_head(engine)
        with Session(engine) as session:
            message = COMMANDS[args.command](session, _actor(), args, password)
    except (ValueError, PermissionDenied, DatabaseUnavailable) as exc:
        print(" ".join(str(exc).split()), file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        detail = " ".join(str(getattr(exc, "orig", exc)).split())
        print(t("users.cli.db_error", detail=detail), file=sys.stderr)
        return 2
    print(message)
    return 0
