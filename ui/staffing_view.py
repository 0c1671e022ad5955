"""Streamlit parts of the staffing page: the report's table (HTML, in the report's layout), the
reductions, the snapshot picker, the per-agency table and the copy-snapshot form."""

from __future__ import annotations

from html import escape

import pandas as pd
import streamlit as st

from core.editing.pipeline import PermissionDenied
from core.i18n.labels import enum_label, t
from core.kernel.roc_dates import ROCDateError, format_date, format_month, long_date, parse_roc
from core.staffing import headcount as staffing
from core.staffing.headcount import Reduction, StaffingTable
from db.models import UnitType
from ui import auth
from ui.context import db_session
from ui.editor import reload_rows
from ui.widgets import plain

CSS = """
<style>
table.staff {border-collapse: collapse; margin: .25rem 0 .75rem; font-size: 1rem;
  font-variant-numeric: tabular-nums; line-height: 1.45;}
table.staff th, table.staff td {border: 1px solid #8a96a3; padding: .45rem .8rem;
  text-align: center; vertical-align: middle;}
table.staff th {background: #eef2f6; font-weight: 600;}
table.staff th.side {background: #dde5ee; min-width: 6.5rem;}
table.staff td.num {text-align: right; min-width: 5.5rem;}
table.staff td.sub {text-align: center; font-weight: 600; background: #f7f9fb;}
table.staff td.other {vertical-align: top; min-width: 17rem; max-width: 24rem;}
table.staff td.other b {display: block; text-align: right; font-weight: 400;}
table.staff td.other small {display: block; text-align: left; font-size: .85rem;
  color: #3d4853; margin-top: .35rem;}
table.staff tr.grand td {text-align: right; font-weight: 700; background: #eef2f6;}
p.staff-asof {margin: 0 0 .1rem; color: #3d4853;}
div.staff-scroll {overflow-x: auto; max-width: 100%;}
</style>
"""


