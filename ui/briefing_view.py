"""Streamlit parts of the briefing builder: the choices, the preview and the export buttons."""

from __future__ import annotations

import time
from datetime import date
from html import escape

import streamlit as st

from core.briefing import build as brief
from core.briefing import narrative
from core.briefing.model import Briefing, Table, numbered
from core.figures.compare import previous_period
from core.fleet.usage import months_in
from core.i18n.labels import LANGUAGES, t
from core.kernel.periods import REPORT_PERIOD, Period, half_year_of, month_period
from core.kernel.roc_dates import ROCDateError, format_date, format_month, format_period, parse_roc
from ui.charts import show_chart
from ui.context import current_period, db_session, lang
from ui.widgets import dates_follow_language, per_language, plain, tabs

PRESETS = ("report", "this_half", "month", "custom")
BUILT_KEY = "brief.built"  # {format: (request, bytes, seconds)}
FIRST_MONTH = date(2010, 12, 1)  # the merger: no bureau records before it

CSS = """
<style>
table.brief {border-collapse: collapse; margin: .25rem auto .5rem; font-size: .95rem;
  font-variant-numeric: tabular-nums;}
table.brief th, table.brief td {border: 1px solid #8a96a3; padding: .3rem .6rem;}
table.brief th {background: #eef2f6; font-weight: 600; text-align: center;}
p.brief-caption {text-align: center; margin: .6rem 0 .1rem; font-weight: 600;}
p.brief-note {font-size: .85rem; color: #3d4853; margin: 0 0 .2rem;}
</style>
"""


def _month_options(today: date) -> list[date]:
    return list(reversed(months_in(Period(FIRST_MONTH, today))))


def _period(lg: str) -> Period | None:
    """The period chosen with the presets, a month or ROC dates; None (with a message) when the
    dates typed cannot be read."""
    today = date.today()
    left, middle, right = st.columns([3, 2, 2])
    preset = left.selectbox(
        t("brief.page.preset", lg), PRESETS, key=per_language("brief.preset"),
        format_func=lambda k: t(f"brief.page.preset.{k}", lg),
    )  # fmt: skip
    if preset == "report":
        return REPORT_PERIOD
    if preset == "this_half":
        return half_year_of(today)
    if preset == "month":
        months = _month_options(today)
        month = middle.selectbox(
            t("brief.page.month", lg), months, index=1 if len(months) > 1 else 0,
            format_func=lambda m: format_month(m, lg), key=per_language("brief.month"),
        )  # fmt: skip
        return Period(*_bounds(month))
    fields = (middle, "brief.start", "brief.page.start"), (right, "brief.end", "brief.page.end")
    return _typed_dates(fields, current_period(), lg)


def _typed_dates(fields, default: Period, lg: str) -> Period | None:
    """A period typed as two dates (民國 in zh-TW, YYYY-MM-DD in English; either is read):
    each field is (column, widget key, label key), filled in with `default` at first; None,
    with the reason, when the dates cannot be read or the end comes before the start."""
    (left, start_key, start_label), (right, end_key, end_label) = fields
    dates_follow_language(start_key, end_key)
    st.session_state.setdefault(start_key, format_date(default.start, lg))
    st.session_state.setdefault(end_key, format_date(default.end, lg))
    start_text = left.text_input(t(start_label, lg), key=start_key)
    end_text = right.text_input(t(end_label, lg), key=end_key)
    try:
        start, end = parse_roc(start_text), parse_roc(end_text)
    except ROCDateError as exc:
        st.error(t("brief.page.bad_date", lg, error=exc.in_language(lg)))
        return None
    if end < start:
        st.error(t("brief.page.bad_period", lg))
        return None
    return Period(start, end)


def _bounds(month: date) -> tuple[date, date]:
    chosen = month_period(month)
    return chosen.start, chosen.end


