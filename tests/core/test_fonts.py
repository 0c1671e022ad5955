"""The shipped CJK font: files and names, coverage of labels and demo data, chart and PDF use.

Run as ``python -m tests.core.test_fonts OUT_DIR 0|1``, this module is also the child process of
the chart tests: it renders two titles (PNG) and one PDF, registering the shipped font or not.
"""

from __future__ import annotations

import ast
import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from core.i18n.labels import EN, ZH
from core.kernel import fonts
from core.kernel.fonts import (
    BOLD,
    FONT_DIR,
    FONT_FAMILY,
    FONT_STACK,
    REGULAR,
    covered,
    missing_glyphs,
)

ROOT = Path(__file__).resolve().parents[2]
# About 5.5 MB a weight; a build that forgot to subset (all ~65k glyphs) is several times that.
MAX_BYTES = 7 * 1024 * 1024
# Same length, no character in common: equal .notdef boxes when no CJK font is found.
TITLES = ("高雄市政府", "行政暨國際")
COPYRIGHT = "Copyright 2014-2021 Adobe (http://www.adobe.com/), with Reserved Font Name 'Source'."
REBUILD = "extend the set in core/kernel/fonts_build.py and run `python -m core.kernel.fonts_build`"


# --- files and names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "style", "weight"), [(REGULAR, "Regular", 400), (BOLD, "Bold", 700)]
)
def test_shipped_font_files_are_named_workspace_sans_tc(path: Path, style: str, weight: int):
    from fontTools.ttLib import TTFont

    assert path.parent == FONT_DIR == ROOT / "assets" / "fonts"
    assert path.is_file(), f"{path} missing: run `python -m core.kernel.fonts_build`"
    assert 1_000_000 < path.stat().st_size < MAX_BYTES
    with TTFont(path) as font:
        name = font["name"]
        assert name.getDebugName(1) == name.getDebugName(16) == FONT_FAMILY
        assert name.getDebugName(2) == name.getDebugName(17) == style
        assert name.getDebugName(4) == f"{FONT_FAMILY} {style}"
        assert name.getDebugName(6) == f"WorkspaceSansTC-{style}"
        for record in name.names:  # every platform and language, e.g. the zh-TW records
            if record.nameID in (1, 4, 6, 16):
                assert "Noto" not in record.toUnicode(), record
        assert "Adobe" in name.getDebugName(0)
        assert "Open Font License" in name.getDebugName(13)
        assert "subset of Noto Sans CJK TC" in name.getDebugName(10)
        assert font["OS/2"].usWeightClass == weight
        assert font["OS/2"].fsType == 0  # installable embedding: PDFs may carry it


@pytest.mark.parametrize("path", [REGULAR, BOLD], ids=["Regular", "Bold"])
def test_shipped_fonts_have_truetype_outlines(path: Path):
    """glyf, not CFF: fpdf2 then embeds CIDFontType2 + Identity-H, whose text extracts cleanly."""
    from fontTools.ttLib import TTFont

    assert path.suffix == ".ttf"
    with TTFont(path) as font:
        assert font.sfntVersion == "\x00\x01\x00\x00"
        assert "glyf" in font and "loca" in font
        assert "CFF " not in font and "CFF2" not in font and "VORG" not in font
        assert font["maxp"].tableVersion == 0x00010000
        assert font["head"].glyphDataFormat == 0
        glyph = font["glyf"][font.getBestCmap()[ord("高")]]
        assert glyph.numberOfContours > 0
        assert font["hmtx"][font.getBestCmap()[ord("高")]][1] == glyph.xMin
    assert not list(FONT_DIR.glob("*.otf")), "stale CFF fonts left in assets/fonts"


def test_licence_and_readme_ship_with_the_fonts():
    licence = (FONT_DIR / "OFL.txt").read_text(encoding="utf-8")
    assert COPYRIGHT in licence.splitlines()[0]
    assert "SIL OPEN FONT LICENSE Version 1.1 - 26 February 2007" in licence
    assert "OTHER DEALINGS IN THE FONT SOFTWARE." in licence
    readme = (FONT_DIR / "README.md").read_text(encoding="utf-8")
    assert "python -m core.kernel.fonts_build" in readme and "Noto Sans CJK TC" in readme


