"""The one table component every page uses: search, server-side pages, export, and for those
allowed to edit, an inline editor whose save goes through core.editing.pipeline (all or nothing,
version-checked, audited).

The editor works on a snapshot of the page's rows taken when it was built: positions in its
state index that snapshot (ids and versions), so a save is checked against what the user saw.
The snapshot is renewed after a save, on discard, and when the page, search or period changes.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import streamlit as st

from core.editing import registry, tables
from core.editing.charts import month_chart, rows_by_month
from core.editing.frame import (
    ColumnSpec,
    editor_columns,
    editor_rows,
    editor_state,
    pending_count,
    rebase,
)
from core.editing.pipeline import PermissionDenied, SaveResult, can_edit, save_changes
from core.i18n.labels import messages_in, t, tn
from core.kernel.file_names import file_stem
from core.kernel.periods import Period
from core.kernel.roc_dates import format_date, format_period
from core.transfer import table_io as transfer
from ui import auth
from ui.charts import show_chart
from ui.context import current_period, db_session, lang
from ui.widgets import plain, show_period

PAGE_SIZE = 25


def _column_config(column: ColumnSpec, default: Any = None) -> Any:
    """The column's Streamlit config; `default` fills the column of a new row."""
    cc = st.column_config
    common = dict(label=column.label, help=column.help, required=column.required or None)
    if default is not None:
        common["default"] = default
    if column.kind == "id":
        return cc.NumberColumn(column.label, disabled=True, format="%d")
    if column.kind in ("enum", "fk"):
        options = column.options
        return cc.SelectboxColumn(
            options=list(options), format_func=lambda v, o=options: o.get(v, str(v)), **common
        )
    if column.kind == "bool":
        return cc.CheckboxColumn(**common)
    if column.kind == "time":
        # A Taipei wall time to the minute; the value comes back as "09:30:00.000".
        return cc.TimeColumn(format="HH:mm", step=60, **common)
    if column.kind in ("int", "float"):
        step = 1 if column.kind == "int" else None
        fmt = "%d" if column.kind == "int" else None
        return cc.NumberColumn(
            min_value=column.min_value, max_value=column.max_value, step=step, format=fmt, **common
        )
    return cc.TextColumn(max_chars=column.max_length, **common)


def _state_keys(table: str) -> tuple[str, str]:
    return f"{table}.editor.nonce", f"{table}.editor.result"


def _renew(table: str) -> None:
    """Forget the editor's edits and snapshot: the next run loads the rows as they are now."""
    nonce_key, result_key = _state_keys(table)
    st.session_state[nonce_key] = st.session_state.get(nonce_key, 0) + 1
    st.session_state.pop(result_key, None)
    # The old editor's state lingers until the end of the next run: drop the snapshot that
    # points at it, or the saved page would still count as having unsaved changes.
    st.session_state.pop(f"{table}.editor.snapshot", None)


def reload_rows(table: str) -> None:
    """Load the table's rows again on the next run (a form elsewhere on the page wrote to it),
    unless the user has unsaved edits there: those stay on the rows they were made on."""
    snapshot = st.session_state.get(f"{table}.editor.snapshot")
    if snapshot and not pending_count(st.session_state.get(snapshot["key"])):
        st.session_state.pop(f"{table}.editor.snapshot", None)


def _page_controls(table: str, total: int, page_size: int) -> int:
    pages = max(1, math.ceil(total / page_size))
    if st.session_state.get(f"{table}.page", 1) > pages:
        # A narrower search or period left the old page number past the end.
        st.session_state[f"{table}.page"] = 1
    return pages


