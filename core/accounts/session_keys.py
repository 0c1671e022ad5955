"""The key that signs sign-in cookies, and the server-side id of a signed-in browser session.

The key comes from `.streamlit/secrets.toml` ([auth] cookie_key, passed in by the UI), else the
WORKSPACE_COOKIE_KEY environment variable, else a random key generated once and kept in
`data/cookie_key` (mode 0600). streamlit-authenticator's default key is never used.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from datetime import datetime
from pathlib import Path
from typing import Any

import jwt

from core.i18n.labels import t
from core.kernel.config import Settings, get_settings

KEY_FILE = "cookie_key"
MIN_KEY_LENGTH = 32
# Keys that must never sign a cookie: the library's defaults and obvious placeholders.
REFUSED_KEYS = frozenset({"some_key", "some_signature_key", "abcdef", "changeme", "secret"})


class CookieKeyError(RuntimeError):
    """The configured key is unusable; the message is zh-TW."""


def _checked(key: str, source: str) -> str:
    key = key.strip()
    if key.lower() in REFUSED_KEYS or len(key) < MIN_KEY_LENGTH:
        raise CookieKeyError(t("auth.weak_cookie_key", source=source, n=MIN_KEY_LENGTH))
    return key


def _key_file(path: Path) -> str:
    """Read the generated key, or create it atomically (O_EXCL) readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            path.chmod(0o600)  # someone loosened it: a readable key lets anyone forge cookies
        return _checked(path.read_text(encoding="ascii"), str(path))
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(secrets.token_urlsafe(48))
    return path.read_text(encoding="ascii").strip()


def cookie_signing_key(secret: str | None = None, settings: Settings | None = None) -> str:
    """The signing key: secrets.toml value, then environment, then the generated key file."""
    settings = settings or get_settings()
    if secret:
        return _checked(secret, ".streamlit/secrets.toml [auth] cookie_key")
    if settings.workspace_cookie_key:
        return _checked(settings.workspace_cookie_key, "WORKSPACE_COOKIE_KEY")
    return _key_file(settings.data_dir / KEY_FILE)


def session_token_id(key: str, username: str, exp_date: float) -> str:
    """The id under which a signed-in session is recorded (and revoked) on the server.

    streamlit-authenticator's cookie holds only {username, exp_date}; exp_date is the sign-in
    moment plus the cookie lifetime, so together they name one sign-in. Keyed with the signing
    key so the id stored in the database cannot be turned back into a cookie.
    """
    message = f"{username}|{exp_date!r}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def signin_cookie_claims(raw: str | None, key: str, now: datetime) -> dict[str, Any] | None:
    """The sign-in cookie's claims ({username, exp_date}) when it carries this key's signature
    (HS256, as streamlit-authenticator writes it) and has not expired; None otherwise. Whether
    its session is still live is checked against the database by the caller."""
    if not raw:
        return None
    try:
        claims = jwt.decode(raw, key, algorithms=["HS256"])
    except jwt.PyJWTError:
        return None
    if not isinstance(claims, dict) or not isinstance(claims.get("username"), str):
        return None
    exp_date = claims.get("exp_date")
    if isinstance(exp_date, bool) or not isinstance(exp_date, int | float):
        return None
    return claims if exp_date > now.timestamp() else None
