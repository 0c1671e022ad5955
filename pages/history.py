"""異動紀錄 — who changed what and when; a row's changes as a diff; an admin restores a version."""

import math
from datetime import date

import pandas as pd
import streamlit as st

from core.audit import history
from core.editing.pipeline import TABLE_SECTIONS, PermissionDenied, restore_version
from core.i18n.labels import enum_label, enum_options, messages_in, t, tn
from core.kernel.roc_dates import ROCDateError, format_date, parse_roc
from db.models import AuditAction, AuditEntry
from ui import auth
from ui.context import db_session, lang
from ui.widgets import dates_follow_language, plain

PAGE_SIZE = 50
lg = lang()
actor = auth.actor()
st.title(t("page.history", lg))
st.caption(t("history.intro", lg))

# Administrators read everything (sign-in events and accounts too); a lead reads the tables of
# their own sections; a viewer has no history (the frame does not offer the page either).
scope = history.visible_tables(actor)
if scope == []:
    st.error(t("history.leads_only", lg))
    st.stop()
with db_session() as session:
    tables = history.audit_tables(session, scope)
    people = history.audit_users(session, scope)


def _day(text: str, label_key: str) -> date | None:
    if not text.strip():
        return None
    try:
        return parse_roc(text)
    except ROCDateError as exc:
        colon = "：" if lg == "zh-TW" else ": "
        st.error(plain(f"{t(label_key, lg)}{colon}{exc.in_language(lg)}"))
        st.stop()


table_col, user_col, start_col, end_col, row_col = st.columns([2, 2, 1.3, 1.3, 1])
table = table_col.selectbox(
    t("history.filter_table", lg), [None, *tables], key="history.table",
    format_func=lambda v: t("history.all", lg) if v is None else history.table_label(v, lg),
    placeholder=t("history.all", lg),  # a None choice shows the placeholder, not its label
)  # fmt: skip
username = user_col.selectbox(
    t("history.filter_user", lg), [None, *people], key="history.user",
    format_func=lambda v: t("history.all", lg) if v is None else v,
    placeholder=t("history.all", lg),
)  # fmt: skip
# Either calendar is read; the example is the language's (a month of 民國 dates, or ISO).
dates_follow_language("history.start", "history.end")
first, last = (format_date(d, lg) for d in (date(2026, 11, 1), date(2026, 11, 30)))
start = _day(start_col.text_input(t("history.from", lg), key="history.start",
                                  placeholder=first), "history.from")  # fmt: skip
end = _day(end_col.text_input(t("history.to", lg), key="history.end",
                              placeholder=last), "history.to")  # fmt: skip
row_text = row_col.text_input(t("col.row_id", lg), key="history.row")
if row_text.strip() and not row_text.strip().isdigit():
    st.error(plain(t("history.bad_row", lg, value=row_text)))
    st.stop()
row_id = int(row_text) if row_text.strip() else None
actions = enum_options(AuditAction, lg)
if actor.role != "admin":  # sign-in events are not in a lead's history
    data_actions = (AuditAction.INSERT, AuditAction.UPDATE, AuditAction.DELETE, AuditAction.RESTORE)
    actions = {a.value: actions[a.value] for a in data_actions}
chosen = st.pills(
    t("history.filter_action", lg), list(actions), format_func=actions.get,
    selection_mode="multi", key="history.actions",
)  # fmt: skip

query = dict(table=table, username=username, start=start, end=end, row_id=row_id)
query["actions"] = chosen or None
query["tables"] = scope
page = st.session_state.get("history.page", 1)
with db_session() as session:
    total, entries = history.query_audit(
        session, **query, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE
    )
pages = max(1, math.ceil(total / PAGE_SIZE))
if page > pages:
    st.session_state["history.page"] = 1
    st.rerun()
if not entries:
    st.info(t("history.none", lg))
    st.stop()

picked = st.dataframe(
    history.history_frame(entries, lg), hide_index=True, key=f"history.list.{page}",
    on_select="rerun", selection_mode="single-row", placeholder="",
)  # fmt: skip
left, right = st.columns([3, 1], vertical_alignment="center")
with left:
    if pages > 1:
        st.pagination(pages, key="history.page")
right.caption(tn("ui.rows_total", total, lg))

rows = picked.selection.rows if picked else []
if not rows:
    st.caption(t("history.pick", lg))
    st.stop()


def _show(entry: AuditEntry) -> None:
    what = history.table_label(entry.table_name, lg)
    action = enum_label(AuditAction(entry.action), lg)
    when = history.history_frame([entry], lg).iloc[0, 1]
    record = history.record_title(entry, lg) or "—"
    st.subheader(plain(t("history.detail", lg, table=what, record=record, action=action)))
    # The username may be anything typed at the sign-in form: shown as typed, never as a link.
    st.caption(t("history.by", lg, user=plain(entry.username), when=when, id=entry.id))
    changes = history.diff(entry, lg)
    if changes:
        frame = pd.DataFrame(
            [(c.label, c.before, c.after) for c in changes],
            columns=[t("history.field", lg), t("history.before", lg), t("history.after", lg)],
        )
        st.dataframe(frame, hide_index=True, placeholder="")
    if entry.row_id is not None and entry.table_name in TABLE_SECTIONS:
        with st.expander(t("history.timeline", lg)), db_session() as session:
            timeline = history.row_timeline(session, entry.table_name, entry.row_id)
            st.dataframe(history.history_frame(timeline, lg), hide_index=True, placeholder="")


RESULT = "history.restore_result"  # (ok, message) of the last restore, shown once


def _restore(entry: AuditEntry) -> None:
    record = history.record_title(entry, lg, restored=True)  # named as it is put back
    try:
        with db_session() as session, messages_in(lg):
            result = restore_version(session, entry.id, actor=actor)
    except PermissionDenied as exc:
        st.session_state[RESULT] = (False, str(exc))
    else:
        message = (
            t("history.restored", lg, record=record) if result.ok else "\n".join(result.messages())
        )
        st.session_state[RESULT] = (result.ok, message)


@st.dialog(t("history.confirm.title", lg), width="medium")
def _confirm(entry: AuditEntry) -> None:
    """Restoring overwrites the record as it is now: say which record and which fields first."""
    what = history.table_label(entry.table_name, lg)
    st.markdown(plain(t("history.confirm.body", lg, table=what,
                        record=history.record_title(entry, lg))))  # fmt: skip
    with db_session() as session:
        changes = history.restore_preview(session, entry, lg)
    if changes:
        frame = pd.DataFrame(
            [(c.label, c.before, c.after) for c in changes],
            columns=[t("history.field", lg), t("history.confirm.now", lg),
                     t("history.confirm.value", lg)],
        )  # fmt: skip
        st.dataframe(frame, hide_index=True, placeholder="")
    else:
        st.caption(t("history.confirm.same", lg))
    yes, no = st.columns(2)
    if yes.button(t("history.confirm.yes", lg), type="primary", key="history.confirm.yes",
                  icon=":material/history:", width="stretch"):  # fmt: skip
        _restore(entry)
        st.rerun()
    if no.button(t("history.confirm.no", lg), key="history.confirm.no", width="stretch"):
        st.rerun()


if RESULT in st.session_state:
    ok, message = st.session_state.pop(RESULT)
    (st.success if ok else st.error)(plain(message))
entry = entries[rows[0]]
_show(entry)
if actor.role == "admin" and history.is_restorable(entry):
    st.warning(t("history.restore_hint", lg))
    if st.button(t("history.restore", lg), key=f"history.restore.{entry.id}", type="primary"):
        _confirm(entry)