def table_view(
    table: str,
    period: Period | None,
    *,
    page_size: int = PAGE_SIZE,
    filters: tables.Filters | None = None,
) -> None:
    """Search, one page of rows, paging and export; the inline editor for those who may edit;
    above them, for a table its page draws no chart of, its rows per month (the registry's
    generic chart).

    `filters` ({column: allowed values}) narrows the rows as the page's own filter widgets say.
    """
    filters = {k: list(v) for k, v in (filters or {}).items() if v}
    flash = st.session_state.pop(f"{table}.editor.flash", None)
    if flash:  # from the save or import that triggered this run
        st.toast(flash, icon=":material/check_circle:")
    _outside_notice(table, period)
    lg = lang()
    spec = tables.SPECS[table]
    actor = auth.actor()
    if registry.table(table).generic_chart:  # a table with no chart of its own on its page
        _generic_chart(table, period, filters)
    snapshot = st.session_state.get(f"{table}.editor.snapshot")
    # Unsaved edits belong to this page of rows: keep the user on it until saved or discarded.
    locked = bool(snapshot) and pending_count(st.session_state.get(snapshot["key"])) > 0
    search = st.text_input(
        t("ui.search", lg), key=f"{table}.search", placeholder=t("ui.search_hint", lg),
        disabled=locked,
    )  # fmt: skip
    with db_session() as session:
        total = tables.count_rows(session, spec, period, search, filters)
    pages = _page_controls(table, total, page_size)
    page = st.session_state.get(f"{table}.page", 1)
    editable = can_edit(actor, table)
    if editable:
        _editor(table, period, search, page, page_size, filters)
    elif total == 0:
        st.info(t("ui.no_records", lg))
    else:
        with db_session() as session:
            rows = tables.fetch_page(
                session, spec, period, search=search, page=page, page_size=page_size,
                filters=filters,
            )  # fmt: skip
            frame = tables.display_frame(session, spec, rows, lg)
        st.dataframe(frame, hide_index=True, placeholder="")
    left, middle, right = st.columns([3, 1, 1], vertical_alignment="center")
    with left:
        if pages > 1:
            st.pagination(pages, key=f"{table}.page", disabled=locked)
        if locked:
            st.caption(t("editor.locked_nav", lg))
    middle.caption(tn("ui.rows_total", total, lg))
    with right:
        _export_buttons(table, period, search, filters)
    if editable:
        _import_panel(table)


def _generic_chart(table: str, period: Period | None, filters: tables.Filters) -> None:
    """Rows per month of a table with no chart of its own on its page (core.editing.charts)."""
    lg = lang()
    with db_session() as session:
        counts = rows_by_month(session, table, period, filters)
    if not counts["count"].any():
        return
    with st.expander(t("chart.generic.expander", lg), icon=":material/bar_chart:"):
        show_chart(month_chart(counts, table, lg, period), key=f"{table}.chart")


def _export_buttons(
    table: str, period: Period | None, search: str, filters: tables.Filters
) -> None:
    """CSV and XLSX of every row of the current filter, built only when clicked."""
    lg = lang()
    spec = tables.SPECS[table]

    def frame() -> pd.DataFrame:
        with db_session() as session:
            return transfer.export_frame(session, spec, period, search, lg, filters)

    # reception_2022-07-01_2023-03-15; a table without dates (vehicle) is named alone.
    name = file_stem(table, period if spec.period_column else None)
    with st.popover(t("editor.export", lg), icon=":material/download:"):
        st.download_button(
            "CSV", lambda: transfer.to_csv_bytes(frame()), file_name=f"{name}.csv",
            mime="text/csv", key=f"{table}.export.csv", on_click="ignore",
        )  # fmt: skip
        st.download_button(
            "Excel (XLSX)", lambda: transfer.to_xlsx_bytes(frame()), file_name=f"{name}.xlsx",
            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            key=f"{table}.export.xlsx", on_click="ignore",
        )  # fmt: skip


