"""The monthly rollups (db/models/rollups.py): their triggers, a recount, a check.

`python -m db.rollups [--check | --rebuild]` on DATABASE_URL (or --database-url): --check
compares every rollup row with a recount from the base tables and exits 1 on a difference;
--rebuild recounts them in one transaction.

The triggers (one set per dialect, same arithmetic) fire after each row written to
venue_booking or trip, in the writing transaction: they take the old row's share away and add
the new row's. A booking's seconds are split over the months it touches by joining
calendar_month; an update that changes none of the counted columns does not fire them.
Bulk loaders may `suspended()` them and recount once at the end instead.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Connection, Engine, bindparam, delete, insert, text
from sqlalchemy.orm import Session

from core.kernel.stopwatch import Stopwatch
from db.models.rollups import CalendarMonth, TripMonth, VenueBookingMonth

FIRST_YEAR, LAST_YEAR = 1900, 2200
APPROVED = "approved"  # BookingStatus.APPROVED's stored value
BOOKING_COLUMNS = ("venue_id", "starts_at", "ends_at", "kind", "status")
TRIP_COLUMNS = ("starts_at", "trip_type", "km")
TRIGGERS = {  # table -> trigger names (SQLite has one per event, PostgreSQL one in all)
    "venue_booking": ("venue_booking_month_ins", "venue_booking_month_upd",
                      "venue_booking_month_del"),
    "trip": ("trip_month_ins", "trip_month_upd", "trip_month_del"),
}  # fmt: skip


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


def _sqlite_triggers() -> list[str]:
    booking_cols, trip_cols = ", ".join(BOOKING_COLUMNS), ", ".join(TRIP_COLUMNS)
    b_ins, b_upd, b_del = TRIGGERS["venue_booking"]
    t_ins, t_upd, t_del = TRIGGERS["trip"]
    approved_new, approved_old = f"NEW.status = '{APPROVED}'", f"OLD.status = '{APPROVED}'"
    add_b, take_b = _upsert_booking("sqlite", "NEW", ""), _upsert_booking("sqlite", "OLD", "-")
    add_t, take_t = _upsert_trip("sqlite", "NEW", ""), _upsert_trip("sqlite", "OLD", "-")
    return [
        f"CREATE TRIGGER {b_ins} AFTER INSERT ON venue_booking WHEN {approved_new} "
        f"BEGIN {add_b}; END",
        f"CREATE TRIGGER {b_upd} AFTER UPDATE OF {booking_cols} ON venue_booking BEGIN "
        f"{_upsert_booking('sqlite', 'OLD', '-', f' AND {approved_old}')}; "
        f"{_upsert_booking('sqlite', 'NEW', '', f' AND {approved_new}')}; END",
        f"CREATE TRIGGER {b_del} AFTER DELETE ON venue_booking WHEN {approved_old} "
        f"BEGIN {take_b}; END",
        f"CREATE TRIGGER {t_ins} AFTER INSERT ON trip BEGIN {add_t}; END",
        f"CREATE TRIGGER {t_upd} AFTER UPDATE OF {trip_cols} ON trip BEGIN {take_t}; {add_t}; END",
        f"CREATE TRIGGER {t_del} AFTER DELETE ON trip BEGIN {take_t}; END",
    ]


def _pg_function(name: str, old_part: str, new_part: str) -> str:
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN\n"
        f"  IF TG_OP IN ('UPDATE', 'DELETE') {old_part};\n  END IF;\n"
        f"  IF TG_OP IN ('INSERT', 'UPDATE') {new_part};\n  END IF;\n"
        "  RETURN NULL;\nEND $$"
    )


def _pg_triggers() -> list[str]:
    booking_cols, trip_cols = ", ".join(BOOKING_COLUMNS), ", ".join(TRIP_COLUMNS)
    b_fn, t_fn = TRIGGERS["venue_booking"][0], TRIGGERS["trip"][0]
    return [
        _pg_function(
            b_fn,
            f"AND OLD.status = '{APPROVED}' THEN {_upsert_booking('postgresql', 'OLD', '-')}",
            f"AND NEW.status = '{APPROVED}' THEN {_upsert_booking('postgresql', 'NEW', '')}",
        ),
        f"CREATE TRIGGER {b_fn} AFTER INSERT OR DELETE OR UPDATE OF {booking_cols} "
        f"ON venue_booking FOR EACH ROW EXECUTE FUNCTION {b_fn}()",
        _pg_function(
            t_fn,
            f"THEN {_upsert_trip('postgresql', 'OLD', '-')}",
            f"THEN {_upsert_trip('postgresql', 'NEW', '')}",
        ),
        f"CREATE TRIGGER {t_fn} AFTER INSERT OR DELETE OR UPDATE OF {trip_cols} "
        f"ON trip FOR EACH ROW EXECUTE FUNCTION {t_fn}()",
    ]


def create_triggers(conn: Connection) -> None:
    statements = _sqlite_triggers() if conn.dialect.name == "sqlite" else _pg_triggers()
    for statement in statements:
        conn.exec_driver_sql(statement)


def drop_triggers(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        for name in (n for names in TRIGGERS.values() for n in names):
            conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
        return
    for table, names in TRIGGERS.items():
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {names[0]} ON {table}")
        conn.exec_driver_sql(f"DROP FUNCTION IF EXISTS {names[0]}()")


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


def rebuild(conn: Connection) -> None:
    """Recount both rollups from the base tables (inside the caller's transaction)."""
    conn.execute(delete(VenueBookingMonth.__table__))
    conn.execute(delete(TripMonth.__table__))
    recount = _recount_booking(conn.dialect.name)
    conn.exec_driver_sql(
        "INSERT INTO venue_booking_month (month, venue_id, kind, bookings, seconds) "
        f"SELECT month, venue_id, kind, bookings, seconds FROM ({recount}) AS r"
    )
    conn.exec_driver_sql(
        "INSERT INTO trip_month (month, trip_type, trips, km) "
        f"SELECT month, trip_type, trips, km FROM ({_recount_trip(conn.dialect.name)}) AS r"
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
    return out


def installed(conn: Connection) -> bool:
    """True when the rollups' triggers are there (a migrated schema; not a bare create_all)."""
    if conn.dialect.name == "sqlite":
        names = [n for names in TRIGGERS.values() for n in names]
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
            {"names": [names[0] for names in TRIGGERS.values()], "tables": list(TRIGGERS)},
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
