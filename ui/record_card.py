"""The card a page draws at its top when its address names one of its records (editing.links)."""

from __future__ import annotations

import streamlit as st

from core.audit.history import table_label
from core.editing import tables
from core.editing.links import ID_PARAM, TABLE_PARAM, parse_record_query
from core.editing.pipeline import TABLE_SECTIONS
from core.i18n.labels import t
from ui.context import db_session, lang
from ui.widgets import plain


def _close() -> None:
    for name in (TABLE_PARAM, ID_PARAM):
        st.query_params.pop(name, None)


def _shown(value: object) -> str:
    if isinstance(value, bool):
        return t("history.yes" if value else "history.no", lang())
    if isinstance(value, int | float):
        return f"{value:,}" if float(value).is_integer() else f"{value:,.2f}"
    return str(value)


def linked_record(section: str) -> tuple[str, int] | None:
    """If the address names a record of one of the section's tables, show it in a card and
    return (table, id); a link to a record that is gone says so. Otherwise draw nothing."""
    lg = lang()
    found = parse_record_query(st.query_params.to_dict())
    if found is None or TABLE_SECTIONS.get(found[0]) != section:
        return None
    table, row_id = found
    with db_session() as session:
        fields = tables.get_record_fields(session, table, row_id, lg)
    with st.container(border=True, key="record_card"):
        head, button = st.columns([5, 1], vertical_alignment="center")
        head.markdown(f"**{plain(table_label(table, lg))} #{row_id}**")
        button.button(t("card.close", lg), key="record_card.close", on_click=_close,
                      icon=":material/close:")  # fmt: skip
        if fields is None:
            st.warning(t("card.missing", lg, table=table_label(table, lg), id=row_id))
            return None
        items = list(fields.items())
        half = (len(items) + 1) // 2
        for col, part in zip(st.columns(2), (items[:half], items[half:]), strict=True):
            col.markdown("  \n".join(f"**{plain(k)}**：{plain(_shown(v))}" for k, v in part))
    return table, row_id
