"""Sending the day's digests, each person's at most once.

For each person, in this order:
1. a DigestDelivery row (username, day) is inserted and committed: it claims that day's digest.
   Another run the same day, or one running at the same moment, cannot insert it again (the
   table's unique constraint: IntegrityError) and sends that person nothing;
2. the message is handed to the relay;
3. if the relay did not take it, the row is deleted again: the failure is not recorded as a
   delivery, and the next run tries again.

The crash windows, and why this order: killed between 1 and the relay's answer (the process,
the machine), a person gets no digest that day while the row says one went out — at most once,
never twice. The other order (insert, send, commit) sends a second copy when killed between the
relay's answer and the commit, and on SQLite it would hold the database's one write lock for
the whole SMTP conversation, stalling every save in the app meanwhile. A reply lost on the
network after the relay took a message (RFC 1047) is reported as a failure and the message is
sent again next run; no order of ours can tell that case apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from typing import Protocol

from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlmodel import Session

from core.notify.digest import Digest
from core.notify.smtp import failure_text
from db.models import DigestDelivery, utcnow

SENT, FAILED, ALREADY = "sent", "failed", "already"
STATUSES = (SENT, FAILED, ALREADY)


@dataclass(frozen=True)
class Outcome:
    """What became of one person's digest: sent, failed (with the reason) or already sent."""

    username: str
    email: str
    items: int
    status: str
    detail: str = ""
    # A failed send whose claim could not be deleted: nobody gets a digest that day until
    # the row is removed by hand.
    claim_kept: bool = False


class Sender(Protocol):
    """What hands a message to the relay (core.notify.smtp.Mailer)."""

    def send(self, message: EmailMessage) -> None: ...


def already_sent(session: Session, day: date) -> set[str]:
    """Who has that day's digest already (or a run is sending it now)."""
    found = session.scalars(select(DigestDelivery.username).where(DigestDelivery.day == day))
    return set(found)


def _claim(engine: Engine, digest: Digest, now: datetime) -> int | None:
    """The claim's row id, or None when another run has that person's digest for the day."""
    with Session(engine) as session:
        row = DigestDelivery(
            username=digest.recipient.username, day=digest.day, sent_at=now, items=digest.count
        )
        session.add(row)
        try:
            session.flush()
            row_id = row.id
            session.commit()
        except IntegrityError:
            session.rollback()
            return None
        return row_id


def _release(engine: Engine, row_id: int) -> None:
    with Session(engine) as session:
        session.execute(delete(DigestDelivery).where(DigestDelivery.id == row_id))
        session.commit()


def deliver_one(
    engine: Engine,
    digest: Digest,
    sender: Sender,
    compose: Callable[[Digest], EmailMessage],
    now: Callable[[], datetime] = utcnow,
) -> Outcome:
    person = digest.recipient

    def outcome(status: str, detail: str = "", kept: bool = False) -> Outcome:
        return Outcome(person.username, person.email, digest.count, status, detail, kept)

    try:  # before the claim: a message that cannot be built claims nothing
        message = compose(digest)
    except ValueError as exc:  # e.g. an address the e-mail library refuses in a header
        return outcome(FAILED, failure_text(exc))
    row_id = _claim(engine, digest, now())
    if row_id is None:
        return outcome(ALREADY)
    try:
        sender.send(message)
    except Exception as exc:  # any failure of the relay: report it, go on with the others
        detail = failure_text(exc)
        try:
            _release(engine, row_id)
        except SQLAlchemyError as db_exc:
            detail += " / " + " ".join(str(getattr(db_exc, "orig", db_exc)).split())
            return outcome(FAILED, detail, kept=True)
        return outcome(FAILED, detail)
    return outcome(SENT)


def deliver(
    engine: Engine,
    digests: list[Digest],
    sender: Sender,
    compose: Callable[[Digest], EmailMessage],
    report: Callable[[Outcome], None] = lambda _outcome: None,
) -> list[Outcome]:
    """Send every digest (each claimed first), reporting each outcome as it comes."""
    outcomes = []
    for digest in digests:
        result = deliver_one(engine, digest, sender, compose)
        report(result)
        outcomes.append(result)
    return outcomes
