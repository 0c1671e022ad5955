"""The label catalogue: every word the UI shows, in zh-TW (default) and English."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from enum import Enum
from pathlib import Path
from types import ModuleType

CORE = Path(__file__).resolve().parents[1]


def _text_modules() -> tuple[ModuleType, ...]:
    """Every core/<package>/texts*.py: a function's labels live beside its code and are found
    here, never listed a second time. Package __init__ files import nothing, so loading these
    at import time cannot run into a half-imported module."""
    paths = sorted(CORE.glob("*/texts*.py"))
    return tuple(importlib.import_module(f"core.{p.parent.name}.{p.stem}") for p in paths)


# One catalogue from several modules (so separate areas can add labels without clashing);
# a key may be defined in only one of them (tests check that).
LABEL_MODULES = _text_modules()
ZH: dict[str, str] = {k: v for m in LABEL_MODULES for k, v in m.ZH.items()}
EN: dict[str, str] = {k: v for m in LABEL_MODULES for k, v in m.EN.items()}

LANGUAGES = {"zh-TW": "繁體中文", "en": "English"}
DEFAULT_LANG = "zh-TW"
CATALOGUE: dict[str, dict[str, str]] = {"zh-TW": ZH, "en": EN}


# The language of messages written without one (a save's or an import's refusals, built deep
# in core): zh-TW unless the caller asks for the reader's language (messages_in).
_MESSAGES: ContextVar[str] = ContextVar("message_language", default=DEFAULT_LANG)


def message_lang() -> str:
    """The language messages without a language of their own are written in (zh-TW)."""
    return _MESSAGES.get()


@contextmanager
def messages_in(lang: str) -> Iterator[None]:
    """Messages without a language of their own in lang, inside the block: the editor saves
    in the reader's language, so a refusal (and the dates in it) reads as the page does."""
    token = _MESSAGES.set(lang)
    try:
        yield
    finally:
        _MESSAGES.reset(token)


def t(key: str, lang: str | None = None, **values: object) -> str:
    """The label for key in lang (by default the message language, zh-TW unless set by
    messages_in), falling back to zh-TW, then to the key itself."""
    lang = lang or _MESSAGES.get()
    text = CATALOGUE.get(lang, ZH).get(key) or ZH.get(key) or key
    return text.format(**values) if values else text


def tn(key: str, n: int, lang: str | None = None, **values: object) -> str:
    """A label with a count n: `key.one` or `key.other` (English: 1 item, 2 items; zh-TW,
    which has no plural, holds the same text under both, since both catalogues have the same
    keys), else `key` itself."""
    lang = lang or _MESSAGES.get()
    catalogue = CATALOGUE.get(lang, ZH)
    form = f"{key}.one" if n == 1 else f"{key}.other"
    return t(form if form in catalogue else key, lang, n=n, **values)


def in_english(zh: str, en: str, lang: str) -> str:
    """A record's English text for an English reader, where the workspace has one; the
    Chinese as typed otherwise (never a made-up translation)."""
    return en if lang != "zh-TW" and en else zh


def enum_label(
    member: Enum | str | None, lang: str | None = None, enum_cls: type | None = None
) -> str:
    """Label of an enum member (or its stored value when enum_cls is given)."""
    if member is None:
        return ""
    if isinstance(member, Enum):
        return t(f"enum.{type(member).__name__}.{member.value}", lang)
    if enum_cls is not None:
        return t(f"enum.{enum_cls.__name__}.{member}", lang)
    return str(member)


def enum_options(enum_cls: type[Enum], lang: str = DEFAULT_LANG) -> dict[str, str]:
    """{stored value: label} for a select box."""
    return {m.value: enum_label(m, lang) for m in enum_cls}


# Counting words of gift stock in English; a unit not listed stays as typed.
UNITS_EN = {"個": "pcs", "條": "pcs", "支": "pcs", "張": "cards", "本": "copies", "盒": "boxes",
            "組": "sets", "件": "pcs", "瓶": "bottles", "份": "sets", "套": "sets", "把": "pcs",
            "幅": "pcs", "只": "pcs", "罐": "cans", "包": "packs", "雙": "pairs"}  # fmt: skip


def unit_words(unit: str, lang: str) -> str:
    """個 / 條 / 本 … as the language counts them (the Chinese unit when none is listed)."""
    return unit if lang == "zh-TW" else UNITS_EN.get(unit, unit)
