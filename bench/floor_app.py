"""The Streamlit floor: the workspace's frame without its work, for `python -m bench --only load`.

What any page of the workspace costs the server before the app does anything of its own: the
same st.navigation (every page the administrator sees, same titles, addresses, icons and
sections, in both languages), the same sidebar shape (language box, who is signed in with a
sign-out button, the search box in a fragment, the period picker's selectbox and two date
fields in an expander) and a trivial page under it (its title and one line). No database, no
sign-in, no styles. Served like the app (`streamlit run bench/floor_app.py`, same
.streamlit/config.toml) and loaded by the same client, so CPU per navigation here is
Streamlit's own share of the app's. It imports ui.navigation, and with it the app's function
packages (the table registry), so the process holds what the app's holds at start: Streamlit's
full garbage collection after every run (runner.postScriptGC) walks the same heap, less the
app's caches. No pages/ folder stands beside this file, so Streamlit runs only what
st.navigation lists.
"""

import streamlit as st

from core.i18n.labels import DEFAULT_LANG, LANGUAGES, t
from ui import navigation

st.set_page_config(page_title="Streamlit floor", page_icon="🏛️", layout="wide")
st.sidebar.selectbox("語言 / Language", list(LANGUAGES), key="lang", format_func=LANGUAGES.get)
lg = st.session_state.get("lang", DEFAULT_LANG)


def _page(title: str, path: str):
    def page() -> None:
        st.title(title)
        st.caption(f"{path}: a page of the Streamlit floor (bench/floor_app.py)")

    page.__name__ = f"floor_{navigation.url_path(path)}"
    return page


groups = {
    t(section, lg): [
        st.Page(_page(t(label, lg), path), title=t(label, lg), icon=icon,
                url_path=navigation.url_path(path))
        for path, label, icon in items
        if navigation.allowed(path, "admin")
    ]
    for section, items in navigation.sections().items()
}  # fmt: skip
groups = {name: group for name, group in groups.items() if group}
# As the frame: a hidden default page at the root opens the first page, so every page keeps
# its own address.
first = next(iter(groups.values()))[0]
home = st.Page(lambda: st.switch_page(first), title=first.title, url_path="home", default=True,
               visibility="hidden")  # fmt: skip
groups[next(iter(groups))] = [home, *groups[next(iter(groups))]]
current = st.navigation(groups)
st.sidebar.markdown(f"**{t('auth.signed_in_as', lg, name='Benchmark', role='admin')}**")
st.sidebar.button(t("auth.sign_out", lg), key="auth.sign_out")


@st.fragment
def _search_box() -> None:
    st.text_input(t("search.label", lg), key="search.text", type="search", max_chars=100,
                  placeholder=t("search.placeholder", lg), help=t("search.help", lg))  # fmt: skip


with st.sidebar:
    _search_box()
st.sidebar.caption(t("app.bureau", lg))
if current.url_path not in navigation.NO_PERIOD:
    with st.sidebar.expander(t("ui.period", lg), expanded=True):
        presets = ["ui.preset.report", "ui.preset.this_half", "ui.preset.last_month",
                   "ui.preset.custom"]  # fmt: skip
        st.selectbox(t("ui.period_preset", lg), presets, key=f"period.preset.{lg}",
                     format_func=lambda k: t(k, lg))  # fmt: skip
        st.text_input(t("ui.period_start", lg), value="111/07/01", key="period.start")
        st.text_input(t("ui.period_end", lg), value="112/03/15", key="period.end")
current.run()
