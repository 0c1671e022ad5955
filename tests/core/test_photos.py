"""Reception photos: only real JPEG/PNG within limits, by permitted users, stored once, audited."""

import hashlib
import io
import os
import stat
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin
from sqlalchemy import func, select
from sqlmodel import Session

from core.editing.pipeline import Actor, PermissionDenied
from core.visitors import photos
from core.visitors.photos import PhotoRefused, add_photo, check_image, delete_photo, thumbnail
from db.models import AuditAction, AuditEntry, Reception, ReceptionPhoto

ADMIN = Actor("root", "admin")
VISITORS_LEAD = Actor("alice", "lead", frozenset({"visitors"}))
GIFTS_LEAD = Actor("bob", "lead", frozenset({"gifts"}))
VIEWER = Actor("carol", "viewer")


def _image(
    fmt: str = "PNG", size: tuple[int, int] = (40, 30), colour: str = "red", **options
) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, format=fmt, **options)
    return out.getvalue()


def _pixels(data: bytes) -> tuple:
    with Image.open(io.BytesIO(data)) as im:
        return im.mode, im.size, im.tobytes()


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
    photo = add_photo(
        session, reception_id, "C:\\fakepath\\合照.png", data, actor=VISITORS_LEAD,
        directory=store,
    )  # fmt: skip
    stored = (store / photo.stored_name).read_bytes()
    sha = hashlib.sha256(stored).hexdigest()
    assert (photo.stored_name, photo.sha256, photo.byte_size) == (f"{sha}.png", sha, len(stored))
    assert (photo.content_type, photo.uploaded_by) == ("image/png", "alice")
    assert photo.original_filename == "合照.png"
    assert _pixels(stored) == _pixels(data)
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
    path = store / session.get(ReceptionPhoto, second).stored_name
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


# --- only the image is stored ------------------------------------------------------------------


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.html", "<script>alert(1)</script>")
    return out.getvalue()


def _gps_exif(orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x013B] = "Artist Name"  # Artist
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (22.0, 37.0, 12.0), 3: "E", 4: (120.0, 18.0, 5.0)})
    return exif.tobytes()


PAYLOADS = {
    "zip_after_jpeg_eoi": (lambda: _image("JPEG", (64, 48)) + _zip(), "jpg"),
    "zip_after_png_iend": (lambda: _image() + _zip(), "png"),
    "zip_after_iend_with_junk": (lambda: _image() + b"\0" * 16 + _zip(), "png"),
    # before the end: a JPEG comment segment and a PNG text chunk
    "jpeg_comment": (lambda: _image("JPEG", (64, 48), comment=_zip()), "jpg"),
    "png_text_chunk": (
        lambda: _image("PNG", pnginfo=_text_chunk("Comment", "<script>alert(1)</script>")),
        "png",
    ),
}


def _text_chunk(key: str, value: str) -> PngImagePlugin.PngInfo:
    info = PngImagePlugin.PngInfo()
    info.add_text(key, value)
    return info


@pytest.mark.parametrize("case", PAYLOADS)
def test_only_the_image_is_stored_not_what_was_hidden_in_or_after_it(
    session, reception_id, store, case
):
    make, extension = PAYLOADS[case]
    data = make()
    photo = add_photo(session, reception_id, f"x.{extension}", data, actor=ADMIN, directory=store)
    stored = (store / photo.stored_name).read_bytes()
    assert b"PK\x03\x04" not in stored and b"<script>" not in stored and b"payload" not in stored
    assert stored != data and len(stored) < len(data)
    # the end marker is the file's end
    assert stored.endswith(b"\xff\xd9" if extension == "jpg" else b"IEND\xaeB`\x82")
    # the hash and size recorded are those of the stored bytes, and it is still the picture
    sha = hashlib.sha256(stored).hexdigest()
    assert (photo.sha256, photo.byte_size, photo.stored_name) == (
        sha, len(stored), f"{sha}.{extension}",
    )  # fmt: skip
    with Image.open(io.BytesIO(stored)) as im:
        assert im.format == ("JPEG" if extension == "jpg" else "PNG")
        assert im.size == ((64, 48) if extension == "jpg" else (40, 30))
        red = im.convert("RGB").getpixel((5, 5))
    assert red[0] > 240 and red[1] < 15 and red[2] < 15
    # the same upload again is still the same photo
    with pytest.raises(PhotoRefused, match="已經上傳"):
        add_photo(session, reception_id, "again", data, actor=ADMIN, directory=store)


