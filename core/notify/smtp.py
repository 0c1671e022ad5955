"""The bureau's SMTP relay: its settings checked (zh-TW messages naming the setting), and a
connection that sends one message at a time (smtplib; STARTTLS, SMTPS or plain)."""

from __future__ import annotations

import re
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr
from urllib.parse import urlsplit

from core.i18n.labels import t
from core.kernel.config import Settings

SECURITY_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class SmtpSettingsError(ValueError):
    """The mail settings cannot send: the message (zh-TW) says which setting and why."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str
    username: str
    password: str
    sender: str
    timeout: float
    app_url: str


def _number(text: str, kind: type[int] | type[float], low: float, high: float, key: str) -> float:
    """A numeric setting typed as text; 0 when empty (the default applies)."""
    text = text.strip()
    if not text:
        return 0
    try:
        value = kind(text)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise SmtpSettingsError(t(key, value=text))
    return value


def smtp_config(settings: Settings) -> SmtpConfig:
    """The relay's settings, or SmtpSettingsError naming every missing one, else the first
    wrong one. Nothing is sent without a host, a sender address and the workspace's address."""
    missing = [
        t(f"digest.setting.{name}")
        for name in ("smtp_host", "smtp_sender", "app_url")
        if not str(getattr(settings, name)).strip()
    ]
    if missing:
        raise SmtpSettingsError(t("digest.cli.not_configured", names="、".join(missing)))
    security = settings.smtp_security.strip().lower()
    if security not in SECURITY_PORTS:
        raise SmtpSettingsError(t("digest.cli.bad_security", value=settings.smtp_security))
    port = _number(settings.smtp_port, int, 1, 65535, "digest.cli.bad_port")
    timeout = _number(settings.smtp_timeout, float, 1, 600, "digest.cli.bad_timeout")
    if not _ADDRESS.match(parseaddr(settings.smtp_sender)[1]):
        raise SmtpSettingsError(t("digest.cli.bad_sender", value=settings.smtp_sender))
    url = urlsplit(settings.app_url.strip())
    if url.scheme not in ("http", "https") or not url.netloc:
        raise SmtpSettingsError(t("digest.cli.bad_app_url", value=settings.app_url))
    if settings.smtp_username and not settings.smtp_password:
        raise SmtpSettingsError(t("digest.cli.no_password"))
    if settings.smtp_username and security == "none":
        # The password would cross the network in the clear.
        raise SmtpSettingsError(t("digest.cli.password_in_clear"))
    return SmtpConfig(
        host=settings.smtp_host.strip(),
        port=int(port or SECURITY_PORTS[security]),
        security=security,
        username=settings.smtp_username,
        password=settings.smtp_password,
        sender=settings.smtp_sender.strip(),
        timeout=timeout or 30.0,
        app_url=settings.app_url.strip(),
    )


def failure_text(exc: Exception) -> str:
    """One line for the log: the relay's answer when it gave one."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        answers = [f"{code} {reply.decode(errors='replace')}" for code, reply in
                   exc.recipients.values()]  # fmt: skip
        return "; ".join(answers)
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {exc.smtp_error.decode(errors='replace')}"
    return f"{type(exc).__name__}: {exc}"


class Mailer:
    """One connection to the relay, opened on the first message and kept for the next; after a
    failure it is dropped and the next message opens a new one."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        context = ssl.create_default_context()
        if c.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                c.host, c.port, timeout=c.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
        try:
            if c.security == "starttls":
                smtp.starttls(context=context)
            if c.username:
                smtp.login(c.username, c.password)
        except Exception:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage) -> None:
        """Hand one message to the relay; raises if it was not accepted."""
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused:
            raise  # the session is still good (smtplib reset it): the next message uses it
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
