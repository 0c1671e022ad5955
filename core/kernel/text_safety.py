"""Control characters in staff's text: found (to refuse on the way in), removed (on the way out).

One definition for the editor, imports and every exporter. A control character (NUL, \\x01, the
\\x0b a Word paste leaves) is never meaningful in the bureau's records: XML (DOCX, PPTX, XLSX)
cannot hold most of them, iCalendar forbids them, PostgreSQL refuses NUL, and Excel hides them.
Tab and line breaks are text in a multi-line field (a reception's topics) and nowhere else.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

# C0 controls but tab, LF and CR; DEL; and what XML 1.0 cannot hold (surrogates, U+FFFE/FFFF).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# The same plus tab and line breaks: everything a single-line field must not hold.
LINE_CONTROL = re.compile("[\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# A text cell starting with one of these is run as a formula by Excel (CSV injection); a line
# feed too, as some XLSX writers store a carriage return as one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
QUOTE = "'"

_NAMES = {0x00: "NUL", 0x09: "Tab", 0x0A: "LF", 0x0B: "VT", 0x0C: "FF", 0x0D: "CR", 0x7F: "DEL"}


def control_name(char: str) -> str:
    """U+0000（NUL）, U+000B（VT）: how a message names an invisible character."""
    code = ord(char)
    name = _NAMES.get(code) or unicodedata.name(char, "")
    return f"U+{code:04X}（{name}）" if name else f"U+{code:04X}"


def first_control(text: str, *, multiline: bool = False) -> str | None:
    """The first character a field may not hold (tab and line breaks allowed when multiline)."""
    found = (CONTROL if multiline else LINE_CONTROL).search(text)
    return found.group() if found else None


def strip_controls(text: str) -> str:
    """The text without control characters; tab and line breaks kept (for exports)."""
    return CONTROL.sub("", text)


def clean(value: Any) -> Any:
    """strip_controls for text, anything else as it is."""
    return strip_controls(value) if isinstance(value, str) else value


def clean_json(value: Any) -> Any:
    """clean for every text (keys too) of a JSON value: a chart spec's labels and inline data."""
    if isinstance(value, dict):
        return {clean(k): clean_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_json(v) for v in value]
    return clean(value)


def neutralise(value: Any) -> Any:
    """Prefix ' to text Excel would run as a formula (and to text already starting with ')."""
    if isinstance(value, str) and value.startswith((*FORMULA_STARTS, QUOTE)):
        return QUOTE + value
    return value


def unneutralise(value: str) -> str:
    """Undo neutralise: drop the ' it added, so an exported file imports unchanged."""
    if value[:1] == QUOTE and value[1:2] and value[1:2] in (*FORMULA_STARTS, QUOTE):
        return value[1:]
    return value


def spreadsheet_text(value: Any) -> Any:
    """A value as a CSV/XLSX cell may carry it: controls removed FIRST, then neutralised, so a
    hidden \\x01 cannot carry a formula past the check ("\\x01=HYPERLINK(…)")."""
    return neutralise(clean(value))
