"""The gift tables, declared once (core.editing.registry): items, stock movements and the
register of gifts received."""

from __future__ import annotations

from core.editing.registry import Section
from core.editing.tables import TableSpec
from core.gifts.rules import movement_stock_errors, received_date_errors
from core.i18n.labels import enum_label, t
from core.kernel.roc_dates import format_date
from core.search.kinds import Kind, Row, by_city, line
from db import models as m

SECTION = Section(
    "gifts", page="pages/gift_inventory.py", title="page.gifts", icon=":material/redeem:",
    group="nav.international",
)  # fmt: skip


def _gift_item(row: Row, lang: str) -> tuple[str, str]:
    value = t("search.sub.unit_value", lang, value=f"{row.unit_value:,}", unit=row.unit)
    state = "" if row.active else t("search.sub.inactive", lang)
    return row.name, line(lang, value, row.description[:40], state)


def _gift_received(row: Row, lang: str) -> tuple[str, str]:
    disposition = enum_label(row.disposition, lang, m.Disposition)
    parts = (format_date(row.received_on, lang), row.donor, row.recipient_official, disposition)
    return row.description, line(lang, *parts)


TABLES = (
    SECTION.table(
        TableSpec(m.GiftItem, None, ("name",), ("name", "description")),
        rules=[],
        search=Kind(
            m.GiftItem,
            ("name", "description"),
            _gift_item,
            shown=("unit", "unit_value", "active"),
        ),  # fmt: skip
    ),
    SECTION.table(
        TableSpec(
            m.GiftMovement,
            "moved_on",
            ("-moved_on",),
            ("counterpart", "note"),
            {
                "item_id": (m.GiftItem, "name"),
                "city_id": (m.PartnerCity, "name_zh"),
                "reception_id": (m.Reception, ("visit_date", "visitor_name_zh")),
                "event_id": (m.ExchangeEvent, "title"),
            },
        ),
        rules=[movement_stock_errors],
        search=None,
        own_chart=True,  # flows per month and country, stock over time
    ),
    SECTION.table(
        TableSpec(
            m.GiftReceived,
            "received_on",
            ("-received_on",),
            ("donor", "presenting_person", "recipient_official", "description", "occasion"),
            {
                "city_id": (m.PartnerCity, "name_zh"),
                "reception_id": (m.Reception, ("visit_date", "visitor_name_zh")),
                "event_id": (m.ExchangeEvent, "title"),
            },
        ),
        rules=[received_date_errors],
        search=Kind(
            m.GiftReceived,
            (
                "description",
                "donor",
                "presenting_person",
                "donor_country",
                "recipient_official",
                "occasion",
            ),
            _gift_received,
            dated_by="received_on",
            shown=("disposition",),
            related=by_city(m.GiftReceived),  # the gifts from a partner city, by any name
            related_tables=("partner_city",),
        ),  # fmt: skip
        own_chart=True,  # the flows above and the register's value bands
    ),
)
