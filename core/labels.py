"""The label catalogue: every word the UI shows, in zh-TW (default) and English."""

from __future__ import annotations

from enum import Enum

from core import (
    label_text,
    label_text_admin,
    label_text_briefing,
    label_text_calendar,
    label_text_charts,
    label_text_fleet,
    label_text_gifts,
    label_text_holidays,
    label_text_ics,
    label_text_io,
    label_text_overview,
    label_text_rules,
    label_text_search,
    label_text_staffing,
    label_text_venues,
    label_text_visitors,
)

# One catalogue from several modules (so separate areas can add labels without clashing);
# a key may be defined in only one of them (tests check that).
LABEL_MODULES = (
    label_text,
    label_text_admin,
    label_text_io,
    label_text_calendar,
    label_text_visitors,
    label_text_gifts,
    label_text_venues,
    label_text_fleet,
    label_text_staffing,
    label_text_rules,
    label_text_charts,
    label_text_briefing,
    label_text_overview,
    label_text_holidays,
    label_text_ics,
    label_text_search,
)
ZH: dict[str, str] = {k: v for m in LABEL_MODULES for k, v in m.ZH.items()}
EN: dict[str, str] = {k: v for m in LABEL_MODULES for k, v in m.EN.items()}

LANGUAGES = {"zh-TW": "繁體中文", "en": "English"}
DEFAULT_LANG = "zh-TW"
CATALOGUE: dict[str, dict[str, str]] = {"zh-TW": ZH, "en": EN}


def t(key: str, lang: str = DEFAULT_LANG, **values: object) -> str:
    """The label for key in lang, falling back to zh-TW, then to the key itself."""
    text = CATALOGUE.get(lang, ZH).get(key) or ZH.get(key) or key
    return text.format(**values) if values else text


def enum_label(
    member: Enum | str | None, lang: str = DEFAULT_LANG, enum_cls: type | None = None
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
