"""Where a line of a briefing may break, for every writer that lays text out itself (the PDF
sets its lines, the slides measure their table rows): Chinese between any two characters,
never before closing punctuation (no 、。，」 at a line start) nor after opening punctuation or a
sign (「（+ at a line end); Latin words and numbers (Vaiciukeviciute, 2,041) whole unless wider
than the line."""

from __future__ import annotations

import re

# 禁則: what may not start a line, and what may not end one.
NO_LINE_START = frozenset("、。，．；：？！）」』》〉】〕％…‧·.,;:?!)]}%”’")
NO_LINE_END = frozenset("（「『《〈【〔([{“‘+−")  # nor a sign apart from its number
# A Latin word or number with its trailing spaces, or one other character (a Han character,
# punctuation): the units a line may break between.
TOKEN = re.compile(r"[A-Za-z0-9\u00c0-\u024f][A-Za-z0-9\u00c0-\u024f.,'’%/-]* *| +|.", re.S)


def break_lines(text: str, width: float, measure) -> list[str]:
    """`text` in lines no wider than `width` (by `measure`, the font's string width), broken
    between tokens and never before a NO_LINE_START or after a NO_LINE_END character; a token
    wider than a line on its own is split by character."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for token in TOKEN.findall(paragraph):
            if measure(line + token.rstrip()) <= width or not line.strip():
                line += token
                continue
            keep = ""  # what must move down with the token, or stay up with the line
            if token[0] in NO_LINE_START and line:
                keep, line = line[-1], line[:-1]  # the character before it goes down too
            while line and line[-1] in NO_LINE_END:
                keep, line = line[-1] + keep, line[:-1]
            lines.append(line.rstrip())
            line = keep + token.lstrip()
        lines.append(line.rstrip())
    return [piece for line in lines for piece in _split_long(line, width, measure)]


def _split_long(line: str, width: float, measure) -> list[str]:
    out, current = [], ""
    for char in line:
        if current and measure(current + char) > width:
            out.append(current)
            current = ""
        current += char
    return [*out, current]
