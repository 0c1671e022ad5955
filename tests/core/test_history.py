"""The audit history: filters by Taipei day in SQL, paging, labelled diffs, restorable entries."""

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session, SQLModel

import core.accounts.auth as auth
import core.accounts.users as users
from core.audit import history
from core.editing.pipeline import Actor, EditorState, restore_version, save_changes
from db.models import AuditAction, AuditEntry, Venue, VenueBooking

ADMIN = Actor("root", "admin")
LEAD = Actor("alice", "lead", frozenset({"venues"}))


@pytest.fixture(autouse=True)
def _fast_bcrypt(monkeypatch):
    monkeypatch.setattr(auth, "BCRYPT_ROUNDS", 4)


def _entry(
    session: Session,
    at: datetime,
    *,
    username: str = "alice",
    table: str = "venue",
    action: AuditAction = AuditAction.UPDATE,
    row_id: int | None = 1,
) -> int:
    entry = AuditEntry(
        at=at, username=username, table_name=table, row_id=row_id, action=action, batch_id="b"
    )
    session.add(entry)
    session.commit()
    return entry.id


def _ids(result: tuple[int, list[AuditEntry]]) -> list[int]:
    return [e.id for e in result[1]]


def _rows(session: Session, model: type[SQLModel]) -> list[dict[str, Any]]:
    table = model.__table__
    rows = [dict(r) for r in session.execute(select(table).order_by(table.c.id)).mappings()]
    session.rollback()
    return rows


@pytest.fixture
def venue_edit(session) -> AuditEntry:
    """A venue added, then its capacity and kind changed through the edit pipeline."""
    venue = dict(centre="siwei", name="第一會議室", kind="hall", capacity=50)
    state = EditorState([], added_rows=[venue])
    assert save_changes(session, Venue, state, actor=LEAD).ok
    edit = EditorState(_rows(session, Venue), {0: {"capacity": 80, "kind": "meeting_room"}})
    assert save_changes(session, Venue, edit, actor=LEAD).ok
    return session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()


def test_a_day_is_a_taipei_calendar_day(session):
    late_25th = _entry(session, datetime(2026, 11, 25, 15, 59, tzinfo=UTC))  # 23:59 Taipei
    early_26th = _entry(session, datetime(2026, 11, 25, 16, 30, tzinfo=UTC))  # 00:30 on the 26th
    end_26th = _entry(session, datetime(2026, 11, 26, 15, 59, tzinfo=UTC))  # 23:59 on the 26th
    _entry(session, datetime(2026, 11, 26, 16, 0, tzinfo=UTC))  # 00:00 on the 27th
    day = date(2026, 11, 26)
    assert _ids(history.query_audit(session, start=day, end=day)) == [end_26th, early_26th]
    assert _ids(history.query_audit(session, end=date(2026, 11, 25))) == [late_25th]
    assert history.query_audit(session, start=day)[0] == 3


def test_filters_by_table_user_row_and_action(session):
    at = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    a = _entry(session, at, username="alice", table="venue", row_id=1)
    b = _entry(session, at, username="bob", table="venue", row_id=2)
    c = _entry(session, at, username="bob", table="trip", row_id=1, action=AuditAction.DELETE)
    d = _entry(session, at, username="bob", table="app_user", action=AuditAction.LOGIN_FAILURE)
    assert _ids(history.query_audit(session, table="venue")) == [b, a]
    assert _ids(history.query_audit(session, username="bob")) == [d, c, b]
    assert _ids(history.query_audit(session, table="venue", row_id=1)) == [a]
    assert _ids(history.query_audit(session, actions=["delete", AuditAction.LOGIN_FAILURE])) == [
        d,
        c,
    ]
    assert history.query_audit(session, username="nobody") == (0, [])
    # A lead's history: the data tables only, no sign-in events.
    assert _ids(history.query_audit(session, tables=["venue", "trip"])) == [c, b, a]
    assert _ids(history.query_audit(session, tables=["venue"], username="bob")) == [b]
    assert history.audit_users(session) == ["alice", "bob"]
    assert history.audit_tables(session) == ["app_user", "trip", "venue"]


