"""The monthly rollups (db/models/rollups.py): their triggers, a recount, a check.

`python -m db.rollups [--check | --rebuild]` on DATABASE_URL (or --database-url): --check
compares every rollup row with a recount from the base tables and exits 1 on a difference;
--rebuild recounts them in one transaction.

The triggers (one set per dialect, same arithmetic) fire after each row written to
venue_booking or trip, in the writing transaction: they take the old row's share away and add
the new row's. A booking's seconds are split over the months it touches by joining
calendar_month; an update that changes none of the counted columns does not fire them.
Bulk loaders may `suspended()` them and recount once at the end instead.

Each rollup has its own triggers (ROLLUPS), so a migration makes and drops only its own: the
revision that made the first two passes FIRST, a later one its rollup's name.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Connection, Engine, bindparam, delete, insert, text
from sqlalchemy.orm import Session

from core.kernel.stopwatch import Stopwatch
from db.models.rollups import CalendarMonth

FIRST_YEAR, LAST_YEAR = 1900, 2200
APPROVED = "approved"  # BookingStatus.APPROVED's stored value
DISPATCH, LOAN = "dispatch", "loan"  # TripType's stored values
BOOKING_COLUMNS = ("venue_id", "starts_at", "ends_at", "kind", "status")
TRIP_COLUMNS = ("starts_at", "trip_type", "km")
VEHICLE_TRIP_COLUMNS = ("vehicle_id", "starts_at", "ends_at", "trip_type", "km")
# The fleet's working window of a weekday, whole hours (core.fleet.usage reads it from here):
# vehicle_trip_month keeps each one-day trip's seconds inside it. Changing it needs --rebuild.
WORK_START_HOUR, WORK_END_HOUR = 8, 18
# rollup table -> (the table its triggers are on, its triggers: SQLite's for insert, update
# and delete; PostgreSQL has one trigger for all three, named as the first, and its function)
TRIGGERS = {
    "venue_booking_month": ("venue_booking", ("venue_booking_month_ins",
                            "venue_booking_month_upd", "venue_booking_month_del")),
    "trip_month": ("trip", ("trip_month_ins", "trip_month_upd", "trip_month_del")),
    "vehicle_trip_month": ("trip", ("vehicle_trip_month_ins", "vehicle_trip_month_upd",
                           "vehicle_trip_month_del")),
}  # fmt: skip
ROLLUPS = tuple(TRIGGERS)
FIRST = ("venue_booking_month", "trip_month")  # what revision 8b3f6c2d9e14 made


def months() -> list[dict[str, datetime]]:
    """The rows of calendar_month."""
    firsts = [datetime(y, m, 1) for y in range(FIRST_YEAR, LAST_YEAR + 1) for m in range(1, 13)]
    nexts = [*firsts[1:], datetime(LAST_YEAR + 1, 1, 1)]
    return [{"month": a, "next_month": b} for a, b in zip(firsts, nexts, strict=True)]


def fill_calendar(conn: Connection) -> None:
    conn.execute(delete(CalendarMonth.__table__))
    conn.execute(insert(CalendarMonth.__table__), months())


# --- the shares of one row, as SQL over a row alias `r` (NEW, OLD or the table itself) -------


def _month_of(dialect: str, expr: str) -> str:
    """The first moment of expr's month, comparable with calendar_month.month."""
    if dialect == "sqlite":  # the text form SQLAlchemy stores datetimes in
        return f"strftime('%Y-%m-01 00:00:00.000000', {expr})"
    return f"date_trunc('month', {expr})"


def _epoch(dialect: str, expr: str) -> str:
    if dialect == "sqlite":
        return f"CAST(strftime('%s', {expr}) AS INTEGER)"
    return f"CAST(EXTRACT(EPOCH FROM {expr}) AS BIGINT)"


def _seconds_in_month(dialect: str, r: str) -> str:
    """Seconds of booking `r` inside calendar month `c`."""
    later, earlier = ("max", "min") if dialect == "sqlite" else ("GREATEST", "LEAST")
    lo, hi = f"{later}({r}.starts_at, c.month)", f"{earlier}({r}.ends_at, c.next_month)"
    return f"{_epoch(dialect, hi)} - {_epoch(dialect, lo)}"


