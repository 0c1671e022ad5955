"""The sidebar's global search box: results grouped by kind, each a link to its record."""

from __future__ import annotations

import streamlit as st

from core.editing.pipeline import disconnected
from core.i18n.labels import t
from core.search.finder import DEFAULT_LIMIT, KindResults, SearchHit, search_grouped
from core.search.text import MAX_QUERY_CHARS, SearchInputError
from ui.context import db_session, page_file
from ui.widgets import plain

TEXT_KEY = "search.text"
ICONS = {
    "partner_city": ":material/public:",
    "reception": ":material/badge:",
    "gift_item": ":material/redeem:",
    "gift_received": ":material/card_giftcard:",
    "venue": ":material/meeting_room:",
    "vehicle": ":material/directions_car:",
    "venue_booking": ":material/event:",
}


def sidebar_search(lg: str) -> None:
    """The search box and its results in the sidebar, on every page."""
    with st.sidebar:
        _search_box(lg)


@st.fragment
def _search_box(lg: str) -> None:
    # A fragment: pressing Enter reruns the box and its results, not the page under it.
    text = st.text_input(
        t("search.label", lg), key=TEXT_KEY, type="search", max_chars=MAX_QUERY_CHARS,
        placeholder=t("search.placeholder", lg), help=t("search.help", lg),
    )  # fmt: skip
    if not text:
        return
    try:
        with db_session() as session:
            results = search_grouped(session, text, lg, DEFAULT_LIMIT)
    except SearchInputError as exc:
        st.warning(str(exc), icon=":material/search_off:")
        return
    except Exception as exc:  # a lost database is one clear message, as on the pages
        if not disconnected(exc):
            raise
        st.warning(t("ui.db_disconnected", lg), icon=":material/cloud_off:")
        return
    if not results:
        st.info(t("search.none", lg, query=plain(text.strip())), icon=":material/search_off:")
    for kind in results:
        _kind_results(kind, lg)


def _kind_results(kind: KindResults, lg: str) -> None:
    st.markdown(f"**{t(f'search.kind.{kind.table}', lg)}**")
    for hit in kind.hits:
        _hit_link(hit)
    if kind.more > 0:
        key = "search.more_capped" if kind.capped else "search.more"
        st.caption(t(key, lg, n=f"{kind.more:,}"))


def _hit_link(hit: SearchHit) -> None:
    # Names and titles are typed by staff: shown as text, never as markdown.
    if hit.link is None:
        st.markdown(plain(hit.title))
    else:
        st.page_link(
            page_file(hit.link.page), label=plain(hit.title), icon=ICONS.get(hit.table),
            query_params=hit.link.query_params,
        )  # fmt: skip
    if hit.subtitle:
        st.caption(plain(hit.subtitle))