def test_a_lead_reads_the_history_of_their_own_sections_only(session):
    at = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    venue = _entry(session, at, username="alice", table="venue")
    trip = _entry(session, at, username="bob", table="trip", action=AuditAction.DELETE)
    photo = _entry(session, at, username="carol", table="reception_photo")
    sign_in = dict(username="[x](http://evil)", action=AuditAction.LOGIN_FAILURE, row_id=None)
    failed = _entry(session, at, table="app_user", **sign_in)
    scope = history.visible_tables(LEAD)  # venues
    assert scope == ["venue", "venue_booking"]
    assert _ids(history.query_audit(session, tables=scope)) == [venue]
    # Choosing another section's table in the filter does not widen what a lead reads.
    assert history.query_audit(session, table="trip", tables=scope) == (0, [])
    assert history.audit_tables(session, scope) == ["venue"]
    assert history.audit_users(session, scope) == ["alice"]
    visitors = history.visible_tables(Actor("dora", "lead", frozenset({"visitors"})))
    assert _ids(history.query_audit(session, tables=visitors)) == [photo]
    assert history.visible_tables(ADMIN) is None  # everything, sign-in events included
    assert _ids(history.query_audit(session, tables=None)) == [failed, photo, trip, venue]
    assert history.visible_tables(Actor("vic", "viewer")) == []
    assert history.query_audit(session, tables=[]) == (0, [])


def test_pages_are_newest_first_and_do_not_overlap(session):
    ids = [_entry(session, datetime(2026, 3, day, 1, 0, tzinfo=UTC)) for day in range(1, 8)]
    pages = [history.query_audit(session, offset=offset, limit=3) for offset in (0, 3, 6)]
    assert [total for total, _ in pages] == [7, 7, 7]
    assert [e.id for _, page in pages for e in page] == ids[::-1]


def test_update_diff_shows_only_changed_fields_with_labels(venue_edit):
    changes = history.diff(venue_edit)
    assert [(c.field, c.label, c.before, c.after) for c in changes] == [
        ("kind", "場地類型", "禮堂／活動場地", "會議室"),
        ("capacity", "容納人數", "50", "80"),
    ]
    english = history.diff(venue_edit, "en")
    assert [(c.label, c.after) for c in english] == [
        ("Venue type", "Meeting room"),
        ("Capacity", "80"),
    ]
    assert history.version_change(venue_edit) == (1, 2)


def test_insert_and_delete_diffs_show_every_field(session, venue_edit):
    inserted = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).first()
    fields = [c.field for c in history.diff(inserted)]
    assert fields == ["centre", "name", "name_en", "kind", "capacity", "active"]
    assert all(c.before == "" for c in history.diff(inserted))
    rows = _rows(session, Venue)
    assert save_changes(session, Venue, EditorState(rows, deleted_rows=[0]), actor=ADMIN).ok
    (_, (deleted, *_)) = history.query_audit(session, actions=["delete"])
    shown = {c.field: (c.before, c.after) for c in history.diff(deleted)}
    assert shown["centre"] == ("四維行政中心", "") and shown["active"] == ("是", "")


def test_values_are_shown_as_staff_read_them():
    booking = AuditEntry(
        table_name="venue_booking",
        action=AuditAction.INSERT,
        after={"starts_at": "2023-03-01T09:00:00", "purpose": "meeting", "attendees": 10},
    )
    shown = {c.field: c.after for c in history.diff(booking)}
    # Booking times are wall time already; account timestamps are UTC, shown in Taipei.
    assert shown == {"starts_at": "112/03/01 09:00", "purpose": "會議", "attendees": "10"}
    user = AuditEntry(
        table_name="app_user",
        action=AuditAction.UPDATE,
        before={"locked_until": "2025-03-15T06:15:00", "sections": "fleet"},
        after={"locked_until": None, "sections": "fleet,gifts", "password_changed": True},
    )
    shown = {c.label: (c.before, c.after) for c in history.diff(user)}
    assert shown == {
        "業務範圍": ("公務車", "公務車、禮品"),
        "鎖定至": ("114/03/15 14:15", ""),
        "密碼已變更": ("", "是"),
    }
    reception = AuditEntry(
        table_name="reception", action=AuditAction.DELETE, before={"visit_date": "2023-03-15"}
    )
    assert history.diff(reception)[0].before == "112/03/15"