def _booking_share(dialect: str, r: str, sign: str, where: str = "") -> str:
    """SELECT of the (month, venue, kind, bookings, seconds) shares of booking `r`."""
    seconds = _seconds_in_month(dialect, r)
    return (
        f"SELECT c.month, {r}.venue_id, {r}.kind, "
        f"{sign}CASE WHEN {r}.starts_at >= c.month THEN 1 ELSE 0 END, {sign}({seconds}) "
        f"FROM calendar_month c WHERE c.month >= {_month_of(dialect, f'{r}.starts_at')} "
        f"AND c.month < {r}.ends_at{where}"
    )


def _trip_share(dialect: str, r: str, sign: str) -> str:
    return (
        f"SELECT c.month, {r}.trip_type, {sign}1, {sign}{r}.km FROM calendar_month c "
        f"WHERE c.month = {_month_of(dialect, f'{r}.starts_at')}"
    )


def _upsert_booking(dialect: str, r: str, sign: str, where: str = "") -> str:
    return (
        "INSERT INTO venue_booking_month (month, venue_id, kind, bookings, seconds) "
        f"{_booking_share(dialect, r, sign, where)} "
        "ON CONFLICT (month, venue_id, kind) DO UPDATE SET "
        "bookings = venue_booking_month.bookings + excluded.bookings, "
        "seconds = venue_booking_month.seconds + excluded.seconds"
    )


def _upsert_trip(dialect: str, r: str, sign: str) -> str:
    return (
        f"INSERT INTO trip_month (month, trip_type, trips, km) {_trip_share(dialect, r, sign)} "
        "ON CONFLICT (month, trip_type) DO UPDATE SET "
        "trips = trip_month.trips + excluded.trips, km = trip_month.km + excluded.km"
    )


def _working_seconds(dialect: str, r: str) -> str:
    """Seconds of a one-day trip `r` inside its day's working window; 0 on a weekend day."""
    lo, hi = WORK_START_HOUR * 3600, WORK_END_HOUR * 3600
    if dialect == "sqlite":
        day = _epoch(dialect, f"date({r}.starts_at)")
        start, end = _epoch(dialect, f"{r}.starts_at"), _epoch(dialect, f"{r}.ends_at")
        inside = f"max(0, min({end}, {day} + {hi}) - max({start}, {day} + {lo}))"
        weekday = f"strftime('%w', {r}.starts_at) IN ('1', '2', '3', '4', '5')"
    else:
        day = f"date_trunc('day', {r}.starts_at)"
        span = (
            f"LEAST({r}.ends_at, {day} + interval '{WORK_END_HOUR} hours') - "
            f"GREATEST({r}.starts_at, {day} + interval '{WORK_START_HOUR} hours')"
        )
        inside = f"GREATEST(0, {_epoch(dialect, span)})"
        weekday = f"EXTRACT(ISODOW FROM {r}.starts_at) <= 5"
    return f"CASE WHEN {weekday} THEN {inside} ELSE 0 END"


def vehicle_trip_values(dialect: str, r: str) -> list[str]:
    """What trip `r` adds to its vehicle's month: trips, dispatch, loans, km, seconds,
    working_seconds (one-day trips only) and multi_day (trips that end on a later day, whose
    working hours core.fleet.usage works out from the trip itself)."""
    one_day = f"date({r}.starts_at) = date({r}.ends_at)"
    seconds = f"{_epoch(dialect, f'{r}.ends_at')} - {_epoch(dialect, f'{r}.starts_at')}"
    return [
        "1",
        f"CASE WHEN {r}.trip_type = '{DISPATCH}' THEN 1 ELSE 0 END",
        f"CASE WHEN {r}.trip_type = '{LOAN}' THEN 1 ELSE 0 END",
        f"{r}.km",
        f"({seconds})",
        f"CASE WHEN {one_day} THEN {_working_seconds(dialect, r)} ELSE 0 END",
        f"CASE WHEN {one_day} THEN 0 ELSE 1 END",
    ]


VEHICLE_TRIP_SUMS = ("trips", "dispatch", "loans", "km", "seconds", "working_seconds",
                     "multi_day")  # fmt: skip


