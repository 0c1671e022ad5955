"""The calendar's tables, declared once (core.editing.registry): partner cities, exchange events
and the cities each event is with."""

from __future__ import annotations

from core.calendar.rules import event_time_errors, milestone_errors, timezone_errors
from core.editing.registry import Section
from core.editing.tables import TableSpec
from core.i18n.labels import enum_label, in_english
from core.kernel.roc_dates import format_date
from core.search.kinds import Kind, Row, by_cities, line, named
from db import models as m

SECTION = Section(
    "calendar", page="pages/sister_cities.py", title="page.calendar", icon=":material/public:",
    group="nav.international",
)  # fmt: skip


def _city(row: Row, lang: str) -> tuple[str, str]:
    if lang == "en":
        title = named(row.name_en, row.name_original, lang)
    else:
        title = named(row.name_zh, row.name_original, lang)
    return title, line(lang, row.country, enum_label(row.tie_type, lang, m.TieType))


def _event(row: Row, lang: str) -> tuple[str, str]:
    title = in_english(row.title, row.title_en, lang)
    when = format_date(row.start_date, lang)
    return title, line(lang, when, enum_label(row.kind, lang, m.EventKind), row.location)


TABLES = (
    SECTION.table(
        TableSpec(
            m.PartnerCity, None, ("signed_on",), ("name_zh", "name_original", "name_en", "country")
        ),
        rules=[timezone_errors],
        search=Kind(
            m.PartnerCity,
            ("name_zh", "name_original", "name_en", "country"),
            _city,
            shown=("tie_type",),
        ),  # fmt: skip
    ),
    SECTION.table(
        TableSpec(
            m.ExchangeEvent, "start_date", ("-start_date",), ("title", "participants", "summary")
        ),
        rules=[event_time_errors, milestone_errors],
        search=Kind(
            m.ExchangeEvent,
            ("title", "title_en", "location", "participants"),
            _event,
            dated_by="start_date",
            shown=("kind", "start_date"),
            related=by_cities(m.ExchangeEventCity, "event_id"),  # its cities, by any name
            related_tables=("partner_city", "exchange_event_city"),
        ),
        span=("start_date", "end_date", False),
        own_chart=True,  # exchanges per month, on the 圖表 tab
    ),
    SECTION.table(
        TableSpec(
            m.ExchangeEventCity,
            None,
            ("event_id", "city_id"),
            (),
            {"event_id": (m.ExchangeEvent, "title"), "city_id": (m.PartnerCity, "name_zh")},
        ),
        rules=[],
        search=None,
    ),
)
