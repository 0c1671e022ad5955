"""The charts a briefing can carry: each option key → the page's own chart of the period, in
the house style (core.kernel.charts), with its data from the same core queries the pages use."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import altair as alt
from sqlmodel import Session

from core.calendar import charts as calendar_charts
from core.calendar import ties as calendar
from core.fleet import charts as fleet_charts
from core.fleet import usage as fleet
from core.gifts import charts as gift_charts
from core.gifts import stock as gifts
from core.kernel import monthly
from core.kernel.charts import MUTED, monthly_bars, source_lines
from core.kernel.periods import Period
from core.staffing import charts as staffing_charts
from core.staffing import headcount as staffing
from core.venues import bookings as venues
from core.venues import charts as venue_charts
from core.venues import use as venue_use
from core.visitors import charts as visitor_charts
from core.visitors import receptions as visitors
from db.models import TripType


def _calendar_by_month(s: Session, p: Period, lg: str) -> alt.TopLevelMixin | None:
    frame = calendar.exchanges_by_month(s, p)
    return None if frame.empty else calendar_charts.exchanges_chart(frame, lg, period=p)


def _calendar_map(s: Session, p: Period, lg: str) -> alt.TopLevelMixin | None:
    frame = calendar.directory(s)
    return None if frame.empty else calendar_charts.partner_map(frame, lg)


def _visitor_countries(s: Session, p: Period, lg: str) -> alt.TopLevelMixin | None:
    frame = visitors.top_countries(s, p)
    return None if frame.empty else visitor_charts.top_countries_chart(frame, lg, period=p)


def _visitor_hosts(s: Session, p: Period, lg: str) -> alt.TopLevelMixin | None:
    frame = visitors.host_shares(s, p)
    return None if frame.empty else visitor_charts.host_share_chart(frame, lg, period=p)


def _gift_flows(s: Session, p: Period, lg: str) -> alt.TopLevelMixin | None:
    frame = gifts.gift_flows(s, p)
    return None if frame.empty else gift_charts.flows_by_month_chart(frame, lg, period=p)


def _gift_stock_history(s: Session, p: Period, lg: str) -> alt.TopLevelMixin | None:
    frame = gifts.stock_history(s)
    frame = frame[frame["moved_on"] <= p.end] if not frame.empty else frame
    return None if frame.empty else gift_charts.stock_chart(frame, lg, as_of=p.end)


def _venue_by_month(s: Session, p: Period, lg: str) -> alt.TopLevelMixin | None:
    frame = venue_use.purpose_by_month(s, p)
    return None if frame.empty else venue_charts.events_by_month_chart(frame, p, lg)


def _venue_purpose(s: Session, p: Period, lg: str) -> alt.TopLevelMixin | None:
    frame = venue_use.purpose_by_month(s, p)
    return (
        None if frame.empty else venue_charts.purpose_chart(venue_use.purpose_totals(frame), p, lg)
    )


def _venue_use(s: Session, p: Period, lg: str) -> alt.TopLevelMixin | None:
    frame = venue_use.utilisation(s, p)
    if frame.empty:
        return None
    names = {v.id: venues.venue_label(v, lg) for v in venues.list_venues(s, active_only=False)}
    labels = [names.get(i, str(i)) for i in frame["venue_id"]]
    return venue_charts.utilisation_chart(frame, labels, p, lg)


def _fleet_by_month(s: Session, p: Period, lg: str) -> alt.TopLevelMixin | None:
    frame = monthly.trips_by_month(s, p)
    if frame.empty:
        return None
    return monthly_bars(
        frame, TripType, title_key="chart.trips_by_month", lang=lg, period=p, axis_key="chart.trips"
    )


def _fleet_agencies(s: Session, p: Period, lg: str) -> alt.TopLevelMixin | None:
    frame = fleet.trips_by_agency(s, p, top=8)
    return None if frame.empty else fleet_charts.agency_chart(frame, 8, lg, period=p)


def _staffing_trend(s: Session, p: Period, lg: str) -> alt.TopLevelMixin | None:
    snapshots = staffing.list_snapshots(s)
    snapshots = snapshots[snapshots["as_of"] <= p.end] if not snapshots.empty else snapshots
    if snapshots.empty:
        return None
    return staffing_charts.trend_chart(snapshots, lg, snapshots["as_of"].max())


def _staffing_units(s: Session, p: Period, lg: str) -> alt.TopLevelMixin | None:
    snapshot = staffing.latest_snapshot(s, p.end)
    if snapshot is None:
        return None
    units = staffing.headcount_by_unit(s, snapshot)
    return None if units.empty else staffing_charts.unit_chart(units, lg, as_of=snapshot.as_of)


CHARTS: dict[str, Callable[[Session, Period, str], Any]] = {
    "calendar.by_month": _calendar_by_month,
    "calendar.map": _calendar_map,
    "visitors.countries": _visitor_countries,
    "visitors.hosts": _visitor_hosts,
    "gifts.flows": _gift_flows,
    "gifts.stock_history": _gift_stock_history,
    "venues.by_month": _venue_by_month,
    "venues.purpose": _venue_purpose,
    "venues.use_chart": _venue_use,
    "fleet.by_month": _fleet_by_month,
    "fleet.agencies": _fleet_agencies,
    "staffing.trend": _staffing_trend,
    "staffing.units": _staffing_units,
}


def _title_lines(chart: alt.TopLevelMixin) -> tuple[str, list[str]]:
    """The chart's title and its source lines (core.kernel.charts.titled puts them there)."""
    title = chart.title
    if isinstance(title, alt.Title | alt.TitleParams):
        text, subtitle = title.text, title.subtitle
    elif isinstance(title, dict):
        text, subtitle = title.get("text", ""), title.get("subtitle", "")
    else:
        text, subtitle = title, alt.Undefined
    lines = lambda x: [] if x is alt.Undefined else list(x) if isinstance(x, list) else [str(x)]  # noqa: E731
    return " ".join(lines(text)), lines(subtitle)


def build_chart(key: str, session: Session, period: Period, lang: str) -> tuple[Any, str]:
    """(chart, title) for a briefing figure; (None, "") when the period has no data for it.

    The document's caption carries the title (圖1　…), so the picture keeps only the small
    source lines the house style puts under a chart's title."""
    chart = CHARTS[key](session, period, lang)
    if chart is None:
        return None, ""
    title, source = _title_lines(chart)
    source = source or source_lines(lang, period)
    small = alt.Title(source, fontSize=11, fontWeight="normal", color=MUTED, anchor="start")
    return chart.properties(title=small), title