def _upsert_vehicle_trip(dialect: str, r: str, sign: str) -> str:
    values = ", ".join(f"{sign}{value}" for value in vehicle_trip_values(dialect, r))
    sums = ", ".join(VEHICLE_TRIP_SUMS)
    added = ", ".join(f"{c} = vehicle_trip_month.{c} + excluded.{c}" for c in VEHICLE_TRIP_SUMS)
    return (
        f"INSERT INTO vehicle_trip_month (month, vehicle_id, {sums}) "
        f"SELECT c.month, {r}.vehicle_id, {values} FROM calendar_month c "
        f"WHERE c.month = {_month_of(dialect, f'{r}.starts_at')} "
        f"ON CONFLICT (month, vehicle_id) DO UPDATE SET {added}"
    )


def _sqlite_triggers(rollup: str) -> list[str]:
    table, (ins, upd, dele) = TRIGGERS[rollup]
    if rollup == "venue_booking_month":
        approved_new, approved_old = f"NEW.status = '{APPROVED}'", f"OLD.status = '{APPROVED}'"
        add, take = _upsert_booking("sqlite", "NEW", ""), _upsert_booking("sqlite", "OLD", "-")
        return [
            f"CREATE TRIGGER {ins} AFTER INSERT ON {table} WHEN {approved_new} BEGIN {add}; END",
            f"CREATE TRIGGER {upd} AFTER UPDATE OF {', '.join(BOOKING_COLUMNS)} ON {table} BEGIN "
            f"{_upsert_booking('sqlite', 'OLD', '-', f' AND {approved_old}')}; "
            f"{_upsert_booking('sqlite', 'NEW', '', f' AND {approved_new}')}; END",
            f"CREATE TRIGGER {dele} AFTER DELETE ON {table} WHEN {approved_old} BEGIN {take}; END",
        ]
    upsert, columns = _UPSERTS[rollup]
    add, take = upsert("sqlite", "NEW", ""), upsert("sqlite", "OLD", "-")
    return [
        f"CREATE TRIGGER {ins} AFTER INSERT ON {table} BEGIN {add}; END",
        f"CREATE TRIGGER {upd} AFTER UPDATE OF {', '.join(columns)} ON {table} "
        f"BEGIN {take}; {add}; END",
        f"CREATE TRIGGER {dele} AFTER DELETE ON {table} BEGIN {take}; END",
    ]


def _pg_function(name: str, old_part: str, new_part: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN\n"
        f"  IF TG_OP IN ('UPDATE', 'DELETE') {old_part};\n  END IF;\n"
        f"  IF TG_OP IN ('INSERT', 'UPDATE') {new_part};\n  END IF;\n"
        "  RETURN NULL;\nEND $$"
    )


def _pg_triggers(rollup: str) -> list[str]:
    table, (name, *_) = TRIGGERS[rollup]
    if rollup == "venue_booking_month":
        columns = BOOKING_COLUMNS
        old = f"AND OLD.status = '{APPROVED}' THEN {_upsert_booking('postgresql', 'OLD', '-')}"
        new = f"AND NEW.status = '{APPROVED}' THEN {_upsert_booking('postgresql', 'NEW', '')}"
    else:
        upsert, columns = _UPSERTS[rollup]
        old = f"THEN {upsert('postgresql', 'OLD', '-')}"
        new = f"THEN {upsert('postgresql', 'NEW', '')}"
    return [
        _pg_function(name, old, new),
        f"CREATE TRIGGER {name} AFTER INSERT OR DELETE OR UPDATE OF {', '.join(columns)} "
        f"ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()",
    ]


# rollup -> (its upsert of one row's share, the columns whose update fires its triggers)
_UPSERTS = {
    "trip_month": (_upsert_trip, TRIP_COLUMNS),
    "vehicle_trip_month": (_upsert_vehicle_trip, VEHICLE_TRIP_COLUMNS),
}


def create_triggers(conn: Connection, names: tuple[str, ...] = ROLLUPS) -> None:
    """The triggers of the rollups named (default: all)."""
    build = _sqlite_triggers if conn.dialect.name == "sqlite" else _pg_triggers
    for rollup in names:
        for statement in build(rollup):
            conn.exec_driver_sql(statement)


