"""The visitor log's tables, declared once (core.editing.registry): receptions, their follow-ups,
and their photos (uploaded on the page, read back in 異動紀錄)."""

from __future__ import annotations

from core.editing.registry import Section
from core.editing.tables import TableSpec
from core.kernel.roc_dates import format_date
from core.search.kinds import Kind, Row, by_city, line, named
from core.visitors.rules import follow_up_errors, reception_errors
from db import models as m

SECTION = Section(
    "visitors", page="pages/visitor_log.py", title="page.visitors", icon=":material/badge:",
    group="nav.international",
)  # fmt: skip


def _reception(row: Row, lang: str) -> tuple[str, str]:
    zh, original = row.visitor_name_zh, row.visitor_name_original
    title = named(original, zh, lang) if lang == "en" and original else named(zh, original, lang)
    return title, line(lang, format_date(row.visit_date, lang), row.title, row.country)


def _guest(row: Row, lang: str) -> tuple[str, str]:
    zh, original = row.name_zh, row.name_original
    title = named(zh, original, lang) if zh or original else row.organisation
    return title, line(lang, row.title, row.organisation, row.country)


TABLES = (
    SECTION.table(
        TableSpec(
            m.Reception,
            "visit_date",
            ("-visit_date",),
            (
                "visitor_name_zh",
                "visitor_name_original",
                "organisation",
                "country",
                "topics",
                "host_official",
            ),
            {"city_id": (m.PartnerCity, "name_zh")},
        ),
        rules=[reception_errors],
        search=Kind(
            m.Reception,
            ("visitor_name_zh", "visitor_name_original", "organisation", "title", "country"),
            _reception,
            dated_by="visit_date",
            related=by_city(m.Reception),  # "Brisbane" finds the visits of 布里斯本市
            related_tables=("partner_city",),
        ),  # fmt: skip
        own_chart=True,  # receptions per month by category, countries, hosts
    ),
    SECTION.table(
        TableSpec(
            m.ReceptionFollowUp,
            None,
            ("done", "due_date"),
            ("action_item", "owner", "note"),
            {"reception_id": (m.Reception, ("visit_date", "visitor_name_zh"))},
        ),
        rules=[follow_up_errors],
        search=None,
    ),
    SECTION.table(
        TableSpec(
            m.ReceptionGuest,
            None,
            ("reception_id", "id"),
            ("name_zh", "name_original", "organisation", "country"),
            {"reception_id": (m.Reception, ("visit_date", "visitor_name_zh"))},
        ),
        rules=[],
        search=Kind(
            m.ReceptionGuest,
            ("name_zh", "name_original", "organisation", "title", "country"),
            _guest,
        ),
    ),
    # Written by core.visitors.photos (files beside the rows), never in the table editor.
    SECTION.history_only(m.ReceptionPhoto),
)
