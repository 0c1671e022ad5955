"""The editor's columns come from the model; what the editor sends back becomes model values
(dates shown and typed in either language's calendar); "keep mine" after a conflict re-applies
the edits on the current versions."""

from datetime import date, datetime, time

import pytest
from sqlmodel import select

from core.editing.frame import (
    editor_columns,
    editor_rows,
    editor_state,
    from_editor_value,
    pending_count,
    rebase,
)
from core.editing.pipeline import Actor, EditorState, save_changes
from core.editing.tables import SPECS, fetch_page
from core.i18n.labels import messages_in
from db.models import (
    AuditEntry,
    Driver,
    Reception,
    Trip,
    TripPurpose,
    TripType,
    Vehicle,
    VehicleKind,
    VisitorCategory,
)

LEAD = Actor("fleet.lead", "lead", frozenset({"fleet"}))
OTHER = Actor("other.lead", "lead", frozenset({"fleet"}))


@pytest.fixture
def fleet(session):
    vehicles = [
        Vehicle(plate="RAA-0001", kind=VehicleKind.SEDAN, model_name="Altis", seats=5),
        Vehicle(plate="RAA-0002", kind=VehicleKind.VIP_VAN, model_name="Alphard", seats=7),
    ]
    drivers = [Driver(name="陳建宏"), Driver(name="王美玲"), Driver(name="林志明")]
    session.add_all(vehicles + drivers)
    session.commit()
    trip = Trip(
        vehicle_id=vehicles[0].id, driver_id=drivers[2].id, starts_at=datetime(2023, 3, 15, 8, 30),
        ends_at=datetime(2023, 3, 15, 11, 0), trip_type=TripType.DISPATCH,
        requesting_agency="行政暨國際處", purpose=TripPurpose.DOCUMENTS, destination="市議會",
    )  # fmt: skip
    session.add(trip)
    session.commit()
    return vehicles, drivers, trip


def _columns(session, table="trip"):
    return {c.name: c for c in editor_columns(session, SPECS[table], "zh-TW")}


def test_columns_follow_the_model(session, fleet):
    cols = _columns(session)
    assert list(cols)[0] == "id" and cols["id"].disabled
    assert "version" not in cols and "created_at" not in cols
    assert (cols["vehicle_id"].kind, cols["vehicle_id"].required) == ("fk", True)
    assert cols["driver_id"].required is False  # optional foreign key
    assert cols["starts_at"].kind == "datetime" and cols["starts_at"].label == "開始"
    assert cols["trip_type"].options == {"dispatch": "調派", "loan": "支援借用"}
    passengers = cols["passengers"]
    assert (passengers.kind, passengers.min_value, passengers.max_value) == ("int", 0, 60)
    assert cols["km"].kind == "float" and cols["requesting_agency"].max_length == 60
    assert _columns(session, "vehicle")["in_service"].kind == "bool"


def test_foreign_keys_are_named_and_same_names_told_apart(session, fleet):
    vehicles, drivers, _ = fleet
    assert _columns(session)["driver_id"].options[drivers[2].id] == "林志明"
    assert _columns(session)["vehicle_id"].options[vehicles[1].id] == "RAA-0002"
    # Visits of one delegation: told apart by their dates, and by the id on the same day.
    visits = [
        Reception(visit_date=date(2023, m, d), visitor_name_zh="熊本縣訪問團", country="日本",
                  category=VisitorCategory.DELEGATION)  # fmt: skip
        for m, d in ((1, 1), (2, 1), (1, 1))
    ] + [Reception(visit_date=date(2023, 3, 1), visitor_name_zh="大邱市長", country="韓國",
                   category=VisitorCategory.DELEGATION)]  # fmt: skip
    session.add_all(visits)
    session.commit()
    options = _columns(session, "gift_movement")["reception_id"].options
    assert options[visits[1].id] == "112/02/01 熊本縣訪問團"
    assert options[visits[0].id] == f"112/01/01 熊本縣訪問團（#{visits[0].id}）"
    assert options[visits[2].id] == f"112/01/01 熊本縣訪問團（#{visits[2].id}）"
    assert options[visits[3].id] == "112/03/01 大邱市長"


@pytest.mark.parametrize(
    ("lang", "starts"), [("zh-TW", "112/03/15 08:30"), ("en", "2023-03-15 08:30")]
)
def test_rows_show_the_languages_dates_and_stored_values(session, fleet, lang, starts):
    rows = fetch_page(session, SPECS["trip"], None)
    shown = editor_rows(rows, list(_columns(session).values()), lang)[0]
    assert shown["starts_at"] == starts
    assert shown["trip_type"] == "dispatch"
    assert "version" not in shown