def drop_triggers(conn: Connection, names: tuple[str, ...] = ROLLUPS) -> None:
    for rollup in names:
        table, triggers = TRIGGERS[rollup]
        if conn.dialect.name == "sqlite":
            for trigger in triggers:
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {trigger}")
            continue
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {triggers[0]} ON {table}")
        conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {triggers[0]}()")


# --- recount ------------------------------------------------------------------------------------


def _join(dialect: str) -> str:
    """SQLite's CROSS JOIN keeps the rows' table outside, each finding its few months by the
    calendar's key (its planner may otherwise scan every row once per month of the calendar)."""
    return "CROSS JOIN" if dialect == "sqlite" else "JOIN"


def _recount_booking(dialect: str) -> str:
    return (
        "SELECT c.month AS month, b.venue_id AS venue_id, b.kind AS kind, "
        "SUM(CASE WHEN b.starts_at >= c.month THEN 1 ELSE 0 END) AS bookings, "
        f"SUM({_seconds_in_month(dialect, 'b')}) AS seconds "
        f"FROM venue_booking b {_join(dialect)} calendar_month c "
        f"ON c.month >= {_month_of(dialect, 'b.starts_at')} AND c.month < b.ends_at "
        f"WHERE b.status = '{APPROVED}' GROUP BY c.month, b.venue_id, b.kind"
    )


def _recount_trip(dialect: str) -> str:
    return (
        "SELECT c.month AS month, t.trip_type AS trip_type, COUNT(*) AS trips, SUM(t.km) AS km "
        f"FROM trip t {_join(dialect)} calendar_month c "
        f"ON c.month = {_month_of(dialect, 't.starts_at')} "
        "GROUP BY c.month, t.trip_type"
    )


def _recount_vehicle_trip(dialect: str) -> str:
    sums = ", ".join(
        f"SUM({value}) AS {name}"
        for value, name in zip(vehicle_trip_values(dialect, "t"), VEHICLE_TRIP_SUMS, strict=True)
    )
    return (
        f"SELECT c.month AS month, t.vehicle_id AS vehicle_id, {sums} "
        f"FROM trip t {_join(dialect)} calendar_month c "
        f"ON c.month = {_month_of(dialect, 't.starts_at')} "
        "GROUP BY c.month, t.vehicle_id"
    )


# rollup -> (its columns, the recount of them from the base table)
_RECOUNTS = {
    "venue_booking_month": (("month", "venue_id", "kind", "bookings", "seconds"),
                            _recount_booking),
    "trip_month": (("month", "trip_type", "trips", "km"), _recount_trip),
    "vehicle_trip_month": (("month", "vehicle_id", *VEHICLE_TRIP_SUMS), _recount_vehicle_trip),
}  # fmt: skip


def rebuild(conn: Connection, names: tuple[str, ...] = ROLLUPS) -> None:
    """Recount the rollups named (default: all) from the base tables (inside the caller's
    transaction)."""
    for rollup in names:
        columns, recount = _RECOUNTS[rollup]
        listed = ", ".join(columns)
        conn.exec_driver_sql(f"DELETE FROM {rollup}")
        conn.exec_driver_sql(
            f"INSERT INTO {rollup} ({listed}) "
            f"SELECT {listed} FROM ({recount(conn.dialect.name)}) AS r"
        )


def differences(conn: Connection) -> list[str]:
    """Rows where the kept rollups and a recount disagree (zero rows count as absent)."""
    out = []
    kept = conn.exec_driver_sql(
        "SELECT month, venue_id, kind, bookings, seconds FROM venue_booking_month "
        "WHERE bookings <> 0 OR seconds <> 0"
    ).all()
    fresh = conn.exec_driver_sql(_recount_booking(conn.dialect.name)).all()
    kept_b = {(str(m), v, k): (b, s) for m, v, k, b, s in kept}
    fresh_b = {(str(m), v, k): (b, s) for m, v, k, b, s in fresh if b or s}
    for key in sorted(set(kept_b) | set(fresh_b)):
        a, b = kept_b.get(key), fresh_b.get(key)
        if a != b:
            out.append(f"venue_booking_month {key}: kept {a}, counted {b}")
    kept_rows = conn.exec_driver_sql(
        "SELECT month, trip_type, trips, km FROM trip_month WHERE trips <> 0"
    ).all()
    fresh_rows = conn.exec_driver_sql(_recount_trip(conn.dialect.name)).all()
    kept_t = {(str(m), t): (n, float(km)) for m, t, n, km in kept_rows}
    fresh_t = {(str(m), t): (n, float(km)) for m, t, n, km in fresh_rows}
    for key in sorted(set(kept_t) | set(fresh_t)):
        a, b = kept_t.get(key), fresh_t.get(key)
        if a is None or b is None or a[0] != b[0] or abs(a[1] - b[1]) > 1e-6:
            out.append(f"trip_month {key}: kept {a}, counted {b}")
    return out + _vehicle_trip_differences(conn)


