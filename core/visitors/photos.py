"""Reception photos: checked JPEG/PNG files under data_dir/photos by content hash, audited rows."""

from __future__ import annotations

import hashlib
import io
import os
import unicodedata
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image, ImageCms, ImageOps, JpegImagePlugin, UnidentifiedImageError
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from core.editing.pipeline import Actor, AuditedWriter, PermissionDenied, _Refused, can_edit
from core.i18n.labels import t
from core.kernel.config import get_settings
from core.kernel.file_modes import private_dir, write_private_file
from core.kernel.text_safety import LINE_CONTROL, control_name, first_control
from db.models import AuditAction, Reception, ReceptionPhoto

MAX_BYTES = 5 * 1024 * 1024
MAX_NAME = 120  # characters of the original file name kept
MAX_PIXELS = 40_000_000  # e.g. 8000 × 5000; larger images are refused before decoding
# magic bytes -> (content type, Pillow format, file extension)
SIGNATURES: dict[bytes, tuple[str, str, str]] = {
    b"\xff\xd8\xff": ("image/jpeg", "JPEG", "jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "PNG", "png"),
}


class PhotoRefused(ValueError):
    """The upload or deletion was refused; the message is zh-TW and nothing was changed."""


@dataclass(frozen=True)
class CheckedImage:
    content_type: str
    extension: str
    width: int
    height: int
    data: bytes  # what is stored: the image re-encoded from its pixels (see _reencode)


def photo_dir() -> Path:
    """Where photo files live: outside the database, under the data directory."""
    return get_settings().data_dir / "photos"


def can_manage_photos(actor: Actor) -> bool:
    """Leads of the visitors section and administrators, as for the reception table."""
    return can_edit(actor, "reception")


def _signature(data: bytes) -> tuple[str, str, str] | None:
    return next((v for magic, v in SIGNATURES.items() if data.startswith(magic)), None)


def check_image(data: bytes) -> CheckedImage:
    """Accept a JPEG or PNG by its first bytes AND by Pillow decoding it, within the limits."""
    if not data:
        raise PhotoRefused(t("vis.photo.empty"))
    if len(data) > MAX_BYTES:
        raise PhotoRefused(t("vis.photo.too_big", mb=MAX_BYTES // (1024 * 1024)))
    kind = _signature(data)
    if kind is None:
        raise PhotoRefused(t("vis.photo.bad_type"))
    content_type, pil_format, extension = kind
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                if im.format != pil_format:
                    raise PhotoRefused(t("vis.photo.bad_type"))
                width, height = im.size
                if width * height > MAX_PIXELS:
                    raise PhotoRefused(t("vis.photo.too_many_pixels", limit=f"{MAX_PIXELS:,}"))
                im.load()  # decodes every pixel: a truncated or corrupt file fails here
                clean = _reencode(im, pil_format)
    except PhotoRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRefused(t("vis.photo.too_many_pixels", limit=f"{MAX_PIXELS:,}")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PhotoRefused(t("vis.photo.unreadable")) from None
    return CheckedImage(content_type, extension, width, height, clean)


def _reencode(im: Image.Image, pil_format: str) -> bytes:
    """The image alone, written anew from its decoded pixels.

    Re-encoded rather than cut at the image's end (JPEG's EOI, PNG's IEND): bytes after the end
    are only one hiding place; JPEG APPn / COM segments and PNG text or private chunks before it
    carry whatever the uploader put there (a ZIP, an HTML page, a script) and a cut keeps them.
    What is stored is what Pillow writes from pixels, nothing of the upload's own bytes. It also
    drops EXIF: a visit's photo on the intranet does not need the camera's GPS position, serial
    number or owner name. The orientation EXIF recorded is applied to the pixels first, so the
    photo stays upright. A JPEG is written with its own quantisation tables and chroma
    subsampling, so the second generation loses next to nothing; PNG is lossless. An embedded
    colour profile (a blob too) is applied, converting to sRGB, and not kept.
    """
    upright = _in_srgb(ImageOps.exif_transpose(im), im.info.get("icc_profile"))
    out = io.BytesIO()
    if pil_format == "JPEG":
        options: dict = {"quality": 95}
        if isinstance(getattr(im, "quantization", None), dict) and im.quantization:
            options = {"qtables": im.quantization}
            sampling = JpegImagePlugin.get_sampling(im)
            if sampling != -1 and upright.mode in ("RGB", "YCbCr"):
                options["subsampling"] = sampling
        if upright.mode not in ("L", "RGB", "CMYK"):
            upright = upright.convert("RGB")
        upright.save(out, format="JPEG", **options)
    else:
        options = {}
        if "transparency" in im.info and upright.mode in ("P", "L", "RGB", "I", "I;16"):
            options["transparency"] = im.info["transparency"]
        upright.save(out, format="PNG", **options)
    return out.getvalue()


def _in_srgb(im: Image.Image, icc: bytes | None) -> Image.Image:
    """The pixels as they look with their colour profile, in sRGB, with no metadata attached."""
    if icc and im.mode in ("RGB", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            srgb = ImageCms.createProfile("sRGB")
            converted = ImageCms.profileToProfile(im, source, srgb, outputMode="RGB")
            if converted is not None:
                im = converted
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a profile lcms cannot read: the pixels as they are
    clean = im.copy()
    clean.info = {}  # Pillow would write some of info (the profile, EXIF) back otherwise
    return clean


def clean_filename(filename: str | None, extension: str) -> str:
    """The upload's own name, kept for people: the last part of any path (a browser may send
    C:\\fakepath\\x.jpg, a script ../../x.jpg), no control or invisible format characters
    (NUL; a right-to-left override, U+202E, makes a name read backwards), at most MAX_NAME
    characters with its extension kept; an empty one is named after the kind of file."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in LINE_CONTROL.sub("", name) if unicodedata.category(c) != "Cf")
    name = name.strip()
    if name in ("", ".", ".."):
        return f"{t('vis.photo.default_name')}.{extension}"
    if len(name) > MAX_NAME:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem[: MAX_NAME - len(ext) - 1]}.{ext}" if dot and len(ext) <= 10 else name
        name = name[:MAX_NAME]
    return name


def _check_actor(actor: Actor) -> None:
    if not can_manage_photos(actor):
        raise PermissionDenied(t("vis.photo.denied", user=actor.username))


def _write_file(directory: Path, name: str, data: bytes) -> bool:
    """Store data as directory/name unless it is already there; True when this call wrote it."""
    private_dir(directory)
    target = directory / name
    if target.exists():
        return False
    partial = directory / f".{name}.{os.getpid()}.part"
    write_private_file(partial, data)
    os.replace(partial, target)  # atomic: a reader never sees half a file
    return True


def _unused(session: Session, sha256: str) -> bool:
    stmt = select(func.count()).where(ReceptionPhoto.sha256 == sha256)
    return not session.execute(stmt).scalar_one()


def add_photo(
    session: Session,
    reception_id: int,
    filename: str,
    data: bytes,
    *,
    actor: Actor,
    directory: Path | None = None,
) -> ReceptionPhoto:
    """Check and store one photo of a reception, audited; raises PhotoRefused / PermissionDenied."""
    _check_actor(actor)
    directory = directory or photo_dir()
    if session.get(Reception, reception_id) is None:
        raise PhotoRefused(t("vis.photo.no_reception", id=reception_id))
    checked = check_image(data)
    data = checked.data  # the re-encoded image, never the upload's own bytes
    sha256 = hashlib.sha256(data).hexdigest()
    duplicate = select(ReceptionPhoto.id).where(
        ReceptionPhoto.reception_id == reception_id, ReceptionPhoto.sha256 == sha256
    )
    if session.execute(duplicate).first() is not None:
        raise PhotoRefused(t("vis.photo.duplicate"))
    stored_name = f"{sha256}.{checked.extension}"
    wrote = _write_file(directory, stored_name, data)
    writer = AuditedWriter(session, actor, ReceptionPhoto.__table__)
    values = dict(
        reception_id=reception_id,
        original_filename=clean_filename(filename, checked.extension),
        stored_name=stored_name,
        content_type=checked.content_type,
        byte_size=len(data),
        sha256=sha256,
        uploaded_by=actor.username,
    )
    try:
        photo_id = writer.insert(values)
        writer.commit()
    except SQLAlchemyError as exc:
        session.rollback()
        if wrote and _unused(session, sha256):
            (directory / stored_name).unlink(missing_ok=True)
        raise PhotoRefused(t("vis.photo.save_failed", detail=str(exc).splitlines()[0])) from exc
    photo = session.get(ReceptionPhoto, photo_id)
    assert photo is not None
    return photo


def delete_photo(
    session: Session, photo_id: int, *, actor: Actor, directory: Path | None = None
) -> None:
    """Delete the row (audited) and, when no other row uses the same file, the file too."""
    _check_actor(actor)
    directory = directory or photo_dir()
    photo = session.get(ReceptionPhoto, photo_id)
    if photo is None:
        raise PhotoRefused(t("vis.photo.not_found", id=photo_id))
    sha256, stored_name, version = photo.sha256, photo.stored_name, photo.version
    writer = AuditedWriter(session, actor, ReceptionPhoto.__table__)
    try:
        writer.delete(0, photo_id, version, writer.image(photo_id))
        writer.commit()
    except Exception as exc:
        session.rollback()
        raise PhotoRefused(t("vis.photo.delete_failed", id=photo_id)) from exc
    session.expunge_all()
    if _unused(session, sha256):
        (directory / stored_name).unlink(missing_ok=True)


def set_caption(
    session: Session, photo_id: int, version: int, caption: str, caption_en: str, *, actor: Actor
) -> ReceptionPhoto:
    """Write what the photo shows (zh-TW and English), audited; `version` is the one the
    caption was typed against, so a caption changed meanwhile by someone else is not
    overwritten. Raises PhotoRefused (zh-TW) / PermissionDenied and changes nothing then."""
    _check_actor(actor)
    values = {"caption": caption.strip(), "caption_en": caption_en.strip()}
    limits = {c.name: c.type.length for c in ReceptionPhoto.__table__.c if c.name in values}
    for column, text in values.items():
        label = t(f"col.{column}")
        bad = first_control(text)
        if bad is not None:
            raise PhotoRefused(t("vis.photo.caption_control", field=label, char=control_name(bad)))
        if len(text) > limits[column]:
            raise PhotoRefused(t("vis.photo.caption_long", field=label, limit=limits[column]))
    photo = session.get(ReceptionPhoto, photo_id)
    if photo is None:
        raise PhotoRefused(t("vis.photo.not_found_caption", id=photo_id))
    writer = AuditedWriter(session, actor, ReceptionPhoto.__table__)
    try:
        writer.update(photo_id, version, values, writer.image(photo_id), AuditAction.UPDATE)
        writer.commit()
    except _Refused as exc:  # its version moved on: someone else changed or deleted it
        session.rollback()
        raise PhotoRefused(t("vis.photo.caption_race", id=photo_id)) from exc
    except SQLAlchemyError as exc:
        session.rollback()
        raise PhotoRefused(t("vis.photo.save_failed", detail=str(exc).splitlines()[0])) from exc
    session.expire_all()
    saved = session.get(ReceptionPhoto, photo_id)
    assert saved is not None
    return saved


def uploaded_at_local(photo: ReceptionPhoto) -> datetime:
    """When the photo was uploaded, on the city's wall clock (SQLite hands back naive UTC)."""
    at = photo.uploaded_at
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    return at.astimezone(ZoneInfo(get_settings().timezone)).replace(tzinfo=None)


def photo_path(photo: ReceptionPhoto, directory: Path | None = None) -> Path:
    return (directory or photo_dir()) / photo.stored_name


def thumbnail(stored_name: str, size: int = 320, directory: Path | None = None) -> bytes | None:
    """A JPEG at most size×size, upright per EXIF; None when the file is missing or unreadable."""
    path = (directory or photo_dir()) / Path(stored_name).name
    try:
        with Image.open(path) as im:
            small = ImageOps.exif_transpose(im)
            small.thumbnail((size, size))
            out = io.BytesIO()
            small.convert("RGB").save(out, format="JPEG", quality=85)
            return out.getvalue()
    except (OSError, UnidentifiedImageError):
        return None
