"""The frame: page config, language, sign-in, period, and st.navigation over the bureau's pages.

The server's main script (streamlit_app.py serves it as an st.App): no pages/ folder stands
beside it, so Streamlit never runs a page file by URL on its own; a page runs only as this
file's st.navigation lists it, after the sign-in check."""

import streamlit as st

from core.accounts.session_keys import CookieKeyError
from core.editing.pipeline import disconnected
from core.i18n.labels import DEFAULT_LANG, LANGUAGES, t
from core.kernel import cache
from core.kernel.config import get_settings
from db.engine import DatabaseUnavailable
from ui import auth, navigation, search_box, streamlit_zh, styles
from ui.context import LANG_BOX, LANG_KEY, engine, page_file
from ui.first_run import alone_until_done
from ui.widgets import follow_user_language, open_on_start_period, period_picker

st.set_page_config(page_title="行國處業務工作台", page_icon="🏛️", layout="wide")
styles.inject()  # the focus outline and the layout on phones (assets/css/)

# The language box is drawn once the signed-in user is known (only an invisible cookie script
# comes before it in the sidebar): it then opens in the language they chose last
# (follow_user_language), on this very run.
lg = st.session_state.get(LANG_KEY, DEFAULT_LANG)


def _language_box() -> str:
    """The sidebar's language box. The language itself is LANG_KEY, which the box sets when
    changed and follows otherwise (the signed-in user's own language is set there too)."""
    chosen = st.session_state.get(LANG_KEY, DEFAULT_LANG)
    if st.session_state.get(LANG_BOX) != chosen:
        st.session_state[LANG_BOX] = chosen
    st.sidebar.selectbox(
        "語言 / Language", list(LANGUAGES), key=LANG_BOX, format_func=LANGUAGES.get,
        on_change=lambda: st.session_state.update({LANG_KEY: st.session_state[LANG_BOX]}),
    )  # fmt: skip
    streamlit_zh.apply(chosen)  # Streamlit's own English words (Upload, per file …) in zh-TW
    return chosen


SECTIONS = navigation.sections()


def _refusal(title: str, path: str, first: st.Page):
    """The body of a page the signed-in role may not open: who may, and a link on."""

    def page() -> None:
        st.title(title)
        st.warning(t(f"ui.refused.{navigation.url_path(path)}", lg), icon=":material/lock:")
        st.page_link(first, label=t("ui.refused.go", lg, page=first.title), icon=first.icon)

    page.__name__ = f"refused_{navigation.url_path(path)}"
    return page


def _db_error_page() -> None:
    st.error(f"{t('ui.db_error', lg)}：{st.session_state.get('db_error', '')}")
    st.info(t("ui.db_hint", lg))


def _stop_with(message: str, hint: str) -> None:
    """An error page in place of every page (the only page st.navigation is given)."""

    def page() -> None:
        st.error(message)
        if hint:
            st.info(hint)
        st.button(t("ui.db_retry", lg), key="frame.db_retry", icon=":material/refresh:")

    _language_box()
    st.navigation([st.Page(page, title=t("ui.db_error", lg), icon="⚠️")]).run()
    st.stop()


try:
    engine()
    auth.signing_key()
except DatabaseUnavailable as exc:
    _stop_with(f"{t('ui.db_error', lg)}：{exc}", t("ui.db_hint", lg))
except CookieKeyError as exc:
    _stop_with(str(exc), t("auth.cookie_key_hint", lg))


def _run(page: st.Page) -> None:
    """Run the page; if the database goes away under it (e.g. a PostgreSQL restart), one clear
    message and a way to run again: the pool replaces the dead connection on the next run."""
    try:
        with alone_until_done(page.url_path):
            page.run()
    except Exception as exc:
        if not disconnected(exc):
            raise
        st.warning(t("ui.db_disconnected", lg), icon=":material/cloud_off:")
        st.button(t("ui.db_retry", lg), key="frame.db_retry", icon=":material/refresh:")
    finally:
        # Callbacks of the next run and fragment reruns read the versions afresh.
        cache.end_run()


auth.new_run()
cache.new_run()  # the run's kept reads share one reading of the tables' versions
try:
    actor = auth.current_actor()
except Exception as exc:  # the sign-in check is the first query of every run
    if not disconnected(exc):
        raise
    _stop_with(t("ui.db_disconnected", lg), "")
auth.deliver_cookie()
if actor is not None:
    follow_user_language(actor.username, lg)  # before the box: it shows their language
lg = _language_box()
if actor is None:
    # Anonymous: the sign-in form is the only page there is, under every page's address, so a
    # bookmarked page asks for sign-in and then opens (no "page not found").
    paths = [path for items in SECTIONS.values() for path, _, _ in items]
    # The default page answers at the root only, so the root gets its own entry and every
    # page's address (the first one's too) stays a plain, non-default page.
    root = st.Page(auth.sign_in_page, title=t("auth.submit", lg), url_path="sign_in", default=True)
    title = t("auth.submit", lg)
    gate = [root] + [
        st.Page(auth.sign_in_page, title=title, url_path=navigation.url_path(p)) for p in paths
    ]
    _run(st.navigation(gate, position="hidden"))
    st.stop()

pages = {
    t(section, lg): [
        st.Page(page_file(path), title=t(label, lg), icon=icon)
        for path, label, icon in items
        if navigation.allowed(path, actor.role)
    ]
    for section, items in SECTIONS.items()
}
groups = {name: group for name, group in pages.items() if group}
# The default page answers at the root only; a hidden one takes that role and opens the first
# page (the overview), so every page keeps its own address (a bookmark of /sister_cities opens
# it signed in, and /overview is the overview's).
first = next(iter(groups.values()))[0]
home = st.Page(
    lambda: st.switch_page(first), title=first.title, url_path="home", default=True,
    visibility="hidden",
)  # fmt: skip
# A page the role may not open answers at its own address with why, and a way on, instead
# of Streamlit's silent fall back to the first page (a viewer following a link to /users).
refused = [
    st.Page(
        _refusal(t(label, lg), path, first), title=t(label, lg), icon=icon,
        url_path=navigation.url_path(path), visibility="hidden",
    )
    for items in SECTIONS.values()
    for path, label, icon in items
    if not navigation.allowed(path, actor.role)
]  # fmt: skip
groups[next(iter(groups))] = [home, *groups[next(iter(groups))], *refused]
current = st.navigation(groups)
auth.user_badge(lg)
search_box.sidebar_search(lg)
st.sidebar.caption(t("app.bureau", lg))
if get_settings().demo_data:
    st.sidebar.caption(t("ui.demo_mode", lg))
open_on_start_period(actor.username)
if current.url_path not in navigation.NO_PERIOD:
    period_picker()
_run(current)
