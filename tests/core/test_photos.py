"""Reception photos: only real JPEG/PNG within limits, by permitted users, stored once, audited."""

import hashlib
import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlmodel import Session

from core import photos
from core.editing import Actor, PermissionDenied
from core.photos import PhotoRefused, add_photo, check_image, delete_photo, thumbnail
from db.models import AuditAction, AuditEntry, Reception, ReceptionPhoto

ADMIN = Actor("root", "admin")
VISITORS_LEAD = Actor("alice", "lead", frozenset({"visitors"}))
GIFTS_LEAD = Actor("bob", "lead", frozenset({"gifts"}))
VIEWER = Actor("carol", "viewer")


def _image(fmt: str = "PNG", size: tuple[int, int] = (40, 30), colour: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=fmt)
    return out.getvalue()


@pytest.fixture
def reception_id(session: Session) -> int:
    row = Reception(
        visit_date=date(2023, 1, 13), visitor_name_zh="蒲島郁夫", country="日本",
        category="governor_mayor",
    )  # fmt: skip
    session.add(row)
    session.commit()
    return row.id


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "photos"


def _rows(session: Session) -> int:
    return session.execute(select(func.count()).select_from(ReceptionPhoto)).scalar_one()


def _audits(session: Session) -> list[AuditEntry]:
    stmt = select(AuditEntry).where(AuditEntry.table_name == "reception_photo")
    return list(session.execute(stmt.order_by(AuditEntry.id)).scalars())


def _refused(session, reception_id, store, data, name="photo.png", actor=ADMIN) -> str:
    with pytest.raises(PhotoRefused) as refused:
        add_photo(session, reception_id, name, data, actor=actor, directory=store)
    assert _rows(session) == 0 and not _audits(session)
    assert not store.exists() or not any(store.iterdir())
    return str(refused.value)


def test_accepts_png_and_jpeg_by_content():
    assert check_image(_image("PNG")).content_type == "image/png"
    checked = check_image(_image("JPEG", (64, 48)))
    assert (checked.content_type, checked.width, checked.height) == ("image/jpeg", 64, 48)


def test_rejects_a_gif_by_its_magic_bytes(session, reception_id, store):
    message = _refused(session, reception_id, store, _image("GIF"), name="photo.png")
    assert "只接受 JPEG 或 PNG" in message


def test_rejects_a_renamed_text_file(session, reception_id, store):
    message = _refused(session, reception_id, store, "會議紀錄\n".encode(), name="photo.jpg")
    assert "只接受 JPEG 或 PNG" in message


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n" + b"not really a png" * 10,
        b"\xff\xd8\xff" + b"not really a jpeg" * 10,
        _image("PNG")[:60],  # truncated
    ],
    ids=["png-magic-only", "jpeg-magic-only", "truncated-png"],
)
def test_rejects_files_pillow_cannot_decode(session, reception_id, store, data):
    assert "無法讀取" in _refused(session, reception_id, store, data)


def test_rejects_an_oversize_file(session, reception_id, store):
    data = _image("PNG") + b"\0" * photos.MAX_BYTES
    assert "超過 5 MB" in _refused(session, reception_id, store, data)


def test_rejects_too_many_pixels(session, reception_id, store, monkeypatch):
    monkeypatch.setattr(photos, "MAX_PIXELS", 1000)
    assert "像素超過" in _refused(session, reception_id, store, _image("PNG", (40, 30)))


def test_rejects_an_empty_file_and_an_unknown_reception(session, reception_id, store):
    assert "空的" in _refused(session, reception_id, store, b"")
    assert "找不到編號 999999" in _refused(session, 999_999, store, _image())


@pytest.mark.parametrize("actor", [VIEWER, GIFTS_LEAD], ids=["viewer", "gifts-lead"])
def test_only_visitors_leads_and_admins_upload(session, reception_id, store, actor):
    with pytest.raises(PermissionDenied, match="沒有管理外賓接待照片的權限"):
        add_photo(session, reception_id, "a.png", _image(), actor=actor, directory=store)
    assert _rows(session) == 0 and not store.exists()
    assert photos.can_manage_photos(VISITORS_LEAD) and photos.can_manage_photos(ADMIN)