def request_form(lg: str) -> brief.BriefingRequest | None:
    """The builder's choices as a request; None while they cannot make a briefing."""
    st.subheader(t("brief.page.period", lg))
    period = _period(lg)
    if period is not None:
        shown = format_period(period.start, period.end, lg)
        st.caption(t("ui.period_caption", lg, period=shown))
    left, right = st.columns([1, 3])
    doc_lang = left.radio(
        t("brief.page.lang", lg), list(LANGUAGES), format_func=LANGUAGES.get,
        index=list(LANGUAGES).index(lg), key="brief.lang",
    )  # fmt: skip
    sections = right.multiselect(
        t("brief.page.sections", lg), brief.SECTIONS, default=list(brief.SECTIONS),
        format_func=lambda k: t(f"brief.section.{k}", lg), key=per_language("brief.sections"),
    )  # fmt: skip
    offered = [o.key for s in sections for o in brief.OPTIONS[s]]
    # One widget per choice of sections: its options and defaults follow the sections.
    key = per_language(f"brief.items.{'.'.join(sections)}")
    items = st.multiselect(
        t("brief.page.items", lg), offered, default=brief.default_items(sections),
        format_func=lambda k: t(f"brief.opt.{k}", lg), key=key,
    )  # fmt: skip
    narratives = _narratives(period, tuple(sections), lg)
    layout = st.radio(
        t("brief.page.layout", lg), brief.LAYOUTS, horizontal=True, key="brief.layout",
        format_func=lambda k: t(f"brief.page.layout.{k}", lg),
        help=t("brief.page.layout_help", lg),
    )  # fmt: skip
    compare, previous = _comparison(period, lg)
    if not sections:
        st.warning(t("brief.page.no_sections", lg))
        return None
    if period is None or (compare and previous is None):
        return None
    return brief.BriefingRequest(
        period.start, period.end, tuple(sections), frozenset(items), doc_lang,
        compare=compare, previous=(previous.start, previous.end) if compare else None,
        layout=layout, narratives=tuple(narratives),
    )  # fmt: skip


def _narratives(period: Period | None, sections: tuple[str, ...], lg: str) -> list[str]:
    """The period's events and receptions staff choose to tell in their own words (title line,
    summary, numbered photos); one widget per period and sections, so its options hold."""
    if period is None or not set(sections) & set(narrative.SECTION_OF.values()):
        return []
    with db_session() as session:
        offered = narrative.candidates(session, period, sections, lg)
    key = per_language(f"brief.narratives.{period.start}.{period.end}.{'.'.join(sections)}")
    return st.multiselect(
        t("brief.page.narratives", lg), list(offered), format_func=offered.__getitem__, key=key,
        help=t("brief.page.narratives_help", lg), placeholder=t("brief.page.narratives_none", lg),
    )  # fmt: skip


def _comparison(period: Period | None, lg: str) -> tuple[bool, Period | None]:
    """Whether to set each figure beside the previous period's, and which period that is: by
    default the same length just before; any dates otherwise."""
    left, middle, right = st.columns([3, 2, 2])
    compare = left.checkbox(t("brief.page.compare", lg), value=True, key="brief.compare",
                            help=t("brief.page.compare_help", lg))  # fmt: skip
    if not compare or period is None:
        return compare, None
    before = previous_period(period)
    custom = left.toggle(t("brief.page.compare_custom", lg), key="brief.compare_custom")
    if not custom:
        st.caption(t("brief.page.compare_default", lg,
                     period=format_period(before.start, before.end, lg)))  # fmt: skip
        return True, before
    # Keyed by the period: a new period starts from its own previous one, not a stale one.
    shown = f"{period.start}.{period.end}"
    fields = ((middle, f"brief.prev_start.{shown}", "brief.page.prev_start"),
              (right, f"brief.prev_end.{shown}", "brief.page.prev_end"))  # fmt: skip
    return True, _typed_dates(fields, before, lg)