def test_font_stack_puts_the_shipped_family_first():
    assert FONT_STACK.split(", ")[0] == FONT_FAMILY
    assert FONT_STACK.endswith("sans-serif")


# --- coverage -------------------------------------------------------------------------------


def test_missing_glyphs_and_covered():
    assert missing_glyphs("高雄 Kaohsiung 대전 八王子 Đà Nẵng\n\t") == set()
    assert covered("  ") and covered("")
    assert missing_glyphs("高雄😀\U00020000") == {"😀", "\U00020000"}  # emoji, CJK Ext. B
    assert not covered("高雄😀")


@pytest.mark.parametrize(("lang", "catalogue"), [("zh-TW", ZH), ("en", EN)])
def test_every_label_is_covered(lang: str, catalogue: dict[str, str]):
    missing = {k: "".join(sorted(missing_glyphs(v))) for k, v in catalogue.items()}
    assert not {k: v for k, v in missing.items() if v}, f"{lang}: {REBUILD}"


def _seed_literals() -> set[str]:
    """Every string literal in the demo data modules (db/seed/*.py)."""
    out: set[str] = set()
    for path in sorted((ROOT / "db" / "seed").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                out.add(node.value)
    return out


def _stored_strings(engine: sa.Engine) -> set[str]:
    """Every text value of every table of a database."""
    meta = sa.MetaData()
    meta.reflect(bind=engine)
    out: set[str] = set()
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            cols = [c for c in table.columns if isinstance(c.type, sa.String)]
            if cols:
                for row in conn.execute(sa.select(*cols).distinct()):
                    out.update(v for v in row if isinstance(v, str))
    return out


def test_demo_data_literals_are_covered():
    literals = _seed_literals()
    # The bureau's partner cities in their own scripts must be among them.
    assert {"부산광역시", "대전광역시", "熊本県", "八王子市", "Đà Nẵng", "聖安東尼市"} <= literals
    missing = {s: "".join(sorted(missing_glyphs(s))) for s in literals if not covered(s)}
    assert not missing, REBUILD


def test_demo_database_strings_are_covered(demo_engine: sa.Engine):
    """City names, visitors, organisations, venues, agencies … as stored by load_demo_data."""
    stored = _stored_strings(demo_engine)
    assert {"수원시", "渡邊竜五", "行政暨國際處"} <= stored
    missing = {s: "".join(sorted(missing_glyphs(s))) for s in stored if not covered(s)}
    assert not missing, REBUILD


# --- charts (vl-convert) --------------------------------------------------------------------


def test_register_chart_fonts_registers_the_directory_once(monkeypatch: pytest.MonkeyPatch):
    import vl_convert

    calls: list[str] = []
    monkeypatch.setattr(vl_convert, "register_font_directory", calls.append)
    monkeypatch.setattr(fonts, "_registered", False)
    threads = [threading.Thread(target=fonts.register_chart_fonts) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    fonts.register_chart_fonts()
    assert calls == [str(FONT_DIR)]


def _chart_spec(text: str) -> dict:
    """A title (bold) and one text mark (regular) with nothing else that inks."""
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "title": {"text": text, "fontSize": 24},
        "data": {"values": [{"t": text}]},
        "mark": {"type": "text", "fontSize": 20},
        "encoding": {"text": {"field": "t"}},
        "width": 220,
        "height": 40,
        "config": {"font": FONT_STACK, "view": {"stroke": None}},
    }


def _pdf_font_names(pdf: bytes) -> list[str]:
    """Names of the fonts a PDF uses (subset tags and CMap suffixes removed)."""
    names = {m.decode() for m in re.findall(rb"/BaseFont\s*/([^\s/<>\[\]()]+)", pdf)}
    if not names:  # object streams: let pypdf find them
        from pypdf import PdfReader

        for page in PdfReader(io.BytesIO(pdf)).pages:
            names |= {str(f.get_object()["/BaseFont"]) for f in _fonts_of(page["/Resources"])}
    # "ABCDEF+Name-Identity-H" (Type0) and "ABCDEF+Name" (its CIDFont) -> "Name"
    return sorted({re.sub(r"-Identity-[HV]$", "", n.lstrip("/").split("+")[-1]) for n in names})


def _fonts_of(resources) -> list:
    resources = resources.get_object() if resources else {}
    found = list((resources.get("/Font") or {}).values())
    for xobject in (resources.get("/XObject") or {}).values():
        found += _fonts_of(xobject.get_object().get("/Resources"))
    return found


def _child(out_dir: str, register: str) -> None:
    """Render TITLES to PNG and the first one to PDF; print the PDF's font names as JSON."""
    import vl_convert

    if register == "1":
        fonts.register_chart_fonts()
    out = Path(out_dir)
    for i, text in enumerate(TITLES):
        (out / f"title{i}.png").write_bytes(vl_convert.vegalite_to_png(_chart_spec(text)))
    pdf = vl_convert.vegalite_to_pdf(_chart_spec(TITLES[0]))
    print(json.dumps({"pdf_fonts": _pdf_font_names(pdf)}))


def _child_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FONTCONFIG", "XDG_"))}
    home.mkdir(exist_ok=True)
    fontconfig = home / "fonts.conf"  # a configuration that names no font directory
    fontconfig.write_text('<?xml version="1.0"?>\n<fontconfig></fontconfig>\n')
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home),
        XDG_CONFIG_HOME=str(home),
        FONTCONFIG_FILE=str(fontconfig),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    )
    return env