def test_exif_gps_is_dropped_and_the_photo_turned_upright(session, reception_id, store):
    # 60 × 40 as the sensor saw it; orientation 6 says it shows turned 90° clockwise
    sideways = io.BytesIO()
    im = Image.new("RGB", (60, 40), "white")
    im.paste((0, 0, 255), (0, 0, 10, 10))  # a blue mark at the sensor's top left
    im.save(sideways, format="JPEG", exif=_gps_exif(orientation=6), quality=95)
    data = sideways.getvalue()
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(0x8825)  # the upload does carry a position
    photo = add_photo(session, reception_id, "gps.jpg", data, actor=ADMIN, directory=store)
    stored = (store / photo.stored_name).read_bytes()
    with Image.open(io.BytesIO(stored)) as im:
        assert not im.getexif() and "exif" not in im.info
        assert im.size == (40, 60)  # upright: the turn is in the pixels, not in a tag
        blue = im.convert("RGB").getpixel((35, 4))  # the mark is now at the top right
    assert blue[2] > 200 and blue[0] < 60
    assert b"Artist Name" not in stored


def test_a_png_keeps_its_transparency(session, reception_id, store):
    out = io.BytesIO()
    Image.new("RGBA", (20, 20), (255, 0, 0, 0)).save(out, format="PNG")
    photo = add_photo(session, reception_id, "t.png", out.getvalue(), actor=ADMIN,
                      directory=store)  # fmt: skip
    with Image.open(store / photo.stored_name) as im:
        assert im.mode == "RGBA" and im.getpixel((3, 3))[3] == 0


NAMES = {
    "../../x.jpg": "x.jpg",
    "..\\..\\x.jpg": "x.jpg",
    "C:\\Users\\x.jpg": "x.jpg",
    "/etc/passwd": "passwd",
    "合照\x00.jpg": "合照.jpg",
    "a\tb\r\nc\x1b[31m.jpg": "abc[31m.jpg",
    "photo\u202egpj.exe": "photogpj.exe",  # a right-to-left override would show it reversed
    "..": "照片.jpg",
    "": "照片.jpg",
    "  \x00 ": "照片.jpg",
    "dir/": "照片.jpg",
}


@pytest.mark.parametrize(("sent", "kept"), NAMES.items(), ids=[repr(n) for n in NAMES])
def test_the_original_name_keeps_only_a_plain_file_name(sent, kept):
    assert photos.clean_filename(sent, "jpg") == kept


def test_a_long_original_name_is_shortened_keeping_its_extension(session, reception_id, store):
    photo = add_photo(session, reception_id, "長" * 300 + ".jpeg", _image("JPEG"), actor=ADMIN,
                      directory=store)  # fmt: skip
    assert len(photo.original_filename) == photos.MAX_NAME
    assert photo.original_filename == "長" * (photos.MAX_NAME - 5) + ".jpeg"
    assert photos.clean_filename("x" * 500, "png") == "x" * photos.MAX_NAME


def test_a_stored_photo_is_readable_by_the_apps_account_only(session, reception_id, store):
    old = os.umask(0o022)
    try:
        photo = add_photo(session, reception_id, "a.png", _image(), actor=ADMIN, directory=store)
    finally:
        os.umask(old)
    assert stat.S_IMODE(store.stat().st_mode) == 0o700
    assert stat.S_IMODE((store / photo.stored_name).stat().st_mode) == 0o600


def test_a_path_or_control_characters_in_the_name_are_not_kept(session, reception_id, store):
    photo = add_photo(session, reception_id, "../../上傳\x00/../合\x07照.png", _image(),
                      actor=ADMIN, directory=store)  # fmt: skip
    assert photo.original_filename == "合照.png"