def test_a_good_png_is_stored_once_by_hash_with_an_audit_row(session, reception_id, store):
    data = _image()
    sha = hashlib.sha256(data).hexdigest()
    photo = add_photo(
        session, reception_id, "C:\\fakepath\\合照.png", data, actor=VISITORS_LEAD,
        directory=store,
    )  # fmt: skip
    assert (photo.stored_name, photo.sha256, photo.byte_size) == (f"{sha}.png", sha, len(data))
    assert (photo.content_type, photo.uploaded_by) == ("image/png", "alice")
    assert photo.original_filename.endswith("合照.png")
    assert (store / f"{sha}.png").read_bytes() == data
    [entry] = _audits(session)
    assert (entry.action, entry.row_id, entry.username) == (AuditAction.INSERT, photo.id, "alice")
    assert entry.after["sha256"] == sha
    # The same photo again for the same reception: refused, nothing added.
    with pytest.raises(PhotoRefused, match="已經上傳"):
        add_photo(session, reception_id, "again.png", data, actor=ADMIN, directory=store)
    # For another reception: a second row, still one file.
    other = Reception(
        visit_date=date(2023, 1, 13), visitor_name_zh="大西一史", country="日本",
        category="governor_mayor",
    )  # fmt: skip
    session.add(other)
    session.commit()
    add_photo(session, other.id, "same.png", data, actor=ADMIN, directory=store)
    assert _rows(session) == 2 and len(_audits(session)) == 2
    assert [p.name for p in store.iterdir()] == [f"{sha}.png"]


def test_delete_removes_the_row_and_then_the_last_use_of_the_file(session, reception_id, store):
    data = _image("JPEG")
    first = add_photo(session, reception_id, "a.jpg", data, actor=ADMIN, directory=store).id
    other = Reception(
        visit_date=date(2023, 1, 14), visitor_name_zh="乙", country="日本", category="other"
    )
    session.add(other)
    session.commit()
    second = add_photo(session, other.id, "b.jpg", data, actor=ADMIN, directory=store).id
    path = store / f"{hashlib.sha256(data).hexdigest()}.jpg"
    delete_photo(session, first, actor=VISITORS_LEAD, directory=store)
    assert path.exists() and _rows(session) == 1  # still used by the other reception
    delete_photo(session, second, actor=VISITORS_LEAD, directory=store)
    assert not path.exists() and _rows(session) == 0
    deletes = [e for e in _audits(session) if e.action == AuditAction.DELETE]
    assert [(e.row_id, e.after) for e in deletes] == [(first, None), (second, None)]
    assert deletes[0].before["stored_name"] == path.name


def test_delete_is_refused_for_a_viewer_and_for_a_missing_photo(session, reception_id, store):
    photo_id = add_photo(session, reception_id, "a.png", _image(), actor=ADMIN, directory=store).id
    with pytest.raises(PermissionDenied):
        delete_photo(session, photo_id, actor=VIEWER, directory=store)
    with pytest.raises(PhotoRefused, match="找不到編號 424242 的照片"):
        delete_photo(session, 424_242, actor=ADMIN, directory=store)
    assert _rows(session) == 1 and len(list(store.iterdir())) == 1


def test_thumbnail_is_a_small_jpeg(session, reception_id, store):
    photo = add_photo(
        session, reception_id, "big.png", _image("PNG", (1200, 800)), actor=ADMIN,
        directory=store,
    )  # fmt: skip
    small = Image.open(io.BytesIO(thumbnail(photo.stored_name, 320, directory=store)))
    assert (small.format, max(small.size)) == ("JPEG", 320)
    (store / photo.stored_name).unlink()
    assert thumbnail(photo.stored_name, directory=store) is None


@pytest.mark.parametrize(
    "stored", [datetime(2023, 3, 15, 16, 30), datetime(2023, 3, 15, 16, 30, tzinfo=UTC)]
)
def test_upload_time_is_shown_in_taipei_time(stored):
    photo = ReceptionPhoto(uploaded_at=stored)
    assert photos.uploaded_at_local(photo) == datetime(2023, 3, 16, 0, 30)
