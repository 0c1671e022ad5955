"""The password policy: length, the username, repetitions, sequences and common passwords.

core.accounts.auth.check_password applies it wherever a password is set (account creation, the
command line, an administrator's reset, a user's own change). Each refusal is one zh-TW
sentence (ValueError) that says why.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from core.i18n.labels import t

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_BYTES = 72  # bcrypt refuses longer passwords
COMMON_FILE = Path(__file__).resolve().parents[2] / "assets" / "common_passwords.txt"
# Runs typed by sliding along the alphabet, the digits or a keyboard row (either direction;
# doubled so that a run may wrap, as 7890123456 does on the number row).
SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "0123456789",
    "1234567890",
    "qwertyuiopasdfghjklzxcvbnm",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "!@#$%^&*()",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "qazwsxedcrfvtgbyhnujmikolp",
)
# Digits and symbols staff add around a word to pass a rule: "Password2024!" is "password".
_DECORATION = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)
MIN_BASE = 4  # shorter words around digits are left to the length rule


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list (assets/common_passwords.txt), case-folded; # starts a comment line."""
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(s.strip().casefold() for s in lines if s.strip() and not s.startswith("#"))


def is_repetition(password: str) -> bool:
    """One character or one short stretch repeated: aaaaaaaaaa, abcabcabca, passwordpassword."""
    n = len(password)
    return any(
        password == (password[:period] * (n // period + 1))[:n] for period in range(1, n // 2 + 1)
    )


def is_sequence(password: str) -> bool:
    """The whole password is a run along the alphabet, the digits or a keyboard row."""
    folded = password.casefold()
    return any(folded in (s + s) or folded in (s + s)[::-1] for s in SEQUENCES)


def is_common(password: str) -> bool:
    """In the bundled list as typed, or once the digits and symbols around a word are taken off
    (with 0→o, @→a and the like undone): Password2024!, p@ssw0rd123."""
    folded = password.casefold()
    listed = common_passwords()
    if folded in listed:
        return True
    base = _DECORATION.sub("", folded)
    return len(base) >= MIN_BASE and (base in listed or base.translate(_LEET) in listed)


def check_password(password: str, username: str | None = None) -> None:
    """ValueError with one zh-TW sentence unless the password may be set for this username."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(t("auth.short_password", n=MIN_PASSWORD_LENGTH))
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        raise ValueError(t("auth.long_password", n=MAX_PASSWORD_BYTES))
    # streamlit-authenticator strips what is typed before checking it: it could never match.
    if password != password.strip():
        raise ValueError(t("users.password_whitespace"))
    name = (username or "").strip().casefold()
    folded = password.casefold()
    if name and (name in folded or name[::-1] in folded):
        raise ValueError(t("password.has_username"))
    if is_repetition(password):
        raise ValueError(t("password.repeated"))
    if is_sequence(password):
        raise ValueError(t("password.sequence"))
    if is_common(password):
        raise ValueError(t("password.common"))