def _table_html(table: Table) -> str:
    rows = []
    for row in table.rows:
        cells = []
        for cell in row:
            tag = "th" if cell.header else "td"
            spans = f" colspan='{cell.colspan}'" if cell.colspan > 1 else ""
            spans += f" rowspan='{cell.rowspan}'" if cell.rowspan > 1 else ""
            style = f" style='text-align:{cell.align}'"
            cells.append(f"<{tag}{spans}{style}>{escape(cell.text)}</{tag}>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    notes = "".join(f"<p class='brief-note'>{escape(x)}</p>" for x in table.note.split("\n") if x)
    caption = f"<p class='brief-caption'>{escape(table.caption)}</p>"
    return f"{CSS}{caption}<table class='brief'>{''.join(rows)}</table>{notes}"


def preview(briefing: Briefing) -> None:
    """The briefing as it will read: headings, numbered sentences, tables, charts."""
    st.markdown(f"### {escape(briefing.title)}")
    st.caption(briefing.period_line)
    st.write(briefing.intro)
    for part in briefing.parts:
        st.markdown(f"#### {escape(part.number + part.title)}")
        if part.text:
            st.write(part.text)
        for section in part.sections:
            st.markdown(f"**{escape(section.number + section.title)}**")
            for number, item in numbered(section.items, briefing.lang):
                if item.kind == "theme":
                    st.markdown(f"**{escape(item.text)}**")
                    continue
                if item.kind == "slot":  # may quote a file name as uploaded
                    st.warning(plain(item.text), icon=":material/edit_note:")
                    continue
                st.text(f"{number}{item.text}")
                if item.paragraph_slot:
                    st.warning(plain(item.paragraph), icon=":material/edit_note:")
                elif item.paragraph:
                    st.text(item.paragraph)
                for table in item.tables:
                    st.html(_table_html(table))
                for figure in item.figures:
                    if figure.kind == "photo":  # staff's caption: shown as typed
                        st.image(
                            figure.png, caption=plain(figure.caption), alt=figure.caption,
                            width=480,
                        )  # fmt: skip
                        continue
                    show_chart(figure.chart, key=f"brief.fig.{figure.key}")
                    st.markdown(
                        f"<p class='brief-caption'>{escape(figure.caption)}</p>",
                        unsafe_allow_html=True,
                    )


def export_panel(request: brief.BriefingRequest, lg: str) -> None:
    """A build button per format (with progress), then its download while the choices hold."""
    built: dict = st.session_state.setdefault(BUILT_KEY, {})
    columns = st.columns(len(brief.FORMATS))
    for column, fmt in zip(columns, brief.FORMATS, strict=True):
        label = fmt.upper()
        with column:
            if st.button(
                t("brief.page.build", lg, fmt=label), key=f"brief.build.{fmt}", width="stretch"
            ):
                built[fmt] = _build(request, fmt, label, lg)
            done = built.get(fmt)
            if done is None:
                continue
            made_for, data, seconds = done
            if made_for != request:
                st.caption(t("brief.page.stale", lg))
                continue
            st.success(t("brief.page.built", lg, fmt=label, seconds=seconds))
            stem = brief.file_stem(request)
            st.download_button(
                t("brief.page.download", lg, fmt=label), data, file_name=f"{stem}.{fmt}",
                mime=brief.MIME[fmt], key=f"brief.download.{fmt}", on_click="ignore",
                type="primary", width="stretch",
            )  # fmt: skip


def _build(request: brief.BriefingRequest, fmt: str, label: str, lg: str):
    began = time.perf_counter()
    bar = st.progress(0.0, text=t("brief.page.building", lg, fmt=label))

    def progress(share: float, step: str) -> None:
        bar.progress(
            min(max(share, 0.0), 1.0), text=f"{t('brief.page.building', lg, fmt=label)} {step}"
        )

    with db_session() as session:
        data = brief.build_file(session, request, fmt, progress)
    bar.empty()
    return request, data, time.perf_counter() - began


def page() -> None:
    lg = lang()
    st.title(t("brief.page.title", lg))
    st.caption(t("brief.page.caption", lg))
    request = request_form(lg)
    if request is None:
        return
    export_tab, preview_tab = tabs(
        [t("brief.page.export", lg), t("brief.page.preview", lg)], "brief.tabs"
    )
    with export_tab:
        export_panel(request, lg)
    if preview_tab.open:
        with preview_tab, db_session() as session:
            preview(brief.build_briefing(session, request))