def _editor(
    table: str,
    period: Period | None,
    search: str,
    page: int,
    page_size: int,
    filters: tables.Filters,
) -> None:
    lg = lang()
    spec = tables.SPECS[table]
    nonce_key, result_key = _state_keys(table)
    nonce = st.session_state.get(nonce_key, 0)
    key = f"{table}.editor.{nonce}.{page}.{search}.{period}.{sorted(filters.items())}"
    snapshot_key = f"{table}.editor.snapshot"
    snapshot = st.session_state.get(snapshot_key)
    if snapshot is None or snapshot["key"] != key:
        with db_session() as session:
            rows = tables.fetch_page(
                session, spec, period, search=search, page=page, page_size=page_size,
                filters=filters,
            )  # fmt: skip
            columns = editor_columns(session, spec, lg)
        snapshot = {"key": key, "rows": rows, "columns": columns, "lang": lg}
        st.session_state[snapshot_key] = snapshot
        st.session_state.pop(result_key, None)
    rows, columns = snapshot["rows"], snapshot["columns"]
    if snapshot["lang"] != lg:
        if pending_count(st.session_state.get(key)):
            # Unsaved edits live in the widget, whose identity is its data and labels: shown
            # in the other language it would be a new, empty widget. It keeps the language
            # they were typed in until they are saved or discarded.
            st.info(t("editor.other_language", lg), icon=":material/translate:")
        else:  # labels and dates follow the language; the rows stay as loaded
            with db_session() as session:
                columns = editor_columns(session, spec, lg)
            snapshot.update(columns=columns, lang=lg)
    cells = editor_rows(rows, columns, snapshot["lang"])
    frame = pd.DataFrame(cells, columns=[c.name for c in columns])
    # A table shown for one record (the follow-ups under the reception being viewed): a new
    # row belongs to it unless changed.
    defaults = {name: values[0] for name, values in filters.items() if len(values) == 1}
    st.caption(t("editor.hint", lg))
    st.data_editor(
        frame,
        key=key,
        column_config={c.name: _column_config(c, defaults.get(c.name)) for c in columns},
        num_rows="dynamic",
        hide_index=True,
        disabled=["id"],
        placeholder="",
    )
    widget_state = st.session_state.get(key) or {}
    pending = pending_count(widget_state)
    save_col, discard_col, status_col = st.columns([1, 1, 4], vertical_alignment="center")
    save = save_col.button(
        t("editor.save", lg), type="primary", key=f"{table}.editor.save", disabled=not pending,
        icon=":material/save:",
    )  # fmt: skip
    discard_col.button(
        t("editor.discard", lg), key=f"{table}.editor.discard", disabled=not pending,
        on_click=_renew, args=(table,),
    )  # fmt: skip
    if pending:
        status_col.caption(tn("editor.pending", pending, lg))
    else:  # why 儲存變更 cannot be pressed: nothing counts as a change yet
        status_col.caption(t("editor.nothing_pending", lg))
    # A second click queued while the first save ran lands on a renewed, empty editor.
    if save and pending:
        state = editor_state(rows, columns, widget_state)
        _save(table, state)
    _show_result(table, rows, columns)


def _save(table: str, state: Any, *, note: str = "") -> None:
    lg = lang()
    spec = tables.SPECS[table]
    _, result_key = _state_keys(table)
    with db_session() as session, messages_in(lg):  # refusals in the reader's language
        try:
            result = save_changes(session, spec.model, state, actor=auth.actor())
        except PermissionDenied as exc:
            st.session_state[result_key] = {"denied": str(exc)}
            return
    if result.ok:
        _renew(table)
        edited = [state.rows[pos]["id"] for pos in state.edited_rows if pos < len(state.rows)]
        _note_outside(table, [*result.inserted_ids, *edited])
        changed = len(state.edited_rows) + len(state.added_rows) + len(state.deleted_rows)
        _flash(table, tn("editor.saved", changed, lg) + note)
        st.rerun()
    st.session_state[result_key] = {"result": result, "state": state}


def _show_result(table: str, rows: list[dict], columns: list[ColumnSpec]) -> None:
    """Why the last save was refused; the edits stay in the editor to fix or discard."""
    lg = lang()
    _, result_key = _state_keys(table)
    outcome = st.session_state.get(result_key)
    if not outcome:
        return
    if "denied" in outcome:
        st.error(plain(outcome["denied"]))
        return
    result: SaveResult = outcome["result"]
    if result.errors:
        st.error(tn("editor.invalid", len(result.errors), lg))
        for error in result.errors:
            st.markdown(f"- {plain(error.message)}")
    if result.conflicts:
        _show_conflicts(table, result, outcome["state"], columns)


def _show_conflicts(table: str, result: SaveResult, state: Any, columns: list[ColumnSpec]) -> None:
    lg = lang()
    labels = {c.name: c.label for c in columns}
    options = {c.name: c.options for c in columns if c.options}

    def shown(name: str | None, value: Any) -> str:
        if value is None:
            return "—"
        return str(options.get(name or "", {}).get(value, value))

    with st.container(border=True):
        st.warning(t("editor.conflict_title", lg))
        for message in dict.fromkeys(c.message for c in result.conflicts):
            st.markdown(f"- {plain(message)}")
        table_rows = [
            {
                t("editor.conflict_row", lg): f"#{c.row_id}",
                t("editor.conflict_field", lg): labels.get(c.field or "", c.field or "—"),
                t("editor.conflict_theirs", lg): shown(c.field, c.theirs),
                t("editor.conflict_yours", lg): shown(c.field, c.yours),
            }
            for c in result.conflicts
        ]
        st.dataframe(pd.DataFrame(table_rows), hide_index=True, placeholder="")
        keep, drop = st.columns(2)
        if keep.button(t("editor.keep_mine", lg), key=f"{table}.editor.keep_mine"):
            with db_session() as session:
                rebased, gone = rebase(session, tables.SPECS[table].model, state)
            ids = "、".join(f"#{i}" for i in gone)
            _save(table, rebased, note=t("editor.gone", lg, ids=ids) if gone else "")
        drop.button(
            t("editor.take_theirs", lg), key=f"{table}.editor.take_theirs",
            on_click=_renew, args=(table,),
        )  # fmt: skip


