"""變更密碼 — every signed-in user changes their own password (core.accounts.users)."""

import streamlit as st

from core.accounts import users
from core.i18n.labels import t
from ui import auth
from ui.context import db_session, lang
from ui.widgets import plain

lg = lang()
actor = auth.actor()
DONE = "account.flash"

st.title(t("page.account", lg))
st.caption(t("account.intro", lg, username=plain(actor.username)))
done = st.session_state.pop(DONE, None)
if done:
    st.success(done)

# Cleared on submit: a typed password never stays in the form, refused or not. Narrow on a
# desktop (a password needs no full-width field); a phone gets the screen's width anyway.
with st.form("account.password", clear_on_submit=True, border=True, width=640):
    current = st.text_input(t("account.current", lg), type="password", key="account.current")
    new = st.text_input(t("account.new", lg), type="password", key="account.new")
    again = st.text_input(t("account.again", lg), type="password", key="account.again")
    st.caption(t("account.rules", lg))
    submitted = st.form_submit_button(
        t("account.submit", lg), type="primary", icon=":material/key:"
    )

if submitted:
    if new != again:
        st.error(t("account.mismatch", lg))
    else:
        try:
            with db_session() as session:
                ended = users.change_own_password(
                    session, actor, current, new, keep_token=auth.current_token()
                )
        except ValueError as exc:
            st.error(plain(str(exc)))
        else:
            key = "account.done_others" if ended else "account.done"
            st.session_state[DONE] = t(key, lg, n=ended)
            st.rerun()