def test_sign_in_events_have_no_diff():
    entry = AuditEntry(table_name="app_user", action=AuditAction.LOGIN_SUCCESS)
    assert history.diff(entry) == []


def test_user_admin_entries_never_show_a_password_hash(session):
    auth.create_user(session, username="root", password="chief secret 123", role="admin")
    users.add_user(session, ADMIN, "bob", "viewer secret 1", "viewer")
    users.reset_password(session, ADMIN, "bob", "viewer secret 2")
    _, entries = history.query_audit(session, table="app_user")
    shown = [(c.field, c.before, c.after) for e in entries for c in history.diff(e)]
    assert ("password_changed", "", "是") in shown
    assert all("$2b$" not in f"{before}{after}" for _, before, after in shown)
    assert "password_hash" not in {field for field, _, _ in shown}


def test_is_restorable_agrees_with_restore_version(session, venue_edit):
    entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    inserted, updated = entries
    assert history.is_restorable(updated) and not history.is_restorable(inserted)
    assert not restore_version(session, inserted.id, actor=ADMIN).ok
    assert restore_version(session, updated.id, actor=ADMIN).ok
    auth.create_user(session, username="root", password="chief secret 123", role="admin")
    users.add_user(session, ADMIN, "bob", "viewer secret 1", "viewer")
    users.update_user(session, ADMIN, "bob", display_name="鮑伯")
    (account,) = history.query_audit(session, table="app_user", actions=["update"])[1]
    assert not history.is_restorable(account)
    assert not restore_version(session, account.id, actor=ADMIN).ok


def test_row_timeline_is_one_rows_history_oldest_first(session, venue_edit):
    venue = dict(centre="siwei", name="第二會議室", kind="hall", capacity=20)
    other = EditorState([], added_rows=[venue])
    assert save_changes(session, Venue, other, actor=LEAD).ok
    timeline = history.row_timeline(session, "venue", venue_edit.row_id)
    assert [e.action for e in timeline] == [AuditAction.INSERT, AuditAction.UPDATE]
    assert {e.row_id for e in timeline} == {venue_edit.row_id}
    assert history.row_timeline(session, "venue_booking", venue_edit.row_id) == []


ZH_COLUMNS = ["編號", "時間", "使用者", "資料表", "資料編號", "資料", "動作", "異動欄位"]
EN_COLUMNS = ["ID", "Time", "User", "Table", "Record id", "Record", "Action", "Changed fields"]


@pytest.mark.parametrize(
    ("lang", "columns", "action", "table", "at"),
    [("zh-TW", ZH_COLUMNS, "修改", "場地", "115/11/26 00:30"),
     ("en", EN_COLUMNS, "Changed", "Venues", "2026-11-26 00:30")],
)  # fmt: skip
def test_history_frame_has_labels_and_taipei_times(session, lang, columns, action, table, at):
    _entry(session, datetime(2026, 11, 25, 16, 30, tzinfo=UTC))
    sign_in = dict(row_id=None, action=AuditAction.LOGIN_FAILURE, table="app_user")
    _entry(session, datetime(2026, 11, 25, 16, 31, tzinfo=UTC), **sign_in)
    _, entries = history.query_audit(session)
    frame = history.history_frame(entries, lang)
    assert list(frame.columns) == columns
    assert frame.iloc[1][columns[1]] == at
    assert (frame.iloc[1][columns[6]], frame.iloc[1][columns[3]]) == (action, table)
    assert frame[columns[4]].isna().iloc[0]


def test_history_frame_names_the_changed_fields(venue_edit):
    frame = history.history_frame([venue_edit])
    assert frame.iloc[0]["異動欄位"] == "場地類型、容納人數"


