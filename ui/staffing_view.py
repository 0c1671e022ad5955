"""The staffing table drawn in the council report's layout (HTML: two header rows, spans)."""

from __future__ import annotations

from html import escape

from core.labels import t
from core.roc_dates import format_roc
from core.staffing import StaffingTable, reduction_pct

CSS = """
<style>
table.staff {border-collapse: collapse; margin: .5rem 0 1rem; font-variant-numeric: tabular-nums;}
table.staff th, table.staff td {border: 1px solid #9aa5b1; padding: .35rem .7rem; text-align: center;}
table.staff th {background: #eef2f6; font-weight: 600;}
table.staff td.num {text-align: right;}
table.staff td.note {text-align: left; font-size: .85rem; max-width: 22rem;}
</style>
"""


def _n(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def staffing_html(table: StaffingTable, lang: str) -> str:
    """Both parts of the report's table, 資料日期 in ROC dot style (112.2.28)."""
    h = lambda key: escape(t(key, lang))  # noqa: E731
    b = lambda key: escape(t(f"enum.BudgetSource.{key}", lang))  # noqa: E731
    worker = (
        f"<table class='staff'><tr><th rowspan='2'>{h('staff.worker')}</th>"
        f"<th>{h('staff.agencies')}</th><th>{h('staff.schools')}</th><th>{h('staff.total')}</th></tr>"
        f"<tr><td class='num'>{_n(table.worker_agencies)}</td><td class='num'>{_n(table.worker_schools)}</td>"
        f"<td class='num'>{_n(table.worker_total)}</td></tr></table>"
    )
    temp = (
        f"<table class='staff'><tr><th rowspan='3'>{h('staff.temp')}</th>"
        f"<th>{h('enum.StaffCategory.assistant')}</th><th colspan='2'>{h('enum.StaffCategory.contract')}</th>"
        f"<th>{h('enum.StaffCategory.engineer')}</th><th rowspan='2'>{h('staff.subtotal')}</th>"
        f"<th rowspan='2'>{h('enum.StaffCategory.other')}</th><th rowspan='2'>{h('staff.total')}</th></tr>"
        f"<tr><th>{b('public')}</th><th>{b('public')}</th><th>{b('central')}</th><th>{b('engineering')}</th></tr>"
        f"<tr><td class='num'>{_n(table.assistant)}</td><td class='num'>{_n(table.contract_public)}</td>"
        f"<td class='num'>{_n(table.contract_central)}</td><td class='num'>{_n(table.engineer)}</td>"
        f"<td class='num'>{_n(table.temp_subtotal)}</td><td class='num'>{_n(table.other)}</td>"
        f"<td class='num'>{_n(table.temp_total)}</td></tr>"
        f"<tr><td colspan='8' class='note'>{h('enum.StaffCategory.other')}：{h('staff.other_note')}</td></tr>"
        "</table>"
    )
    head = f"<p>{escape(t('col.as_of', lang))}：{format_roc(table.as_of, 'dot')}</p>"
    total = f"<p><b>{h('staff.grand_total')}：{_n(table.grand_total)}</b></p>"
    return CSS + head + worker + temp + total


def reduction_html(base: StaffingTable, now: StaffingTable, lang: str) -> str:
    """Baseline → now, reduced by, reduction rate, for 工級, 臨時 and 業務助理."""
    h = lambda key: escape(t(key, lang))  # noqa: E731
    rows = [
        (h("staff.worker"), base.worker_total, now.worker_total),
        (h("staff.temp"), base.temp_total, now.temp_total),
        (h("enum.StaffCategory.assistant"), base.assistant, now.assistant),
    ]
    body = "".join(
        f"<tr><th>{label}</th><td class='num'>{_n(b)}</td><td class='num'>{_n(n)}</td>"
        f"<td class='num'>{_n(b - n)}</td><td class='num'>{reduction_pct(b, n):.2f}%</td></tr>"
        for label, b, n in rows
    )
    head = (
        f"<tr><th></th><th>{h('staff.baseline')}（{format_roc(base.as_of, 'dot')}）</th>"
        f"<th>{h('staff.now')}（{format_roc(now.as_of, 'dot')}）</th>"
        f"<th>{h('staff.reduced')}</th><th>{h('staff.rate')}</th></tr>"
    )
    return CSS + f"<table class='staff'>{head}{body}</table>"
