"""我的帳號 — every signed-in user changes their own password, chooses the period their pages
open on, and sets the address of their daily digest e-mail or turns it off (core.accounts.users)."""

from datetime import date

import streamlit as st

from core.accounts import users
from core.i18n.labels import t
from core.kernel.periods import START_PERIODS, start_period
from core.kernel.roc_dates import format_period
from ui import auth
from ui.context import db_session, lang
from ui.widgets import plain, show_period

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
                    session, actor, current, new, keep_token=auth.current_token(), lang=lg
                )
        except ValueError as exc:
            st.error(plain(str(exc)))
        else:
            key = "account.done_others" if ended else "account.done"
            st.session_state[DONE] = t(key, lg, n=ended)
            st.rerun()

# The period the pages open on after sign-in: the running half-year unless chosen otherwise.
with db_session() as session:
    saved = users.own_start_period(session, actor)
today = date.today()


def _choice_label(choice: str) -> str:
    period = start_period(choice, today)
    shown = format_period(period.start, period.end, lg)
    return (
        f"{t(f'ui.preset.{choice}', lg)}：{shown}"
        if choice != "report"
        else t(f"ui.preset.{choice}", lg)
    )


with st.form("account.start_period", border=True, width=640):
    choice = st.radio(
        t("account.start_period", lg), START_PERIODS, index=START_PERIODS.index(saved),
        format_func=_choice_label, help=t("account.start_period_help", lg),
    )  # fmt: skip
    chosen = st.form_submit_button(t("account.start_period_save", lg), icon=":material/event:")

if chosen:
    try:
        with db_session() as session:
            users.set_own_start_period(session, actor, choice)
    except ValueError as exc:
        st.error(plain(str(exc)))
    else:
        period = start_period(choice, today)
        show_period(period)
        st.session_state[DONE] = t(
            "account.start_period_saved", lg, choice=t(f"ui.preset.{choice}", lg),
            period=format_period(period.start, period.end, lg),
        )  # fmt: skip
        st.rerun()

# The daily digest (python -m core.notify): the address it goes to and the user's own choice.
with db_session() as session:
    email, digest_on = users.own_digest(session, actor)

with st.form("account.digest", border=True, width=640):
    st.markdown(f"**{t('account.digest', lg)}**")
    st.caption(t("account.digest_intro", lg))
    new_email = st.text_input(
        t("account.email", lg), value=email,
        help=t("account.email_help", lg), placeholder=t("account.email_placeholder", lg),
    )  # fmt: skip
    new_on = st.toggle(t("account.digest_on", lg), value=digest_on)
    if digest_on and not email:
        st.caption(t("account.digest_no_email", lg))
    saved_digest = st.form_submit_button(t("account.digest_save", lg), icon=":material/mail:")

if saved_digest:
    try:
        with db_session() as session:
            users.set_own_digest(session, actor, new_email, new_on, lang=lg)
            email, digest_on = users.own_digest(session, actor)
    except ValueError as exc:
        st.error(plain(str(exc)))
    else:
        on = digest_on and email
        key = "account.digest_saved_on" if on else "account.digest_saved_off"
        st.session_state[DONE] = t(key, lg, email=email)
        st.rerun()