def test_editor_values_become_model_values(session, fleet):
    cols = _columns(session)
    assert from_editor_value("112/03/16 14:05", cols["starts_at"]) == datetime(2023, 3, 16, 14, 5)
    assert from_editor_value("2023-03-16 14:05", cols["starts_at"]) == datetime(2023, 3, 16, 14, 5)
    # Unreadable text goes on unchanged, so validation names the row and field.
    assert from_editor_value("明天", cols["starts_at"]) == "明天"
    assert from_editor_value(3.0, cols["passengers"]) == 3
    assert from_editor_value(float("nan"), cols["km"]) is None
    assert from_editor_value("  ", cols["destination"]) == ""
    assert from_editor_value(None, cols["driver_id"]) is None
    reception = {c.name: c for c in editor_columns(session, SPECS["reception"], "zh-TW")}
    assert reception["visit_date"].kind == "date"
    assert (
        from_editor_value("112/03/15", reception["visit_date"]) == "112/03/15"
    )  # pipeline reads it


def test_widget_state_maps_positions_and_drops_blank_added_rows(session, fleet):
    rows = fetch_page(session, SPECS["trip"], None)
    cols = list(_columns(session).values())
    widget = {
        "edited_rows": {"0": {"destination": "高雄市議會", "id": 999}},
        "added_rows": [
            {},
            {"destination": None, "km": float("nan")},
            {"requesting_agency": "秘書處"},
        ],
        "deleted_rows": [],
    }
    state = editor_state(rows, cols, widget)
    assert state.edited_rows == {
        0: {"destination": "高雄市議會"}
    }  # id is never taken from the grid
    assert state.added_rows == [{"requesting_agency": "秘書處"}]
    assert state.rows[0]["version"] == 1
    assert pending_count(widget) == 2 and pending_count(None) == 0


def test_an_edit_through_the_editor_state_is_saved_and_audited(session, fleet):
    *_, trip = fleet
    rows = fetch_page(session, SPECS["trip"], None)
    cols = list(_columns(session).values())
    widget = {"edited_rows": {0: {"starts_at": "112/03/15 09:00", "passengers": 3.0}}}
    result = save_changes(session, Trip, editor_state(rows, cols, widget), actor=LEAD)
    assert result.ok, result.messages()
    session.expire_all()
    saved = session.get(Trip, trip.id)
    assert (saved.starts_at, saved.passengers, saved.version) == (datetime(2023, 3, 15, 9), 3, 2)
    entry = session.exec(select(AuditEntry).where(AuditEntry.row_id == trip.id)).one()
    assert entry.before["passengers"] == 1 and entry.after["passengers"] == 3


@pytest.mark.parametrize("lang", ["zh-TW", "en"])
@pytest.mark.parametrize("typed", ["zh-TW", "en"])
def test_the_editor_round_trip_in_either_language(session, fleet, lang, typed):
    """Cells shown in lang come back unchanged; a date typed in either calendar is saved."""
    *_, trip = fleet
    rows = fetch_page(session, SPECS["trip"], None)
    cols = _columns(session)
    shown = editor_rows(rows, list(cols.values()), lang)[0]
    for name in ("starts_at", "ends_at"):
        assert from_editor_value(shown[name], cols[name]) == rows[0][name]
    later = {"zh-TW": "112/03/16 14:05", "en": "2023-03-16 14:05"}[typed]
    until = {"zh-TW": "112/03/16 16:00", "en": "2023-03-16 16:00"}[typed]
    # The user's edit, and a cell sent back as shown (the grid may send an unchanged value).
    widget = {"edited_rows": {0: {"starts_at": later, "ends_at": until, "note": "改期"}}}
    widget["edited_rows"][0]["destination"] = shown["destination"]
    result = save_changes(
        session, Trip, editor_state(rows, list(cols.values()), widget), actor=LEAD
    )
    assert result.ok, result.messages()
    session.expire_all()
    saved = session.get(Trip, trip.id)
    assert (saved.starts_at, saved.ends_at) == (
        datetime(2023, 3, 16, 14, 5),
        datetime(2023, 3, 16, 16),
    )
    assert saved.destination == rows[0]["destination"]


