"""The frame: page config, language, period, and st.navigation over the bureau's pages."""

import streamlit as st

from core.config import get_settings
from core.labels import DEFAULT_LANG, LANGUAGES, t
from db.engine import DatabaseUnavailable
from ui.context import LANG_KEY, engine, framed
from ui.widgets import period_picker

st.set_page_config(page_title="行國處業務工作台", page_icon="🏛️", layout="wide")

st.sidebar.selectbox("語言 / Language", list(LANGUAGES), key=LANG_KEY, format_func=LANGUAGES.get)
lg = st.session_state.get(LANG_KEY, DEFAULT_LANG)

# (file, label key, icon) per section; the order is the order in the sidebar.
SECTIONS = {
    "nav.international": [
        ("pages/sister_cities.py", "page.calendar", ":material/public:"),
        ("pages/visitor_log.py", "page.visitors", ":material/badge:"),
        ("pages/gift_inventory.py", "page.gifts", ":material/redeem:"),
    ],
    "nav.administration": [
        ("pages/venue_usage.py", "page.venues", ":material/meeting_room:"),
        ("pages/fleet_stats.py", "page.fleet", ":material/directions_car:"),
        ("pages/staffing_table.py", "page.staffing", ":material/groups:"),
    ],
}


def _db_error_page() -> None:
    st.error(f"{t('ui.db_error', lg)}：{st.session_state.get('db_error', '')}")
    st.info(t("ui.db_hint", lg))


try:
    engine()
except DatabaseUnavailable as exc:
    # Still call st.navigation: without it Streamlit would serve pages/ by URL on its own.
    st.session_state["db_error"] = str(exc)
    st.navigation([st.Page(_db_error_page, title=t("ui.db_error", lg), icon="⚠️")]).run()
    st.stop()

pages = {
    t(section, lg): [st.Page(path, title=t(label, lg), icon=icon) for path, label, icon in items]
    for section, items in SECTIONS.items()
}
current = st.navigation(pages)
st.sidebar.caption(t("app.bureau", lg))
if get_settings().is_embedded:
    st.sidebar.caption(t("ui.demo_mode", lg))
with framed():
    period_picker()
    current.run()
