"""core.kernel.cache: results kept per process, recomputed as soon as any writer (this process or
another server on the same database) changes one of the tables they read."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
from sqlalchemy import insert, update
from sqlmodel import Session

from core.editing.pipeline import Actor, EditorState, save_changes
from core.editing.tables import SPECS, fetch_page
from core.figures.compute import fleet_figures
from core.fleet import usage as fleet
from core.kernel import cache
from core.kernel.periods import Period
from db.engine import make_engine
from db.models import Driver, Trip, TripType, Vehicle, VehicleKind

ADMIN = Actor("admin", "admin", ())
PERIOD = Period(date(2024, 1, 1), date(2024, 12, 31))


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def car(session: Session) -> int:
    vehicle = Vehicle(plate="KAA-0001", kind=VehicleKind.SEDAN, model_name="Altis", seats=5,
                      fuel_type="gasoline", km_per_litre=12.5)  # fmt: skip
    session.add(vehicle)
    session.add(Driver(name="王大明"))
    session.commit()
    return vehicle.id


def _trip(vehicle_id: int, day: int, km: float = 10.0) -> dict:
    start = datetime(2024, 3, day, 9)
    return dict(vehicle_id=vehicle_id, trip_type=TripType.DISPATCH, starts_at=start,
                ends_at=start.replace(hour=11), requesting_agency="民政局", purpose="official",
                km=km)  # fmt: skip


def _save_trips(session: Session, rows: list[dict]) -> None:
    result = save_changes(session, Trip, EditorState([], added_rows=rows), actor=ADMIN)
    assert result.ok, result.messages()


def test_a_second_read_is_kept_and_a_copy(session, car):
    _save_trips(session, [_trip(car, 4), _trip(car, 5)])
    first = fleet.vehicle_usage(session, PERIOD)
    assert cache.stats.misses == 1
    first.loc[0, "trips"] = 999  # a caller changing its frame …
    second = fleet.vehicle_usage(session, PERIOD)
    assert cache.stats.hits == 1
    assert (
        int(second.loc[second["plate"] == "KAA-0001", "trips"].iloc[0]) == 2
    )  # … changes no one's


def test_a_save_through_the_pipeline_is_seen_at_once(session, car):
    _save_trips(session, [_trip(car, 4)])
    assert fleet_figures(session, PERIOD)["fleet.total_trips"] == 1
    _save_trips(session, [_trip(car, 6)])
    assert fleet_figures(session, PERIOD)["fleet.total_trips"] == 2
    rows = fetch_page(session, SPECS["trip"], PERIOD)
    edited = EditorState(rows, edited_rows={0: {"km": 42.0}})
    assert save_changes(session, Trip, edited, actor=ADMIN).ok
    assert fleet_figures(session, PERIOD)["fleet.km"] == 52.0  # an update: same ids, new stamp


def test_rows_inserted_without_the_pipeline_are_seen(session, car):
    assert fleet_figures(session, PERIOD)["fleet.total_trips"] == 0
    session.execute(insert(Trip.__table__).values(**_trip(car, 7), version=1))
    session.commit()
    assert fleet_figures(session, PERIOD)["fleet.total_trips"] == 1


def test_another_server_on_the_same_database_sees_a_save_made_elsewhere(db_url, car):
    """Two engines stand for two app servers: B reads (and keeps) before A saves, and B's
    next read has the save."""
    server_a, server_b = make_engine(db_url), make_engine(db_url)
    try:
        with Session(server_b) as b:
            assert fleet_figures(b, PERIOD)["fleet.total_trips"] == 0
        with Session(server_a) as a:
            _save_trips(a, [_trip(car, 8)])
        with Session(server_b) as b:
            assert fleet_figures(b, PERIOD)["fleet.total_trips"] == 1
    finally:
        server_a.dispose()
        server_b.dispose()


def test_a_raw_update_that_bumps_nothing_is_not_seen_until_the_stamp_moves(session, car):
    """The contract: writers go through core.editing.pipeline (which stamps). A raw UPDATE is kept
    out of the key on purpose; bumping the stamp, as every writer does, makes it seen."""
    _save_trips(session, [_trip(car, 9)])
    assert fleet_figures(session, PERIOD)["fleet.km"] == 10.0
    session.execute(update(Trip.__table__).values(km=20.0))
    session.commit()
    assert fleet_figures(session, PERIOD)["fleet.km"] == 10.0
    from core.editing.pipeline import AuditedWriter

    AuditedWriter(session, ADMIN, Trip.__table__).commit()  # stamp only
    assert fleet_figures(session, PERIOD)["fleet.km"] == 20.0


def test_keys_separate_databases_and_arguments(tmp_path, session, car):
    _save_trips(session, [_trip(car, 10)])
    other = Period(date(2025, 1, 1), date(2025, 12, 31))
    assert fleet_figures(session, PERIOD)["fleet.total_trips"] == 1
    assert fleet_figures(session, other)["fleet.total_trips"] == 0
    from db.migrate import upgrade_to_head

    empty = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    try:
        upgrade_to_head(empty)
        with Session(empty) as elsewhere:
            assert fleet_figures(elsewhere, PERIOD)["fleet.total_trips"] == 0
    finally:
        empty.dispose()


def test_table_versions_reads_stamps_and_largest_ids_in_one_query(session, car):
    versions = dict((n, (s, i)) for n, s, i in cache.table_versions(session, ["trip", "vehicle"]))
    assert versions["trip"] == (0, 0) and versions["vehicle"][1] == car
    _save_trips(session, [_trip(car, 11)])
    stamp, largest = dict((n, (s, i)) for n, s, i in cache.table_versions(session, ["trip"]))[
        "trip"
    ]
    assert stamp >= 1 and largest >= 1


def test_the_cache_holds_a_bounded_number_of_entries(session, monkeypatch):
    monkeypatch.setattr(cache, "MAX_ENTRIES", 3)
    for month in range(1, 7):
        fleet_figures(session, Period(date(2024, month, 1), date(2024, month, 28)))
    assert len(cache._entries) == 3
    assert isinstance(fleet.vehicle_usage(session, PERIOD), pd.DataFrame)


@pytest.fixture
def one_run():
    """A script run's scope, as frame/main.py opens and closes it."""
    cache.new_run()
    yield
    cache.end_run()