def _vehicle_trip_differences(conn: Connection) -> list[str]:
    sums = ", ".join(VEHICLE_TRIP_SUMS)
    kept = conn.exec_driver_sql(
        f"SELECT month, vehicle_id, {sums} FROM vehicle_trip_month WHERE trips <> 0"
    ).all()
    fresh = conn.exec_driver_sql(_recount_vehicle_trip(conn.dialect.name)).all()
    kept_v = {(str(r[0]), r[1]): tuple(r[2:]) for r in kept}
    fresh_v = {(str(r[0]), r[1]): tuple(r[2:]) for r in fresh}
    km = VEHICLE_TRIP_SUMS.index("km")
    out = []
    for key in sorted(set(kept_v) | set(fresh_v)):
        a, b = kept_v.get(key), fresh_v.get(key)
        same = (
            a is not None
            and b is not None
            and all(x == y for i, (x, y) in enumerate(zip(a, b, strict=True)) if i != km)
            and abs(float(a[km]) - float(b[km])) <= 1e-6
        )
        if not same:
            out.append(f"vehicle_trip_month {key}: kept {a}, counted {b}")
    return out


def installed(conn: Connection) -> bool:
    """True when the rollups' triggers are there (a migrated schema; not a bare create_all)."""
    if conn.dialect.name == "sqlite":
        names = [n for _table, triggers in TRIGGERS.values() for n in triggers]
        found = conn.execute(
            text(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN :names"
            ).bindparams(bindparam("names", expanding=True)),
            {"names": names},
        ).scalar()
    else:
        found = conn.execute(
            text(
                "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE t.tgname IN :names AND c.relname IN :tables "
                "AND pg_table_is_visible(c.oid)"
            ).bindparams(bindparam("names", expanding=True), bindparam("tables", expanding=True)),
            {
                "names": [triggers[0] for _table, triggers in TRIGGERS.values()],
                "tables": sorted({table for table, _triggers in TRIGGERS.values()}),
            },
        ).scalar()
    return bool(found)


@contextmanager
def suspended(session: Session, stopwatch: Stopwatch | None = None) -> Iterator[None]:
    """Triggers off while a loader writes many rows, one recount at the end; all in the
    session's transaction, so a failed load leaves triggers and rollups as they were. Where
    no triggers are installed (a schema made by create_all) the rows go in as they are."""
    conn = session.connection()
    if not installed(conn):
        yield
        return
    if conn.dialect.name == "sqlite" and not conn.connection.driver_connection.in_transaction:
        # Python's sqlite3 runs DDL outside a transaction unless one is open: open it first,
        # so a rollback brings the triggers back.
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    drop_triggers(conn)
    yield
    with (stopwatch or Stopwatch()).part("rollups"):
        conn = session.connection()
        rebuild(conn)
        create_triggers(conn)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m db.rollups", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--database-url", help="default: DATABASE_URL or the SQLite file")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--check", action="store_true", help="compare with a recount (default)")
    action.add_argument("--rebuild", action="store_true", help="recount from the base tables")
    args = parser.parse_args(argv)
    from db.engine import get_engine, make_engine

    engine: Engine = make_engine(args.database_url) if args.database_url else get_engine()
    if args.rebuild:
        with engine.begin() as conn:
            rebuild(conn)
        print("月彙總已重新計算。")
        return 0
    with engine.connect() as conn:
        found = differences(conn)
    for line in found[:50]:
        print(line)
    print(f"月彙總與重新計算不符：{len(found)} 列。" if found else "月彙總與重新計算相符。")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
