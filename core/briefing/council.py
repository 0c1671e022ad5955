"""The council book's own layout of the bureau's section (layout "council"): the report's
sections in its order, its unnumbered theme lines, each function's items under its theme, and a
marked slot for every theme the workspace does not record, so the staffer sees what is left
to write (core.briefing.model.Item kind "slot").

The order and the lines are those of the report of 112年4月26日 (111/7/1–112/3/15); gifts, which
that report does not cover, follow the visitors under their own line.
"""

from __future__ import annotations

from core.briefing.model import Item, Section, section_number
from core.i18n.labels import t

# (section key, [(theme key, function or None for a slot), …]) in the report's order. A
# function given as "staffing:reviews" is the last item of the staffing function (the
# temp-staff review), which the report puts under its own theme line.
COUNCIL: tuple[tuple[str, tuple[tuple[str, str | None], ...]], ...] = (
    ("exchange", (("partners", "calendar"), ("visitors", "visitors"), ("gifts", "gifts"))),
    ("office", (("safety", None), ("cleaning", None), ("venues", "venues"))),
    ("records", (("security", None), ("archives", None), ("liaison", None))),
    ("staff", (("headcount", "staffing"), ("temp", "staffing:reviews"), ("merit", None),
               ("cars", "fleet"))),
    ("consumer", (("consumer", None),)),
    ("service", (("service", None),)),
    ("inspection", (("inspection", None),)),
)  # fmt: skip


def council_sections(items: dict[str, list[Item]], lang: str, slots: bool = True) -> list[Section]:
    """The report's sections holding the chosen functions' items (`items`, by function) under
    their theme lines, with a slot for each theme the workspace does not record (`slots`); a
    section with nothing of either is left out."""
    sections: list[Section] = []
    for key, themes in COUNCIL:
        body: list[Item] = []
        for theme, function in themes:
            found = _items(items, function) if function else None
            if function and not found:
                continue  # a function not chosen
            if function is None and not slots:
                continue
            line = t(f"brief.council.theme.{theme}", lang)
            body.append(Item(line, kind="theme"))
            body += found or [Item(t("brief.council.slot", lang, what=line), kind="slot")]
        if body:
            number = section_number(len(sections), lang)
            sections.append(Section(key, number, t(f"brief.council.section.{key}", lang), body))
    return sections


def _items(items: dict[str, list[Item]], function: str) -> list[Item]:
    """A function's items; staffing without its review item, which has a theme of its own."""
    if function == "staffing:reviews":
        return [i for i in items.get("staffing", []) if i.key == REVIEWS]
    found = items.get(function, [])
    return [i for i in found if i.key != REVIEWS] if function == "staffing" else found


REVIEWS = "staffing.reviews"  # the temp-staff review item (core.briefing.content)