# vl-convert 1.9 finds fonts with Rust fontdb, which on Linux reads the fontconfig files AND
# always scans /usr/share/fonts, /usr/local/share/fonts, ~/.fonts and ~/.local/share/fonts,
# whatever FONTCONFIG_FILE says. So the only way to hide the system's Noto CJK fonts is a private
# mount namespace (unshare) with an empty tmpfs over those two directories, plus an empty HOME
# and a fontconfig file without <dir>. vl-convert still has its built-in Liberation Sans, which
# draws CJK as .notdef boxes: the situation of a fresh machine without any CJK font.
_HIDE_SYSTEM_FONTS = (
    'for d in /usr/share/fonts /usr/local/share/fonts; do if [ -d "$d" ]; then '
    'mount -t tmpfs tmpfs "$d" || exit 97; fi; done; exec "$@"'
)


def _isolated() -> list[str]:
    """Command prefix: run the rest in a mount namespace where the system fonts are hidden."""
    return ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", _HIDE_SYSTEM_FONTS, "sh"]


def _run_child(tmp: Path, register: bool, isolate: bool) -> tuple[list[bytes], list[str]]:
    out = tmp / ("registered" if register else "plain")
    out.mkdir()
    argv = [sys.executable, "-m", "tests.core.test_fonts", str(out), "1" if register else "0"]
    if isolate:
        argv = _isolated() + argv
    proc = subprocess.run(
        argv, cwd=ROOT, env=_child_env(tmp / "home"), capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    pngs = [(out / f"title{i}.png").read_bytes() for i in range(len(TITLES))]
    return pngs, json.loads(proc.stdout.strip().splitlines()[-1])["pdf_fonts"]


def _pixels(png: bytes) -> tuple[tuple[int, int], bytes]:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        gray = im.convert("L")
        return gray.size, gray.tobytes()


def _same(a: bytes, b: bytes) -> bool:
    """Same size and same grey pixels."""
    return _pixels(a) == _pixels(b)


def _ink(png: bytes) -> int:
    """Number of dark pixels."""
    return sum(1 for p in _pixels(png)[1] if p < 128)


@pytest.fixture(scope="module")
def can_isolate() -> None:
    """Skip unless this machine lets the test hide its system fonts from a child process."""
    if not sys.platform.startswith("linux") or not shutil.which("unshare"):
        pytest.skip("needs Linux unshare to hide the system fonts from vl-convert")
    probe = subprocess.run(_isolated() + ["true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot hide system fonts (user/mount namespace): {probe.stderr.strip()}")


@pytest.mark.slow
def test_chart_cjk_renders_only_with_the_shipped_font(can_isolate, tmp_path: Path):
    """No system font visible: CJK is boxes unless register_chart_fonts() ran, then it is text."""
    (plain_a, plain_b), plain_fonts = _run_child(tmp_path, register=False, isolate=True)
    # Proof that isolation worked: without the shipped font both titles are the same boxes.
    assert _same(plain_a, plain_b), "a system CJK font is still visible to vl-convert"
    assert not any("WorkspaceSansTC" in n for n in plain_fonts), plain_fonts

    (reg_a, reg_b), reg_fonts = _run_child(tmp_path, register=True, isolate=True)
    assert _pixels(reg_a)[0] == _pixels(reg_b)[0]  # same layout, so only the glyphs differ
    assert not _same(reg_a, reg_b), "CJK still renders as boxes after registration"
    assert not _same(reg_a, plain_a)
    assert min(_ink(reg_a), _ink(reg_b)) > 500
    assert reg_fonts == ["WorkspaceSansTC-Bold", "WorkspaceSansTC-Regular"], reg_fonts


@pytest.mark.slow
def test_chart_text_uses_the_shipped_font_even_beside_system_fonts(tmp_path: Path):
    """Runs anywhere: vl-convert's PDF names the fonts it drew with (title bold, mark regular)."""
    _, reg_fonts = _run_child(tmp_path, register=True, isolate=False)
    assert reg_fonts == ["WorkspaceSansTC-Bold", "WorkspaceSansTC-Regular"], reg_fonts
    # Control: unregistered, the shipped family is unknown (system Noto or boxes are used).
    _, plain_fonts = _run_child(tmp_path, register=False, isolate=False)
    assert not any("WorkspaceSansTC" in n for n in plain_fonts), plain_fonts


# --- PDF (fpdf2) ----------------------------------------------------------------------------


def test_fpdf2_embeds_the_font_and_the_text_extracts_back():
    """Regular and bold on one page; pypdf gets every line back exactly (no NULs, no scrambling)."""
    from fpdf import FPDF
    from pypdf import PdfReader

    bold = ["熊本県・八王子市・Đà Nẵng", "壹、重要業務執行狀況"]
    regular = ["高雄市政府行政暨國際處業務報告", "대전광역시", "本期公務車輛調派計 770 車次，"]
    pdf = FPDF()
    pdf.add_font("tc", "", str(REGULAR))
    pdf.add_font("tc", "B", str(BOLD))
    pdf.add_page()
    for line in [*bold, *regular]:
        pdf.set_font("tc", "B" if line in bold else "", 14)
        pdf.cell(text=line, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("tc", "B", 14)  # bold and regular on one line too
    pdf.cell(text="壹、")
    pdf.set_font("tc", "", 14)
    pdf.cell(text="大田廣域市", new_x="LMARGIN", new_y="NEXT")
    data = bytes(pdf.output())
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "\x00" not in text, repr(text)
    # (pypdf puts a space between "壹、" and "大田廣域市": its layout heuristics, not the font)
    for line in [*bold, *regular, "壹、", "大田廣域市"]:
        assert line in text, repr(text)
    fonts_used = [f.get_object() for f in _fonts_of(reader.pages[0]["/Resources"])]
    assert len(fonts_used) == 2
    for font in fonts_used:  # TrueType outlines: CIDFontType2 + Identity-H (CFF: CIDFontType0)
        assert font["/Encoding"] == "/Identity-H"
        assert font["/DescendantFonts"][0].get_object()["/Subtype"] == "/CIDFontType2"
    names = _pdf_font_names(data)  # fpdf2 names both weights after the family
    assert names and all(n.startswith("WorkspaceSansTC") for n in names), names


if __name__ == "__main__":
    _child(*sys.argv[1:])