def test_a_refusal_in_english_names_the_row_in_english(session, fleet):
    rows = fetch_page(session, SPECS["trip"], None)
    cols = list(_columns(session).values())
    state = editor_state(rows, cols, {"edited_rows": {0: {"ends_at": "next Wednesday"}}})
    with messages_in("en"):
        result = save_changes(session, Trip, state, actor=LEAD)
    assert not result.ok
    [error] = [e for e in result.errors if e.field == "ends_at"]
    assert error.message.startswith("Row 1") and "YYYY-MM-DD HH:MM" in error.message
    assert not any(c in error.message for c in "民年列")


def test_bad_date_text_is_refused_with_the_row_and_field(session, fleet):
    rows = fetch_page(session, SPECS["trip"], None)
    cols = list(_columns(session).values())
    state = editor_state(rows, cols, {"edited_rows": {0: {"ends_at": "下週三"}}})
    result = save_changes(session, Trip, state, actor=LEAD)
    assert not result.ok
    assert any(
        e.field == "ends_at" and "第 1 列" in e.message and "115/11/26 14:30" in e.message
        for e in result.errors
    )


def test_keep_mine_reapplies_edits_on_the_current_version(session, fleet):
    *_, trip = fleet
    rows = fetch_page(session, SPECS["trip"], None)
    theirs = EditorState(rows, edited_rows={0: {"destination": "鳳山行政中心"}})
    assert save_changes(session, Trip, theirs, actor=OTHER).ok
    mine = EditorState(rows, edited_rows={0: {"note": "改由林志明出車"}})
    refused = save_changes(session, Trip, mine, actor=LEAD)
    assert refused.conflicts and not refused.ok
    rebased, gone = rebase(session, Trip, mine)
    assert gone == [] and rebased.rows[0]["version"] == 2
    assert save_changes(session, Trip, rebased, actor=LEAD).ok
    session.expire_all()
    saved = session.get(Trip, trip.id)
    # Both edits survive: theirs (destination) and mine (note).
    assert (saved.destination, saved.note, saved.version) == ("鳳山行政中心", "改由林志明出車", 3)


def test_keep_mine_drops_edits_of_rows_deleted_meanwhile(session, fleet):
    vehicles, *_ = fleet
    kept, deleted = vehicles[0].id, vehicles[1].id
    rows = fetch_page(session, SPECS["vehicle"], None)
    pos = next(i for i, r in enumerate(rows) if r["id"] == deleted)
    assert save_changes(session, Vehicle, EditorState(rows, deleted_rows=[pos]), actor=OTHER).ok
    mine = EditorState(rows, edited_rows={pos: {"seats": 8}, 1 - pos: {"seats": 4}})
    rebased, gone = rebase(session, Vehicle, mine)
    assert gone == [deleted] and list(rebased.edited_rows) == [1 - pos]
    assert save_changes(session, Vehicle, rebased, actor=LEAD).ok
    session.expire_all()
    assert session.get(Vehicle, kept).seats == 4


def test_dates_in_the_editor_use_the_date_column(session):
    cols = {c.name: c for c in editor_columns(session, SPECS["exchange_event"], "en")}
    assert cols["start_date"].kind == "date" and "YYYY-MM-DD" in cols["start_date"].help
    assert "ROC" not in cols["start_date"].help and "民國" not in cols["start_date"].help
    trip = {c.name: c for c in editor_columns(session, SPECS["trip"], "en")}
    assert "YYYY-MM-DD HH:MM" in trip["starts_at"].help
    zh = {c.name: c for c in editor_columns(session, SPECS["exchange_event"], "zh-TW")}
    assert "民國" in zh["start_date"].help
    assert date(2023, 3, 15)  # the pipeline reads ROC text for date fields (test_editing)


def test_times_of_day_use_the_time_column(session):
    cols = {c.name: c for c in editor_columns(session, SPECS["exchange_event"], "zh-TW")}
    assert [cols[n].kind for n in ("start_time", "end_time")] == ["time", "time"]
    assert cols["start_time"].label == "開始時間" and "臺北時間" in cols["start_time"].help
    assert not cols["start_time"].required
    reception = {c.name: c for c in editor_columns(session, SPECS["reception"], "en")}
    assert reception["start_time"].kind == "time" and "Taipei" in reception["start_time"].help
    row = editor_rows([{"id": 1, "start_time": time(9, 30), "end_time": None}], [
        cols["id"], cols["start_time"], cols["end_time"]
    ], "zh-TW")  # fmt: skip
    assert row == [{"id": 1, "start_time": time(9, 30), "end_time": None}]
    # What the TimeColumn sends back goes on to the pipeline, which reads it (test_city_rules).
    assert from_editor_value("09:30:00.000", cols["start_time"]) == "09:30:00.000"
    assert from_editor_value(None, cols["start_time"]) is None