def _n(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _labelled(label: str, value: str, lang: str) -> str:
    """資料日期：112/02/28 in Chinese, As of: 2023-02-28 in English."""
    return f"{label}：{value}" if lang == "zh-TW" else f"{label}: {value}"


def _paren(text: str, inner: str, lang: str) -> str:
    return f"{text}（{inner}）" if lang == "zh-TW" else f"{text} ({inner})"


def _scrolling(rows: str) -> str:
    """The table in a box that scrolls sideways on its own when the screen is narrower than
    the table (a phone), so that the page itself does not."""
    return f"<div class='staff-scroll'><table class='staff'>{rows}</table></div>"


def _other_note(other: dict[str, int] | None, lang: str) -> str:
    if other is None:
        return t("staff.other_note", lang)
    return t("staff.other_note_counts", lang, **{k: f"{v:,}" for k, v in other.items()})


def staffing_html(table: StaffingTable, lang: str, other: dict[str, int] | None = None) -> str:
    """The report's table as one grid: 工級人員, 臨時人員 (630 under its four columns, the note
    inside the 其他 cell), 總計; 資料日期 above (112/02/28, the app's table style; the briefing keeps the report's 112.2.28)."""
    h = lambda key: escape(t(key, lang))  # noqa: E731
    b = lambda key: escape(t(f"enum.BudgetSource.{key}", lang))  # noqa: E731
    c = lambda key: escape(t(f"enum.StaffCategory.{key}", lang))  # noqa: E731
    num = lambda v: f"<td class='num'>{_n(v)}</td>"  # noqa: E731
    # Six value columns under the row headings; 工級人員 uses them two by two.
    worker = (
        f"<tr><th class='side' rowspan='2'>{h('staff.worker')}</th>"
        f"<th colspan='2'>{h('staff.agencies')}</th><th colspan='2'>{h('staff.schools')}</th>"
        f"<th colspan='2'>{h('staff.total')}</th></tr>"
        f"<tr><td class='num' colspan='2'>{_n(table.worker_agencies)}</td>"
        f"<td class='num' colspan='2'>{_n(table.worker_schools)}</td>"
        f"<td class='num' colspan='2'>{_n(table.worker_total)}</td></tr>"
    )
    temp = (
        f"<tr><th class='side' rowspan='4'>{h('staff.temp')}</th>"
        f"<th>{c('assistant')}</th><th colspan='2'>{c('contract')}</th><th>{c('engineer')}</th>"
        f"<th rowspan='2'>{c('other')}</th><th rowspan='2'>{h('staff.total')}</th></tr>"
        f"<tr><th>{b('public')}</th><th>{b('public')}</th><th>{b('central')}</th>"
        f"<th>{b('engineering')}</th></tr>"
        f"<tr>{num(table.assistant)}{num(table.contract_public)}{num(table.contract_central)}"
        f"{num(table.engineer)}"
        f"<td class='other' rowspan='2'><b>{_n(table.other)}</b>"
        f"<small>{escape(_other_note(other, lang))}</small></td>"
        f"<td class='num' rowspan='2'>{_n(table.temp_total)}</td></tr>"
        f"<tr><td class='sub' colspan='4' title='{h('staff.subtotal_hint')}'>"
        f"{_n(table.temp_subtotal)}</td></tr>"
    )
    total = _labelled(h("staff.grand_total"), _n(table.grand_total), lang)
    grand = f"<tr class='grand'><td colspan='7'>{total}</td></tr>"
    as_of = _labelled(h("col.as_of"), format_date(table.as_of, lang), lang)
    head = f"<p class='staff-asof'>{as_of}</p>"
    return f"{CSS}{head}{_scrolling(worker + temp + grand)}"


def reduction_html(
    rows: list[Reduction], base: StaffingTable, now: StaffingTable, lang: str
) -> str:
    """Baseline → now, reduced by, reduction rate, for 工級, 臨時 and 業務助理."""
    h = lambda key: escape(t(key, lang))  # noqa: E731
    names = {
        "worker": "staff.worker",
        "temp": "staff.temp",
        "assistant": "enum.StaffCategory.assistant",
    }
    body = "".join(
        f"<tr><th>{h(names[r.key])}</th><td class='num'>{_n(r.baseline)}</td>"
        f"<td class='num'>{_n(r.now)}</td><td class='num'>{_n(r.reduced)}</td>"
        f"<td class='num'>{'—' if r.rate is None else f'{r.rate:.2f}%'}</td></tr>"
        for r in rows
    )
    head = (
        f"<tr><th></th><th>{_paren(h('staff.baseline'), format_date(base.as_of, lang), lang)}</th>"
        f"<th>{_paren(h('staff.now'), format_date(now.as_of, lang), lang)}</th>"
        f"<th>{h('staff.reduced')}</th><th>{h('staff.rate')}</th></tr>"
    )
    return CSS + _scrolling(head + body)


def reduction_sentence(rows: list[Reduction], now: StaffingTable, lang: str) -> str:
    """The report's sentence (自縣市合併迄112年2月工級人員總計減少2,527人…) from the counts."""
    values: dict[str, str] = {"month": format_month(now.as_of, lang)}
    for r in rows:
        values |= {
            f"{r.key}_base": _n(r.baseline),
            f"{r.key}_now": _n(r.now),
            f"{r.key}_reduced": _n(r.reduced),
            f"{r.key}_rate": "—" if r.rate is None else f"{r.rate:.2f}",
        }
    return t("staff.sentence", lang, **values)


def snapshot_picker(
    snapshots: pd.DataFrame, default_id: int | None, key: str, lang: str
) -> int | None:
    """Pick a snapshot, newest first, shown as 112/02/28（112年2月底）; in English 2023-02-28
    (with a label only where it says more than the date)."""
    names = {}
    for s in snapshots.sort_values("as_of", ascending=False).itertuples():
        label = staffing.shown_label(s.as_of, s.label or "", lang)
        day = format_date(s.as_of, lang)
        names[int(s.id)] = _paren(day, label, lang) if label else day
    ids = list(names)
    # A choice already in the session (the user's, or a new copy's) wins; passing a default as
    # well would make Streamlit warn about a value set through the Session State API.
    index = ids.index(default_id) if default_id in names and key not in st.session_state else 0
    return st.selectbox(
        t("staff.picker", lang), ids, index=index if ids else None, format_func=names.get,
        key=key, placeholder=t("staff.picker_placeholder", lang),
    )  # fmt: skip


def unit_table(units: pd.DataFrame, lang: str) -> None:
    """Every agency and school of the snapshot with its headcount per category."""
    labels = {
        "unit_name": t("col.unit_name", lang),
        "unit_type": t("col.unit_type", lang),
        "worker": t("staff.worker", lang),
        "assistant": t("enum.StaffCategory.assistant", lang),
        "contract": t("enum.StaffCategory.contract", lang),
        "engineer": t("enum.StaffCategory.engineer", lang),
        "other": t("enum.StaffCategory.other", lang),
        "temp": t("staff.temp", lang),
        "total": t("staff.grand_total", lang),
    }
    shown = units.assign(unit_type=units["unit_type"].map(lambda u: enum_label(u, lang, UnitType)))
    numbers = [v for k, v in labels.items() if k not in ("unit_name", "unit_type")]
    st.dataframe(
        shown[list(labels)].rename(columns=labels),
        hide_index=True,
        column_config={n: st.column_config.NumberColumn(format="localized") for n in numbers},
        placeholder="",
    )


COPY_ERROR = "staffing.copy.error"
FLASH = "staffing.flash"


def _copy(picker_key: str, lang: str) -> None:
    """The form's callback: runs before the page, so it may still set the picker's choice."""
    text = st.session_state.get("staffing.copy.as_of", "")
    if not text.strip():
        st.session_state[COPY_ERROR] = t("staff.copy.date_required", lang)
        return
    try:
        as_of = parse_roc(text)
        with db_session() as session:
            label = st.session_state.get("staffing.copy.label", "")
            new_id = staffing.copy_snapshot(session, auth.actor(), as_of, label, lang=lang)
            made = staffing.get_snapshot(session, new_id)
            name = long_date(made.as_of, lang)
            shown = staffing.shown_label(made.as_of, made.label, lang)
            name += _paren("", shown, lang) if shown and shown != name else ""
    except ROCDateError as exc:
        st.session_state[COPY_ERROR] = exc.in_language(lang)
        return
    except (staffing.SnapshotRefused, PermissionDenied) as exc:
        st.session_state[COPY_ERROR] = str(exc)
        return
    st.session_state[picker_key] = new_id
    st.session_state[FLASH] = t("staff.copy.done", lang, name=plain(name))  # label as typed
    # The snapshot list's editor keeps the rows it loaded until told otherwise.
    reload_rows("staffing_snapshot")
    st.session_state["staffing.copy.as_of"] = st.session_state["staffing.copy.label"] = ""


def copy_form(latest: pd.Series, picker_key: str, lang: str) -> None:
    """New snapshot copied from the latest (leads of 員額 and admins); the page then shows it."""
    st.caption(
        t("staff.copy.latest", lang, date=long_date(latest["as_of"], lang),
          label=plain(staffing.shown_label(latest["as_of"], latest["label"], lang) or "—"), n=f"{int(latest['counts']):,}")
    )  # fmt: skip
    with st.form("staffing.copy", border=True):
        left, right = st.columns(2)
        left.text_input(
            t("staff.copy.as_of", lang), key="staffing.copy.as_of",
            placeholder=t("staff.copy.as_of_hint", lang),
        )  # fmt: skip
        right.text_input(t("staff.copy.label", lang), key="staffing.copy.label", max_chars=60)
        st.form_submit_button(
            t("staff.copy.submit", lang), type="primary", icon=":material/content_copy:",
            on_click=_copy, args=(picker_key, lang),
        )  # fmt: skip
    error = st.session_state.pop(COPY_ERROR, None)
    if error:
        st.error(plain(error))
