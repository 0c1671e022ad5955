"""The naive page, for the ratio: the whole table into pandas, aggregated there, all shown.

It does what the venue and fleet pages show for the report's period (counts by kind or type
and status per month, hours per venue or vehicle, per agency) the simplest way, then hands the
whole table to the browser as st.dataframe would (Streamlit's own Arrow serialisation). Run in
the same process, on the same engine and data as the pages.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine
from streamlit.dataframe_util import convert_pandas_df_to_arrow_bytes

from bench.caches import clear_caches
from bench.pages import Sample, _peak_mb
from bench.report import Ratio, Row, median_int
from core.kernel.periods import REPORT_PERIOD, Period


def _inside(frame: pd.DataFrame, period: Period) -> pd.DataFrame:
    starts = pd.to_datetime(frame["starts_at"])
    ends = pd.to_datetime(frame["ends_at"])
    frame = frame.assign(starts_at=starts, ends_at=ends,
                         hours=(ends - starts).dt.total_seconds() / 3600)  # fmt: skip
    chosen = (starts >= pd.Timestamp(period.start_dt)) & (starts < pd.Timestamp(period.end_dt))
    return frame[chosen].assign(month=lambda f: f["starts_at"].dt.to_period("M").astype(str))


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Plain string column names, as st.dataframe wants them."""
    frame = frame.reset_index()
    frame.columns = [" ".join(map(str, c)) if isinstance(c, tuple) else str(c) for c in frame]
    return frame


def naive_venue(engine: Engine, period: Period = REPORT_PERIOD) -> int:
    """Bytes handed to the browser (Arrow), as every naive page returns."""
    bookings = pd.read_sql("SELECT * FROM venue_booking", engine)
    venues = pd.read_sql("SELECT * FROM venue", engine)
    inside = _inside(bookings, period)
    by_month = inside.groupby(["month", "kind", "status"]).size().unstack(fill_value=0)
    approved = inside[inside["status"] == "approved"]
    hours = approved.groupby("venue_id")["hours"].sum().rename("hours").reset_index()
    per_venue = venues.merge(hours, left_on="id", right_on="venue_id", how="left")
    by_purpose = inside.groupby(["month", "purpose"]).size().unstack(fill_value=0)
    shown = [bookings, venues, _flat(by_month), per_venue, _flat(by_purpose)]
    return sum(len(convert_pandas_df_to_arrow_bytes(frame)) for frame in shown)


def naive_fleet(engine: Engine, period: Period = REPORT_PERIOD) -> int:
    trips = pd.read_sql("SELECT * FROM trip", engine)
    vehicles = pd.read_sql("SELECT * FROM vehicle", engine)
    drivers = pd.read_sql("SELECT * FROM driver", engine)
    inside = _inside(trips, period)
    by_month = inside.groupby(["month", "trip_type"]).agg(trips=("id", "size"), km=("km", "sum"))
    sums = {"trips": ("id", "size"), "km": ("km", "sum"), "hours": ("hours", "sum")}
    per_vehicle = inside.groupby("vehicle_id").agg(**sums).reset_index()
    per_vehicle = vehicles.merge(per_vehicle, left_on="id", right_on="vehicle_id", how="left")
    agencies = inside.groupby("requesting_agency").size().sort_values(ascending=False)
    shown = [trips, vehicles, drivers, _flat(by_month), per_vehicle, _flat(agencies.to_frame())]
    return sum(len(convert_pandas_df_to_arrow_bytes(frame)) for frame in shown)


NAIVE = {"venue_usage": naive_venue, "fleet_stats": naive_fleet}


def _row(name: str, samples: list[Sample], peak: float) -> Row:
    return Row(name, [s.seconds for s in samples], None,
               rows=median_int([s.rows for s in samples]),
               queries=median_int([s.queries for s in samples]), peak_mb=peak,
               sent_kb=samples[0].result / 1024, cpu=[s.cpu for s in samples])  # fmt: skip


def naive_rows(engine: Engine, repeat: int, page_rows: list[Row]) -> list:
    """Cold and warm rows of each naive page, then the ratios naive ÷ ours (target ≥ 10×)."""
    by_name = {r.name: r for r in page_rows}
    out: list = []
    ratios: list = []
    cpu: list = []  # the same quotients of CPU time: what load on the machine changes least
    for page, naive in NAIVE.items():
        if f"{page} cold" not in by_name and f"{page} warm" not in by_name:
            continue  # the page was not measured in this run (--pages): nothing to compare
        cold = []
        for _ in range(repeat):
            clear_caches()
            cold.append(Sample(lambda naive=naive: naive(engine)))
        warm = [Sample(lambda naive=naive: naive(engine)) for _ in range(repeat)]
        peak = _peak_mb(lambda naive=naive: naive(engine))
        out += [_row(f"naive {page} cold", cold, peak), _row(f"naive {page} warm", warm, peak)]
        for kind in ("cold", "warm"):
            ours = by_name.get(f"{page} {kind}")
            if ours is None:
                continue
            naive_row = out[-2 if kind == "cold" else -1]
            ratios.append(Ratio(f"naive ÷ {page} {kind}",
                                _ratio(naive_row.median_ms, ours.median_ms), 10))  # fmt: skip
            cpu.append(Ratio(f"naive ÷ {page} {kind}, CPU time",
                             _ratio(naive_row.cpu_ms, ours.cpu_ms)))  # fmt: skip
    return out + ratios + cpu


def _ratio(naive: float | None, ours: float | None) -> float | None:
    return naive / ours if naive and ours else None