def test_every_table_has_a_label():
    for name in SQLModel.metadata.tables:
        for lang in ("zh-TW", "en"):
            assert history.table_label(name, lang) != name, (name, lang)


def test_venue_booking_entries_keep_wall_time(session):
    venue = Venue(centre="siwei", name="第三會議室", kind="meeting_room", capacity=30)
    session.add(venue)
    session.commit()
    booking = dict(
        venue_id=venue.id,
        starts_at="2023-03-01T09:00:00",
        ends_at="2023-03-01T11:00:00",
        organiser_agency="行國處",
        purpose="meeting",
        kind="meeting",
    )
    assert save_changes(
        session, VenueBooking, EditorState([], added_rows=[booking]), actor=ADMIN
    ).ok
    (_, (entry,)) = history.query_audit(session, table="venue_booking")
    shown = {c.field: c.after for c in history.diff(entry)}
    assert (shown["starts_at"], shown["ends_at"]) == ("112/03/01 09:00", "112/03/01 11:00")


def test_times_of_day_are_shown_as_hours_and_minutes():
    event = AuditEntry(
        table_name="exchange_event",
        action=AuditAction.UPDATE,
        before={"start_time": None, "end_time": "10:00:00"},
        after={"start_time": "09:30:00", "end_time": "10:00:00"},
    )
    shown = {c.label: (c.before, c.after) for c in history.diff(event)}
    assert shown == {"開始時間": ("", "09:30")}
    assert history.format_value("reception", "start_time", "14:05:00", "en") == "14:05"


def _venue(session) -> int:
    venue = Venue(centre="siwei", name="第二會議室", kind="meeting_room", capacity=30)
    session.add(venue)
    session.commit()
    return venue.id


def test_an_entry_names_its_record_by_date_and_name_even_once_deleted(session):
    booking = dict(
        venue_id=_venue(session), starts_at="2023-05-01T09:00:00", ends_at="2023-05-01T10:00:00",
        organiser_agency="觀光局", title="城市  行銷   說明會", status="approved",
        purpose="meeting", kind="meeting", attendees=10,
    )  # fmt: skip
    assert save_changes(
        session, VenueBooking, EditorState([], added_rows=[booking]), actor=ADMIN
    ).ok
    row = _rows(session, VenueBooking)[0]
    gone = EditorState([row], deleted_rows=[0])
    assert save_changes(session, VenueBooking, gone, actor=ADMIN).ok
    inserted, deleted = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()[-2:]
    for entry in (inserted, deleted):
        assert history.record_name(entry) == "112/05/01 城市 行銷 說明會"
    assert history.record_title(deleted) == f"「112/05/01 城市 行銷 說明會」（#{row['id']}）"
    assert history.record_title(deleted, "en") == f"“2023-05-01 城市 行銷 說明會” (#{row['id']})"
    frame = history.history_frame([deleted])
    assert frame["資料"].tolist() == ["112/05/01 城市 行銷 說明會"]


def test_a_record_without_a_name_is_named_by_its_id(session):
    entry = AuditEntry(
        username="x", table_name="exchange_event_city", row_id=5, action="insert", batch_id="b",
        after={"event_id": 1, "city_id": 2},
    )  # fmt: skip
    assert history.record_name(entry) == "" and history.record_title(entry) == "#5"


def test_the_restore_preview_compares_the_record_now_with_the_version_put_back(session, venue_edit):
    # venue_edit changed capacity 50 -> 80 and kind hall -> meeting_room; then a later edit.
    later = EditorState(_rows(session, Venue), {0: {"name": "大禮堂"}})
    assert save_changes(session, Venue, later, actor=LEAD).ok
    shown = {c.label: (c.before, c.after) for c in history.restore_preview(session, venue_edit)}
    assert shown == {
        "名稱": ("大禮堂", "第一會議室"),
        "場地類型": ("會議室", "禮堂／活動場地"),
        "容納人數": ("80", "50"),
    }
    assert restore_version(session, venue_edit.id, actor=ADMIN).ok
    assert history.restore_preview(session, venue_edit) == []
