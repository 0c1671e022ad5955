"""The shipped CJK font for chart and PDF exports, so zh-TW renders without any system font.

"Workspace Sans TC" is a subset of Noto Sans CJK TC (SIL OFL 1.1) in assets/fonts, rebuilt by
``python -m core.kernel.fonts_build``, with TrueType (glyf) outlines: fpdf2 embeds those as
CIDFontType2
with Identity-H, whose text PDF readers extract cleanly (CFF outlines extract garbled). Charts:
call `register_chart_fonts()` before vl_convert renders and use `FONT_STACK` as the Vega-Lite
``config.font``. PDFs (fpdf2): ``pdf.add_font(FONT_FAMILY, "", REGULAR)`` and
``pdf.add_font(FONT_FAMILY, "B", BOLD)``.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

FONT_FAMILY = "Workspace Sans TC"
# CSS-style stack for Vega-Lite config.font: shipped font first, then common zh-TW system fonts.
FONT_STACK = (
    "Workspace Sans TC, Noto Sans CJK TC, Noto Sans TC, Microsoft JhengHei, PingFang TC, sans-serif"
)
FONT_DIR = Path(__file__).resolve().parents[2] / "assets" / "fonts"
REGULAR = FONT_DIR / "WorkspaceSansTC-Regular.ttf"
BOLD = FONT_DIR / "WorkspaceSansTC-Bold.ttf"

_registered = False
_register_lock = threading.Lock()


def register_chart_fonts() -> None:
    """Register FONT_DIR with vl-convert, once per process (safe to call from any thread)."""
    global _registered
    if _registered:
        return
    with _register_lock:
        if _registered:
            return
        import vl_convert

        vl_convert.register_font_directory(str(FONT_DIR))
        _registered = True


@lru_cache(maxsize=1)
def _codepoints() -> frozenset[int]:
    """Code points mapped by REGULAR's cmap (read once)."""
    from fontTools.ttLib import TTFont

    with TTFont(REGULAR, lazy=True) as font:
        return frozenset(font.getBestCmap())


def missing_glyphs(text: str) -> set[str]:
    """Characters of text (whitespace aside) that REGULAR has no glyph for."""
    cmap = _codepoints()
    return {c for c in text if ord(c) not in cmap and not c.isspace()}


def covered(text: str) -> bool:
    """True when every non-whitespace character of text has a glyph in REGULAR."""
    return not missing_glyphs(text)
