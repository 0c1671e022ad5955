"""`python -m core.notify [--day YYYY-MM-DD] [--dry-run]`: send the day's digests.

The day is today in Asia/Taipei unless --day names one. Exit code 0 when every digest due was
sent (or none was due), 1 when any send failed (the others are sent all the same), 2 for bad
arguments, mail settings that cannot send (nothing is sent then) or an unreachable database.
--dry-run prints who would get how many items, and sends and records nothing (a setting that
would stop a real run is reported, and the list printed all the same).
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from functools import partial
from zoneinfo import ZoneInfo

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from core.accounts.cli import _Parser
from core.i18n.labels import t
from core.kernel.config import Settings, get_settings
from core.kernel.roc_dates import format_roc
from core.notify import deliver as delivery
from core.notify.digest import Digest, build_digests, recipients
from core.notify.mail import compose
from core.notify.smtp import Mailer, SmtpConfig, SmtpSettingsError, smtp_config


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        print(t("digest.cli.bad_day", value=text), file=sys.stderr)
        raise SystemExit(2) from None


def _parser() -> _Parser:
    parser = _Parser(prog="python -m core.notify", description=t("digest.cli.description"))
    parser.add_argument("--day", type=_day, metavar="YYYY-MM-DD", help=t("digest.cli.help.day"))
    parser.add_argument("--dry-run", action="store_true", help=t("digest.cli.help.dry_run"))
    return parser


def _parts(digest: Digest) -> str:
    return "、".join(f"{t(f'section.{s}')} {len(items)}" for s, items in digest.parts)


def _print_outcome(outcome: delivery.Outcome) -> None:
    values = {"user": outcome.username, "email": outcome.email, "n": outcome.items}
    if outcome.status == delivery.SENT:
        print(t("digest.cli.sent", **values))
    elif outcome.status == delivery.ALREADY:
        print(t("digest.cli.already", **values))
    else:
        key = "digest.cli.failed_kept" if outcome.claim_kept else "digest.cli.failed"
        print(t(key, detail=outcome.detail, **values), file=sys.stderr)


def _config(settings: Settings, dry_run: bool) -> SmtpConfig | None:
    """The relay's settings (SmtpSettingsError when they cannot send); None for a dry run,
    which prints what would stop a real run and lists who would get what all the same."""
    if not dry_run:
        return smtp_config(settings)
    try:
        smtp_config(settings)
    except SmtpSettingsError as exc:
        print(str(exc), file=sys.stderr)
    return None


def _dry_run(digests: list[Digest], day: date) -> int:
    for digest in digests:
        p = digest.recipient
        print(t("digest.cli.would", user=p.username, email=p.email, n=digest.count,
                parts=_parts(digest)))  # fmt: skip
    print(t("digest.cli.dry_summary", day=format_roc(day), n=len(digests)))
    return 0


def _summary(outcomes: list[delivery.Outcome], served: int, day: date) -> int:
    count = {s: sum(o.status == s for o in outcomes) for s in delivery.STATUSES}
    print(t("digest.cli.summary", day=format_roc(day), sent=count[delivery.SENT],
            failed=count[delivery.FAILED], already=served + count[delivery.ALREADY]))  # fmt: skip
    return 1 if count[delivery.FAILED] else 0


def run(argv: list[str] | None = None) -> int:
    from db.engine import DatabaseUnavailable, make_engine

    args = _parser().parse_args(argv)
    settings = get_settings()
    day = args.day or datetime.now(ZoneInfo(settings.timezone)).date()
    try:
        config = _config(settings, args.dry_run)
        engine = make_engine(settings.url)
    except (SmtpSettingsError, DatabaseUnavailable) as exc:
        print(str(exc), file=sys.stderr)  # before anything is read or sent
        return 2
    mailer = Mailer(config) if config else None
    try:
        with Session(engine) as session:
            people = recipients(session)
            served = delivery.already_sent(session, day) & {p.username for p in people}
            waiting = [p for p in people if p.username not in served]
            digests = build_digests(session, day, waiting)
        for person in people:
            if person.username in served:
                print(t("digest.cli.already", user=person.username, email=person.email))
        if mailer is None or config is None:
            return _dry_run(digests, day)
        build = partial(compose, app_url=config.app_url, sender=config.sender)
        outcomes = delivery.deliver(engine, digests, mailer, build, report=_print_outcome)
    except SQLAlchemyError as exc:
        detail = " ".join(str(getattr(exc, "orig", exc)).split())
        print(t("digest.cli.db_error", detail=detail), file=sys.stderr)
        return 2
    finally:
        if mailer is not None:
            mailer.close()
        engine.dispose()
    return _summary(outcomes, len(served), day)
