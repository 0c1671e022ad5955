"""使用者管理 — accounts, roles and sections (administrators only; checked in core.accounts)."""

import streamlit as st

from core.accounts import directory, users
from core.editing.pipeline import PermissionDenied
from core.i18n.labels import enum_options, t
from db.models import UserRole
from ui import auth
from ui.backup_status import backup_notice
from ui.context import db_session, lang
from ui.widgets import plain

lg = lang()
actor = auth.actor()
st.title(t("page.users", lg))
if actor.role != "admin":
    st.error(t("users.admin_only", lg))
    st.stop()
backup_notice(lg)  # the records' only copy is here: when it was last backed up

roles = enum_options(UserRole, lg)
sections = users.section_options(lg)


def _act(action, success_key: str, **values) -> None:
    """Run one admin action; a refusal shows its zh-TW reason and changes nothing."""
    try:
        with db_session() as session:
            action(session, actor, **values)
    except (ValueError, PermissionDenied) as exc:
        st.error(plain(str(exc)))  # may quote what was typed
        return
    username = plain(values.get("username", ""))
    st.session_state["users.done"] = t(success_key, lg, username=username)
    st.rerun()


done = st.session_state.pop("users.done", None)
if done:
    st.success(done)

with db_session() as session:
    found = users.list_users(session, actor)
st.dataframe(users.users_frame(found, lg), hide_index=True, placeholder="")
names = [u.username for u in found]
by_name = {u.username: u for u in found}

add_tab, edit_tab, password_tab = st.tabs(
    [t("users.tab_add", lg), t("users.tab_edit", lg), t("users.tab_password", lg)]
)

with add_tab, st.form("users.add", clear_on_submit=False):
    left, right = st.columns(2)
    username = left.text_input(t("col.username", lg), help=t("users.username_help", lg))
    display_name = right.text_input(t("col.display_name", lg))
    role = left.selectbox(
        t("col.role", lg), list(roles), format_func=roles.get, key="users.add.role"
    )
    chosen = right.multiselect(
        t("col.sections", lg),
        list(sections),
        format_func=sections.get,
        key="users.add.sections",
        placeholder=t("users.sections_placeholder", lg),
    )
    password = left.text_input(t("auth.password", lg), type="password", key="users.add.pw")
    again = right.text_input(t("users.password_again", lg), type="password", key="users.add.pw2")
    st.caption(t("account.rules", lg))
    if st.form_submit_button(t("users.add", lg), type="primary"):
        if password != again:
            st.error(t("users.password_mismatch", lg))
        else:
            _act(
                users.add_user, "users.added", username=username.strip(), password=password,
                role=role, sections=chosen, display_name=display_name.strip(),
            )  # fmt: skip

with edit_tab:
    target = st.selectbox(t("col.username", lg), names, key="users.edit.user")
    if target:
        current = by_name[target]
        with st.form(f"users.edit.{target}"):
            left, right = st.columns(2)
            display_name = left.text_input(t("col.display_name", lg), current.display_name)
            role = right.selectbox(
                t("col.role", lg), list(roles), index=list(roles).index(current.role),
                format_func=roles.get,
            )  # fmt: skip
            chosen = left.multiselect(
                t("col.sections", lg), list(sections), default=list(current.sections),
                format_func=sections.get, help=t("users.sections_help", lg),
                placeholder=t("users.sections_placeholder", lg),
            )  # fmt: skip
            active = right.checkbox(t("col.active", lg), current.active)
            if st.form_submit_button(t("users.save", lg), type="primary"):
                _act(
                    users.update_user, "users.updated", username=target, role=role,
                    sections=chosen, display_name=display_name.strip(), active=active,
                )  # fmt: skip
        if current.is_locked():
            st.warning(users.state_label(current, lg))
            if st.button(t("users.unlock", lg), key="users.unlock"):
                _act(users.unlock_user, "users.unlocked", username=target)
        # The city account this account signs in with (core.accounts.directory).
        st.subheader(t("directory.section", lg))
        if not auth.directory_configured():
            st.caption(t("directory.not_configured", lg))
        claim = directory.claim_name()
        with st.form(f"users.directory.{target}"):
            subject = st.text_input(
                t("directory.field", lg, claim=claim), current.directory_subject or "",
                help=t("directory.help", lg, claim=claim), max_chars=directory.MAX_SUBJECT,
            )  # fmt: skip
            link_col, unlink_col = st.columns(2)
            if link_col.form_submit_button(t("directory.link", lg), type="primary"):
                _act(directory.link, "directory.linked", username=target, subject=subject)
            unlinked = unlink_col.form_submit_button(
                t("directory.unlink", lg), disabled=not current.directory_subject
            )
            if unlinked:
                _act(directory.unlink, "directory.unlinked", username=target)
        # Where the daily digest goes (core.notify); sending it stays the user's own choice.
        st.subheader(t("users.email_section", lg))
        if not current.daily_digest:
            st.caption(t("users.digest_off", lg))
        with st.form(f"users.email.{target}"):
            address = st.text_input(
                t("col.email", lg), current.email or "", help=t("users.email_help", lg),
                placeholder=t("account.email_placeholder", lg), max_chars=users.MAX_EMAIL,
            )  # fmt: skip
            if st.form_submit_button(t("users.email_save", lg)):
                _act(users.set_email, "users.email_saved", username=target, email=address, lang=lg)

with password_tab, st.form("users.password"):
    target = st.selectbox(t("col.username", lg), names, key="users.password.user")
    password = st.text_input(t("users.new_password", lg), type="password")
    again = st.text_input(t("users.password_again", lg), type="password")
    st.caption(t("users.password_policy", lg))
    if st.form_submit_button(t("users.reset_password", lg), type="primary"):
        if password != again:
            st.error(t("users.password_mismatch", lg))
        else:
            _act(
                users.reset_password, "users.password_reset", username=target, new_password=password
            )