def _import_panel(table: str) -> None:
    """Upload CSV/XLSX → every row checked (nothing written) → confirm → all or nothing."""
    lg = lang()
    model = tables.SPECS[table].model
    key = f"{table}.import"
    with st.expander(t("editor.import", lg), icon=":material/upload_file:"):
        st.caption(t("editor.import_hint", lg, rows=f"{transfer.MAX_ROWS:,}"))
        upload = st.file_uploader(
            t("editor.import_file", lg), type=["csv", "xlsx"],
            key=f"{key}.file.{_import_round(key)}",
            max_upload_size=max(1, transfer.MAX_BYTES // (1024 * 1024)),  # megabytes
        )  # fmt: skip
        if upload is None:
            return
        try:
            with messages_in(lg):
                frame = transfer.read_table_file(upload.name, upload.getvalue())
            with db_session() as session, messages_in(lg):
                preview = transfer.preview_import(session, model, frame, auth.actor())
        except (transfer.ImportProblem, PermissionDenied) as exc:
            st.error(plain(str(exc)))
            return
        if not preview.ok:
            st.error(tn("editor.import_refused", len(preview.issues), lg))
            st.markdown("\n".join(f"- {plain(m)}" for m in preview.messages()[:200]))
            return
        if not (preview.inserts or preview.updates):
            st.info(t("editor.import_nothing", lg))
            return
        st.success(t("editor.import_ready", lg, summary=preview.summary(lg)))
        if st.button(t("editor.import_commit", lg), type="primary", key=f"{key}.commit"):
            with db_session() as session, messages_in(lg):
                result = transfer.commit_import(session, model, frame, auth.actor())
            if result.ok:
                st.session_state[f"{key}.round"] = _import_round(key) + 1  # clear the upload
                _renew(table)
                updated = [u.row_id for u in result.updates]
                _note_outside(table, [*result.inserted_ids, *updated])
                _flash(table, t("editor.import_done", lg, summary=result.summary(lg)))
                st.rerun()
            st.error(tn("editor.import_refused", len(result.issues), lg))
            st.markdown("\n".join(f"- {plain(m)}" for m in result.messages()[:200]))


def _note_outside(table: str, ids: list[int]) -> None:
    """Remember the dates of saved rows the shown period leaves out, for _outside_notice."""
    key = f"{table}.editor.outside"
    with db_session() as session:
        days = tables.outside_period(session, tables.SPECS[table], ids, current_period())
    if days:
        st.session_state[key] = days
    else:
        st.session_state.pop(key, None)


def _outside_notice(table: str, period: Period | None) -> None:
    """Rows just saved that the shown period leaves out: said, with a button that widens the
    period to hold them (a gift received today seemed to vanish from the grid after saving)."""
    key = f"{table}.editor.outside"
    days = st.session_state.get(key)
    if not days or period is None:
        return
    if all(period.start <= d <= period.end for d in days):
        st.session_state.pop(key, None)
        return
    lg = lang()
    wider = Period(min(period.start, days[0]), max(period.end, days[-1]))
    shown = format_period(period.start, period.end, lg)
    dates = t("ui.list_sep", lg).join(format_date(d, lg) for d in dict.fromkeys(days))
    st.info(t("editor.outside", lg, n=len(days), dates=dates, period=shown),
            icon=":material/visibility_off:")  # fmt: skip
    st.button(
        t("editor.outside_show", lg, period=format_period(wider.start, wider.end, lg)),
        key=f"{key}.show", on_click=_show_wider, args=(key, wider), icon=":material/date_range:",
    )  # fmt: skip


def _show_wider(key: str, wider: Period) -> None:
    st.session_state.pop(key, None)
    show_period(wider)


def _flash(table: str, message: str) -> None:
    """A success message for the next run (a toast drawn right before st.rerun() is lost)."""
    st.session_state[f"{table}.editor.flash"] = message


def _import_round(key: str) -> int:
    return st.session_state.get(f"{key}.round", 0)