def _count_statements(session: Session) -> list[str]:
    from sqlalchemy import event

    seen: list[str] = []
    engine = session.get_bind()

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    return seen


def test_a_run_reads_the_versions_once_for_all_its_kept_reads(session, car, one_run):
    _save_trips(session, [_trip(car, 12)])
    fleet_figures(session, PERIOD)  # learns the tables the kept functions read
    cache.new_run()
    statements = _count_statements(session)
    fleet_figures(session, PERIOD)
    fleet.vehicle_usage(session, PERIOD)  # trip and vehicle: one is new to the run …
    fleet_figures(session, Period(date(2024, 3, 1), date(2024, 3, 31)))
    fleet.vehicle_usage(session, Period(date(2024, 3, 1), date(2024, 3, 31)))
    reads = [s for s in statements if "table_stamp" in s]
    assert len(reads) == 2  # … so two readings of the versions, not four
    cache.new_run()
    statements.clear()
    fleet_figures(session, PERIOD)
    fleet.vehicle_usage(session, PERIOD)
    assert len([s for s in statements if "table_stamp" in s]) == 1  # both known: one in all


def test_a_save_in_the_run_is_seen_by_the_rest_of_the_run(session, car, one_run):
    assert fleet_figures(session, PERIOD)["fleet.total_trips"] == 0
    _save_trips(session, [_trip(car, 13)])
    assert fleet_figures(session, PERIOD)["fleet.total_trips"] == 1


def test_the_next_run_sees_a_save_made_elsewhere_during_this_one(db_url, car, one_run):
    """Another server saves while this run draws: this run keeps its one reading of the
    versions (as if the save had come just after it), the next run has the save, and outside
    a run every read checks."""
    import threading

    here, elsewhere = make_engine(db_url), make_engine(db_url)

    def save_elsewhere(day: int) -> None:  # another server: its own thread and engine
        def save() -> None:
            with Session(elsewhere) as other:
                _save_trips(other, [_trip(car, day)])

        worker = threading.Thread(target=save)
        worker.start()
        worker.join()

    try:
        with Session(here) as s:
            assert fleet_figures(s, PERIOD)["fleet.total_trips"] == 0
            save_elsewhere(14)
            assert fleet_figures(s, PERIOD)["fleet.total_trips"] == 0  # this run's reading
        cache.new_run()
        with Session(here) as s:
            assert fleet_figures(s, PERIOD)["fleet.total_trips"] == 1
        cache.end_run()
        save_elsewhere(15)
        with Session(here) as s:
            assert fleet_figures(s, PERIOD)["fleet.total_trips"] == 2
    finally:
        here.dispose()
        elsewhere.dispose()


def test_kept_lists_and_dicts_come_back_as_copies_a_caller_may_change():
    kept = {"options": [("a", 1), ("b", 2)], "by_id": {1: ["x"]}, "frame": pd.DataFrame({"n": [1]})}
    copied = cache._copied(kept)
    copied["options"].append(("c", 3))
    copied["by_id"][1].append("y")
    copied["frame"].loc[0, "n"] = 9
    assert kept == {"options": [("a", 1), ("b", 2)], "by_id": {1: ["x"]}, "frame": kept["frame"]}
    assert kept["frame"].loc[0, "n"] == 1
    inner = ([1],)  # a tuple holding a list: the list is copied too
    assert cache._copied(inner)[0] is not inner[0]
