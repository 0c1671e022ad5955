"""The sidebar's global search box: results grouped by kind, each a link to its record."""

from __future__ import annotations

import streamlit as st

from core.editing.pipeline import disconnected
from core.i18n.labels import t, tn
from core.kernel import cache
from core.search.finder import DEFAULT_LIMIT, KindResults, SearchHit, search_grouped
from core.search.text import MAX_QUERY_CHARS, SearchInputError
from ui.context import db_session, page_file
from ui.widgets import plain

TEXT_KEY = "search.text"
SHOWN_KEY = "search.shown"  # the (text, language) whose results were last opened
ICONS = {
    "partner_city": ":material/public:",
    "exchange_event": ":material/event_note:",
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
    # A fragment: pressing Enter reruns the box, not the page under it. The results open in a
    # dialog in the middle of the screen, where the eye is (in the sidebar they fell below the
    # fold and Enter seemed to do nothing); the sidebar keeps a button to open them again.
    text = st.text_input(
        t("search.label", lg), key=TEXT_KEY, type="search", max_chars=MAX_QUERY_CHARS,
        placeholder=t("search.placeholder", lg), help=t("search.help", lg),
    )  # fmt: skip
    if not text:
        st.session_state.pop(SHOWN_KEY, None)
        return
    cache.forget_versions()  # a rerun of the box alone: what others saved since counts
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
    query = plain(text.strip())
    if not results:
        st.info(t("search.none", lg, query=query), icon=":material/search_off:")
        return
    found = sum(kind.total for kind in results)
    st.button(
        tn("search.show", found, lg, query=query), key="search.show", icon=":material/search:",
        on_click=st.session_state.pop, args=(SHOWN_KEY, None), width="stretch",
    )  # fmt: skip
    if st.session_state.get(SHOWN_KEY) != (text, lg):
        st.session_state[SHOWN_KEY] = (text, lg)  # once per search: closing it stays closed
        title = t("search.dialog", lg, query=query)  # the title reads Markdown
        st.dialog(title, width="large", icon=":material/search:")(_results)(results, lg)


def _results(results: list[KindResults], lg: str) -> None:
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
