"""Developer tool: rebuild assets/fonts/WorkspaceSansTC-*.ttf from Debian's fonts-noto-cjk.

Run ``python -m core.kernel.fonts_build`` (needs the fonts-noto-cjk package). The app never
imports this
module; it only reads the shipped files through core.kernel.fonts.

Each weight is face 3 ("Noto Sans CJK TC") of the Noto Sans CJK collection, subset to
`build_codepoints()`, renamed to "Workspace Sans TC" so it can never be mistaken for a system
Noto font, and converted from CFF (cubic, CID-keyed) to TrueType (quadratic, glyf) outlines.
TrueType because fpdf2 embeds a CFF font as CIDFontType0 with its own encoding CMap, which PDF
text extractors (pypdf, copy-paste, screen readers) misread; a TrueType font it embeds as
CIDFontType2 with Identity-H, which they read right. Builds are reproducible: the same source
font and catalogue give the same bytes.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterable
from pathlib import Path

from fontTools import subset
from fontTools.misc.roundTools import otRound
from fontTools.pens.boundsPen import BoundsPen
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable
from fontTools.ttLib.tables._c_m_a_p import CmapSubtable

from core.kernel.fonts import BOLD, FONT_DIR, FONT_FAMILY, REGULAR

SOURCE_DIR = Path("/usr/share/fonts/opentype/noto")
FACE_INDEX = 3  # 0 JP, 1 KR, 2 SC, 3 TC, 4 HK in NotoSansCJK-*.ttc
SOURCE_FAMILY = "Noto Sans CJK TC"
WEIGHTS: dict[str, tuple[str, Path]] = {  # style: (source collection, shipped file)
    "Regular": ("NotoSansCJK-Regular.ttc", REGULAR),
    "Bold": ("NotoSansCJK-Bold.ttc", BOLD),
}
# Largest distance (font units, 1000 per em) between a cubic curve and its quadratic replacement:
# 1/1000 em, fontmake's default, invisible at any practical size.
MAX_ERR = 1.0
# maxp version 1.0 fields beyond numGlyphs; without hinting, the instruction-related ones stay 0.
_MAXP_1_0_FIELDS = (
    "maxPoints",
    "maxContours",
    "maxCompositePoints",
    "maxCompositeContours",
    "maxZones",
    "maxTwilightPoints",
    "maxStorage",
    "maxFunctionDefs",
    "maxInstructionDefs",
    "maxStackElements",
    "maxSizeOfInstructions",
    "maxComponentElements",
    "maxComponentDepth",
)

# Inclusive code point ranges kept whole (only what the source font actually has survives).
RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0020, 0x007E, "ASCII"),
    (0x00A0, 0x024F, "Latin-1 Supplement, Latin Extended-A/B"),
    (0x0300, 0x036F, "Combining Diacritical Marks (decomposed accents)"),
    (0x1E00, 0x1EFF, "Latin Extended Additional (Vietnamese, e.g. Đà Nẵng)"),
    (0x2000, 0x206F, "General Punctuation"),
    (0x2100, 0x21FF, "Letterlike Symbols, Number Forms, Arrows"),
    (0x2200, 0x22FF, "Mathematical Operators (− × ÷ ≤ ≥)"),
    (0x2460, 0x24FE, "Enclosed Alphanumerics"),
    (0x2500, 0x25FF, "Box Drawing, Block Elements, Geometric Shapes"),
    (0x3000, 0x312F, "CJK Symbols and Punctuation, Hiragana, Katakana, Bopomofo"),
    (0x3200, 0x32FF, "Enclosed CJK Letters and Months"),
    (0xFF00, 0xFFEF, "Halfwidth and Fullwidth Forms"),
)

_TRAILS_BIG5 = (*range(0x40, 0x7F), *range(0xA1, 0xFF))
_TRAILS_94 = tuple(range(0xA1, 0xFF))
# Every character of a legacy double-byte character set: (codec, lead bytes, trail bytes, what).
CHARSETS: tuple[tuple[str, range, tuple[int, ...], str], ...] = (
    ("big5", range(0x81, 0xFF), _TRAILS_BIG5, "Big5 (Traditional Chinese)"),
    ("cp950", range(0x81, 0xFF), _TRAILS_BIG5, "CP950 extras (碁 銹 裏 墻 恒 粧 嫺)"),
    ("euc_kr", range(0xB0, 0xC9), _TRAILS_94, "KS X 1001 Hangul syllables (2,350)"),
    ("euc_jp", range(0xA1, 0xFF), _TRAILS_94, "JIS X 0208 (Japanese kanji incl. 県 竜, kana)"),
)


def charset_codepoints(codec: str, leads: Iterable[int], trails: Iterable[int]) -> set[int]:
    """Code points of every decodable two-byte sequence lead+trail in codec."""
    trails = tuple(trails)
    out: set[int] = set()
    for lead in leads:
        for trail in trails:
            try:
                out.update(map(ord, bytes((lead, trail)).decode(codec)))
            except UnicodeDecodeError:
                continue
    return out


def label_codepoints() -> set[int]:
    """Code points of every zh-TW and English label in the catalogue (core.i18n.labels)."""
    from core.i18n import labels

    return {ord(c) for table in (labels.ZH, labels.EN) for v in table.values() for c in v}


def build_codepoints() -> set[int]:
    """The code points the shipped font is asked to keep (before intersecting with the source)."""
    out: set[int] = set()
    for first, last, _what in RANGES:
        out.update(range(first, last + 1))
    for codec, leads, trails, _what in CHARSETS:
        out |= charset_codepoints(codec, leads, trails)
    out |= label_codepoints()
    return {c for c in out if not 0xD800 <= c <= 0xDFFF}


def _subset(font: TTFont, codepoints: set[int]) -> None:
    opts = subset.Options()
    opts.hinting = False
    opts.layout_features = ["kern"]
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    subsetter = subset.Subsetter(opts)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    # One format-12 subtable: a format-4 subtable overflows with ~25k scattered code points.
    table = CmapSubtable.newSubtable(12)
    table.platformID, table.platEncID, table.language = 3, 10, 0
    table.cmap = dict(font.getBestCmap())
    font["cmap"].tables = [table]


def _rename(font: TTFont, style: str) -> None:
    """Rename family, full, PostScript and unique names (name table) to FONT_FAMILY."""
    name = font["name"]
    source_ps = name.getDebugName(6)  # e.g. NotoSansCJKtc-Regular
    version = name.getDebugName(5) or ""
    ps = f"{FONT_FAMILY.replace(' ', '')}-{style}"
    full = f"{FONT_FAMILY} {style}"
    version_number = version.removeprefix("Version ").split(";")[0]
    values = {
        1: FONT_FAMILY,
        2: style,
        3: f"{version_number};{ps};subset of {source_ps}",
        4: full,
        6: ps,
        16: FONT_FAMILY,
        17: style,
    }
    description = (
        f"{FONT_FAMILY} is a subset of {SOURCE_FAMILY} version {version_number}, renamed for the "
        "Kaohsiung City Government workspace; licensed under the SIL Open Font License 1.1."
    )
    old_description = name.getDebugName(10)
    if old_description:
        description += f" Original description: {old_description}"
    records = {(r.platformID, r.platEncID, r.langID) for r in name.names}
    for r in list(name.names):
        if r.nameID in values:
            name.setName(values[r.nameID], r.nameID, r.platformID, r.platEncID, r.langID)
    for platform, encoding, lang in records:
        for name_id in (16, 17):
            name.setName(values[name_id], name_id, platform, encoding, lang)
        if lang in (0, 0x409):  # English records carry the description
            name.setName(description, 10, platform, encoding, lang)


def _to_truetype(font: TTFont, max_err: float = MAX_ERR) -> None:
    """Replace the CFF outlines by TrueType (glyf) ones, in place, keeping glyph order and names.

    Cubic curves become quadratic splines within max_err font units, and contours are reversed
    (CFF draws outer contours counter-clockwise, TrueType clockwise). Side bearings follow the new
    bounding boxes; the vertical ones keep each glyph's vertical origin (VORG, which TrueType
    fonts do not have: there the origin is top side bearing + yMax). maxp, head and hhea/vhea
    statistics and bounding boxes are recomputed when the font is saved (recalcBBoxes).
    """
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    hmtx = font["hmtx"]
    vmtx = font.get("vmtx")
    vorg = font.get("VORG")
    glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(None)  # CFF glyphs have no components
        glyph_set[name].draw(Cu2QuPen(pen, max_err, reverse_direction=True))
        glyph = pen.glyph(dropImpliedOnCurves=True)
        glyph.recalcBounds(glyf)
        glyf.glyphs[name] = glyph  # not glyf[name] = …: that scans glyphOrder for every glyph
        x_min, y_max = (glyph.xMin, glyph.yMax) if glyph.numberOfContours else (0, 0)
        hmtx[name] = (hmtx[name][0], x_min)
        if vmtx is not None:
            advance, top = vmtx[name]
            if vorg is not None:
                origin = vorg[name]
            else:  # no VORG: the origin is top side bearing + yMax of the CFF outline
                bounds = BoundsPen(glyph_set)
                glyph_set[name].draw(bounds)
                origin = top + (otRound(bounds.bounds[3]) if bounds.bounds else 0)
            vmtx[name] = (advance, origin - y_max)

    del font["CFF "]
    if vorg is not None:
        del font["VORG"]
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.numGlyphs = len(glyph_order)
    for field in _MAXP_1_0_FIELDS:  # the outline counts are recomputed on save
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    font["head"].glyphDataFormat = 0
    post = font["post"]  # format 2 stores the glyph names (".notdef", "cid00001", …)
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    font.sfntVersion = "\x00\x01\x00\x00"


def build_weight(style: str, codepoints: set[int], source_dir: Path = SOURCE_DIR) -> Path:
    """Subset, rename and convert one weight; write its shipped file and return the path."""
    collection, out = WEIGHTS[style]
    font = TTFont(source_dir / collection, fontNumber=FACE_INDEX, lazy=False)
    font.recalcTimestamp = False  # keep head.modified of the source: reproducible bytes
    font.recalcBBoxes = True  # recompute maxp, head, hhea and vhea from the new glyf on save
    family = font["name"].getDebugName(1)
    if family != SOURCE_FAMILY:
        raise SystemExit(f"face {FACE_INDEX} of {collection} is {family!r}, not {SOURCE_FAMILY!r}")
    _subset(font, codepoints)
    _rename(font, style)
    _to_truetype(font)
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.kernel.fonts_build", description=__doc__)
    parser.add_argument("--source-dir", type=Path, default=SOURCE_DIR)
    args = parser.parse_args(argv)
    codepoints = build_codepoints()
    print(f"{len(codepoints)} code points requested -> {FONT_DIR}")
    for style in WEIGHTS:
        start = time.monotonic()
        path = build_weight(style, codepoints, args.source_dir)
        with TTFont(path, lazy=True) as font:
            kept = len(font.getBestCmap())
        size = path.stat().st_size
        print(f"{path.name}: {kept} code points, {size:,} bytes, {time.monotonic() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
