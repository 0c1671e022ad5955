"""Streamlit pieces of the overview page (the lists and figures come from core.overview.today)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

import pandas as pd
import streamlit as st

from core.audit.changes import changes_since, entry_link, previous_sign_in, sees_changes
from core.audit.history import TAIPEI, record_title, table_label
from core.editing.links import SECTION_PAGES, page_for
from core.editing.pipeline import Actor
from core.figures.compute import compute_figures
from core.i18n.labels import t
from core.kernel.periods import Period
from core.kernel.roc_dates import format_date, format_datetime
from core.overview import today as overview
from core.overview.today import Item
from ui.context import db_session, page_file
from ui.widgets import plain, tile_row

SHOWN = 8  # items per list; the rest are counted, with a link to the page

ICONS = {
    "reception": ":material/badge:",
    "event": ":material/public:",
    "anniversary": ":material/cake:",
    "booking": ":material/meeting_room:",
    "trip": ":material/directions_car:",
    "follow_up": ":material/task_alt:",
    "gift_report": ":material/gavel:",
    "low_stock": ":material/inventory_2:",
    "holiday": ":material/beach_access:",
}


def _label(item: Item, lg: str) -> str:
    day = (
        f"{format_date(item.day, lg)} " if item.day and item.kind not in ("booking", "trip") else ""
    )
    late = "⚠️ " if item.overdue else ""
    return plain(f"{late}{day}{item.title}")


def item_list(items: Sequence[Item], empty_key: str, lg: str, *, page: str | None = None) -> None:
    """The items as links to their records (SHOWN of them), each with its detail line."""
    if not items:
        st.caption(t(empty_key, lg))
        return
    for item in items[:SHOWN]:
        if item.link is not None:
            st.page_link(
                page_file(item.link.page), label=_label(item, lg), icon=ICONS.get(item.kind),
                query_params=item.link.query_params,
            )  # fmt: skip
        else:
            icon = ICONS.get(item.kind, "")
            st.markdown(f"{icon} {_label(item, lg)}" if icon else _label(item, lg))
        if item.detail:
            st.caption(plain(item.detail))
    more = len(items) - SHOWN
    if more > 0:
        target = page or (items[0].link.page if items[0].link else None)
        if target:
            st.page_link(
                page_file(target), label=t("ov.more", lg, n=more), icon=":material/more_horiz:"
            )
        else:
            st.caption(t("ov.more", lg, n=more))


def headline(period: Period, lg: str) -> None:
    """The period's headline figures, each with its monthly trend as a small line."""
    with db_session() as session:
        values = compute_figures(session, period.start, period.end)
        trend = overview.headline_trend(session, period.end)
    st.caption(t("ov.trend_hint", lg, n=overview.TREND_MONTHS))
    tiles = tile_row(len(overview.HEADLINE), "overview")
    for col, key in zip(tiles, overview.HEADLINE, strict=True):
        series = trend[trend["key"] == key]["value"]
        points = [0 if pd.isna(v) else v for v in series]
        value = values.get(key)
        col.metric(
            t(f"fig.{key}", lg), "—" if value is None else f"{value:,}", border=True,
            chart_data=points if any(points) else None, chart_type="bar",
            help=t("ov.trend_help", lg, first=format_date(trend["month"].min(), lg),
                   last=format_date(period.end, lg)),
        )  # fmt: skip


def week_and_dates(today: date, lg: str) -> None:
    with db_session() as session:
        week = overview.week_ahead(session, today, lg)
        anniversaries = overview.anniversaries_ahead(session, today, lg)
    left, right = st.columns(2)
    with left.container(border=True):
        st.markdown(f"**{t('ov.week', lg, n=overview.UPCOMING_DAYS)}**")
        item_list(week, "ov.none.week", lg, page=SECTION_PAGES["calendar"])
    with right.container(border=True):
        st.markdown(f"**{t('ov.anniversaries', lg, n=overview.ANNIVERSARY_DAYS)}**")
        item_list(anniversaries, "ov.none.anniversaries", lg, page=SECTION_PAGES["calendar"])


def today_panel(today: date, lg: str) -> None:
    """Venue bookings today per centre, and the cars out today."""
    with db_session() as session:
        bookings = overview.bookings_today(session, today, lg)
        cars = overview.cars_out(session, today, lg)
    cols = st.columns(len(bookings) + 1)
    for col, (centre, items) in zip(cols, bookings.items(), strict=False):
        with col.container(border=True):
            st.markdown(f"**{t('ov.bookings', lg, centre=t(f'ven.centre_short.{centre}', lg))}**")
            item_list(items, "ov.none.bookings", lg, page=SECTION_PAGES["venues"])
    with cols[-1].container(border=True):
        st.markdown(f"**{t('ov.cars', lg, n=len(cars))}**")
        item_list(cars, "ov.none.cars", lg, page=SECTION_PAGES["fleet"])


def to_do(today: date, lg: str) -> None:
    """Follow-ups due, gifts waiting for their ethics report, stock below its threshold."""
    with db_session() as session:
        follow_ups = overview.follow_ups_due(session, today, lg)
        reports = overview.gifts_to_report(session, today, lg)
        stock = overview.low_stock(session, lg)
    lists = (
        ("ov.follow_ups", follow_ups, "ov.none.follow_ups", page_for("reception")),
        ("ov.gift_reports", reports, "ov.none.gift_reports", page_for("gift_received")),
        ("ov.low_stock", stock, "ov.none.low_stock", page_for("gift_item")),
    )
    for col, (title, items, empty, page) in zip(st.columns(3), lists, strict=True):
        with col.container(border=True):
            late = sum(i.overdue for i in items)
            suffix = t("ov.overdue_count", lg, n=late) if late else ""
            st.markdown(f"**{t(title, lg, n=len(items))}**{suffix}")
            item_list(items, empty, lg, page=page)


def changes(actor: Actor, lg: str) -> None:
    """Other people's edits since this user's previous sign-in (leads and administrators)."""
    if not sees_changes(actor):
        return
    with db_session() as session:
        since = previous_sign_in(session, actor.username)
        found = changes_since(session, actor, since)
    st.subheader(t("ov.changes", lg))
    if since is None:
        st.caption(t("ov.changes.first", lg))
    else:
        st.caption(t("ov.changes.since", lg, when=format_datetime(_taipei(since), lg)))
    if not found.total:
        st.caption(t("ov.changes.none", lg))
        return
    per_table = t("ui.list_sep", lg).join(
        f"{table_label(name, lg)} {n:,}" for name, n in sorted(found.per_table.items())
    )
    st.markdown(plain(t("ov.changes.summary", lg, n=f"{found.total:,}", tables=per_table)))
    for entry in found.recent:
        link = entry_link(entry)
        label = t(
            f"ov.changes.{entry.action}", lg, who=entry.username,
            table=table_label(entry.table_name, lg), record=record_title(entry, lg),
            when=format_datetime(_taipei(entry.at), lg),
        )  # fmt: skip
        if link is not None:
            st.page_link(page_file(link.page), label=plain(label), query_params=link.query_params,
                         icon=":material/edit_note:")  # fmt: skip
        else:
            st.markdown(plain(label))
    if found.total > len(found.recent):
        st.page_link(
            page_file("pages/history.py"), label=t("ov.changes.all", lg), icon=":material/history:"
        )


def _taipei(moment: datetime) -> datetime:
    """An audit time (UTC; SQLite gives it back without the zone) on Taipei's clock."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(TAIPEI)
